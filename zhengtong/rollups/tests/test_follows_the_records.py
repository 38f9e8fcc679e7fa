"""The summary tables follow every change of the rows they count, in the same transaction."""

import datetime

import time_machine

from zhengtong.population.models import FollowUp, FollowUpPlan
from zhengtong.rollups.models import CaseDay, CaseItemMonth, FollowUpDay, FollowUpMonth
from zhengtong.rollups.rebuild import differences, rebuild
from zhengtong.services.actions import (
    application_approve,
    application_refuse,
    application_withdraw,
)
from zhengtong.services.models import Application
from zhengtong.services.tests.fixtures import SHANGHAI, CaseTestCase, make_person

from .checks import disclosure_mismatches, mismatches

S = Application.Status
NOON = datetime.datetime(2026, 11, 18, 12, 0, tzinfo=SHANGHAI)


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def case_day(unit, day) -> tuple:
    row = CaseDay.objects.filter(org_unit=unit, day=day).first()
    return (row.received, row.finished, row.on_time) if row else (0, 0, 0)


def case_month(unit, item, month) -> tuple:
    row = CaseItemMonth.objects.filter(org_unit=unit, item=item, month=month).first()
    return (row.received, row.finished, row.on_time) if row else (0, 0, 0)


class CasesTests(CaseTestCase):
    def intake_at(self, moment: datetime.datetime) -> Application:
        with time_machine.travel(moment, tick=False):
            return self.intake(received_at=moment)

    def test_a_case_received_then_finished_counts_on_its_days(self) -> None:
        case = self.intake_at(local(2026, 11, 16, 9, 0))
        self.assertEqual(case.status, S.ACCEPTED)
        self.assertEqual(case_day(self.town, datetime.date(2026, 11, 16)), (1, 0, 0))
        with time_machine.travel(NOON, tick=False):
            application_approve(actor=self.clerk_a, application=case)
        self.assertEqual(case_day(self.town, datetime.date(2026, 11, 18)), (0, 1, 1))
        self.assertEqual(case_month(self.town, self.item, datetime.date(2026, 11, 1)), (1, 1, 1))
        self.assertEqual(differences(), [])

    def test_a_late_finish_counts_as_finished_not_on_time(self) -> None:
        case = self.intake_at(local(2026, 11, 2, 9, 0))
        late = local(2026, 11, 30, 10, 0)
        self.assertLess(case.due_on, late.date())
        with time_machine.travel(late, tick=False):
            application_refuse(actor=self.clerk_a, application=case, reason="材料不符合要求")
        self.assertEqual(case_day(self.town, late.date()), (0, 1, 0))
        self.assertEqual(differences(), [])

    def test_a_withdrawn_case_is_received_but_never_finished(self) -> None:
        case = self.intake_at(local(2026, 11, 16, 9, 0))
        with time_machine.travel(NOON, tick=False):
            application_withdraw(actor=self.clerk_a, application=case, reason="申请人撤回")
        self.assertEqual(case_day(self.town, datetime.date(2026, 11, 18)), (0, 0, 0))
        self.assertEqual(case_month(self.town, self.item, datetime.date(2026, 11, 1)), (1, 0, 0))
        self.assertEqual(differences(), [])

    def test_the_month_boundary_is_shanghai_midnight(self) -> None:
        # 2026-11-30 16:30 UTC is 2026-12-01 00:30 in Shanghai: a December case.
        moment = datetime.datetime(2026, 11, 30, 16, 30, tzinfo=datetime.UTC)
        case = self.intake_at(moment)
        self.assertEqual(case_month(self.town, self.item, datetime.date(2026, 11, 1)), (0, 0, 0))
        self.assertEqual(case_month(self.town, self.item, datetime.date(2026, 12, 1)), (1, 0, 0))
        with time_machine.travel(local(2026, 12, 31, 23, 59), tick=False):
            application_approve(actor=self.clerk_a, application=case)
        with time_machine.travel(local(2026, 12, 31, 23, 59), tick=False):
            self.assertEqual(
                disclosure_mismatches([None, self.town], datetime.date(2026, 12, 1)), []
            )
        self.assertEqual(case_month(self.town, self.item, datetime.date(2026, 12, 1)), (1, 1, 0))
        self.assertEqual(differences(), [])

    def test_a_reopened_corrected_or_deleted_case_is_taken_back(self) -> None:
        case = self.intake_at(local(2026, 11, 16, 9, 0))
        with time_machine.travel(NOON, tick=False):
            application_approve(actor=self.clerk_a, application=case)
        # A correction made outside the actions (the admin, the shell, a data fix) also counts.
        Application.objects.filter(pk=case.pk).update(status=S.ACCEPTED, finished_at=None)
        self.assertEqual(case_day(self.town, datetime.date(2026, 11, 18)), (0, 0, 0))
        Application.objects.filter(pk=case.pk).update(
            status=S.APPROVED, finished_at=local(2026, 11, 20, 9, 0)
        )
        self.assertEqual(case_day(self.town, datetime.date(2026, 11, 20)), (0, 1, 1))
        self.assertEqual(differences(), [])
        Application.objects.filter(pk=case.pk).update(received_at=local(2026, 10, 31, 23, 0))
        self.assertEqual(case_month(self.town, self.item, datetime.date(2026, 10, 1)), (1, 0, 0))
        self.assertEqual(case_month(self.town, self.item, datetime.date(2026, 11, 1)), (0, 1, 1))
        self.assertEqual(differences(), [])

    def test_the_page_figures_equal_a_recount(self) -> None:
        for day in (2, 9, 16, 23):
            case = self.intake_at(local(2026, 11, day, 9, 0))
            if day < 20:
                with time_machine.travel(local(2026, 11, day + 3, 15, 0), tick=False):
                    application_approve(actor=self.clerk_a, application=case)
        periods = [
            (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
            (datetime.date(2026, 11, 5), datetime.date(2026, 11, 19)),
            (datetime.date(2026, 10, 15), datetime.date(2026, 12, 2)),
        ]
        self.assertEqual(mismatches([self.town.path, self.town.path[:3]], periods), [])
        with time_machine.travel(local(2026, 11, 25, 9, 0), tick=False):
            self.assertEqual(
                disclosure_mismatches([None, self.town], datetime.date(2026, 11, 1)), []
            )

    def test_recount_rollups_repairs_tables_left_wrong(self) -> None:
        self.intake_at(local(2026, 11, 16, 9, 0))
        CaseDay.objects.update(received=7)
        self.assertNotEqual(differences(), [])
        rebuild()
        self.assertEqual(differences(), [])


class FollowUpTests(CaseTestCase):
    def test_a_follow_up_counts_when_due_and_when_done(self) -> None:
        person = make_person("随访对象", self.west_village, phone="13600002222", seq=21)
        plan = FollowUpPlan.objects.create(
            person=person,
            org_unit=self.west_village,
            kind=FollowUpPlan.Kind.PHONE,
            interval_days=30,
            owner=self.clerk_a,
            purpose="孕情随访",
        )
        due = datetime.date(2026, 11, 30)
        followup = FollowUp.objects.create(plan=plan, due_on=due)
        day = FollowUpDay.objects.get(org_unit=self.west_village, day=due)
        month = FollowUpMonth.objects.get(org_unit=self.west_village, month=due.replace(day=1))
        self.assertEqual((day.due, day.done, month.due, month.done), (1, 0, 1, 0))
        FollowUp.objects.filter(pk=followup.pk).update(
            status=FollowUp.Status.DONE, done_on=due, done_by=self.clerk_a
        )
        day.refresh_from_db()
        self.assertEqual((day.due, day.done), (1, 1))
        # Skipped counts as due and not done.
        FollowUp.objects.filter(pk=followup.pk).update(status=FollowUp.Status.SKIPPED)
        day.refresh_from_db()
        self.assertEqual((day.due, day.done), (1, 0))
        FollowUp.objects.create(plan=plan, due_on=datetime.date(2026, 12, 1))
        periods = [(datetime.date(2026, 11, 1), datetime.date(2026, 12, 1))]
        self.assertEqual(mismatches([self.west_village.path], periods), [])
        plan.followups.all().delete()
        day.refresh_from_db()
        self.assertEqual((day.due, day.done), (0, 0))
        self.assertEqual(differences(), [])
