"""The 工作日历 page at /workdays/: maintained years, missing-year warnings and a month grid."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import Role
from zhengtong.test import BaseTestCase, make_user
from zhengtong.workdays.models import CalendarYear, Holiday

URL = "/workdays/"
MID_2026 = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@time_machine.travel(MID_2026, tick=False)
class YearListTestCase(BaseTestCase):
    def test_it_lists_maintained_years_with_counts(self) -> None:
        """Each seeded year shows its numbers of days off and make-up days."""
        self.client.force_login(self.admin)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        rows = {row["year"].year: row for row in r.context["rows"]}
        self.assertEqual(set(rows), set(range(2004, 2027)))
        self.assertEqual(rows[2015]["makeups"], 5)
        self.assertEqual(rows[2025]["makeups"], 5)
        self.assertEqual(rows[2026]["makeups"], 6)
        self.assertEqual(
            rows[2025]["holidays"],
            Holiday.objects.filter(date__year=2025, is_workday=False).count(),
        )

    def test_it_flags_next_year_as_provisional(self) -> None:
        """In 2026 without the 2027 notice the page says 2027 is provisional, with the rule."""
        self.client.force_login(self.admin)
        r = self.client.get(URL)
        self.assertContains(r, "2027 年为暂定年份")
        self.assertNotContains(r, "2026 年为暂定年份")
        self.assertEqual(r.context["missing"], [2027])
        self.assertContains(r, "全国年节及纪念日放假办法")
        self.assertContains(r, "春节 4 天(农历除夕至正月初三)")
        self.assertContains(r, "/workdays/enter/?year=2027")

    def test_the_flag_goes_once_the_year_is_maintained(self) -> None:
        """After CalendarYear 2027 is added there is nothing to flag."""
        CalendarYear.objects.create(year=2027)
        self.client.force_login(self.admin)
        r = self.client.get(URL)
        self.assertNotContains(r, "为暂定年份")

    def test_the_grid_marks_holidays_and_make_up_days(self) -> None:
        """?year=2025 marks 10-01 as holiday, 09-28 as make-up, 10-12 as weekend, 10-09 as work."""
        self.client.force_login(self.admin)
        r = self.client.get(URL, {"year": "2025"})
        self.assertEqual(r.context["chosen"], 2025)
        self.assertContains(r, 'data-day="2025-10-01" data-kind="holiday"')
        self.assertContains(r, 'data-day="2025-09-28" data-kind="makeup"')
        self.assertContains(r, 'data-day="2025-10-12" data-kind="weekend"')
        self.assertContains(r, 'data-day="2025-10-09" data-kind="workday"')
        self.assertContains(r, "国庆节")
        self.assertEqual(len(r.context["grid"]), 12)

    def test_the_grid_defaults_to_the_current_year(self) -> None:
        """Without ?year the page shows 2026, the year of the pinned clock."""
        self.client.force_login(self.admin)
        r = self.client.get(URL)
        self.assertEqual(r.context["chosen"], 2026)
        self.assertContains(r, 'data-day="2026-02-14" data-kind="makeup"')

    def test_a_provisional_year_shows_the_statutory_grid(self) -> None:
        """?year=2027 is marked 暂定 and shows the statutory days only: 2027-02-08 off, no 调休."""
        self.client.force_login(self.admin)
        r = self.client.get(URL, {"year": "2027"})
        self.assertEqual(len(r.context["grid"]), 12)
        self.assertContains(r, 'id="year-status">暂定')
        self.assertContains(r, 'data-day="2027-02-08" data-kind="holiday"')
        self.assertContains(r, 'data-day="2027-02-09" data-kind="workday"')
        self.assertNotContains(r, 'data-kind="makeup"')
        self.assertNotContains(r, "data-changed")

    def test_a_bad_year_is_explained_in_chinese(self) -> None:
        """?year=abc falls back to the current year with a message naming the field."""
        self.client.force_login(self.admin)
        for bad in ["abc", "20255", "-1"]:
            with self.subTest(year=bad):
                r = self.client.get(URL, {"year": bad})
                self.assertEqual(r.status_code, 200)
                self.assertEqual(r.context["chosen"], 2026)
                self.assertContains(r, "年份:请输入")

    def test_a_role_admin_without_superuser_may_view(self) -> None:
        """系统管理员 by membership, not superuser, sees the page."""
        user = make_user("sysadmin", memberships=[(Role.ADMIN, self.zone)])
        self.client.force_login(user)
        self.assertEqual(self.client.get(URL).status_code, 200)

    def test_other_roles_are_forbidden(self) -> None:
        """Leaders, the project office, auditors, clerks and village workers get 403."""
        for user in [
            self.leader,
            self.office,
            self.auditor,
            self.clerk,
            self.outsider,
            self.liaison,
        ]:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)

    def test_anonymous_users_are_sent_to_login(self) -> None:
        """Without a session the page redirects to the login page."""
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 302)
        self.assertIn("login", r["Location"])

    def test_the_query_count_does_not_grow_with_years_or_rows(self) -> None:
        """Adding years and holiday rows leaves the number of queries unchanged."""
        self.client.force_login(self.admin)
        self.client.get(URL, {"year": "2025"})  # Warm the session and content types.
        with CaptureQueriesContext(connection) as first:
            self.client.get(URL, {"year": "2025"})
        # Session, user, memberships, then the page's own three reads.
        self.assertLessEqual(len(first.captured_queries), 10)
        for year in range(2027, 2040):
            CalendarYear.objects.create(year=year)
            Holiday.objects.create(date=datetime.date(year, 1, 1), name="元旦")
        Holiday.objects.create(date=datetime.date(2025, 3, 3), name="测试")
        with self.assertNumQueries(len(first.captured_queries)):
            self.client.get(URL, {"year": "2025"})
