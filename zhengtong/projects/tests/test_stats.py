"""Portfolio aggregates: every figure equals the SQL aggregate, in a fixed number of queries."""

import datetime
from decimal import Decimal

from django.db import connection

from zhengtong.projects import progress, stats
from zhengtong.projects.models import KeyProject, ProgressReport, ProjectLeader, Sector, Stage
from zhengtong.projects.tests.factories import create_project
from zhengtong.test import BaseTestCase

YEAR, MONTH = 2025, 6


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


class PortfolioFixture(BaseTestCase):
    """Eight projects over three sectors and every stage, two leaders, and half a year of reports."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.auto = Sector.objects.create(code="auto", name="新能源汽车", plate="2", sort_order=1)
        cls.metal = Sector.objects.create(code="metal", name="有色金属", plate="2", sort_order=2)
        cls.urban = Sector.objects.create(code="urban", name="城市建设", plate="0", sort_order=9)
        cls.empty = Sector.objects.create(code="empty", name="无项目板块", plate="5", sort_order=5)
        specs = [
            # code, sector, stage, total (亿), annual plan (亿), monthly investment Jan–Jun (亿)
            ("P1", cls.auto, Stage.UNDER_CONSTRUCTION, "50", "12", ["1", "1", "1", "1", "1", "1"]),
            (
                "P2",
                cls.auto,
                Stage.UNDER_CONSTRUCTION,
                "30",
                "6",
                ["0.2", "0.2", "0.2", "0.2", "0.2", "0.2"],
            ),
            ("P3", cls.metal, Stage.UNDER_CONSTRUCTION, "20", "2.4", ["0.5", "0.5", "0.5"]),
            (
                "P4",
                cls.metal,
                Stage.COMPLETED,
                "8",
                "1.2",
                ["0.1", "0.1", "0.1", "0.1", "0.1", "0.05"],
            ),
            ("P5", cls.urban, Stage.SURVEY, "3", "0.6", []),
            ("P6", cls.urban, Stage.NOT_STARTED, "2.5", "1.2", []),
            (
                "P7",
                cls.urban,
                Stage.UNDER_CONSTRUCTION,
                "4",
                "3.6",
                ["0.3", "0.3", "0.3", "0.3", "0.3", "0.3"],
            ),
            ("P8", cls.auto, Stage.CANCELLED, "1", "0", []),
        ]
        yi = Decimal(100_000_000)
        cls.projects = {}
        for code, sector, stage, total, plan, monthly in specs:
            project = create_project(
                code=code,
                name=f"项目{code}",
                year=YEAR,
                sector=sector,
                category=KeyProject.Category.INDUSTRY,
                org_unit=cls.company,
                total_investment=Decimal(total) * yi,
                annual_plan=Decimal(plan) * yi,
                stage=stage,
            )
            cls.projects[code] = project
            for m, amount in enumerate(monthly, start=1):
                ProgressReport.objects.create(
                    project=project,
                    month=datetime.date(YEAR, m, 1),
                    investment=Decimal(amount) * yi,
                    physical_progress=Decimal("10"),
                    submitted_by=cls.liaison,
                )
        # A July report lies after the as-of month and a 2024 report before the year: neither counts.
        for day in (datetime.date(YEAR, 7, 1), datetime.date(YEAR - 1, 12, 1)):
            ProgressReport.objects.create(
                project=cls.projects["P3"],
                month=day,
                investment=Decimal("9") * yi,
                physical_progress=Decimal("50"),
                submitted_by=cls.liaison,
            )
        for code in ("P1", "P2", "P3"):
            ProjectLeader.objects.create(project=cls.projects[code], user=cls.leader)
        for code in ("P3", "P7"):
            ProjectLeader.objects.create(project=cls.projects[code], user=cls.second_leader)

    def portfolio(self):
        return KeyProject.objects.on_list(YEAR)


class SummaryTestCase(PortfolioFixture):
    def test_totals_equal_the_sql_aggregates(self) -> None:
        data = stats.summary(self.portfolio(), year=YEAR, month=MONTH)
        count, total, plan = sql(
            "SELECT COUNT(*), SUM(p.total_investment), SUM(e.annual_plan) FROM projects_keyproject p "
            "JOIN projects_listentry e ON e.project_id = p.id "
            "JOIN projects_projectlist l ON l.id = e.project_list_id WHERE l.year = %s",
            [YEAR],
        )[0]
        self.assertEqual(data["count"], count)
        self.assertEqual(data["count"], 8)
        self.assertEqual(data["total_investment"], Decimal(total))
        self.assertEqual(data["total_investment"], Decimal("11850000000.00"))
        self.assertEqual(data["annual_plan"], Decimal(plan))
        self.assertEqual(data["annual_plan"], Decimal("2700000000.00"))

    def test_counts_by_stage_include_every_stage_and_survey_is_not_started(self) -> None:
        data = stats.summary(self.portfolio(), year=YEAR, month=MONTH)
        expected = {s: 0 for s in Stage.values}
        expected.update(dict(sql("SELECT stage, COUNT(*) FROM projects_keyproject GROUP BY stage")))
        self.assertEqual(data["by_stage"], expected)
        self.assertEqual(
            data["by_class"],
            {"not_started": 2, "under_construction": 4, "completed": 1, "cancelled": 1},
        )

    def test_sums_by_sector_equal_the_sql_group_by(self) -> None:
        data = stats.summary(self.portfolio(), year=YEAR, month=MONTH)
        rows = sql(
            "SELECT s.code, COUNT(*), SUM(p.total_investment), SUM(e.annual_plan) "
            "FROM projects_keyproject p JOIN projects_sector s ON s.id = p.sector_id "
            "JOIN projects_listentry e ON e.project_id = p.id "
            "GROUP BY s.code, s.sort_order ORDER BY s.sort_order"
        )
        got = [
            (r["code"], r["count"], r["total_investment"], r["annual_plan"])
            for r in data["by_sector"]
        ]
        self.assertEqual(got, [(c, n, Decimal(t), Decimal(a)) for c, n, t, a in rows])
        self.assertEqual([r[0] for r in got], ["auto", "metal", "urban"])

    def test_projects_per_leader_equal_the_sql_group_by(self) -> None:
        data = stats.summary(self.portfolio(), year=YEAR, month=MONTH)
        rows = dict(
            (uid, (n, Decimal(t)))
            for uid, n, t in sql(
                "SELECT l.user_id, COUNT(*), SUM(p.total_investment) FROM projects_projectleader l "
                "JOIN projects_keyproject p ON p.id = l.project_id GROUP BY l.user_id"
            )
        )
        got = {r["id"]: (r["count"], r["total_investment"]) for r in data["by_leader"]}
        self.assertEqual(got, rows)
        self.assertEqual(data["by_leader"][0]["name"], "王区长")  # most projects first
        self.assertEqual(got[self.leader.pk], (3, Decimal("10000000000.00")))

    def test_monthly_plan_and_actual_are_cumulative(self) -> None:
        data = stats.summary(self.portfolio(), year=YEAR, month=MONTH)
        monthly = {r["month"]: r for r in data["monthly"]}
        self.assertEqual(len(monthly), 12)
        for m in range(1, 13):
            if m <= MONTH:
                (actual,) = sql(
                    "SELECT SUM(investment) FROM projects_progressreport WHERE month >= %s AND month <= %s",
                    [datetime.date(YEAR, 1, 1), datetime.date(YEAR, m, 1)],
                )[0]
                self.assertEqual(monthly[m]["actual"], Decimal(actual or 0), m)
            else:
                self.assertIsNone(monthly[m]["actual"])
            self.assertEqual(monthly[m]["plan"], progress.cumulative_plan(data["annual_plan"], m))
        self.assertEqual(monthly[6]["plan"], Decimal("1350000000.00"))
        self.assertEqual(monthly[6]["actual"], Decimal("1105000000.00"))
        self.assertEqual(monthly[6]["actual_month"], Decimal("155000000.00"))

    def test_ytd_and_completion_follow_the_reports_up_to_the_as_of_month(self) -> None:
        data = stats.summary(self.portfolio(), year=YEAR, month=MONTH)
        self.assertEqual(data["ytd_investment"], Decimal("1105000000.00"))
        # 11.05 / 27 = 40.925…% → 40.9%
        self.assertEqual(data["completion_pct"], Decimal("40.9"))

    def test_flags_and_most_delayed_apply_the_progress_rule(self) -> None:
        data = stats.summary(self.portfolio(), year=YEAR, month=MONTH, top=3)
        expected = {progress.AHEAD: 0, progress.ON_TRACK: 0, progress.BEHIND: 0}
        gaps = []
        for project in progress.with_ytd(self.portfolio(), year=YEAR, month=MONTH):
            p = progress.progress_of(project, year=YEAR, month=MONTH)
            expected[p.flag] += 1
            if p.gap > 0:
                gaps.append((p.gap, project.code))
        self.assertEqual(data["flags"], expected)
        self.assertEqual(sum(data["flags"].values()), 8)
        top = [r["code"] for r in data["most_delayed"]]
        self.assertEqual(top, [c for _, c in sorted(gaps, key=lambda g: (-g[0], g[1]))][:3])
        # P2: plan 3亿 by June, done 1.2亿 → 1.8亿 behind, the worst.
        self.assertEqual(top[0], "P2")
        self.assertEqual(data["most_delayed"][0]["gap"], Decimal("180000000.00"))
        self.assertEqual(data["most_delayed"][0]["flag"], progress.BEHIND)
        self.assertNotIn("P1", top)  # on plan: 6亿 of 6亿

    def test_an_empty_portfolio_gives_zeros(self) -> None:
        data = stats.summary(KeyProject.objects.on_list(YEAR).none(), year=YEAR, month=MONTH)
        self.assertEqual((data["count"], data["total_investment"], data["annual_plan"]), (0, 0, 0))
        self.assertIsNone(data["completion_pct"])
        self.assertEqual(data["most_delayed"], [])
        self.assertEqual(set(data["by_stage"].values()), {0})

    def test_summary_runs_six_queries_however_many_projects(self) -> None:
        few = self.portfolio().filter(code__in=["P1", "P2", "P3"])
        with self.assertNumQueries(6):
            stats.summary(few, year=YEAR, month=MONTH)
        for i in range(30):
            project = create_project(
                code=f"X{i:02d}",
                name=f"项目X{i}",
                year=YEAR,
                sector=self.auto,
                category=KeyProject.Category.INDUSTRY,
                org_unit=self.company,
                total_investment=Decimal("1000"),
                annual_plan=Decimal("120"),
            )
            ProjectLeader.objects.create(project=project, user=self.leader)
            ProgressReport.objects.create(
                project=project,
                month=datetime.date(YEAR, 1, 1),
                investment=Decimal("5"),
                physical_progress=Decimal("1"),
                submitted_by=self.liaison,
            )
        with self.assertNumQueries(6):
            data = stats.summary(self.portfolio(), year=YEAR, month=MONTH)
        self.assertEqual(data["count"], 38)

    def test_it_accepts_an_annotated_and_ordered_queryset(self) -> None:
        """A scoped, ordered queryset (as views pass it) gives the same figures."""
        plain = stats.summary(self.portfolio(), year=YEAR, month=MONTH)
        fancy = progress.with_ytd(self.portfolio().order_by("-name"), year=YEAR, month=MONTH)
        self.assertEqual(stats.summary(fancy, year=YEAR, month=MONTH), plain)
