"""Outcome of a case: approved with a serial certificate number, refused or withdrawn with a
reason; each action writes exactly one event, and the timeline lists them in order."""

import datetime

import time_machine
from django.core.exceptions import ValidationError

from zhengtong.audit.models import Event
from zhengtong.services.actions.decisions import (
    application_approve,
    application_refuse,
    application_withdraw,
)
from zhengtong.services.actions.handling import (
    application_request_correction,
    application_supplement,
)
from zhengtong.services.models import Application
from zhengtong.services.selectors import application_timeline

from .fixtures import CaseTestCase, at


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class ApproveTestCase(CaseTestCase):
    def test_approval_issues_the_next_certificate_number_of_the_item_and_year(self) -> None:
        first = application_approve(actor=self.clerk_a, application=self.intake(), note="符合条件")
        second = application_approve(actor=self.clerk_a, application=self.intake())
        self.assertEqual(first.status, Application.Status.APPROVED)
        self.assertEqual(first.certificate_no, "CS2026000001")
        self.assertEqual(second.certificate_no, "CS2026000002")
        self.assertEqual(first.decision_note, "符合条件")
        self.assertIsNotNone(first.finished_at)

    def test_the_serial_restarts_in_a_new_year(self) -> None:
        application_approve(actor=self.clerk_a, application=self.intake())
        with time_machine.travel("2027-01-04 09:00 +0800", tick=False):
            case = self.intake(received_at=at(2026, 12, 31))
            case = application_approve(actor=self.clerk_a, application=case)
        self.assertEqual(case.certificate_no, "CS2027000001")

    def test_an_item_without_a_document_gets_no_number(self) -> None:
        case = self.intake(
            item_code="YEBT",
            materials=["applicant_id", "birth_cert", "hukou_book", "bank_card"],
        )
        case = application_approve(actor=self.clerk_a, application=case)
        self.assertIsNone(case.certificate_no)

    def test_only_an_accepted_case_can_be_approved(self) -> None:
        pending = self.intake(materials=["id"])
        with self.assertRaises(ValidationError) as ctx:
            application_approve(actor=self.clerk_a, application=pending)
        self.assertIn("status", ctx.exception.message_dict)
        done = application_approve(actor=self.clerk_a, application=self.intake())
        with self.assertRaises(ValidationError):
            application_approve(actor=self.clerk_a, application=done)
        self.assertEqual(Event.objects.filter(action="application_approved").count(), 1)


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class RefuseAndWithdrawTestCase(CaseTestCase):
    def test_a_refusal_needs_a_reason(self) -> None:
        case = self.intake()
        with self.assertRaises(ValidationError) as ctx:
            application_refuse(actor=self.clerk_a, application=case, reason=" ")
        self.assertIn("reason", ctx.exception.message_dict)
        case.refresh_from_db()
        self.assertEqual(case.status, Application.Status.ACCEPTED)

    def test_a_refused_case_keeps_its_reason_and_no_number(self) -> None:
        case = application_refuse(
            actor=self.clerk_a, application=self.intake(), reason="不符合条件"
        )
        self.assertEqual(
            (case.status, case.decision_note, case.certificate_no),
            (Application.Status.REFUSED, "不符合条件", None),
        )

    def test_withdrawing_a_paused_case_closes_its_pause(self) -> None:
        case = self.intake(materials=["id"])
        application_supplement(actor=self.clerk_a, application=case, materials=["hukou"])
        application_request_correction(actor=self.clerk_a, application=case, materials=["hukou"])
        with time_machine.travel("2026-11-04 09:00 +0800", tick=False):
            case = application_withdraw(actor=self.clerk_a, application=case, reason="申请人撤回")
        self.assertEqual(case.status, Application.Status.WITHDRAWN)
        self.assertEqual(case.pauses.get().ended_on, datetime.date(2026, 11, 4))

    def test_a_finished_case_cannot_be_withdrawn(self) -> None:
        case = application_refuse(actor=self.clerk_a, application=self.intake(), reason="不符合")
        with self.assertRaises(ValidationError):
            application_withdraw(actor=self.clerk_a, application=case, reason="撤回")


class TimelineTestCase(CaseTestCase):
    def test_each_action_writes_one_event_and_the_timeline_lists_them_in_order(self) -> None:
        steps = []
        with time_machine.travel("2026-11-02 09:00 +0800", tick=True):
            case = self.intake(materials=["id"])
            steps.append(1)
            application_supplement(actor=self.clerk_a, application=case, materials=["hukou"])
            steps.append(2)
            application_request_correction(
                actor=self.clerk_a, application=case, materials=["hukou"]
            )
            steps.append(3)
            application_supplement(actor=self.clerk_a, application=case, materials=["hukou"])
            steps.append(4)
            application_approve(actor=self.clerk_a, application=case)
            steps.append(5)
        timeline = list(application_timeline(case))
        self.assertEqual(len(timeline), len(steps))
        self.assertEqual(
            [e.action for e in timeline],
            [
                "application_received",
                "application_accepted",
                "application_paused",
                "application_resumed",
                "application_approved",
            ],
        )
        self.assertEqual(timeline, sorted(timeline, key=lambda e: (e.created_at, e.id)))

    def test_the_timeline_holds_only_this_case(self) -> None:
        with time_machine.travel("2026-11-02 09:00 +0800", tick=False):
            case = self.intake()
            self.intake()
        self.assertEqual([e.action for e in application_timeline(case)], ["application_received"])
