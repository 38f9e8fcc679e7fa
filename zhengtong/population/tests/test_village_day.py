"""A village worker's day on a phone: call a resident from the follow-up page (the whole number
shown only on request, and that request audited), start a home visit from the person or from the
due 上门随访 without typing an ID number, the visit closing the follow-up it answers, and the next
follow-up not pre-filled with today."""

import datetime
import uuid

import time_machine

from zhengtong.audit.models import Event
from zhengtong.population.actions.followups import followup_plan_create
from zhengtong.population.models import FollowUp, FollowUpPlan, HomeVisit
from zhengtong.population.views import CALL_PURPOSE

from .test_visits_fixtures import NOW, TODAY, CareTestCase, make_person

VISIT_URL = "/population/visits/new/"


def plan_for(actor, person, *, kind=FollowUpPlan.Kind.HOME, due=TODAY, interval=30):
    """A plan whose open follow-up falls due on `due` (in the past: overdue)."""
    plan = followup_plan_create(
        actor=actor,
        person=person,
        kind=kind,
        interval_days=interval,
        purpose="计生特殊家庭上门关怀",
        first_due_on=max(due, TODAY),
        today=TODAY,
    )
    plan.followups.update(due_on=due)
    return plan


@time_machine.travel(NOW, tick=False)
class CallTestCase(CareTestCase):
    def test_the_page_shows_a_masked_number_and_the_whole_one_only_on_request(self) -> None:
        self.client.force_login(self.east_worker)
        page = self.client.get(f"/population/persons/{self.east_woman.pk}/")
        self.assertContains(page, "137****1111")
        self.assertNotContains(page, "13700001111")
        self.assertContains(page, f"/population/persons/{self.east_woman.pk}/call/")
        before = Event.objects.filter(changes__purpose=CALL_PURPOSE).count()
        r = self.client.post(f"/population/persons/{self.east_woman.pk}/call/")
        self.assertContains(r, 'href="tel:13700001111"')
        self.assertContains(r, "返回")
        read = Event.objects.filter(changes__purpose=CALL_PURPOSE).get()
        self.assertEqual(before, 0)
        self.assertEqual(read.actor, self.east_worker)
        self.assertEqual(read.target_id, str(self.east_woman.pk))

    def test_htmx_gets_the_link_in_place(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            f"/population/persons/{self.east_woman.pk}/call/", headers={"HX-Request": "true"}
        )
        self.assertContains(r, 'href="tel:13700001111"')
        self.assertNotContains(r, "<html")

    def test_the_follow_up_page_offers_the_call(self) -> None:
        plan = plan_for(self.east_worker, self.east_woman, kind=FollowUpPlan.Kind.PHONE)
        self.client.force_login(self.east_worker)
        page = self.client.get(f"/population/followups/{plan.followups.get().pk}/")
        self.assertContains(page, f"/population/persons/{self.east_woman.pk}/call/")
        self.assertNotContains(page, "13700001111")

    def test_nobody_else_can_reveal_the_number(self) -> None:
        url = f"/population/persons/{self.east_woman.pk}/call/"
        self.assertEqual(self.client.post(url).status_code, 302)  # to the login page
        self.client.force_login(self.west_worker)
        r = self.client.post(url)
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "13700001111", status_code=404)
        self.client.force_login(self.east_worker)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertEqual(self.client.post("/population/persons/999999/call/").status_code, 404)
        silent = make_person("王五", self.east_village, seq=9)
        self.assertEqual(
            self.client.post(f"/population/persons/{silent.pk}/call/").status_code, 404
        )


@time_machine.travel(NOW, tick=False)
class VisitFromTheDueItemTestCase(CareTestCase):
    def data(self, **extra) -> dict:
        return {
            "visited_on": TODAY.isoformat(),
            "place": "东村 3 组 12 号",
            "outcome": "老人身体尚好。",
            "latitude": "",
            "longitude": "",
            "client_uuid": str(uuid.uuid4()),
            **extra,
        }

    def test_without_a_person_the_page_asks_whom_by_name_never_by_id_number(self) -> None:
        make_person("张强", self.east_village, seq=3, female=False)
        self.client.force_login(self.east_worker)
        r = self.client.get(VISIT_URL)
        self.assertContains(r, "选择走访对象")
        self.assertNotContains(r, "公民身份号码")
        self.assertContains(r, f"?person={self.east_woman.pk}")
        self.assertNotContains(r, "李娟")  # another village
        r = self.client.get(VISIT_URL, {"q": "张强"})
        self.assertContains(r, "张强")
        self.assertNotContains(r, "张丽")
        r = self.client.get(VISIT_URL, {"q": "没有这个人"})
        self.assertContains(r, "没有找到")

    def test_a_visit_closes_the_due_home_follow_up_and_schedules_the_next(self) -> None:
        home = plan_for(self.east_worker, self.east_woman, due=TODAY - datetime.timedelta(days=3))
        phone = plan_for(self.east_worker, self.east_woman, kind=FollowUpPlan.Kind.PHONE)
        self.client.force_login(self.east_worker)
        r = self.client.post(f"{VISIT_URL}?person={self.east_woman.pk}", self.data(), follow=True)
        visit = HomeVisit.objects.get()
        self.assertContains(r, "同时完成上门随访 1 项")
        done = home.followups.get(status=FollowUp.Status.DONE)
        self.assertEqual(done.visit, visit)
        self.assertEqual(done.done_on, TODAY)
        self.assertEqual(done.done_by, self.east_worker)
        self.assertEqual(
            home.followups.get(status=FollowUp.Status.SCHEDULED).due_on,
            TODAY + datetime.timedelta(days=30),
        )
        self.assertEqual(phone.followups.get().status, FollowUp.Status.SCHEDULED)
        page = self.client.get(f"/population/followups/{done.pk}/")
        self.assertContains(page, f"/population/visits/{visit.pk}/")

    def test_a_home_follow_up_not_yet_due_stays_open_unless_the_visit_was_started_from_it(
        self,
    ) -> None:
        later = plan_for(self.east_worker, self.east_woman, due=TODAY + datetime.timedelta(days=4))
        due = later.followups.get()
        self.client.force_login(self.east_worker)
        self.client.post(f"{VISIT_URL}?person={self.east_woman.pk}", self.data())
        due.refresh_from_db()
        self.assertEqual(due.status, FollowUp.Status.SCHEDULED)
        page = self.client.get(f"/population/followups/{due.pk}/")
        start = f"{VISIT_URL}?person={self.east_woman.pk}&amp;followup={due.pk}"
        self.assertContains(page, start)
        form = self.client.get(f"{VISIT_URL}?person={self.east_woman.pk}&followup={due.pk}")
        self.assertContains(form, "本次走访将同时完成")
        self.client.post(f"{VISIT_URL}?person={self.east_woman.pk}&followup={due.pk}", self.data())
        due.refresh_from_db()
        self.assertEqual(due.status, FollowUp.Status.DONE)
        self.assertEqual(HomeVisit.objects.count(), 2)

    def test_a_follow_up_of_someone_else_cannot_be_closed_by_a_visit(self) -> None:
        other = make_person("张三", self.east_village, seq=4, female=False)
        theirs = plan_for(self.east_worker, other).followups.get()
        west = plan_for(self.west_worker, self.west_woman).followups.get()
        self.client.force_login(self.east_worker)
        for followup in (theirs, west):
            url = f"{VISIT_URL}?person={self.east_woman.pk}&followup={followup.pk}"
            self.assertEqual(self.client.get(url).status_code, 404)
            self.assertEqual(self.client.post(url, self.data()).status_code, 404)
        url = f"{VISIT_URL}?person={self.east_woman.pk}&followup=abc"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(HomeVisit.objects.exists())
        for followup in (theirs, west):
            followup.refresh_from_db()
            self.assertEqual(followup.status, FollowUp.Status.SCHEDULED)

    def test_a_visit_sent_twice_closes_the_follow_up_once(self) -> None:
        home = plan_for(self.east_worker, self.east_woman)
        data = self.data()
        self.client.force_login(self.east_worker)
        self.client.post(f"{VISIT_URL}?person={self.east_woman.pk}", data)
        self.client.post(f"{VISIT_URL}?person={self.east_woman.pk}", data)
        self.assertEqual(home.followups.filter(status=FollowUp.Status.DONE).count(), 1)
        self.assertEqual(home.followups.filter(status=FollowUp.Status.SCHEDULED).count(), 1)


@time_machine.travel(NOW, tick=False)
class NextFollowUpTestCase(CareTestCase):
    def test_the_next_follow_up_is_not_pre_filled_with_today(self) -> None:
        plan = plan_for(self.east_worker, self.east_woman, kind=FollowUpPlan.Kind.PHONE)
        first = plan.followups.get()
        self.client.force_login(self.east_worker)
        page = self.client.get(f"/population/followups/{first.pk}/")
        self.assertContains(page, f'value="{TODAY.isoformat()}"')
        r = self.client.post(
            f"/population/followups/{first.pk}/complete/",
            {"done_on": TODAY.isoformat(), "outcome": "电话联系,情况正常。"},
            follow=True,
        )
        following = plan.followups.get(status=FollowUp.Status.SCHEDULED)
        self.assertEqual(r.redirect_chain[-1][0], f"/population/followups/{following.pk}/")
        self.assertNotContains(r, f'value="{TODAY.isoformat()}"')

    def test_the_worklist_is_a_list_of_cards_on_a_phone(self) -> None:
        plan_for(self.east_worker, self.east_woman, kind=FollowUpPlan.Kind.PHONE)
        self.client.force_login(self.east_worker)
        r = self.client.get("/population/work/?list=week")
        # The kit's table: under 768 px each row is a card of label/value lines.
        self.assertContains(r, "zt-cards")
        self.assertContains(r, 'data-label="事项"')
        self.assertContains(r, "张丽", count=1)
