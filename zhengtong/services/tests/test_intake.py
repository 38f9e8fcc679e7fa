"""Intake at the window: validation, receipt numbers, 首问负责, acceptance and handover."""

import datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from zhengtong.audit.models import Event
from zhengtong.people.models import Person
from zhengtong.services.actions.handling import application_handover, application_supplement
from zhengtong.services.models import Application, Notice, ReceivedMaterial
from zhengtong.test import make_id_number

from .fixtures import CaseTestCase, at, bad_checksum


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class IntakeTestCase(CaseTestCase):
    def test_complete_materials_are_accepted_with_a_receipt_number_and_due_date(self) -> None:
        case = self.intake()
        self.assertEqual(case.status, Application.Status.ACCEPTED)
        self.assertEqual(case.receipt_no, "LIUJI202611020001")
        self.assertEqual(case.accepted_on, datetime.date(2026, 11, 2))
        # Monday + 5 working days: the next Monday.
        self.assertEqual(case.due_on, datetime.date(2026, 11, 9))
        self.assertEqual(case.org_unit, self.town)
        self.assertEqual(self.case_events(case), ["application_received"])

    def test_the_receiving_clerk_is_first_responder_and_handler(self) -> None:
        case = self.intake(actor=self.clerk_c)
        self.assertEqual((case.first_responder, case.handler), (self.clerk_c, self.clerk_c))

    def test_receipt_numbers_count_per_day_and_restart_the_next_day(self) -> None:
        first = self.intake()
        second = self.intake(
            applicant={
                **self.applicant,
                "id_number": make_id_number(datetime.date(1995, 3, 12), female=True, seq=2),
            },
            received_at=None,
        )
        next_day = self.intake(received_at=at(2026, 11, 3))
        self.assertEqual(first.receipt_no, "LIUJI202611020001")
        self.assertEqual(second.receipt_no, "LIUJI202611020002")
        self.assertEqual(next_day.receipt_no, "LIUJI202611030001")

    def test_a_known_id_number_reuses_the_person(self) -> None:
        first = self.intake()
        second = self.intake()
        self.assertEqual(first.applicant_id, second.applicant_id)
        self.assertEqual(Person.objects.count(), 1)

    def test_the_situation_decides_whether_the_marriage_certificate_is_missing(self) -> None:
        single = self.intake(situation={"marital_status": "single"})
        married = self.intake(situation={"marital_status": "married"})
        self.assertEqual(single.status, Application.Status.ACCEPTED)
        self.assertEqual(married.status, Application.Status.PENDING)

    def test_a_home_visit_case_records_its_channel_and_position(self) -> None:
        case = self.intake(channel="home_visit", latitude="36.456789", longitude="116.123456")
        self.assertEqual(case.channel, Application.Channel.HOME_VISIT)
        self.assertEqual(str(case.latitude), "36.456789")

    def test_supplementing_a_pending_case_accepts_it_from_that_day(self) -> None:
        case = self.intake(materials=["id"])
        self.assertIsNone(case.due_on)
        with time_machine.travel("2026-11-04 15:00 +0800", tick=False):
            case = application_supplement(actor=self.clerk_a, application=case, materials=["hukou"])
        self.assertEqual(case.status, Application.Status.ACCEPTED)
        self.assertEqual(case.accepted_on, datetime.date(2026, 11, 4))
        self.assertEqual(case.due_on, datetime.date(2026, 11, 11))
        self.assertEqual(self.case_events(case), ["application_received", "application_accepted"])

    def test_a_partial_supplement_keeps_the_case_pending(self) -> None:
        case = self.intake(materials=[], situation={"marital_status": "married"})
        case = application_supplement(actor=self.clerk_a, application=case, materials=["id"])
        self.assertEqual(case.status, Application.Status.PENDING)
        event = Event.objects.filter(action="materials_supplemented").get()
        self.assertEqual(event.changes["missing_materials"], [None, ["户口簿", "结婚证"]])


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class IntakeBadInputTestCase(CaseTestCase):
    def assert_refused(self, field: str, text: str = "", **kwargs) -> None:
        events = Event.objects.count()
        with self.assertRaises(ValidationError) as ctx:
            self.intake(**kwargs)
        self.assertIn(field, ctx.exception.message_dict)
        if text:
            self.assertIn(text, " ".join(ctx.exception.message_dict[field]))
        self.assertEqual(Application.objects.count(), 0)
        self.assertEqual(Person.objects.count(), 0)
        self.assertEqual(ReceivedMaterial.objects.count(), 0)
        self.assertEqual(Notice.objects.count(), 0)
        self.assertEqual(Event.objects.count(), events)

    def test_a_bad_checksum_is_refused_naming_the_id_number(self) -> None:
        bad = bad_checksum(self.applicant["id_number"])
        self.assert_refused("id_number", "校验位", applicant={**self.applicant, "id_number": bad})

    def test_a_short_id_number_is_refused(self) -> None:
        self.assert_refused("id_number", "18 位", applicant={**self.applicant, "id_number": "3715"})

    def test_an_unknown_item_code_is_refused(self) -> None:
        self.assert_refused("item", "NOPE", item_code="NOPE")

    def test_an_inactive_item_takes_no_new_cases(self) -> None:
        self.assert_refused("item", item_code="SYZ", materials=[])

    def test_a_material_of_another_item_is_refused_by_code(self) -> None:
        self.assert_refused("materials", "pledge", materials=["id", "pledge"])

    def test_a_bad_phone_number_is_refused(self) -> None:
        self.assert_refused("phone", "格式", applicant={**self.applicant, "phone": "12345"})

    def test_a_missing_name_is_refused(self) -> None:
        self.assert_refused("name", applicant={**self.applicant, "name": " "})

    def test_an_unknown_situation_is_refused(self) -> None:
        self.assert_refused("situation", situation={"hukou": "mars"})

    def test_every_bad_field_is_named_at_once(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            self.intake(item_code="NOPE", applicant={"name": "", "id_number": "1", "phone": "x"})
        self.assertEqual(set(ctx.exception.message_dict), {"item", "id_number", "name", "phone"})

    def test_a_name_that_contradicts_the_registry_changes_nothing(self) -> None:
        self.intake()
        count = Application.objects.count()
        with self.assertRaises(ValidationError) as ctx:
            self.intake(applicant={**self.applicant, "name": "别人"})
        self.assertIn("name", ctx.exception.message_dict)
        self.assertEqual(Application.objects.count(), count)

    def test_only_window_clerks_take_in_cases(self) -> None:
        for user in (self.office, self.outsider, self.leader):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                self.intake(actor=user)

    def test_a_clerk_of_another_township_cannot_take_in_for_this_hall(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.intake(actor=self.other_clerk, org_unit=self.town)


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class HandoverTestCase(CaseTestCase):
    def test_a_handover_moves_the_handler_and_never_the_first_responder(self) -> None:
        case = self.intake()
        case = application_handover(
            actor=self.clerk_a, application=case, to_user=self.clerk_c, reason="调岗"
        )
        case.refresh_from_db()
        self.assertEqual((case.first_responder, case.handler), (self.clerk_a, self.clerk_c))
        event = Event.objects.get(action="application_handed_over")
        self.assertEqual(event.reason, "调岗")
        self.assertEqual(event.changes["handler"], ["张敏", "王芳"])

    def test_a_handover_needs_a_reason(self) -> None:
        case = self.intake()
        with self.assertRaises(ValidationError) as ctx:
            application_handover(
                actor=self.clerk_a, application=case, to_user=self.clerk_c, reason=""
            )
        self.assertIn("reason", ctx.exception.message_dict)
        case.refresh_from_db()
        self.assertEqual(case.handler, self.clerk_a)

    def test_a_case_is_not_handed_to_another_township(self) -> None:
        case = self.intake()
        with self.assertRaises(ValidationError) as ctx:
            application_handover(
                actor=self.clerk_a, application=case, to_user=self.other_clerk, reason="调岗"
            )
        self.assertIn("to_user", ctx.exception.message_dict)

    def test_a_clerk_who_does_not_handle_the_case_cannot_hand_it_over(self) -> None:
        case = self.intake()
        with self.assertRaises(PermissionDenied):
            application_handover(
                actor=self.clerk_c, application=case, to_user=self.clerk_c, reason="抢单"
            )


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class SituationAskedTestCase(CaseTestCase):
    """A material that depends on the applicant's situation (结婚证 for the married) is never
    dropped from the one-time notice because the question was left unanswered."""

    def test_an_unanswered_marital_status_is_refused_and_nothing_is_saved(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            self.intake(situation={})
        self.assertIn("请选择申请人的婚姻状况", raised.exception.message_dict["marital_status"][0])
        self.assertFalse(Application.objects.exists())
        self.assertFalse(Person.objects.exists())

    def test_the_marital_status_on_the_applicants_record_counts_as_an_answer(self) -> None:
        self.intake(situation={"marital_status": "married"}, materials=("id", "hukou", "marriage"))
        Person.objects.update(marital_status="married")
        case = self.intake(situation={})
        self.assertEqual(case.status, Application.Status.PENDING)
        self.assertEqual(
            list(case.notices.get().items.values_list("material__code", flat=True)), ["marriage"]
        )
