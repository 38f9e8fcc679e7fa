"""The arithmetic against chinesecalendar: every day 2004–2026, and add_workdays from every
start date with n = 1..30 (each start a third of the n, in turn, so every (weekday, n) pair and
every n of every week is covered while the test stays within a few seconds)."""

import datetime
from bisect import bisect_right

import chinese_calendar

from zhengtong.test import BaseTestCase
from zhengtong.workdays import WorkCalendar, workdays_between

ONE_DAY = datetime.timedelta(days=1)
FIRST, LAST = datetime.date(2004, 1, 1), datetime.date(2026, 12, 31)


class AgainstChineseCalendarTestCase(BaseTestCase):
    def test_add_workdays_for_every_start_date_and_n_up_to_30(self) -> None:
        """add_workdays(start, n) equals the n-th chinesecalendar working day after start."""
        workdays = []
        calendar = WorkCalendar()
        day = FIRST
        wrong_days = []
        while day <= LAST:
            if chinese_calendar.is_workday(day):
                workdays.append(day)
            if calendar.is_workday(day) != chinese_calendar.is_workday(day):
                wrong_days.append(day)
            day += ONE_DAY
        self.assertEqual(wrong_days, [])
        wrong = []
        checked = 0
        start = FIRST - ONE_DAY
        while start < LAST:
            first = bisect_right(workdays, start)
            for n in range(1 + start.toordinal() % 3, 31, 3):
                if first + n - 1 >= len(workdays):
                    break  # beyond 2026, chinesecalendar has no answer
                checked += 1
                expected = workdays[first + n - 1]
                if calendar.add_workdays(start, n) != expected:
                    wrong.append((start, n))
            start += ONE_DAY
        self.assertEqual(wrong, [])
        self.assertGreater(checked, 80_000)

    def test_workdays_between_over_each_year(self) -> None:
        for year in range(2004, 2027):
            with self.subTest(year=year):
                start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
                expected = len(chinese_calendar.get_workdays(start + ONE_DAY, end))
                self.assertEqual(workdays_between(start, end), expected)
