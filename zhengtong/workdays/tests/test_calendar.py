"""FEATURES §3.6 golden dates and the rules of the working-day calendar."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.test import BaseTestCase
from zhengtong.workdays import (
    WorkCalendar,
    add_workdays,
    is_workday,
    next_workday_on_or_after,
    spans_provisional,
    workdays_between,
    year_status,
)
from zhengtong.workdays.models import CalendarYear, Holiday, Source

D = datetime.date


class SeededYearsTestCase(BaseTestCase):
    def test_2015_make_up_days_are_workdays(self) -> None:
        """The weekend days of 2015 that the State Council made working days are working days."""
        for day in [D(2015, 1, 4), D(2015, 2, 15), D(2015, 2, 28), D(2015, 9, 6), D(2015, 10, 10)]:
            with self.subTest(day=day):
                self.assertGreaterEqual(day.weekday(), 5)
                self.assertTrue(is_workday(day))

    def test_2015_weekday_holidays_are_not_workdays(self) -> None:
        """Every weekday holiday FEATURES §3.6 lists for 2015 is a day off."""
        days = [
            D(2015, 1, 1), D(2015, 1, 2), D(2015, 2, 18), D(2015, 2, 19), D(2015, 2, 20),
            D(2015, 2, 23), D(2015, 2, 24), D(2015, 4, 6), D(2015, 5, 1), D(2015, 6, 22),
            D(2015, 9, 3), D(2015, 9, 4), D(2015, 10, 1), D(2015, 10, 2), D(2015, 10, 5),
            D(2015, 10, 6), D(2015, 10, 7),
        ]  # fmt: skip
        for day in days:
            with self.subTest(day=day):
                self.assertLess(day.weekday(), 5)
                self.assertFalse(is_workday(day))

    def test_2025_make_up_days_and_holidays(self) -> None:
        """2025: five make-up Sundays/Saturdays work; National Day and Labour Day are off."""
        for day in [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]:
            with self.subTest(day=day):
                self.assertTrue(is_workday(day))
        for offset in range(8):
            day = D(2025, 10, 1) + datetime.timedelta(days=offset)
            with self.subTest(day=day):
                self.assertFalse(is_workday(day))
        for offset in range(5):
            day = D(2025, 5, 1) + datetime.timedelta(days=offset)
            with self.subTest(day=day):
                self.assertFalse(is_workday(day))
        self.assertTrue(is_workday(D(2025, 10, 9)))

    def test_2026_make_up_days_are_workdays(self) -> None:
        """2026 make-up days from FEATURES §3.6 are working days."""
        days = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20)]
        for day in [*days, D(2026, 10, 10)]:
            with self.subTest(day=day):
                self.assertTrue(is_workday(day))

    def test_an_ordinary_week_follows_monday_to_friday(self) -> None:
        """A week with no Holiday row: Monday–Friday work, Saturday and Sunday off."""
        week = [D(2025, 3, 10) + datetime.timedelta(days=i) for i in range(7)]
        self.assertEqual([is_workday(d) for d in week], [True] * 5 + [False] * 2)

    def test_seed_stores_chinese_names(self) -> None:
        """Seeded rows carry Chinese festival names, including the 2015 抗战胜利纪念日."""
        self.assertEqual(Holiday.objects.get(date=D(2025, 10, 1)).name, "国庆节")
        self.assertEqual(Holiday.objects.get(date=D(2015, 9, 3)).name, "抗战胜利纪念日")
        self.assertEqual(Holiday.objects.get(date=D(2025, 9, 28)).name, "国庆节")
        self.assertTrue(Holiday.objects.get(date=D(2025, 9, 28)).is_workday)
        self.assertEqual(
            set(CalendarYear.objects.values_list("year", flat=True)), set(range(2004, 2027))
        )


class AddWorkdaysTestCase(BaseTestCase):
    def test_five_working_days_after_acceptance_before_national_day(self) -> None:
        """Accepted Fri 2025-09-26 + 5 working days is due 2025-10-10 (make-up 09-28 counts)."""
        self.assertEqual(add_workdays(D(2025, 9, 26), 5), D(2025, 10, 10))

    def test_next_working_day_after_the_eve_of_national_day(self) -> None:
        """One working day after 2025-09-30 is 2025-10-09."""
        self.assertEqual(add_workdays(D(2025, 9, 30), 1), D(2025, 10, 9))

    def test_zero_days_returns_the_start(self) -> None:
        """n = 0 returns the start even when the start is a holiday."""
        self.assertEqual(add_workdays(D(2025, 10, 1), 0), D(2025, 10, 1))

    def test_negative_days_are_refused(self) -> None:
        """add_workdays counts forward only."""
        with self.assertRaises(ValueError):
            add_workdays(D(2025, 9, 26), -1)

    def test_workdays_between_agrees_with_add_workdays(self) -> None:
        """workdays_between(s, add_workdays(s, n)) == n around holidays and make-up days."""
        starts = [D(2025, 9, 26), D(2025, 9, 27), D(2025, 9, 30), D(2025, 1, 24), D(2015, 2, 13)]
        for start in starts:
            for n in [0, 1, 2, 5, 10, 20]:
                with self.subTest(start=start, n=n):
                    self.assertEqual(workdays_between(start, add_workdays(start, n)), n)

    def test_workdays_between_golden_window(self) -> None:
        """2025-09-26 → 2025-10-10 holds five working days; reversed, minus five; same day, 0."""
        self.assertEqual(workdays_between(D(2025, 9, 26), D(2025, 10, 10)), 5)
        self.assertEqual(workdays_between(D(2025, 10, 10), D(2025, 9, 26)), -5)
        self.assertEqual(workdays_between(D(2025, 10, 3), D(2025, 10, 3)), 0)
        self.assertEqual(workdays_between(D(2025, 9, 30), D(2025, 10, 8)), 0)

    def test_datetimes_are_read_as_their_local_day(self) -> None:
        """An aware datetime late on 2025-09-30 UTC is 2025-10-01 in Asia/Shanghai: a holiday."""
        moment = datetime.datetime(2025, 9, 30, 17, 0, tzinfo=datetime.UTC)
        self.assertFalse(is_workday(moment))

    def test_next_workday_on_or_after_rolls_a_holiday_forward(self) -> None:
        """A period ending on 2025-10-01 ends on 2025-10-09; a working day stays as it is."""
        self.assertEqual(next_workday_on_or_after(D(2025, 10, 1)), D(2025, 10, 9))
        self.assertEqual(next_workday_on_or_after(D(2025, 3, 31)), D(2025, 3, 31))
        self.assertEqual(next_workday_on_or_after(D(2025, 9, 28)), D(2025, 9, 28))


class ProvisionalYearTestCase(BaseTestCase):
    """A year without the State Council's notice answers from the 2024 statutory rule."""

    def test_the_seeded_years_are_official_and_2027_is_provisional(self) -> None:
        self.assertEqual(year_status(2026), "official")
        self.assertEqual(year_status(2004), "official")
        self.assertEqual(year_status(2027), "provisional")
        self.assertEqual(year_status(2003), "provisional")

    def test_2027_statutory_days_are_off_and_nothing_else(self) -> None:
        """元旦, 除夕 to 初三 (5–8 Feb), 清明 (5 Apr), 1–2 May, 端午 (9 Jun), 中秋 (15 Sep), 1–3 Oct."""
        off = [
            D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 8), D(2027, 4, 5), D(2027, 6, 9),
            D(2027, 9, 15), D(2027, 10, 1),
        ]  # fmt: skip
        for day in off:
            with self.subTest(day=day):
                self.assertLess(day.weekday(), 5)
                self.assertFalse(is_workday(day))
        # No make-up day guessed: a weekend stays a weekend, the day after 国庆 is a working day.
        self.assertFalse(is_workday(D(2027, 1, 2)))
        self.assertTrue(is_workday(D(2027, 2, 9)))
        self.assertTrue(is_workday(D(2027, 10, 4)))
        self.assertTrue(is_workday(D(2027, 5, 3)))

    def test_a_due_date_from_late_december_crosses_into_the_provisional_year(self) -> None:
        """From Fri 2026-12-04, 19 working days reach 12-31; the 20th is in the provisional 2027."""
        self.assertEqual(add_workdays(D(2026, 12, 4), 19), D(2026, 12, 31))
        # 2027-01-01 (元旦) and the weekend are off: the 20th working day is Mon 2027-01-04.
        self.assertEqual(add_workdays(D(2026, 12, 4), 20), D(2027, 1, 4))
        self.assertTrue(spans_provisional(D(2026, 12, 4), D(2027, 1, 4)))
        self.assertFalse(spans_provisional(D(2026, 12, 4), D(2026, 12, 31)))

    def test_a_long_span_counts_every_year(self) -> None:
        """From 2026 to 2031 the count runs on, every later year provisional."""
        days = workdays_between(D(2026, 11, 20), D(2031, 3, 1))
        self.assertGreater(days, 1000)
        self.assertEqual(add_workdays(D(2026, 11, 20), days), D(2031, 2, 28))

    def test_the_start_day_year_is_not_needed_when_it_is_not_counted(self) -> None:
        """From 2003-12-31 the first counted day is in 2004: the answer is official."""
        self.assertEqual(workdays_between(D(2003, 12, 31), D(2004, 1, 2)), 1)
        self.assertFalse(spans_provisional(D(2003, 12, 31), D(2004, 1, 2)))

    def test_entering_the_year_makes_it_official(self) -> None:
        """Once 2027 is official, its rows answer instead of the statutory rule."""
        self.assertEqual(add_workdays(D(2026, 12, 30), 3), D(2027, 1, 5))
        CalendarYear.objects.create(year=2027, source=Source.ADMIN)
        Holiday.objects.create(date=D(2027, 1, 4), is_workday=False, name="测试")
        Holiday.objects.create(date=D(2027, 1, 5), is_workday=False, name="测试")
        self.assertEqual(year_status(2027), "official")
        self.assertEqual(add_workdays(D(2026, 12, 30), 3), D(2027, 1, 6))
        # 2027-01-01 has no row in the official year: it follows the week there.
        self.assertTrue(is_workday(D(2027, 1, 1)))

    def test_holiday_rows_of_a_provisional_year_are_not_used(self) -> None:
        """A draft row for 2027 without CalendarYear leaves the statutory rule in force."""
        Holiday.objects.create(date=D(2027, 1, 4), is_workday=False, name="草稿")
        self.assertTrue(is_workday(D(2027, 1, 4)))


class OverrideTestCase(BaseTestCase):
    def test_an_override_changes_only_that_date(self) -> None:
        """Marking Thu 2026-12-31 as a holiday changes that date and no other."""
        days = [D(2026, 12, 1) + datetime.timedelta(days=i) for i in range(31)]
        before = {d: is_workday(d) for d in days}
        self.assertTrue(before[D(2026, 12, 31)])
        Holiday.objects.create(date=D(2026, 12, 31), is_workday=False, name="测试", source="admin")
        after = {d: is_workday(d) for d in days}
        changed = [d for d in days if before[d] != after[d]]
        self.assertEqual(changed, [D(2026, 12, 31)])

    def test_a_seeded_holiday_turned_into_a_workday(self) -> None:
        """Editing the seeded 2025-10-08 to a working day makes 2025-10-01 + 1 land on it."""
        Holiday.objects.filter(date=D(2025, 10, 8)).update(is_workday=True, source=Source.ADMIN)
        self.assertTrue(is_workday(D(2025, 10, 8)))
        self.assertEqual(add_workdays(D(2025, 9, 30), 1), D(2025, 10, 8))


class WorkCalendarQueriesTestCase(BaseTestCase):
    def test_one_instance_loads_each_year_once(self) -> None:
        """Many questions about one year cost a single query on one WorkCalendar."""
        cal = WorkCalendar()
        with self.assertNumQueries(1):
            for offset in range(200):
                start = D(2025, 1, 1) + datetime.timedelta(days=offset)
                cal.add_workdays(start, 5)
                cal.workdays_between(start, D(2025, 10, 10))
                cal.is_workday(start)

    def test_a_batch_across_years_costs_one_query(self) -> None:
        """workdays_between over three years loads them together."""
        cal = WorkCalendar()
        with CaptureQueriesContext(connection) as ctx:
            cal.workdays_between(D(2023, 6, 1), D(2025, 6, 1))
        self.assertEqual(len(ctx.captured_queries), 1)

    def test_a_provisional_year_is_remembered(self) -> None:
        """Asking again about a provisional year does not query again."""
        cal = WorkCalendar()
        self.assertTrue(cal.is_workday(D(2027, 1, 4)))
        with self.assertNumQueries(0):
            self.assertTrue(cal.is_workday(D(2027, 1, 5)))
            self.assertEqual(cal.year_status(2027), "provisional")
        self.assertEqual(cal.year_status(2025), "official")
