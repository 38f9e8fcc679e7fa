import datetime

import time_machine
from django.core.exceptions import PermissionDenied

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.population.actions import care
from zhengtong.population.models import Referral
from zhengtong.test import make_unit, make_user

from .test_visits_fixtures import NOW, TODAY, CareTestCase, make_person

D = datetime.date


@time_machine.travel(NOW, tick=False)
class ReferralTestCase(CareTestCase):
    """2026-06-19 (端午) is a holiday: 10 working days after Monday 2026-06-15 is 06-30."""

    def setUp(self) -> None:
        super().setUp()
        self.east_visit = care.home_visit_record(
            actor=self.east_worker,
            person=self.east_woman,
            visited_on=TODAY,
            place="家中",
            outcome="丈夫重病,家庭困难。",
        )[0]
        self.west_visit = care.home_visit_record(
            actor=self.west_worker,
            person=self.west_woman,
            visited_on=TODAY,
            place="家中",
            outcome="独居。",
        )[0]

    def add_civil_office(self):
        office = make_unit("刘集镇民政办", "LIUJI-MZ", "department", self.town)
        clerk = make_user(
            "civil_clerk", full_name="民政干事", memberships=[(Role.DEPT_CLERK, office)]
        )
        return office, clerk

    def test_civil_and_dibao_go_to_the_townships_civil_office_when_there_is_one(self) -> None:
        office, _clerk = self.add_civil_office()
        self.client.force_login(self.east_worker)
        r = self.client.post(
            f"/population/visits/{self.east_visit.pk}/referrals/",
            {"kind": "dibao", "note": "申请低保"},
        )
        self.assertRedirects(r, f"/population/visits/{self.east_visit.pk}/")
        referral = Referral.objects.get()
        self.assertEqual(referral.to_unit, office)
        self.assertEqual(referral.due_on, D(2026, 6, 30))
        self.assertEqual(referral.status, Referral.Status.OPEN)
        self.assertEqual(Event.objects.filter(action="referral_opened").count(), 1)

    def test_without_an_office_the_township_takes_it(self) -> None:
        referral = care.referral_open(
            actor=self.east_worker, visit=self.east_visit, kind="medical", note="需要医疗救助"
        )
        self.assertEqual(referral.to_unit, self.town)
        self.assertEqual(referral.due_on, D(2026, 6, 23))

    def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"/population/visits/{self.east_visit.pk}/referrals/"
        r = self.client.post(url, {"kind": "dibao", "note": ""})
        self.assertContains(r, "情况说明不能为空。", status_code=400)
        r = self.client.post(url, {"kind": "tax", "note": "x"})
        self.assertContains(r, "转介类别", status_code=400)
        care.referral_open(actor=self.east_worker, visit=self.east_visit, kind="dibao", note="a")
        r = self.client.post(url, {"kind": "dibao", "note": "again"})
        self.assertContains(r, "请勿重复转介", status_code=400)
        self.assertEqual(Referral.objects.count(), 1)

    def test_the_office_closes_it_with_a_result(self) -> None:
        _office, clerk = self.add_civil_office()
        referral = care.referral_open(
            actor=self.east_worker, visit=self.east_visit, kind="civil", note="临时救助"
        )
        self.client.force_login(clerk)
        self.assertContains(self.client.get("/population/referrals/"), "张丽")
        r = self.client.get(f"/population/referrals/{referral.pk}/")
        self.assertContains(r, "办结")
        r = self.client.post(
            f"/population/referrals/{referral.pk}/close/", {"result": "", "closed_on": "2026-06-15"}
        )
        self.assertContains(r, "办理结果不能为空。", status_code=400)
        r = self.client.post(
            f"/population/referrals/{referral.pk}/close/",
            {"result": "已发放临时救助金 2000 元", "closed_on": "2026-06-16"},
        )
        self.assertContains(r, "办结日期不能晚于今天。", status_code=400)
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.OPEN)
        r = self.client.post(
            f"/population/referrals/{referral.pk}/close/",
            {"result": "已发放临时救助金 2000 元", "closed_on": "2026-06-15"},
        )
        self.assertRedirects(r, f"/population/referrals/{referral.pk}/")
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.DONE)
        self.assertEqual(referral.closed_on, TODAY)
        self.assertEqual(Event.objects.filter(action="referral_closed").count(), 1)

    def test_the_referring_village_sees_it_but_does_not_close_it(self) -> None:
        referral = care.referral_open(
            actor=self.east_worker, visit=self.east_visit, kind="civil", note="临时救助"
        )
        self.client.force_login(self.east_worker)
        r = self.client.get(f"/population/referrals/{referral.pk}/")
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "办结</button>")
        r = self.client.post(
            f"/population/referrals/{referral.pk}/close/",
            {"result": "x", "closed_on": "2026-06-15"},
        )
        self.assertEqual(r.status_code, 403)
        with self.assertRaises(PermissionDenied):
            care.referral_close(actor=self.east_worker, referral=referral, result="x")
        # The township's 计生办 (the office when there is no department) closes it.
        care.referral_close(actor=self.town_worker, referral=referral, result="已救助")

    def test_another_village_and_other_offices_get_404(self) -> None:
        referral = care.referral_open(
            actor=self.west_worker, visit=self.west_visit, kind="medical", note="慢病"
        )
        for user in [self.east_worker, self.clerk]:
            self.client.force_login(user)
            for url in [
                f"/population/referrals/{referral.pk}/",
                f"/population/visits/{self.west_visit.pk}/",
            ]:
                r = self.client.get(url)
                self.assertIn(r.status_code, (403, 404), url)
                self.assertNotContains(r, "李娟", status_code=r.status_code)
        self.client.force_login(self.east_worker)
        self.assertEqual(self.client.get(f"/population/referrals/{referral.pk}/").status_code, 404)
        r = self.client.post(
            f"/population/referrals/{referral.pk}/close/",
            {"result": "x", "closed_on": "2026-06-15"},
        )
        self.assertEqual(r.status_code, 404)
        r = self.client.post(
            f"/population/visits/{self.west_visit.pk}/referrals/", {"kind": "dibao", "note": "x"}
        )
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(self.client.get("/population/referrals/"), "李娟")
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.OPEN)
        self.assertEqual(Referral.objects.count(), 1)

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.town_worker)
        care.referral_open(actor=self.east_worker, visit=self.east_visit, kind="dibao", note="a")
        queries = self.queries_of("/population/referrals/")
        for seq in range(20, 45):
            person = make_person(f"户{seq}", self.east_village, seq=seq)
            visit = care.home_visit_record(
                actor=self.east_worker, person=person, visited_on=TODAY, place="家", outcome="困难"
            )[0]
            care.referral_open(actor=self.east_worker, visit=visit, kind="medical", note="b")
        with self.assertNumQueries(queries):
            r = self.client.get("/population/referrals/")
        self.assertContains(r, "第 1 / 2 页")
