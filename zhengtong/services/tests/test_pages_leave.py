"""Leave (A/B) and the rectification of bad ratings: the hall's small pages."""

import datetime

import time_machine

from zhengtong.services.actions.decisions import application_approve
from zhengtong.services.actions.intake import application_intake
from zhengtong.services.actions.ratings import rating_submit
from zhengtong.services.models import Application, Leave
from zhengtong.test import make_id_number

from .fixtures import PageTestCase


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class LeaveTestCase(PageTestCase):
    def test_a_clerk_records_a_colleagues_leave_and_sees_it_listed(self) -> None:
        self.client.force_login(self.clerk_b)
        response = self.client.post(
            "/services/leave/new/",
            {
                "user": self.clerk_a.pk,
                "start_on": "2026-12-01",
                "end_on": "2026-12-03",
                "reason": "培训",
            },
        )
        self.assertRedirects(response, "/services/leave/")
        leave = Leave.objects.get()
        self.assertEqual((leave.user, leave.created_by), (self.clerk_a, self.clerk_b))
        listing = self.client.get("/services/leave/")
        self.assertContains(
            listing, '<td class="text-nowrap" data-label="开始日期">2026-12-01</td>'
        )
        self.assertContains(
            listing, '<td class="text-nowrap" data-label="结束日期">2026-12-03</td>'
        )
        self.assertContains(listing, "3号窗口")

    def test_an_end_before_the_start_is_refused_and_nothing_saved(self) -> None:
        self.client.force_login(self.clerk_b)
        response = self.client.post(
            "/services/leave/new/",
            {
                "user": self.clerk_a.pk,
                "start_on": "2026-12-03",
                "end_on": "2026-12-01",
                "reason": "培训",
            },
        )
        self.assertContains(response, "结束日期不能早于开始日期")
        self.assertFalse(Leave.objects.exists())

    def test_a_clerk_of_another_hall_cannot_pick_these_clerks(self) -> None:
        self.client.force_login(self.other_clerk)
        response = self.client.post(
            "/services/leave/new/",
            {
                "user": self.clerk_a.pk,
                "start_on": "2026-12-01",
                "end_on": "2026-12-03",
                "reason": "x",
            },
        )
        self.assertTrue(response.context["form"].errors["user"])
        self.assertFalse(Leave.objects.exists())

    def test_other_roles_get_403(self) -> None:
        self.client.force_login(self.outsider)
        for url in (
            "/services/leave/",
            "/services/leave/new/",
            "/services/duty/",
            "/services/rectifications/",
        ):
            self.assertEqual(self.client.get(url).status_code, 403, url)


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class RectificationTestCase(PageTestCase):
    def setUp(self) -> None:
        super().setUp()
        case = application_intake(
            actor=self.clerk_a,
            item_code="TEST-SYDJ",
            applicant={
                "name": "刘小梅",
                "id_number": make_id_number(datetime.date(1990, 1, 1), female=False, seq=51),
                "phone": "13912345678",
            },
            materials=["id_card", "marriage", "hukou_book"],
            situation={"hukou": "local", "marital_status": "married"},
        )
        application_approve(actor=self.clerk_a, application=case)
        case.refresh_from_db()
        self.case = case
        self.rating = rating_submit(application=case, level=1, comment="等了很久")
        self.rectification = self.rating.rectification

    def test_bad_ratings_are_listed_with_their_deadline(self) -> None:
        self.client.force_login(self.clerk_a)
        response = self.client.get("/services/rectifications/")
        self.assertContains(response, self.case.receipt_no)
        self.assertContains(response, "非常不满意")
        self.assertContains(response, "等了很久")
        self.client.force_login(self.other_clerk)
        self.assertNotContains(self.client.get("/services/rectifications/"), self.case.receipt_no)

    def test_closing_needs_a_callback_note(self) -> None:
        self.client.force_login(self.clerk_a)
        url = f"/services/rectifications/{self.rectification.pk}/close/"
        response = self.client.post(url, {"callback_note": "", "result": "已改进"})
        self.assertContains(response, "该字段是必填项")
        self.rectification.refresh_from_db()
        self.assertIsNone(self.rectification.done_at)
        response = self.client.post(
            url, {"callback_note": "电话回访,已致歉", "result": "增设导办员"}
        )
        self.assertRedirects(response, "/services/rectifications/")
        self.rectification.refresh_from_db()
        self.assertIsNotNone(self.rectification.done_at)
        self.assertEqual(self.rectification.done_by, self.clerk_a)
        page = self.client.get(self.case.get_absolute_url())
        self.assertContains(page, "电话回访,已致歉")
        self.assertEqual(self.case.status, Application.Status.APPROVED)

    def test_another_townships_clerk_cannot_close_it(self) -> None:
        self.client.force_login(self.other_clerk)
        url = f"/services/rectifications/{self.rectification.pk}/close/"
        self.assertEqual(self.client.post(url, {"callback_note": "x"}).status_code, 404)
