"""月冠军's table of cases per handling clerk follows the cases, and the board read from it
shows what the board counted from the case rows shows."""

import datetime

import time_machine
from django.apps import apps
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengtong.demo.testing import ROLLUP_TABLES
from zhengtong.rollups.models import CaseHandlerMonth
from zhengtong.rollups.rebuild import TABLES, differences, rebuild
from zhengtong.services import reports
from zhengtong.services.actions import (
    application_approve,
    application_refuse,
    application_withdraw,
)
from zhengtong.services.actions.handling import application_handover
from zhengtong.services.models import Application
from zhengtong.services.tests.fixtures import SHANGHAI, CaseTestCase

from .checks import ranking_mismatches

NOVEMBER = datetime.date(2026, 11, 1)


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def handled(unit, clerk, month=NOVEMBER) -> tuple:
    row = CaseHandlerMonth.objects.filter(org_unit=unit, handler=clerk, month=month).first()
    return (row.finished, row.on_time) if row else (0, 0)


class HandlerMonthTests(CaseTestCase):
    def intake_at(self, moment: datetime.datetime, clerk=None) -> Application:
        with time_machine.travel(moment, tick=False):
            return self.intake(received_at=moment, actor=clerk or self.clerk_a)

    def test_a_finish_counts_for_the_handler_of_its_month(self) -> None:
        case = self.intake_at(local(2026, 11, 16, 9, 0))
        self.assertEqual(handled(self.town, self.clerk_a), (0, 0))
        with time_machine.travel(local(2026, 11, 18, 12, 0), tick=False):
            application_approve(actor=self.clerk_a, application=case)
        self.assertEqual(handled(self.town, self.clerk_a), (1, 1))
        late = self.intake_at(local(2026, 11, 2, 9, 0))
        with time_machine.travel(local(2026, 11, 30, 10, 0), tick=False):
            application_refuse(actor=self.clerk_a, application=late, reason="材料不符合要求")
        self.assertEqual(handled(self.town, self.clerk_a), (2, 1))
        withdrawn = self.intake_at(local(2026, 11, 20, 9, 0))
        with time_machine.travel(local(2026, 11, 21, 9, 0), tick=False):
            application_withdraw(actor=self.clerk_a, application=withdrawn, reason="申请人撤回")
        self.assertEqual(handled(self.town, self.clerk_a), (2, 1))
        self.assertEqual(differences(), [])

    def test_a_handed_over_case_counts_for_the_clerk_who_finished_it(self) -> None:
        case = self.intake_at(local(2026, 11, 16, 9, 0))
        with time_machine.travel(local(2026, 11, 17, 9, 0), tick=False):
            application_handover(
                actor=self.clerk_a, application=case, to_user=self.clerk_b, reason="轮岗"
            )
            application_approve(actor=self.clerk_b, application=case)
        self.assertEqual(handled(self.town, self.clerk_a), (0, 0))
        self.assertEqual(handled(self.town, self.clerk_b), (1, 1))
        # A correction outside the actions moves the count too.
        Application.objects.filter(pk=case.pk).update(handler=self.clerk_a)
        self.assertEqual(handled(self.town, self.clerk_a), (1, 1))
        self.assertEqual(handled(self.town, self.clerk_b), (0, 0))
        Application.objects.filter(pk=case.pk).update(finished_at=local(2026, 12, 1, 0, 30))
        self.assertEqual(handled(self.town, self.clerk_a), (0, 0))
        self.assertEqual(handled(self.town, self.clerk_a, datetime.date(2026, 12, 1)), (1, 0))
        self.assertEqual(differences(), [])
        Application.objects.filter(pk=case.pk).delete()
        self.assertEqual(handled(self.town, self.clerk_a, datetime.date(2026, 12, 1)), (0, 0))
        self.assertEqual(differences(), [])

    def test_the_board_equals_the_board_counted_from_the_cases(self) -> None:
        for day, clerk in ((2, self.clerk_a), (9, self.clerk_b), (16, self.clerk_a), (23, None)):
            case = self.intake_at(local(2026, 11, day, 9, 0), clerk)
            if clerk is not None:
                with time_machine.travel(local(2026, 11, day + 6, 15, 0), tick=False):
                    application_approve(actor=clerk, application=case)
        months = [NOVEMBER, datetime.date(2026, 10, 1), datetime.date(2026, 12, 1)]
        self.assertEqual(ranking_mismatches([self.town], months), [])
        board = reports.monthly_ranking(hall=self.town, month=NOVEMBER)
        self.assertEqual(
            [(r.user, r.finished, r.on_time) for r in board][:2],
            [(self.clerk_a, 2, 2), (self.clerk_b, 1, 1)],
        )

    def test_recount_rollups_repairs_the_table(self) -> None:
        case = self.intake_at(local(2026, 11, 16, 9, 0))
        with time_machine.travel(local(2026, 11, 18, 12, 0), tick=False):
            application_approve(actor=self.clerk_a, application=case)
        CaseHandlerMonth.objects.update(finished=9)
        self.assertTrue(any("case_handler_month" in line for line in differences()))
        rebuild()
        self.assertEqual(differences(), [])
        self.assertEqual(handled(self.town, self.clerk_a), (1, 1))

    def test_the_board_page_costs_the_same_queries_with_more_cases(self) -> None:
        self.client.force_login(self.clerk_a)
        url = reverse("service_reports:ranking") + f"?hall={self.town.code}&month=2026-11"

        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            return len(ctx.captured_queries)

        case = self.intake_at(local(2026, 11, 2, 9, 0))
        with time_machine.travel(local(2026, 11, 3, 9, 0), tick=False):
            application_approve(actor=self.clerk_a, application=case)
        few = queries()
        for day in (4, 5, 6, 9, 10, 11):
            case = self.intake_at(local(2026, 11, day, 9, 0), self.clerk_b)
            with time_machine.travel(local(2026, 11, day, 15, 0), tick=False):
                application_approve(actor=self.clerk_b, application=case)
        self.assertEqual(queries(), few)
        self.assertContains(self.client.get(url), self.clerk_b.display_name)


class SummaryTablesTests(SimpleTestCase):
    def test_every_summary_table_is_counted_again_not_copied_by_the_demo_restore(self) -> None:
        tables = {model._meta.db_table for model in apps.get_app_config("rollups").get_models()}
        self.assertEqual(tables, ROLLUP_TABLES)
        self.assertEqual(tables, {model._meta.db_table for model, _make in TABLES.values()})
