"""The December report at the year end: filed by the office before the year closes, it counts
in the project's plan-and-actual box, on the register and in the leader cockpit, as it shows on
the public page."""

import datetime
from decimal import Decimal

import time_machine

from zhengtong.projects.actions import report_submit
from zhengtong.projects.models import Stage
from zhengtong.projects.selectors import as_of_for_year
from zhengtong.projects.tests.test_register import project
from zhengtong.test import BaseTestCase

# 31 December, 18:00 in Beijing: the reports due are November's; the office has filed December's.
YEAR_END = datetime.datetime(2026, 12, 31, 10, 0, tzinfo=datetime.UTC)


def file_report(actor, row, month, amount, physical) -> None:
    report_submit(
        actor=actor,
        project=row,
        month=datetime.date(2026, month, 1),
        investment=Decimal(amount),
        physical_progress=Decimal(physical),
    )


@time_machine.travel(YEAR_END, tick=False)
class DecemberReportTestCase(BaseTestCase):
    """Annual plan 1,200,000 元: 1,100,000 元 to November, 100,000 元 in December."""

    def setUp(self) -> None:
        super().setUp()
        self.row = project(
            "KP-DEC", self.company, stage=Stage.UNDER_CONSTRUCTION, leaders=[self.leader]
        )
        self.quiet = project("KP-Q", self.company, stage=Stage.UNDER_CONSTRUCTION)
        file_report(self.liaison, self.row, 11, "1100000", "80")
        file_report(self.office, self.row, 12, "100000", "100")

    def test_the_public_page_shows_the_december_progress(self) -> None:
        r = self.client.get("/public/projects/KP-DEC/")
        self.assertEqual(r.context["row"]["progress_month"], datetime.date(2026, 12, 1))
        self.assertEqual(r.context["row"]["physical_progress"], Decimal("100.0"))

    def test_the_project_box_counts_the_december_report(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(f"/projects/{self.row.pk}/")
        figures = r.context["figures"]
        self.assertEqual((figures.year, figures.month), (2026, 12))
        self.assertEqual(figures.ytd_investment, Decimal("1200000.00"))
        self.assertEqual(figures.completion_pct, Decimal("100.0"))
        self.assertContains(r, "截至 2026 年 12 月")

    def test_the_cockpit_and_the_register_count_the_december_report(self) -> None:
        self.client.force_login(self.leader)
        data = self.client.get("/projects/cockpit/data/?year=2026").json()
        self.assertEqual((data["year"], data["month"]), (2026, 12))
        self.assertEqual(data["ytd_investment"], "1200000.00")
        self.assertEqual(data["monthly"][11]["actual_month"], "100000.00")
        r = self.client.get("/projects/", {"year": 2026, "q": "KP-DEC"})
        self.assertEqual(r.context["month"], 12)
        self.assertEqual([c.text for c in r.context["table"].rows[0] if "%" in c.text], ["100.0%"])

    def test_without_a_december_report_the_year_is_read_at_the_due_month(self) -> None:
        self.row.reports.filter(month__month=12).delete()
        self.assertEqual(as_of_for_year(2026), (2026, 11))
        # A past year is read at December, a year not begun at January.
        self.assertEqual(as_of_for_year(2025), (2025, 12))
        self.assertEqual(as_of_for_year(2027), (2027, 1))
