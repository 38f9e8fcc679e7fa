"""Every per-year ledger of the livelihood module shows one year: the one picked, else this
year, or last year while this year has no rows yet (and the page says so)."""

import time_machine

from zhengtong.livelihood.actions.employment import unemployment_figure_record

from .jobs_fixtures import D, JobsTestCase
from .test_employment import record
from .test_internships import apply
from .test_loans import submit
from .test_training import make_class

NEW_YEAR = "2027-01-05 10:00 +0800"


class LedgerYearTestCase(JobsTestCase):
    """Rows of 2025 and 2026, and the clock on 5 January 2027."""

    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(NEW_YEAR, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        record(self.clerk, 1, employed_on=D(2025, 4, 1))
        record(self.clerk, 2, employed_on=D(2026, 3, 1))
        record(self.clerk, 3, employed_on=D(2026, 9, 1), kind="rural_transfer")
        unemployment_figure_record(
            actor=self.clerk, period=D(2025, 12, 1), registered_unemployed=250, labour_force=10000
        )
        unemployment_figure_record(
            actor=self.clerk, period=D(2026, 5, 1), registered_unemployed=260, labour_force=10000
        )
        submit(self.clerk, 11, amount="100000", submitted_on=D(2025, 5, 6))
        submit(self.clerk, 12, amount="200000", submitted_on=D(2026, 5, 6))
        apply(self.clerk, name="二〇二五见习基地", applied_on=D(2025, 3, 1))
        apply(self.clerk, name="二〇二六见习基地", applied_on=D(2026, 3, 1))
        make_class(self.clerk, name="二〇二五电工班", start_on=D(2025, 5, 10), end_on=D(2025, 6, 1))
        make_class(self.clerk, name="二〇二六电工班", start_on=D(2026, 5, 10), end_on=D(2026, 6, 1))
        self.client.force_login(self.leader)

    def test_early_in_the_year_each_ledger_shows_last_year_and_says_so(self) -> None:
        pages = [
            ("/livelihood/", "2026 年就业创业情况"),
            ("/livelihood/employment/", "合计 <strong>2</strong> 人"),
            ("/livelihood/unemployment/", "2026年5月"),
            ("/livelihood/loans/", "共 <strong>1</strong> 笔:申请 20.00万元"),
            ("/livelihood/internships/", "二〇二六见习基地"),
            ("/livelihood/training/", "二〇二六电工班"),
        ]
        for url, shown in pages:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "2027年暂无数据,当前显示2026年。")
                self.assertContains(r, 'name="year"')
                self.assertContains(r, '<option value="2025">2025 年</option>', html=True)
                self.assertContains(r, shown)

    def test_a_picked_year_shows_only_that_years_rows_and_totals(self) -> None:
        pages = [
            ("/livelihood/", "2025 年就业创业情况", ""),
            ("/livelihood/employment/", "合计 <strong>1</strong> 人", ""),
            ("/livelihood/unemployment/", "2025年12月", "2026年5月"),
            ("/livelihood/loans/", "共 <strong>1</strong> 笔:申请 10.00万元", "20.00万元"),
            ("/livelihood/internships/", "二〇二五见习基地", "二〇二六见习基地"),
            ("/livelihood/training/", "二〇二五电工班", "二〇二六电工班"),
        ]
        for url, shown, hidden in pages:
            with self.subTest(url=url):
                r = self.client.get(url + "?year=2025")
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, shown)
                if hidden:
                    self.assertNotContains(r, hidden)
                self.assertNotContains(r, "暂无数据,当前显示")

    def test_the_new_year_starts_empty_when_picked(self) -> None:
        r = self.client.get("/livelihood/employment/?year=2027")
        self.assertContains(r, "合计 <strong>0</strong> 人")
        self.assertContains(
            r, '<option value="2027" selected>2027 年(暂无数据)</option>', html=True
        )
        r = self.client.get("/livelihood/internships/?year=2027")
        self.assertContains(r, "2027 年:申报 <strong>0</strong> 个")

    def test_once_the_new_year_has_rows_it_is_the_default(self) -> None:
        record(self.clerk, 4, employed_on=D(2027, 1, 4))
        r = self.client.get("/livelihood/employment/")
        self.assertContains(r, "合计 <strong>1</strong> 人")
        self.assertNotContains(r, "暂无数据,当前显示")

    def test_the_other_filters_keep_the_year_and_the_year_keeps_the_filters(self) -> None:
        r = self.client.get("/livelihood/employment/?year=2026&status=rural_transfer")
        self.assertContains(r, "合计 <strong>1</strong> 人")
        self.assertContains(r, '<input type="hidden" name="status" value="rural_transfer">')
        self.assertContains(r, '<input type="hidden" name="year" value="2026">')

    def test_a_bad_year_is_a_400_with_a_chinese_message(self) -> None:
        for url in [
            "/livelihood/",
            "/livelihood/employment/",
            "/livelihood/unemployment/",
            "/livelihood/loans/",
            "/livelihood/internships/",
            "/livelihood/training/",
        ]:
            for year in ["20x6", "1999", "2026-01"]:
                with self.subTest(url=url, year=year):
                    r = self.client.get(url, {"year": year})
                    self.assertContains(r, "年度:应为 2000–2100 之间的四位年份", status_code=400)

    def test_the_department_boundary_holds_in_every_year(self) -> None:
        self.client.force_login(self.civil_clerk)
        for year in ["2025", "2026"]:
            r = self.client.get("/livelihood/employment/", {"year": year})
            self.assertContains(r, "合计 <strong>0</strong> 人")
            r = self.client.get("/livelihood/loans/", {"year": year})
            self.assertContains(r, "共 <strong>0</strong> 笔")
        # Nothing of its own: no year has data, so nothing to fall back to either.
        r = self.client.get("/livelihood/training/")
        self.assertNotContains(r, "暂无数据,当前显示")
        self.assertNotContains(r, "电工班")
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get("/livelihood/loans/?year=2025").status_code, 403)
