"""school_totals: coverage = distinct schools inspected in the period / all registered ones,
counted in the database within the caller's scope."""

import datetime
from decimal import Decimal

import time_machine

from zhengtong.livelihood import school_stats
from zhengtong.livelihood.actions import schools as actions
from zhengtong.livelihood.models import School

from .test_schools import NOW, TODAY, SchoolTestCase

YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


@time_machine.travel(NOW, tick=False)
class SchoolTotalsTestCase(SchoolTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.a = self.make_school("甲小学")
        self.b = self.make_school("乙中学", School.Kind.MIDDLE)
        self.c = self.make_school("丙幼儿园", School.Kind.KINDERGARTEN)
        self.d = self.make_school("丁小学")
        # 甲 twice in the year, 乙 once with two hazards (one verified), 丁 only last year.
        self.inspect(self.a, datetime.date(2026, 3, 2))
        self.inspect(self.a, datetime.date(2026, 4, 7))
        inspection = self.inspect(
            self.b,
            datetime.date(2026, 4, 8),
            {"fire": ("过期", "更换", 5), "guard": ("无人值守", "落实值守", 5)},
        )
        fire = inspection.hazards.order_by("id").first()
        actions.hazard_report_rectified(
            actor=self.clerk, hazard=fire, rectified_on=TODAY, note="ok"
        )
        actions.hazard_verify(actor=self.clerk, hazard=fire, verified_on=TODAY)
        self.inspect(self.d, datetime.date(2025, 11, 3), {"bus": ("超员", "不超员", 3)})
        campaign = actions.campaign_create(
            actor=self.clerk,
            org_unit=self.social,
            name="清理",
            started_on=datetime.date(2026, 3, 1),
        )
        for name in ("一园", "二园", "三园"):
            actions.kindergarten_register(
                actor=self.clerk,
                campaign=campaign,
                name=name,
                operator="某",
                address="某村",
                children=10,
                found_on=datetime.date(2026, 3, 5),
            )
        actions.kindergarten_dispose(
            actor=self.clerk,
            kindergarten=campaign.kindergartens.get(name="一园"),
            outcome="banned",
            outcome_on=datetime.date(2026, 4, 1),
        )

    def test_coverage_counts_distinct_schools_inspected_over_all(self) -> None:
        totals = school_stats.school_totals(self.clerk, start=YEAR[0], end=YEAR[1])
        self.assertEqual(
            totals,
            {
                "schools_total": 4,
                "schools_inspected": 2,
                "hazards": 2,
                "hazards_open": 1,
                "kindergartens_total": 3,
                "kindergartens_closed_out": 1,
            },
        )
        self.assertEqual(school_stats.coverage(totals), Decimal("50.0"))

    def test_the_period_bounds_are_inclusive(self) -> None:
        totals = school_stats.school_totals(
            self.clerk, start=datetime.date(2025, 11, 3), end=datetime.date(2026, 3, 2)
        )
        self.assertEqual(totals["schools_inspected"], 2)  # 丁 on the first day, 甲 on the last
        self.assertEqual(totals["hazards"], 1)
        self.assertEqual(totals["hazards_open"], 1)
        totals = school_stats.school_totals(
            self.clerk, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31)
        )
        self.assertEqual(totals["kindergartens_closed_out"], 0)  # disposed in April

    def test_every_school_inspected_is_full_coverage(self) -> None:
        self.inspect(self.c, datetime.date(2026, 5, 8))
        self.inspect(self.d, datetime.date(2026, 5, 8))
        totals = school_stats.school_totals(self.leader, start=YEAR[0], end=YEAR[1])
        self.assertEqual((totals["schools_inspected"], totals["schools_total"]), (4, 4))
        self.assertEqual(school_stats.coverage(totals), Decimal("100.0"))

    def test_a_leader_sees_the_same_figures_and_another_department_sees_none(self) -> None:
        clerk = school_stats.school_totals(self.clerk, start=YEAR[0], end=YEAR[1])
        self.assertEqual(school_stats.school_totals(self.leader, start=YEAR[0], end=YEAR[1]), clerk)
        civil = school_stats.school_totals(self.civil_clerk, start=YEAR[0], end=YEAR[1])
        self.assertEqual(set(civil.values()), {0})
        self.assertIsNone(school_stats.coverage(civil))

    def test_the_school_list_shows_the_coverage_of_the_year(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get("/livelihood/schools/?year=2026")
        self.assertContains(r, "50.0%")
        self.assertContains(r, "已检查 2 / 共 4 所")
        r = self.client.get("/livelihood/schools/?year=2025")
        self.assertContains(r, "已检查 1 / 共 4 所")

    def test_early_next_year_the_school_list_shows_last_years_coverage_and_says_so(self) -> None:
        with time_machine.travel("2027-01-05 10:00 +0800", tick=False):
            self.client.force_login(self.leader)
            r = self.client.get("/livelihood/schools/")
            self.assertContains(r, "2027年暂无数据,当前显示2026年。")
            self.assertContains(r, "已检查 2 / 共 4 所")
            self.assertContains(r, '<input type="hidden" name="year" value="2026">')
            r = self.client.get("/livelihood/schools/", {"year": "2027", "kind": "primary"})
            self.assertContains(r, "已检查 0 / 共 4 所")
            self.assertContains(r, '<input type="hidden" name="kind" value="primary">')
            self.assertNotContains(r, "暂无数据,当前显示")

    def test_a_bad_year_on_the_school_list_is_a_400_in_chinese(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.get("/livelihood/schools/", {"year": "99999"})
        self.assertContains(r, "年度:应为 2000–2100 之间的四位年份", status_code=400)
