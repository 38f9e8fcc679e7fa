"""一次性告知: one notice lists every missing material; later requests outside it are warned."""

import time_machine
from django.core.exceptions import ValidationError

from zhengtong.audit.models import Event
from zhengtong.services.actions.handling import (
    application_request_correction,
    application_supplement,
)
from zhengtong.services.models import Application, Notice, NoticeItem

from .fixtures import CaseTestCase


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class OneTimeNoticeTestCase(CaseTestCase):
    def test_one_notice_lists_every_missing_material(self) -> None:
        case = self.intake(materials=[], situation={"marital_status": "married"})
        self.assertEqual(case.status, Application.Status.PENDING)
        notice = Notice.objects.get(application=case)
        self.assertEqual(
            [i.material.name for i in notice.items.all()], ["身份证", "户口簿", "结婚证"]
        )
        self.assertTrue(all(i.problem == NoticeItem.Problem.MISSING for i in notice.items.all()))
        self.assertTrue(notice.within_first_notice)
        event = Event.objects.get(action="application_received")
        self.assertEqual(event.changes["missing_materials"], [None, ["身份证", "户口簿", "结婚证"]])

    def test_complete_materials_issue_no_notice(self) -> None:
        case = self.intake()
        self.assertFalse(case.notices.exists())

    def test_a_later_request_within_the_first_notice_is_not_warned(self) -> None:
        case = self.intake(materials=["id"])
        notice = application_request_correction(
            actor=self.clerk_a, application=case, materials=["hukou"], note="户口簿页缺失"
        )
        self.assertTrue(notice.within_first_notice)
        self.assertEqual(self.case_events(case), ["application_received", "notice_issued"])

    def test_a_later_request_outside_the_first_notice_is_kept_and_warned(self) -> None:
        case = self.intake(materials=["id"])
        notice = application_request_correction(
            actor=self.clerk_a, application=case, materials=["id"], note="身份证已过期"
        )
        self.assertFalse(notice.within_first_notice)
        item = notice.items.get()
        self.assertEqual(item.problem, NoticeItem.Problem.DEFECTIVE)
        event = Event.objects.get(action="notice_outside_first")
        self.assertEqual(event.changes["outside_first_notice"], [None, ["身份证"]])
        self.assertEqual(len(self.case_events(case)), 2)

    def test_a_defective_material_must_be_handed_in_again(self) -> None:
        case = self.intake()
        application_request_correction(
            actor=self.clerk_a, application=case, materials=["id"], note="复印件不清晰"
        )
        case = application_supplement(actor=self.clerk_a, application=case, materials=["id"])
        self.assertEqual(case.status, Application.Status.ACCEPTED)

    def test_a_request_needs_materials_of_the_item(self) -> None:
        case = self.intake(materials=["id"])
        for materials in ([], ["pledge"]):
            with self.subTest(materials=materials), self.assertRaises(ValidationError) as ctx:
                application_request_correction(
                    actor=self.clerk_a, application=case, materials=materials
                )
            self.assertIn("materials", ctx.exception.message_dict)
        self.assertEqual(case.notices.count(), 1)
