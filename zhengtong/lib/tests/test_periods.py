"""The period door: reading a year, month, week or date range, the Chinese errors, and the
default that falls back to the last period with data while the current one has none."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.http import QueryDict
from django.test import SimpleTestCase, TestCase

from zhengtong.accounts.models import User
from zhengtong.lib import periods
from zhengtong.lib.periods import DataDates, Period, PeriodError
from zhengtong.workdays.models import Holiday

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


class ParsingTestCase(SimpleTestCase):
    def test_a_year_a_month_a_week_and_a_range_are_read(self) -> None:
        self.assertEqual(periods.parse_year("2025"), Period(D(2025, 1, 1), D(2025, 12, 31)))
        self.assertEqual(periods.parse_year(" 2025 ").label, "2025 年")
        month = periods.parse_month("2024-02")
        self.assertEqual((month.start, month.end), (D(2024, 2, 1), D(2024, 2, 29)))
        self.assertEqual((month.label, month.value), ("2024年02月", "2024-02"))
        week = periods.parse_week("2026-W01")
        self.assertEqual((week.start, week.end), (D(2025, 12, 29), D(2026, 1, 4)))
        self.assertEqual((week.label, week.value), ("2026年第1周", "2026-W01"))
        span = periods.parse_range("2026-03-01", "2026-03-31")
        self.assertEqual(span.label, "2026年03月01日 至 2026年03月31日")
        self.assertEqual(span.query, "start=2026-03-01&end=2026-03-31")
        whole = periods.parse_range("2026-01-01", "2026-12-31")
        self.assertTrue(whole.is_year)
        self.assertEqual(whole.query, "year=2026")

    def test_empty_values_mean_no_choice(self) -> None:
        self.assertIsNone(periods.parse_year(""))
        self.assertIsNone(periods.parse_month(None))
        self.assertIsNone(periods.parse_week("  "))
        self.assertIsNone(periods.parse_period({}))

    def test_bad_values_get_chinese_messages_naming_the_field(self) -> None:
        cases = [
            (periods.parse_year, "20x6", "年度:应为 2000–2100 之间的四位年份"),
            (periods.parse_year, "1999", "年度:应为 2000–2100"),
            (periods.parse_year, "12345", "年度:"),
            (periods.parse_month, "2026-13", "月份:格式应为 YYYY-MM"),
            (periods.parse_month, "11/2026", "月份:格式应为 YYYY-MM"),
            (periods.parse_month, "1999-05", "月份:年份应在 2000–2100 之间"),
            (periods.parse_week, "2026-47", "周次:格式应为 YYYY-Www"),
            (periods.parse_week, "2026-W60", "周次:该年没有这一周"),
        ]
        for parse, value, message in cases:
            with self.subTest(value=value), self.assertRaisesMessage(PeriodError, message):
                parse(value)
        range_cases = [
            ({"start": "2026-03-01"}, "结束日期:请同时填写"),
            ({"end": "2026-03-01"}, "开始日期:请同时填写"),
            ({"start": "2026-02-30", "end": "2026-03-01"}, "开始日期:没有这一天"),
            ({"start": "2026-3-1", "end": "2026-03-01"}, "开始日期:格式应为 YYYY-MM-DD"),
            ({"start": "2026-03-02", "end": "2026-03-01"}, "结束日期:不能早于开始日期"),
        ]
        for params, message in range_cases:
            with self.subTest(params=params), self.assertRaisesMessage(PeriodError, message):
                periods.parse_period(params)

    def test_a_bad_value_is_an_error_on_the_choice_not_an_exception(self) -> None:
        choice = periods.choose_year(QueryDict("year=abcd&status=open"))
        self.assertEqual(choice.status, 400)
        self.assertIn("年度:", choice.error)
        self.assertEqual(choice.value, "abcd")
        self.assertEqual(choice.hidden, [("status", "open")])

    def test_the_picker_keeps_the_other_filters_but_not_the_page(self) -> None:
        choice = periods.choose_month(
            QueryDict("month=2026-03&hall=LIUJI&q=张&page=3&kind=a&kind=b"), controls=("hall",)
        )
        self.assertEqual(choice.hidden, [("q", "张"), ("kind", "a"), ("kind", "b")])
        self.assertEqual(choice.period.value, "2026-03")


class DefaultTestCase(TestCase):
    """The default period against rows of `Holiday` (a date) and `User` (a datetime)."""

    def day_rows(self, *days: datetime.date) -> DataDates:
        Holiday.objects.filter(date__in=days).delete()
        for day in days:
            Holiday.objects.create(date=day, name="期间测试")
        return DataDates(Holiday.objects.filter(name="期间测试"), "date")

    def time_rows(self, *moments: datetime.datetime) -> DataDates:
        for n, moment in enumerate(moments):
            User.objects.create(username=f"period-{n}", date_joined=moment)
        return DataDates(User.objects.filter(username__startswith="period-"), "date_joined")

    @time_machine.travel(at(D(2027, 1, 5)), tick=False)
    def test_early_in_a_year_without_its_data_the_default_is_last_year_and_says_so(self) -> None:
        data = self.day_rows(D(2025, 6, 1), D(2026, 11, 3))
        choice = periods.choose_year({}, data=data)
        self.assertEqual(choice.period, periods.year_period(2026))
        self.assertEqual(choice.notice, "2027年暂无数据,当前显示2026年。")
        self.assertEqual(choice.years, [2026, 2025])
        self.assertEqual(choice.year_options, [2027, 2026, 2025])

    @time_machine.travel(at(D(2027, 1, 5)), tick=False)
    def test_with_data_of_the_new_year_the_default_is_the_new_year(self) -> None:
        data = self.day_rows(D(2026, 11, 3), D(2027, 1, 4))
        choice = periods.choose_year({}, data=data)
        self.assertEqual(choice.period, periods.year_period(2027))
        self.assertEqual(choice.notice, "")

    @time_machine.travel(at(D(2026, 6, 1)), tick=False)
    def test_in_the_middle_of_a_year_the_default_is_that_year(self) -> None:
        data = self.day_rows(D(2026, 3, 3))
        choice = periods.choose_year({}, data=data)
        self.assertEqual(choice.period, periods.year_period(2026))
        self.assertEqual(choice.notice, "")

    @time_machine.travel(at(D(2027, 1, 5)), tick=False)
    def test_a_year_asked_for_is_shown_even_without_data(self) -> None:
        data = self.day_rows(D(2026, 11, 3))
        choice = periods.choose_year({"year": "2027"}, data=data)
        self.assertEqual(choice.period, periods.year_period(2027))
        self.assertEqual(choice.notice, "")

    @time_machine.travel(at(D(2027, 1, 5)), tick=False)
    def test_without_any_data_the_default_is_this_year_without_a_notice(self) -> None:
        choice = periods.choose_year({}, data=self.day_rows())
        self.assertEqual(choice.period, periods.year_period(2027))
        self.assertEqual(choice.notice, "")

    @time_machine.travel(at(D(2027, 1, 5)), tick=False)
    def test_data_of_a_future_year_is_no_reason_to_jump_ahead(self) -> None:
        data = self.day_rows(D(2026, 5, 1), D(2028, 2, 1))
        choice = periods.choose_year({}, data=data)
        self.assertEqual(choice.period, periods.year_period(2026))

    @time_machine.travel(at(D(2027, 1, 5)), tick=False)
    def test_the_decision_costs_one_query(self) -> None:
        data = self.day_rows(D(2026, 11, 3))
        with self.assertNumQueries(1):
            periods.choose_year({}, data=data)
        with self.assertNumQueries(1):
            periods.choose_month({}, data=data)

    @time_machine.travel(at(D(2027, 1, 5)), tick=False)
    def test_a_month_and_a_week_fall_back_to_the_last_with_data(self) -> None:
        data = self.time_rows(at(D(2026, 12, 9)), at(D(2026, 11, 2)))
        month = periods.choose_month({}, data=data)
        self.assertEqual(month.period.value, "2026-12")
        self.assertEqual(month.notice, "2027年01月暂无数据,当前显示2026年12月。")
        week = periods.choose_week({}, data=data)
        self.assertEqual(week.period.value, "2026-W50")
        self.assertEqual(week.notice, "2027年第1周暂无数据,当前显示2026年第50周。")

    @time_machine.travel(at(D(2027, 1, 5)), tick=False)
    def test_a_datetime_counts_in_its_day_in_shanghai(self) -> None:
        # 2027-01-01 01:00 in Shanghai is still 2026 in UTC.
        data = self.time_rows(at(D(2027, 1, 1), hour=1))
        self.assertEqual(data.years(), [2027])
        self.assertEqual(periods.choose_month({}, data=data).notice, "")

    @time_machine.travel(at(D(2027, 1, 5)), tick=False)
    def test_several_sources_give_their_years_in_one_query(self) -> None:
        days = self.day_rows(D(2024, 3, 1))
        times = self.time_rows(at(D(2026, 8, 1)))
        data = DataDates.union([*days.sources, *times.sources])
        with self.assertNumQueries(1):
            self.assertEqual(data.years(), [2026, 2024])
        choice = periods.choose_period({}, data=data)
        self.assertEqual(choice.period, periods.year_period(2026))
