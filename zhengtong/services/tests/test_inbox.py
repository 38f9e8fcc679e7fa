"""我的待办 of the hall: running cases (own, or as B for an absent A) and open rectifications."""

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import User
from zhengtong.inbox.registry import items_for
from zhengtong.services.actions.decisions import application_approve
from zhengtong.services.actions.leave import leave_record
from zhengtong.services.actions.ratings import rating_submit, rectification_close
from zhengtong.services.inbox import case_items, rectification_items
from zhengtong.services.models import ServiceItem
from zhengtong.test import make_id_number

from .fixtures import CaseTestCase


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class HallInboxTestCase(CaseTestCase):
    def kinds(self, user, today=None) -> list[tuple[str, str]]:
        return [
            (i.kind, i.title)
            for i in items_for(user, today=today)
            if i.kind in ("办件", "差评整改")
        ]

    def test_a_running_case_is_in_its_handlers_inbox_with_the_countdown(self) -> None:
        case = self.intake()
        items = [i for i in items_for(self.clerk_a) if i.kind == "办件"]
        self.assertEqual(len(items), 1)
        self.assertEqual(items[0].title, f"{case.receipt_no} 测试证明")
        self.assertEqual(items[0].url, case.get_absolute_url())
        self.assertEqual(items[0].due_on, datetime.date(2026, 11, 9))
        self.assertEqual(items[0].deadline.state, "normal")
        self.assertEqual(self.kinds(self.clerk_c), [])

    def test_pending_and_finished_cases_are_not_in_the_inbox(self) -> None:
        self.intake(materials=["id"])
        application_approve(actor=self.clerk_a, application=self.intake())
        self.assertEqual(self.kinds(self.clerk_a), [])

    def test_b_gets_the_cases_of_a_while_a_is_on_leave(self) -> None:
        case = self.intake()
        leave_record(
            actor=self.clerk_a,
            user=self.clerk_a,
            start_on=datetime.date(2026, 11, 3),
            end_on=datetime.date(2026, 11, 4),
            reason="年休假",
        )
        with time_machine.travel("2026-11-03 09:00 +0800", tick=False):
            items = [i for i in items_for(self.clerk_b) if i.kind == "办件"]
        self.assertEqual([i.title for i in items], [f"{case.receipt_no} 测试证明"])
        self.assertIn("B 代 A", items[0].subtitle)
        with time_machine.travel("2026-11-05 09:00 +0800", tick=False):
            self.assertEqual(self.kinds(self.clerk_b), [])

    def test_a_case_due_in_a_provisional_year_counts_down_marked_provisional(self) -> None:
        item = ServiceItem.objects.create(
            code="LONG30",
            name="长时限事项",
            department="刘集镇",
            legal_basis="测试",
            procedure=["申请"],
            promised_workdays=30,
        )
        item.materials.create(code="id", name="身份证")
        with time_machine.travel("2026-12-10 09:00 +0800", tick=False):
            self.intake(item_code="LONG30", materials=["id"])
            items = [i for i in items_for(self.clerk_a) if i.kind == "办件"]
        self.assertEqual(items[0].deadline.state, "normal")
        self.assertEqual(items[0].due_on, datetime.date(2027, 1, 22))
        self.assertTrue(items[0].provisional)
        with time_machine.travel("2026-12-10 09:00 +0800", tick=False):
            self.client.force_login(self.clerk_a)
            page = self.client.get("/")
        self.assertContains(page, "期限 暂定 2027-01-22")
        self.assertNotContains(page, "日历缺失")

    def test_an_open_rectification_is_in_its_owners_inbox_until_closed(self) -> None:
        case = application_approve(actor=self.clerk_a, application=self.intake())
        rectification = rating_submit(application=case, level=2).rectification
        self.assertEqual(self.kinds(self.clerk_a), [("差评整改", f"{case.receipt_no} 测试证明")])
        rectification_close(
            actor=self.clerk_a, rectification=rectification, callback_note="已回访", result=""
        )
        self.assertEqual(self.kinds(self.clerk_a), [])

    def test_other_roles_get_no_hall_items(self) -> None:
        self.intake()
        for user in (self.other_clerk, self.office, self.outsider):
            with self.subTest(user=user.username):
                self.assertEqual(self.kinds(user), [])

    def count_queries(self) -> int:
        user = User.objects.get(pk=self.clerk_a.pk)
        with CaptureQueriesContext(connection) as ctx:
            case_items(user)
            rectification_items(user)
        return len(ctx.captured_queries)

    def test_the_providers_run_a_fixed_number_of_queries(self) -> None:
        application_approve(actor=self.clerk_a, application=self.intake())
        self.intake()
        few = self.count_queries()
        for serial in range(10, 16):
            number = make_id_number(datetime.date(1995, 3, 12), female=True, seq=serial)
            self.intake(applicant={**self.applicant, "id_number": number})
        for _ in range(3):
            case = application_approve(actor=self.clerk_a, application=self.intake())
            rating_submit(application=case, level=1)
        self.assertEqual(self.count_queries(), few)
        self.assertLessEqual(few, 3)
