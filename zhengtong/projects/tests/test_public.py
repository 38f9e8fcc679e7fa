"""The public progress page: residents read progress, never the internal figures."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.projects.models import ProgressReport, Stage
from zhengtong.projects.public import PUBLIC_FIELDS
from zhengtong.projects.tests.factories import make_project
from zhengtong.test import BaseTestCase


class PublicProgressTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = make_project(
            "KP-PUB-1",
            self.company,
            name="中通新能源客车基地",
            total="1250000000.00",
            plan="987654321.00",
            stage=Stage.UNDER_CONSTRUCTION,
            leaders=[self.leader],
        )
        ProgressReport.objects.create(
            project=self.project,
            month="2026-09-01",
            investment=Decimal("13579246.00"),
            physical_progress=Decimal("42.5"),
            submitted_by=self.liaison,
        )

    def test_the_public_fields_are_exactly_these(self) -> None:
        """A new field reaches residents only by being added to this list on purpose."""
        self.assertEqual(
            PUBLIC_FIELDS,
            (
                "code",
                "name",
                "sector",
                "category",
                "stage",
                "location",
                "description",
                "total_investment",
                "planned_start_on",
                "planned_finish_on",
                "actual_start_on",
                "actual_finish_on",
                "physical_progress",
                "progress_month",
                "is_example",
            ),
        )

    def test_anyone_can_read_the_progress_without_logging_in(self) -> None:
        r = self.client.get("/public/projects/?year=2026")
        self.assertContains(r, "中通新能源客车基地")
        self.assertContains(r, "42.5%")
        self.assertContains(r, "12.50亿元")

    def test_internal_figures_and_people_stay_off_the_pages(self) -> None:
        for url in ("/public/projects/?year=2026", "/public/projects/KP-PUB-1/"):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200)
            html = r.content.decode()
            for secret in (
                "9.88亿元",
                "98765.43",
                "1357.92",
                "13579246",
                "王区长",
                "钱联络",
                "帮包",
            ):
                self.assertNotIn(secret, html, f"{secret} leaked on {url}")

    def test_a_cancelled_project_is_not_shown(self) -> None:
        self.project.stage = Stage.CANCELLED
        self.project.save()
        self.assertNotContains(self.client.get("/public/projects/?year=2026"), "中通新能源客车基地")
        self.assertEqual(self.client.get("/public/projects/KP-PUB-1/").status_code, 404)

    def test_an_unknown_code_is_404(self) -> None:
        self.assertEqual(self.client.get("/public/projects/NOPE/").status_code, 404)

    def test_a_bad_year_falls_back_to_this_year_instead_of_failing(self) -> None:
        self.assertEqual(self.client.get("/public/projects/?year=abc").status_code, 200)

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        self.client.get("/public/projects/?year=2026")
        with CaptureQueriesContext(connection) as few:
            self.client.get("/public/projects/?year=2026")
        for i in range(20):
            make_project(f"KP-PUB-X{i:02d}", self.company, stage=Stage.UNDER_CONSTRUCTION)
        with self.assertNumQueries(len(few)):
            self.client.get("/public/projects/?year=2026")

    def test_search_stage_filter_and_sort(self) -> None:
        make_project("KP-PUB-2", self.company, name="嫩江路", stage=Stage.NOT_STARTED)
        r = self.client.get("/public/projects/", {"year": 2026, "q": "嫩江"})
        self.assertEqual([c[0].text for c in r.context["table"].rows], ["嫩江路"])
        r = self.client.get("/public/projects/", {"year": 2026, "stage": "under_construction"})
        self.assertEqual([c[0].text for c in r.context["table"].rows], ["中通新能源客车基地"])
        r = self.client.get("/public/projects/", {"year": 2026, "sort": "-total_investment"})
        self.assertEqual(r.context["table"].rows[0][0].text, "中通新能源客车基地")
        r = self.client.get("/public/projects/", {"year": 2026, "stage": "bogus"})
        self.assertContains(r, "筛选条件有误")

    def test_print_but_no_workbook_and_only_public_columns(self) -> None:
        r = self.client.get("/public/projects/", {"year": 2026, "print": "1"})
        self.assertContains(r, 'data-action="print"')
        self.assertContains(r, "中通新能源客车基地")
        r = self.client.get("/public/projects/", {"year": 2026, "export": "xlsx"})
        self.assertEqual(r["Content-Type"], "text/html; charset=utf-8")
        self.assertNotContains(r, "导出 Excel")
        keys = {c.key for c in r.context["view"].columns} - {"name"}
        self.assertLessEqual(keys, set(PUBLIC_FIELDS))
