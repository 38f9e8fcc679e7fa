"""The cockpit and the work report at the change of year: last year's figures until the new
year has ledger rows, said on the page; any year stays reachable with the picker."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from zhengtong.lib.idcard import make_id_number
from zhengtong.lib.periods import year_period
from zhengtong.livelihood.actions.employment import employment_record_create
from zhengtong.test import BaseTestCase

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YEAR = datetime.datetime(2027, 1, 5, 10, 0, tzinfo=SHANGHAI)
PAGES = ["/reports/cockpit/", "/reports/work-report/"]
NOTICE = "2027年暂无数据,当前显示2026年。"


@time_machine.travel(NEW_YEAR, tick=False)
class ReportYearTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        for seq, day in [(1, datetime.date(2025, 4, 1)), (2, datetime.date(2026, 3, 1))]:
            self.job(seq, day)
        self.client.force_login(self.leader)

    def job(self, seq: int, day: datetime.date):
        return employment_record_create(
            actor=self.clerk,
            id_number=make_id_number(datetime.date(1990, 5, 1), female=False, seq=seq),
            name=f"职工{seq}",
            kind="new_urban",
            employed_on=day,
            employer="中通客车",
        )

    def test_early_in_the_year_the_reports_show_last_year_and_say_so(self) -> None:
        for url in PAGES:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertEqual(r.context["period"], year_period(2026))
                self.assertContains(r, NOTICE)
                self.assertContains(r, '<option value="2025">2025 年</option>', html=True)
                self.assertEqual(r.context["data"]["summary"]["new_urban_jobs"], 1)
        r = self.client.get("/reports/cockpit/")
        self.assertContains(r, "/reports/cockpit/data/?year=2026")

    def test_a_year_asked_for_is_shown_without_a_notice(self) -> None:
        for url in PAGES:
            with self.subTest(url=url):
                r = self.client.get(url, {"year": "2025"})
                self.assertEqual(r.context["period"], year_period(2025))
                self.assertEqual(r.context["data"]["summary"]["new_urban_jobs"], 1)
                self.assertNotContains(r, "暂无数据,当前显示")
                r = self.client.get(url, {"year": "2027"})
                self.assertEqual(r.context["data"]["summary"]["new_urban_jobs"], 0)

    def test_the_new_years_first_row_makes_it_the_default(self) -> None:
        self.job(3, datetime.date(2027, 1, 4))
        r = self.client.get("/reports/work-report/")
        self.assertEqual(r.context["period"], year_period(2027))
        self.assertNotContains(r, "暂无数据,当前显示")

    def test_a_date_range_still_works_and_a_bad_year_is_a_400(self) -> None:
        r = self.client.get("/reports/work-report/?start=2026-01-01&end=2026-06-30")
        self.assertEqual(r.context["data"]["summary"]["new_urban_jobs"], 1)
        self.assertNotContains(r, "暂无数据,当前显示")
        r = self.client.get("/reports/cockpit/", {"year": "二〇二六"})
        self.assertContains(r, "年度:应为 2000–2100 之间的四位年份", status_code=400)

    def test_only_leaders_get_the_pages_whatever_the_year(self) -> None:
        self.client.force_login(self.clerk)
        for url in PAGES:
            self.assertEqual(self.client.get(url, {"year": "2026"}).status_code, 403)
