"""限时办结: due = acceptance + promised working days, moved out by paused working days;
a due date in a year without holiday data is reported, never guessed."""

import datetime

import time_machine

from zhengtong.services.actions.decisions import application_approve
from zhengtong.services.actions.handling import (
    application_request_correction,
    application_supplement,
)
from zhengtong.services.models import Application, ServiceItem
from zhengtong.services.selectors import applications_overdue, due_state
from zhengtong.workdays import add_workdays, workdays_between
from zhengtong.workdays.models import CalendarYear

from .fixtures import CaseTestCase, at


class DueDateTestCase(CaseTestCase):
    def test_the_golden_case_over_national_day_2025(self) -> None:
        """Accepted Friday 2025-09-26 with 5 working days: due 2025-10-10 (make-up Sunday
        09-28 counts, 10-01…10-08 do not)."""
        with time_machine.travel("2025-09-26 10:00 +0800", tick=False):
            case = self.intake(received_at=at(2025, 9, 26))
        self.assertEqual(case.accepted_on, datetime.date(2025, 9, 26))
        self.assertEqual(case.due_on, datetime.date(2025, 10, 10))

    def test_a_pause_of_three_working_days_moves_the_due_date_by_exactly_three(self) -> None:
        with time_machine.travel("2026-11-02 09:00 +0800", tick=False):
            case = self.intake(materials=["id"])
            case = application_supplement(actor=self.clerk_a, application=case, materials=["hukou"])
        self.assertEqual(case.due_on, datetime.date(2026, 11, 9))
        with time_machine.travel("2026-11-03 09:00 +0800", tick=False):
            application_request_correction(
                actor=self.clerk_a, application=case, materials=["hukou"], note="户口簿页缺失"
            )
        case.refresh_from_db()
        self.assertEqual(case.status, Application.Status.PAUSED)
        with time_machine.travel("2026-11-06 09:00 +0800", tick=False):
            case = application_supplement(actor=self.clerk_a, application=case, materials=["hukou"])
        self.assertEqual(case.status, Application.Status.ACCEPTED)
        self.assertEqual(case.paused_workdays, 3)
        self.assertEqual(case.due_on, datetime.date(2026, 11, 12))
        self.assertEqual(workdays_between(datetime.date(2026, 11, 9), case.due_on), 3)
        pause = case.pauses.get()
        self.assertEqual(
            (pause.started_on, pause.ended_on, pause.workdays),
            (datetime.date(2026, 11, 3), datetime.date(2026, 11, 6), 3),
        )
        self.assertEqual(
            self.case_events(case),
            [
                "application_received",
                "application_accepted",
                "application_paused",
                "application_resumed",
            ],
        )

    def test_two_pauses_add_up_and_both_intervals_are_kept(self) -> None:
        with time_machine.travel("2026-11-02 09:00 +0800", tick=False):
            case = self.intake()
        for start, end in (("2026-11-03", "2026-11-04"), ("2026-11-05", "2026-11-09")):
            with time_machine.travel(f"{start} 09:00 +0800", tick=False):
                application_request_correction(
                    actor=self.clerk_a, application=case, materials=["id"]
                )
            with time_machine.travel(f"{end} 09:00 +0800", tick=False):
                application_supplement(actor=self.clerk_a, application=case, materials=["id"])
        case.refresh_from_db()
        self.assertEqual([p.workdays for p in case.pauses.all()], [1, 2])
        self.assertEqual(case.due_on, add_workdays(datetime.date(2026, 11, 2), 5 + 3))


class CalendarGapTestCase(CaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.long_item = ServiceItem.objects.create(
            code="LONG30",
            name="长时限事项",
            department="刘集镇",
            legal_basis="测试",
            procedure=["申请", "办结"],
            promised_workdays=30,
        )
        self.long_item.materials.create(code="id", name="身份证")

    def intake_long(self):
        with time_machine.travel("2026-12-10 09:00 +0800", tick=False):
            return self.intake(materials=["id"], item_code="LONG30")

    def test_a_due_date_in_a_provisional_year_is_set_and_marked_provisional(self) -> None:
        """Accepted 2026-12-10 with 30 working days: due 2027-01-22 on the statutory rule."""
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())
        case = self.intake_long()
        self.assertEqual(case.status, Application.Status.ACCEPTED)
        self.assertEqual(case.due_on, datetime.date(2027, 1, 22))
        self.assertTrue(case.due_provisional)
        self.assertIsNone(case.calendar_missing_year)
        with time_machine.travel("2026-12-11 09:00 +0800", tick=False):
            state = due_state(case)
        self.assertEqual(state.state, "normal")

    def test_a_due_date_inside_the_official_year_is_not_provisional(self) -> None:
        with time_machine.travel("2026-11-02 09:00 +0800", tick=False):
            case = self.intake(materials=["id"], item_code="LONG30")
        self.assertEqual(case.due_on, datetime.date(2026, 12, 14))
        self.assertFalse(case.due_provisional)


@time_machine.travel("2026-11-02 09:00 +0800", tick=False)
class CountdownTestCase(CaseTestCase):
    def test_the_countdown_turns_yellow_then_red(self) -> None:
        case = self.intake()  # due Monday 2026-11-09
        expected = [
            ("2026-11-04", "normal"),
            ("2026-11-06", "warning"),  # Friday: one working day left
            ("2026-11-09", "warning"),
            ("2026-11-10", "overdue"),
        ]
        for day, state in expected:
            with self.subTest(day=day):
                self.assertEqual(
                    due_state(case, today=datetime.date.fromisoformat(day)).state, state
                )

    def test_pending_paused_and_finished_cases_have_no_running_countdown(self) -> None:
        pending = self.intake(materials=["id"])
        self.assertEqual(due_state(pending).state, "unknown")
        done = application_approve(actor=self.clerk_a, application=self.intake())
        self.assertEqual(due_state(done).state, "done")

    def test_the_overdue_list_holds_running_cases_past_their_due_date(self) -> None:
        late = self.intake()
        finished = application_approve(actor=self.clerk_a, application=self.intake())
        paused = self.intake()
        application_request_correction(actor=self.clerk_a, application=paused, materials=["id"])
        self.intake(materials=["id"])  # pending, no due date
        qs = Application.objects.all()
        self.assertEqual(list(applications_overdue(qs, datetime.date(2026, 11, 9))), [])
        overdue = applications_overdue(qs, datetime.date(2026, 11, 10))
        self.assertEqual(list(overdue), [late])
        self.assertNotIn(finished, overdue)

    def test_a_case_paused_after_its_due_date_stays_overdue(self) -> None:
        case = self.intake()
        with time_machine.travel("2026-11-11 09:00 +0800", tick=False):
            application_request_correction(actor=self.clerk_a, application=case, materials=["id"])
        qs = Application.objects.all()
        self.assertEqual(list(applications_overdue(qs, datetime.date(2026, 11, 12))), [case])
