"""The leader cockpit: who may open it, and its numbers equal the SQL aggregates (KP13)."""

import datetime
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.projects import progress
from zhengtong.projects.models import KeyProject, ListEntry, ProgressReport, ProjectLeader
from zhengtong.projects.tests.factories import create_project

from .test_stats import MONTH, YEAR, PortfolioFixture, sql

# Reports for June are due in early July: the cockpit reads the year up to June.
NOW = "2025-07-10 09:00 +0800"
PAGE, DATA = "/projects/cockpit/", "/projects/cockpit/data/"


@time_machine.travel(NOW, tick=False)
class CockpitTestCase(PortfolioFixture):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Outside the zone (a county project) and last year's register: neither is counted.
        cls.far = create_project(
            code="FAR",
            name="刘集镇项目",
            year=YEAR,
            sector=cls.auto,
            org_unit=cls.town,
            category=KeyProject.Category.INDUSTRY,
            total_investment=Decimal("7e9"),
            annual_plan=Decimal("1e9"),
        )
        cls.old = create_project(
            code="OLD",
            name="去年项目",
            year=YEAR - 1,
            sector=cls.auto,
            org_unit=cls.company,
            category=KeyProject.Category.INDUSTRY,
            total_investment=Decimal("5e9"),
            annual_plan=Decimal("1e9"),
        )

    def golden(self) -> dict:
        """The figures computed straight in SQL over the zone's projects of the year."""
        where = (
            "p.id IN (SELECT e.project_id FROM projects_listentry e JOIN projects_projectlist l "
            "ON l.id = e.project_list_id WHERE l.year = %s AND l.status = 'approved') "
            "AND p.org_unit_id = %s"
        )
        params = [YEAR, self.company.pk]
        count, total, plan = sql(
            "SELECT COUNT(*), SUM(p.total_investment), SUM(e.annual_plan) FROM projects_keyproject p "
            "JOIN projects_listentry e ON e.project_id = p.id "
            f"JOIN projects_projectlist l ON l.id = e.project_list_id AND l.year = %s WHERE {where}",
            [YEAR, *params],
        )[0]
        (ytd,) = sql(
            "SELECT SUM(r.investment) FROM projects_progressreport r JOIN projects_keyproject p "
            f"ON p.id = r.project_id WHERE {where} AND r.month >= %s AND r.month <= %s",
            [*params, datetime.date(YEAR, 1, 1), datetime.date(YEAR, MONTH, 1)],
        )[0]
        sectors = sql(
            "SELECT s.code, COUNT(*), SUM(p.total_investment) FROM projects_keyproject p "
            f"JOIN projects_sector s ON s.id = p.sector_id WHERE {where} GROUP BY s.code",
            params,
        )
        leaders = sql(
            "SELECT l.user_id, COUNT(*) FROM projects_projectleader l JOIN projects_keyproject p "
            f"ON p.id = l.project_id WHERE {where} GROUP BY l.user_id",
            params,
        )
        stages = sql(
            f"SELECT stage, COUNT(*) FROM projects_keyproject p WHERE {where} GROUP BY stage",
            params,
        )
        return {
            "count": count,
            "total_investment": Decimal(total),
            "annual_plan": Decimal(plan),
            "ytd": Decimal(ytd),
            "sectors": {c: (n, Decimal(t)) for c, n, t in sectors},
            "leaders": {str(u): n for u, n in leaders},
            "stages": dict(stages),
        }


class CockpitAccessTestCase(CockpitTestCase):
    def test_leaders_and_the_office_open_the_cockpit(self) -> None:
        for user in (self.leader, self.second_leader, self.office):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(PAGE).status_code, 200)
                self.assertEqual(self.client.get(DATA).status_code, 200)

    def test_the_page_shows_no_template_syntax(self) -> None:
        self.client.force_login(self.leader)
        text = self.client.get(PAGE).content.decode()
        for syntax in ("{#", "#}", "{{", "{%"):
            with self.subTest(syntax=syntax):
                self.assertNotIn(syntax, text)

    def test_everyone_else_gets_403(self) -> None:
        """Liaisons see projects but not the cockpit; other roles see neither."""
        for user in (
            self.liaison,
            self.other_liaison,
            self.auditor,
            self.clerk,
            self.outsider,
            self.admin,
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(PAGE).status_code, 403)
                self.assertEqual(self.client.get(DATA).status_code, 403)

    def test_anonymous_users_are_sent_to_login(self) -> None:
        for url in (PAGE, DATA):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302)
            self.assertIn("login", r["Location"])


class CockpitGoldenTestCase(CockpitTestCase):
    def test_the_json_equals_the_sql_aggregates(self) -> None:
        golden = self.golden()
        self.client.force_login(self.leader)
        data = self.client.get(DATA).json()
        self.assertEqual((data["year"], data["month"]), (YEAR, MONTH))
        self.assertEqual(data["count"], golden["count"])
        self.assertEqual(Decimal(data["total_investment"]), golden["total_investment"])
        self.assertEqual(Decimal(data["annual_plan"]), golden["annual_plan"])
        self.assertEqual(Decimal(data["ytd_investment"]), golden["ytd"])
        self.assertEqual(
            {s["code"]: (s["count"], Decimal(s["total_investment"])) for s in data["by_sector"]},
            golden["sectors"],
        )
        self.assertEqual({str(r["id"]): r["count"] for r in data["by_leader"]}, golden["leaders"])
        self.assertEqual({k: v for k, v in data["by_stage"].items() if v}, golden["stages"])
        self.assertEqual(
            data["by_class"]["not_started"],
            golden["stages"]["survey"] + golden["stages"]["not_started"],
        )
        self.assertEqual(Decimal(data["monthly"][MONTH - 1]["actual"]), golden["ytd"])
        self.assertIsNone(data["monthly"][MONTH]["actual"])
        # Plain numbers for the fixture, so a wrong golden query cannot hide a wrong page.
        self.assertEqual(data["count"], 8)
        self.assertEqual(data["total_investment"], "11850000000.00")
        self.assertEqual(data["completion_pct"], "40.9")

    def test_the_page_prints_the_numbers_the_rule_and_the_drill_down_links(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get(PAGE)
        self.assertContains(r, '<div class="value" id="stat-count">8 个</div>', html=True)
        self.assertContains(r, "118.50亿元")  # Σ total investment
        self.assertContains(r, "27.00亿元")  # Σ annual plan
        self.assertContains(r, "11.05亿元")  # completed Jan–Jun
        self.assertContains(r, "40.9%")
        self.assertContains(r, progress.rule_text())
        self.assertContains(r, "?year=2025&amp;stage_class=under_construction")
        self.assertContains(r, "?year=2025&amp;sector=metal")
        self.assertContains(r, f"?year=2025&amp;leader={self.leader.pk}")
        self.assertContains(r, "?year=2025&amp;flag=behind")
        for chart in (
            "chart-class",
            "chart-flags",
            "chart-monthly",
            "chart-sector",
            "chart-leader",
            "chart-delayed",
        ):
            self.assertContains(r, f'id="{chart}"')
        self.assertContains(r, "/static/vendor/echarts.min.js")
        self.assertContains(r, "/static/js/cockpit.js")
        self.assertContains(r, f'data-url="/projects/cockpit/data/?year={YEAR}"')
        self.assertNotContains(r, "刘集镇项目")

    def test_the_most_delayed_projects_are_listed_worst_first(self) -> None:
        self.client.force_login(self.leader)
        data = self.client.get(DATA).json()
        gaps = [Decimal(r["gap"]) for r in data["most_delayed"]]
        self.assertEqual(gaps, sorted(gaps, reverse=True))
        self.assertTrue(all(g > 0 for g in gaps))
        self.assertEqual(data["most_delayed"][0]["code"], "P2")
        self.assertEqual(data["most_delayed"][0]["url"], f"/projects/{self.projects['P2'].pk}/")
        self.assertEqual(sum(data["flags"].values()), data["count"])
        self.assertEqual(data["labels"]["flag"]["behind"], "滞后")

    def test_the_top_ten_is_capped_at_ten(self) -> None:
        for i in range(12):
            create_project(
                code=f"L{i:02d}",
                name=f"滞后{i}",
                year=YEAR,
                sector=self.auto,
                org_unit=self.company,
                category=KeyProject.Category.INDUSTRY,
                total_investment=Decimal("1e9"),
                annual_plan=Decimal("1.2e8"),
            )
        self.client.force_login(self.leader)
        self.assertEqual(len(self.client.get(DATA).json()["most_delayed"]), 10)


class CockpitQueryCountTestCase(CockpitTestCase):
    def add_projects(self, n: int) -> None:
        for i in range(n):
            project = create_project(
                code=f"N{i:02d}",
                name=f"新增{i}",
                year=YEAR,
                sector=self.metal,
                org_unit=self.company,
                category=KeyProject.Category.INDUSTRY,
                total_investment=Decimal("1e8"),
                annual_plan=Decimal("1.2e7"),
            )
            ProjectLeader.objects.create(project=project, user=self.second_leader)
            ProgressReport.objects.create(
                project=project,
                month=datetime.date(YEAR, 2, 1),
                investment=Decimal("1e6"),
                physical_progress=Decimal("5"),
                submitted_by=self.liaison,
            )

    def test_page_and_json_run_the_same_number_of_queries_for_3_or_30_projects(self) -> None:
        ListEntry.objects.filter(
            project__code__in=["P4", "P5", "P6", "P7", "P8"], project_list__year=YEAR
        ).delete()
        self.client.force_login(self.leader)
        self.client.get(PAGE)
        counts = {}
        for url in (PAGE, DATA):
            with CaptureQueriesContext(connection) as ctx:
                r = self.client.get(url)
            counts[url] = len(ctx)
        self.assertEqual(r.json()["count"], 3)
        self.add_projects(27)
        for url in (PAGE, DATA):
            with self.assertNumQueries(counts[url]):
                r = self.client.get(url)
        self.assertEqual(r.json()["count"], 30)


class CockpitDrillDownTestCase(CockpitTestCase):
    def test_each_drill_down_link_lists_exactly_the_projects_counted(self) -> None:
        """Following a number's link, the project list holds as many projects as the number."""
        self.client.force_login(self.leader)
        data = self.client.get(DATA).json()
        links = data["links"]
        expected = [(links["all"], data["count"])]
        expected += [(links["class"][c], n) for c, n in data["by_class"].items()]
        expected += [(links["sector"][s["code"]], s["count"]) for s in data["by_sector"]]
        expected += [(links["leader"][str(r["id"])], r["count"]) for r in data["by_leader"]]
        expected += [(links["flag"][f], n) for f, n in data["flags"].items()]
        for url, count in expected:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertEqual(r.context["page"].paginator.count, count)
