"""Who may open the cockpit, the work report and the summary API, and what bad periods get."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from zhengtong.lib.periods import Period, parse_period
from zhengtong.test import BaseTestCase

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PAGES = [
    "/reports/cockpit/",
    "/reports/cockpit/data/",
    "/reports/work-report/",
    "/reports/work-report/pdf/",
    "/reports/work-report/text/",
]


@time_machine.travel(NOW, tick=False)
class ReportAccessTestCase(BaseTestCase):
    def test_only_leaders_open_the_cockpit_and_the_work_report(self) -> None:
        for user in [
            self.office,
            self.liaison,
            self.clerk,
            self.auditor,
            self.outsider,
            self.admin,
        ]:
            self.client.force_login(user)
            for url in PAGES:
                self.assertEqual(self.client.get(url).status_code, 403, (user, url))

    def test_anonymous_visitors_are_sent_to_the_login_page(self) -> None:
        for url in PAGES:
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302)
            self.assertIn("/accounts/login/", r["Location"])
        self.assertIn(self.client.get("/api/v1/livelihood/summary/").status_code, (401, 403))

    def test_a_leader_gets_this_years_report_when_no_period_is_given(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get("/reports/work-report/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(
            r.context["period"], Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
        )
        self.assertIn("城镇新增就业人员", r.content.decode())
        self.assertEqual(r.context["data"]["summary"]["new_urban_jobs"], 0)

    def test_a_report_for_any_period_names_both_days(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get("/reports/work-report/text/?start=2026-03-01&end=2026-06-30")
        self.assertEqual(r.status_code, 200)
        self.assertIn("2026年03月01日 至 2026年06月30日", r.content.decode())

    def test_a_bad_period_is_refused_in_chinese(self) -> None:
        self.client.force_login(self.leader)
        cases = [
            ("year=26", "年度"),
            ("year=abcd", "年度"),
            ("start=2026-02-30&end=2026-03-01", "开始日期"),
            ("start=2026-05-01&end=2026-04-01", "结束日期:不能早于开始日期"),
            ("start=2026-05-01", "结束日期"),
        ]
        for query, message in cases:
            for url in ["/reports/work-report/", "/reports/cockpit/", "/reports/work-report/text/"]:
                r = self.client.get(f"{url}?{query}")
                self.assertEqual(r.status_code, 400, (url, query))
                self.assertIn(message, r.content.decode())
            r = self.client.post(f"/reports/work-report/pdf/?{query}")
            self.assertEqual(r.status_code, 400)

    def test_parse_period_reads_a_year_or_two_dates(self) -> None:
        self.assertEqual(parse_period({"year": "2025"}).label, "2025 年")
        period = parse_period({"start": "2026-01-01", "end": "2026-12-31"})
        self.assertTrue(period.is_year)
        self.assertEqual(period.query, "year=2026")


@time_machine.travel(NOW, tick=False)
class SummaryApiAccessTestCase(BaseTestCase):
    url = "/api/v1/livelihood/summary/"

    def test_a_department_clerk_and_a_leader_may_read_it(self) -> None:
        for user in [self.leader, self.clerk]:
            self.client.force_login(user)
            r = self.client.get(f"{self.url}?year=2026")
            self.assertEqual(r.status_code, 200)
            self.assertEqual(r.json()["new_urban_jobs"], 0)
            self.assertEqual(r.json()["relief_total_yuan"], "0.00")
            self.assertIsNone(r.json()["unemployment_rate"])

    def test_other_roles_are_refused(self) -> None:
        for user in [self.liaison, self.office, self.outsider, self.auditor]:
            self.client.force_login(user)
            r = self.client.get(f"{self.url}?year=2026")
            self.assertEqual(r.status_code, 403, user)
            self.assertIn("区领导和部门经办", r.json()["detail"])

    def test_a_bad_year_is_a_400_in_chinese(self) -> None:
        self.client.force_login(self.leader)
        for year in ["20x6", "1999", "12345"]:
            r = self.client.get(f"{self.url}?year={year}")
            self.assertEqual(r.status_code, 400)
            self.assertIn("年度", r.json()["year"][0])
