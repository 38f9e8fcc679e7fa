import time_machine

from zhengtong.population.actions.followups import followup_plan_create
from zhengtong.population.actions.maternal import high_risk_referral, pregnancy_register
from zhengtong.population.models import FollowUp

from .test_followups_fixtures import D, FollowupTestCase, at, make_person

URL = "/population/work/"
NOW = at(2026, 6, 17)  # a Wednesday: this week ends on Sunday 2026-06-21


def plan(worker, person, *, due_on, purpose="电话随访"):
    with time_machine.travel(at(2026, 1, 5), tick=False):
        p = followup_plan_create(
            actor=worker, person=person, kind="phone", interval_days=30, purpose=purpose
        )
    FollowUp.objects.filter(plan=p).update(due_on=due_on)
    return p


@time_machine.travel(NOW, tick=False)
class WorklistTestCase(FollowupTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.overdue = make_person("超期人", self.east_village, seq=3)
        self.thursday = make_person("周四人", self.east_village, seq=4)
        self.later = make_person("下月人", self.east_village, seq=5)
        plan(self.east_worker, self.overdue, due_on=D(2026, 6, 10))
        plan(self.east_worker, self.thursday, due_on=D(2026, 6, 18))
        plan(self.east_worker, self.later, due_on=D(2026, 7, 20))
        plan(self.west_worker, self.west_woman, due_on=D(2026, 6, 12))
        # A high-risk referral follow-up due the same Thursday: it goes before the follow-up.
        with time_machine.travel(at(2026, 6, 4), tick=False):
            pregnancy = pregnancy_register(
                actor=self.east_worker, person=self.east_woman, lmp=D(2026, 4, 20)
            )
            high_risk_referral(
                actor=self.east_worker, pregnancy=pregnancy, referred_on=D(2026, 6, 4)
            )

    def titles(self, response) -> list[str]:
        return [item.title for item in response.context["page"].object_list]

    def test_this_week_lists_overdue_first_then_by_due_date_then_priority(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        titles = self.titles(r)
        self.assertEqual(titles[0], "超期人 电话随访")
        self.assertLess(titles.index("张丽 高危转诊随访"), titles.index("周四人 电话随访"))
        self.assertNotIn("下月人 电话随访", titles)
        self.assertContains(
            r, '<span class="badge text-bg-danger" title="已超期">超期 5 个工作日</span>'
        )

    def test_overdue_lists_only_the_items_past_their_due_date(self) -> None:
        self.client.force_login(self.east_worker)
        titles = self.titles(self.client.get(URL + "?list=overdue"))
        self.assertIn("超期人 电话随访", titles)
        self.assertNotIn("周四人 电话随访", titles)
        # The first antenatal window (LMP 2026-04-20) is open and the referral due tomorrow.
        self.assertFalse([t for t in titles if "张丽" in t])

    def test_my_area_lists_every_open_item_of_the_users_villages(self) -> None:
        self.client.force_login(self.east_worker)
        titles = self.titles(self.client.get(URL + "?list=area"))
        self.assertIn("下月人 电话随访", titles)
        self.assertNotIn("李娟 电话随访", titles)
        self.assertEqual(titles[0], "超期人 电话随访")

    def test_the_township_office_sees_both_villages_and_can_filter_one(self) -> None:
        self.client.force_login(self.town_worker)
        titles = self.titles(self.client.get(URL + "?list=overdue"))
        self.assertEqual(titles[:2], ["超期人 电话随访", "李娟 电话随访"])
        west = self.titles(self.client.get(URL + f"?list=overdue&village={self.west_village.pk}"))
        self.assertEqual(west, ["李娟 电话随访"])

    def test_a_village_worker_cannot_filter_on_another_village(self) -> None:
        self.client.force_login(self.west_worker)
        r = self.client.get(URL + f"?list=area&village={self.east_village.pk}")
        self.assertContains(r, "筛选条件有误")
        self.assertNotContains(r, "超期人")
        self.assertNotContains(r, "张丽")

    def test_the_tabs_keep_the_village_and_kind_chosen(self) -> None:
        self.client.force_login(self.town_worker)
        village = self.west_village.pk
        r = self.client.get(URL, {"list": "overdue", "village": village, "kind": "随访"})
        self.assertEqual(r.context["tab"], "overdue")
        self.assertContains(
            r, f'href="?village={village}&amp;kind=%E9%9A%8F%E8%AE%BF&amp;list=area"'
        )
        self.assertContains(r, 'aria-current="page" href="?village=')

    def test_the_kind_filter_and_the_search(self) -> None:
        self.client.force_login(self.east_worker)
        maternal = self.titles(self.client.get(URL, {"list": "area", "kind": "孕产期随访"}))
        self.assertTrue(maternal)
        self.assertTrue(all("张丽" in t for t in maternal))
        self.assertEqual(
            self.titles(self.client.get(URL, {"list": "area", "q": "下月"})), ["下月人 电话随访"]
        )

    def test_an_unknown_list_is_a_bad_filter(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(URL, {"list": "bogus"})
        self.assertContains(r, "筛选条件有误")
        self.assertEqual(self.titles(r), [])

    def test_the_list_is_paginated_with_a_fixed_query_count(self) -> None:
        self.client.force_login(self.town_worker)
        before = self.queries_of(URL + "?list=area")
        for seq in range(10, 40):
            person = make_person(f"人{seq}", self.west_village, seq=seq)
            plan(self.west_worker, person, due_on=D(2026, 6, 1 + seq % 28))
        self.assertEqual(self.queries_of(URL + "?list=area"), before)
        r = self.client.get(URL + "?list=area")
        self.assertEqual(r.context["page"].paginator.num_pages, 2)
        self.assertContains(self.client.get(URL + "?list=area&page=2"), "第 2 / 2 页")

    def test_the_htmx_request_gets_the_results_only(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(URL, headers={"HX-Request": "true"})
        self.assertContains(r, 'id="results"')
        self.assertNotContains(r, "<html")

    def test_other_roles_are_refused(self) -> None:
        for user in (self.leader, self.clerk, self.auditor):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)
