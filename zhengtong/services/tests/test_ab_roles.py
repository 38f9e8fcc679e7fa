"""A/B roles and who sees cases: B handles A's cases only while A is on recorded leave."""

import datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from zhengtong.audit.models import Event
from zhengtong.services.actions.decisions import application_approve
from zhengtong.services.actions.leave import leave_record
from zhengtong.services.models import Leave
from zhengtong.services.selectors import (
    acting_as,
    applications_visible_to,
    get_application_for_user,
    queue_for,
)

from .fixtures import CaseTestCase, at

LEAVE_START = datetime.date(2026, 10, 12)
LEAVE_END = datetime.date(2026, 10, 14)


class ABRolesTestCase(CaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        with time_machine.travel("2026-10-09 09:00 +0800", tick=False):
            self.case = self.intake(received_at=at(2026, 10, 9))
            leave_record(
                actor=self.clerk_a,
                user=self.clerk_a,
                start_on=LEAVE_START,
                end_on=LEAVE_END,
                reason="年休假",
            )

    def test_during_a_leave_the_case_of_a_is_in_the_queue_of_b(self) -> None:
        with time_machine.travel("2026-10-13 09:00 +0800", tick=False):
            queue = list(queue_for(self.clerk_b))
            self.assertEqual(queue, [self.case])
            self.assertTrue(queue[0].for_absent_a)
            self.assertEqual(acting_as(self.clerk_b, self.case), "b_for_a")

    def test_b_approving_for_a_is_recorded_as_b_for_a(self) -> None:
        with time_machine.travel("2026-10-13 09:00 +0800", tick=False):
            case = application_approve(actor=self.clerk_b, application=self.case)
        event = Event.objects.get(action="application_approved")
        self.assertEqual(event.actor, self.clerk_b)
        self.assertEqual(event.changes["on_behalf_of"], [None, "张敏"])
        self.assertEqual(case.handler, self.clerk_a)

    def test_after_a_returns_the_queue_reverts(self) -> None:
        with time_machine.travel("2026-10-15 09:00 +0800", tick=False):
            self.assertEqual(list(queue_for(self.clerk_b)), [])
            self.assertEqual(list(queue_for(self.clerk_a)), [self.case])
            self.assertIsNone(acting_as(self.clerk_b, self.case))
            with self.assertRaises(PermissionDenied):
                application_approve(actor=self.clerk_b, application=self.case)

    def test_before_the_leave_b_does_not_act_for_a(self) -> None:
        with time_machine.travel("2026-10-09 16:00 +0800", tick=False):
            self.assertEqual(list(queue_for(self.clerk_b)), [])

    def test_a_clerk_who_is_not_b_never_acts_for_a(self) -> None:
        with time_machine.travel("2026-10-13 09:00 +0800", tick=False):
            self.assertEqual(list(queue_for(self.clerk_c)), [])
            with self.assertRaises(PermissionDenied):
                application_approve(actor=self.clerk_c, application=self.case)
        self.assertFalse(Event.objects.filter(action="application_approved").exists())

    def test_a_acting_for_itself_records_no_stand_in(self) -> None:
        with time_machine.travel("2026-10-15 09:00 +0800", tick=False):
            application_approve(actor=self.clerk_a, application=self.case)
        event = Event.objects.get(action="application_approved")
        self.assertNotIn("on_behalf_of", event.changes)


class LeaveRecordTestCase(CaseTestCase):
    def test_a_leave_is_recorded_with_one_event(self) -> None:
        leave = leave_record(
            actor=self.clerk_b,
            user=self.clerk_a,
            start_on=LEAVE_START,
            end_on=LEAVE_END,
            reason="病假",
        )
        self.assertEqual(leave.created_by, self.clerk_b)
        events = Event.objects.filter(action="leave_recorded")
        self.assertEqual(events.count(), 1)
        self.assertEqual(events.get().org_unit, self.town)

    def test_the_end_cannot_come_before_the_start(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            leave_record(
                actor=self.clerk_a,
                user=self.clerk_a,
                start_on=LEAVE_END,
                end_on=LEAVE_START,
                reason="年休假",
            )
        self.assertIn("end_on", ctx.exception.message_dict)
        self.assertFalse(Leave.objects.exists())

    def test_overlapping_leaves_are_refused(self) -> None:
        leave_record(
            actor=self.clerk_a,
            user=self.clerk_a,
            start_on=LEAVE_START,
            end_on=LEAVE_END,
            reason="年休假",
        )
        with self.assertRaises(ValidationError) as ctx:
            leave_record(
                actor=self.clerk_a,
                user=self.clerk_a,
                start_on=LEAVE_END,
                end_on=LEAVE_END + datetime.timedelta(days=2),
                reason="病假",
            )
        self.assertIn("start_on", ctx.exception.message_dict)
        self.assertEqual(Leave.objects.count(), 1)

    def test_a_reason_is_required(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            leave_record(
                actor=self.clerk_a,
                user=self.clerk_a,
                start_on=LEAVE_START,
                end_on=LEAVE_END,
                reason="",
            )
        self.assertIn("reason", ctx.exception.message_dict)

    def test_only_a_clerk_of_the_hall_records_a_leave(self) -> None:
        for actor in (self.other_clerk, self.office, self.outsider):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                leave_record(
                    actor=actor,
                    user=self.clerk_a,
                    start_on=LEAVE_START,
                    end_on=LEAVE_END,
                    reason="年休假",
                )
        self.assertFalse(Leave.objects.exists())


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class VisibilityTestCase(CaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.intake()

    def test_every_clerk_of_the_township_sees_its_cases(self) -> None:
        for user in (self.clerk_a, self.clerk_b, self.clerk_c):
            with self.subTest(user=user.username):
                self.assertEqual(list(applications_visible_to(user)), [self.case])
                self.assertEqual(get_application_for_user(user, self.case.receipt_no), self.case)

    def test_a_clerk_of_another_township_sees_nothing_and_gets_404(self) -> None:
        self.assertEqual(list(applications_visible_to(self.other_clerk)), [])
        with self.assertRaises(Http404):
            get_application_for_user(self.other_clerk, self.case.receipt_no)
        self.assertIsNone(acting_as(self.other_clerk, self.case))

    def test_other_roles_see_no_cases(self) -> None:
        for user in (self.outsider, self.office, self.leader, self.auditor, self.admin):
            with self.subTest(user=user.username):
                self.assertEqual(list(applications_visible_to(user)), [])
                self.assertEqual(list(queue_for(user)), [])
                with self.assertRaises(Http404):
                    get_application_for_user(user, self.case.receipt_no)

    def test_an_unknown_receipt_number_is_404(self) -> None:
        with self.assertRaises(Http404):
            get_application_for_user(self.clerk_a, "LIUJI209901010001")


class LeaveNoticeTestCase(CaseTestCase):
    def test_the_b_clerk_hears_which_cases_move_to_them(self) -> None:
        from zhengtong.notify.events import ensure_default_templates
        from zhengtong.notify.models import Message

        ensure_default_templates()
        with time_machine.travel("2026-10-09 09:00 +0800", tick=False):
            case = self.intake(received_at=at(2026, 10, 9))
        with self.captureOnCommitCallbacks(execute=False):
            leave_record(
                actor=self.clerk_a,
                user=self.clerk_a,
                start_on=LEAVE_START,
                end_on=LEAVE_END,
                reason="病假",
            )
        message = Message.objects.get(event="leave_backup")
        self.assertEqual(message.user, self.clerk_b)
        self.assertIn(case.receipt_no, message.text)
        self.assertIn("10月12日至10月14日请假", message.text)
        self.assertFalse(Message.objects.filter(event="leave_backup", user=self.clerk_a).exists())
