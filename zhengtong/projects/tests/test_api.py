import datetime
from decimal import Decimal

import time_machine

from zhengtong.audit.models import Event
from zhengtong.projects.models import ProgressReport, Stage
from zhengtong.projects.tests.factories import make_project, make_sector
from zhengtong.test import BaseTestCase

TODAY = datetime.datetime(2026, 3, 15, 10, 0, tzinfo=datetime.UTC)


class ApiTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.mine = make_project(
            "KP-001",
            self.company,
            total="65000000000.00",
            plan="11000000000.00",
            stage=Stage.UNDER_CONSTRUCTION,
            leaders=[self.leader],
        )
        self.theirs = make_project(
            "KP-002", self.other_company, total="800000000.00", plan="700000000.00"
        )


class SummaryApiTestCase(ApiTestCase):
    url = "/api/v1/projects/summary/"

    def test_it_sums_every_visible_project_for_a_leader(self) -> None:
        """A zone leader sees both projects: count, sums as decimal strings, every stage listed."""
        self.client.force_login(self.leader)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(
            r.json(),
            {
                "count": 2,
                "total_investment": "65800000000.00",
                "annual_plan": "11700000000.00",
                "year": 2026,
                "by_stage": {
                    "not_started": 1,
                    "survey": 0,
                    "under_construction": 1,
                    "completed": 0,
                    "cancelled": 0,
                },
            },
        )

    def test_a_liaison_sums_only_their_own_units_projects(self) -> None:
        self.client.force_login(self.liaison)
        data = self.client.get(self.url).json()
        self.assertEqual(data["count"], 1)
        self.assertEqual(data["total_investment"], "65000000000.00")
        self.assertEqual(data["by_stage"]["not_started"], 0)

    def test_a_user_without_a_project_role_gets_zero_not_an_error(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["count"], 0)
        self.assertEqual(r.json()["total_investment"], "0.00")
        self.assertEqual(set(r.json()["by_stage"]), set(Stage.values))

    def test_anonymous_callers_are_refused(self) -> None:
        self.assertIn(self.client.get(self.url).status_code, (401, 403))


class ProjectListApiTestCase(ApiTestCase):
    url = "/api/v1/projects/"

    def test_it_lists_visible_projects_with_codes_and_amounts(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual(data["count"], 2)
        first = data["results"][0]
        self.assertEqual(first["code"], "KP-001")
        self.assertEqual(first["total_investment"], "65000000000.00")
        self.assertEqual(first["org_unit"], "CO-ZT")
        self.assertEqual(first["leaders"], ["王区长"])
        self.assertEqual(first["oc4ids_status"], "implementation")

    def test_a_liaison_lists_only_own_projects(self) -> None:
        self.client.force_login(self.liaison)
        codes = [p["code"] for p in self.client.get(self.url).json()["results"]]
        self.assertEqual(codes, ["KP-001"])

    def test_it_filters_by_stage_sector_and_year(self) -> None:
        """Rows are the projects of one yearly list: `?year=`, or the list the pages open on."""
        other = make_sector("logistics", "现代物流")
        make_project("KP-003", self.company, sector=other, year=2025)
        self.client.force_login(self.office)

        def codes(query):
            return [p["code"] for p in self.client.get(self.url + query).json()["results"]]

        self.assertEqual(codes("?stage=under_construction"), ["KP-001"])
        self.assertEqual(codes("?sector=logistics"), [])
        self.assertEqual(codes("?sector=logistics&year=2025"), ["KP-003"])
        self.assertEqual(codes("?year=2026"), ["KP-001", "KP-002"])
        self.assertEqual(codes("?year=2027"), [])

    def test_unknown_filter_values_are_a_chinese_400(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get(self.url + "?stage=flying")
        self.assertEqual(r.status_code, 400)
        self.assertIn("阶段", r.json()["stage"][0])
        r = self.client.get(self.url + "?year=abc")
        self.assertEqual(r.status_code, 400)
        self.assertIn("计划年度", r.json()["year"][0])

    def test_the_query_count_does_not_grow_with_rows(self) -> None:
        self.client.force_login(self.office)
        self.client.get(self.url)  # Warm the session.
        # One more than the rows' own queries: the yearly list the API defaults to.
        with self.assertNumQueries(8) as ctx:
            self.client.get(self.url)
        for i in range(5):
            make_project(f"KP-1{i}", self.company, leaders=[self.leader, self.second_leader])
        with self.assertNumQueries(len(ctx.captured_queries)):
            r = self.client.get(self.url)
        self.assertEqual(r.json()["count"], 7)

    def test_it_is_paginated(self) -> None:
        for i in range(3):
            make_project(f"KP-2{i}", self.company)
        self.client.force_login(self.office)
        data = self.client.get(self.url + "?page_size=2").json()
        self.assertEqual(data["count"], 5)
        self.assertEqual(len(data["results"]), 2)
        self.assertIsNotNone(data["next"])


class ProjectDetailApiTestCase(ApiTestCase):
    def test_it_shows_a_visible_project(self) -> None:
        self.client.force_login(self.liaison)
        r = self.client.get(f"/api/v1/projects/{self.mine.pk}/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["name"], "项目KP-001")

    def test_another_units_project_is_404(self) -> None:
        self.client.force_login(self.other_liaison)
        self.assertEqual(self.client.get(f"/api/v1/projects/{self.mine.pk}/").status_code, 404)

    def test_a_user_without_a_project_role_gets_404(self) -> None:
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(f"/api/v1/projects/{self.mine.pk}/").status_code, 404)


@time_machine.travel(TODAY, tick=False)
class ReportCreateApiTestCase(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = f"/api/v1/projects/{self.mine.pk}/reports/"
        self.payload = {"month": "2026-02", "investment": "3000000.50", "physical_progress": "40"}

    def test_a_liaison_files_a_report_and_gets_the_derived_ytd(self) -> None:
        """The 201 body carries year-to-date investment summed from this year's reports."""
        ProgressReport.objects.create(
            project=self.mine,
            month=datetime.date(2026, 1, 1),
            investment=Decimal("1000000.00"),
            physical_progress=Decimal("30"),
            submitted_by=self.liaison,
        )
        self.client.force_login(self.liaison)
        r = self.client.post(self.url, self.payload, content_type="application/json")
        self.assertEqual(r.status_code, 201, r.content)
        data = r.json()
        self.assertEqual(data["month"], "2026-02")
        self.assertEqual(data["investment"], "3000000.50")
        self.assertEqual(data["ytd_investment"], "4000000.50")
        report = ProgressReport.objects.get(project=self.mine, month=datetime.date(2026, 2, 1))
        self.assertEqual(report.submitted_by, self.liaison)
        event = Event.objects.get(action="progress_reported")
        self.assertEqual(event.channel, "api")

    def test_a_future_month_is_refused_in_chinese_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.liaison)
        r = self.client.post(
            self.url, {**self.payload, "month": "2026-04"}, content_type="application/json"
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("未来月份", r.json()["month"][0])
        self.assertFalse(ProgressReport.objects.exists())

    def test_a_non_numeric_amount_names_the_field(self) -> None:
        self.client.force_login(self.liaison)
        r = self.client.post(
            self.url, {**self.payload, "investment": "abc"}, content_type="application/json"
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("本月完成投资", r.json()["investment"][0])
        self.assertFalse(ProgressReport.objects.exists())

    def test_a_badly_formed_month_and_progress_over_100_are_refused(self) -> None:
        self.client.force_login(self.liaison)
        r = self.client.post(
            self.url,
            {**self.payload, "month": "2026/02", "physical_progress": "120"},
            content_type="application/json",
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("YYYY-MM", r.json()["month"][0])
        self.assertIn("形象进度", r.json()["physical_progress"][0])

    def test_a_negative_amount_is_refused(self) -> None:
        self.client.force_login(self.liaison)
        r = self.client.post(
            self.url, {**self.payload, "investment": "-5"}, content_type="application/json"
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("负数", r.json()["investment"][0])

    def test_a_leader_who_may_see_but_not_report_gets_403(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.post(self.url, self.payload, content_type="application/json")
        self.assertEqual(r.status_code, 403)
        self.assertFalse(ProgressReport.objects.exists())

    def test_another_units_liaison_gets_404(self) -> None:
        self.client.force_login(self.other_liaison)
        r = self.client.post(self.url, self.payload, content_type="application/json")
        self.assertEqual(r.status_code, 404)
        self.assertFalse(ProgressReport.objects.exists())

    def test_anonymous_callers_are_refused(self) -> None:
        r = self.client.post(self.url, self.payload, content_type="application/json")
        self.assertIn(r.status_code, (401, 403))
        self.assertFalse(ProgressReport.objects.exists())
