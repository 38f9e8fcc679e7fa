"""Chinese working days: the official years from the Holiday table, the others provisional.

A year with a CalendarYear row is official: its Holiday rows are the State Council's notice.
Any other year is provisional: its days off are the statutory holidays of the 2024 rule plus the
weekends (see statutory.py), with no make-up day guessed. Nothing raises for a missing year;
`year_status()` and `spans_provisional()` say when an answer rests on a provisional year.

`WorkCalendar` loads the years a question needs in one query and keeps them, so a page that
computes many due dates asks the database a fixed number of times. Keep one instance per
request or per batch; the module-level functions use a fresh one per call, so they always see
the latest admin edits.

Day counting follows 行政许可法 Art. 82 and 民法典 Art. 201: the starting day is not counted.
"""

import datetime
from collections.abc import Iterable

from django.db.models import BooleanField, DateField, Q, Value
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from .statutory import statutory_holidays

ONE_DAY = datetime.timedelta(days=1)
# PostgreSQL advisory lock key ("WDCAL"). A transaction that stores a due date takes it shared
# in `spans_provisional` (every storing site asks it); a calendar change takes it exclusive
# (`lock_for_change`) before recomputing. A change so waits for the due dates being stored on
# the old calendar to commit, then recomputes them. A due date whose lock came after a change
# had committed was computed on the old calendar: the status is read again under the lock, and
# when it differs the open due dates of those years are recomputed once this transaction
# commits.
CALENDAR_LOCK_KEY = 0x5744_43414C


def _lock(exclusive: bool) -> None:
    from django.db import connection

    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [CALENDAR_LOCK_KEY])


def lock_for_change() -> None:
    """Call first in a transaction that changes the calendar and recomputes due dates."""
    _lock(exclusive=True)


OFFICIAL = "official"
PROVISIONAL = "provisional"


class HolidayDataMissing(Exception):
    """Kept for callers that still catch it: the calendar no longer raises it.

    Every year is answered, officially or provisionally (see `year_status`).

    `year` is the first missing year; `years` lists every missing year the question spans, so a
    countdown to 2031 tells the administrator about 2027–2031 at once.
    """

    def __init__(self, year: int, years: Iterable[int] = ()):
        self.year = year
        self.years = sorted(set(years) | {year})
        if len(self.years) == 1:
            label = str(year)
        elif len(self.years) <= 5:
            label = "、".join(str(y) for y in self.years)
        else:
            label = f"{self.years[0]}、{self.years[1]}…{self.years[-1]}"
        super().__init__(_("缺少 %(year)s 年的节假日数据。") % {"year": label})


def _as_date(day: datetime.date) -> datetime.date:
    # A datetime is a date subclass but never equal to one; compare calendar days in Asia/Shanghai.
    if isinstance(day, datetime.datetime):
        return timezone.localdate(day) if timezone.is_aware(day) else day.date()
    if not isinstance(day, datetime.date):
        raise TypeError(_("日期参数必须是 date 类型。"))
    return day


class WorkCalendar:
    """Answers working-day questions, loading each year at most once per instance."""

    def __init__(self) -> None:
        # year -> {date: is_workday}: the official rows, or the statutory days of a provisional year.
        self._days: dict[int, dict[datetime.date, bool]] = {}
        self._provisional: set[int] = set()
        self.for_change = False  # set by deadlines_recompute, which holds the exclusive lock

    def load(self, years: Iterable[int]) -> None:
        """Fetch the years not yet known, in one query; the others become provisional."""
        wanted = sorted({int(y) for y in years} - self._days.keys())
        if not wanted:
            return
        from .models import CalendarYear, Holiday

        # One round trip: a row per maintained year (day NULL) plus a row per Holiday date.
        years_q = (
            CalendarYear.objects.filter(year__in=wanted)
            .annotate(day=Value(None, DateField()), workday=Value(None, BooleanField()))
            .values_list("year", "day", "workday")
            .order_by()
        )
        ranges = Q()
        for year in wanted:
            ranges |= Q(date__range=(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
        days_q = (
            Holiday.objects.filter(ranges)
            .annotate(y=ExtractYear("date"))
            .values_list("y", "date", "is_workday")
            .order_by()
        )
        found: dict[int, dict[datetime.date, bool]] = {}
        holidays: list[tuple[int, datetime.date, bool]] = []
        for year, day, workday in years_q.union(days_q, all=True):
            if day is None:
                found.setdefault(int(year), {})
            else:
                holidays.append((int(year), day, bool(workday)))
        for year, day, workday in holidays:
            # Rows of a year without CalendarYear are drafts: ignored until the year is maintained.
            if year in found:
                found[year][day] = workday
        self._days.update(found)
        for year in set(wanted) - found.keys():
            self._days[year] = dict.fromkeys(statutory_holidays(year), False)
            self._provisional.add(year)

    def _year(self, year: int) -> dict[datetime.date, bool]:
        if year not in self._days:
            self.load([year])
        return self._days[year]

    def year_status(self, year: int) -> str:
        """ "official" when the State Council's arrangement is entered, else "provisional"."""
        self._year(int(year))
        return PROVISIONAL if int(year) in self._provisional else OFFICIAL

    def is_maintained(self, year: int) -> bool:
        return self.year_status(year) == OFFICIAL

    def spans_provisional(self, a: datetime.date, b: datetime.date) -> bool:
        """Whether an answer about the days after `a` up to `b` rests on a provisional year."""
        a, b = _as_date(a), _as_date(b)
        if b < a:
            a, b = b, a
        years = range((a + ONE_DAY).year if a != b else a.year, b.year + 1)
        self.load(years)
        if not self.for_change:
            self._check_under_lock(list(years))
        return any(y in self._provisional for y in years)

    def _check_under_lock(self, years: list[int]) -> None:
        from django.db import connection, transaction

        if connection.vendor != "postgresql" or not connection.in_atomic_block:
            return
        from .models import CalendarYear

        _lock(exclusive=False)
        official = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
        stale = [y for y in years if (y in official) == (y in self._provisional)]
        if stale:

            def recompute() -> None:
                from .actions import deadlines_recompute

                deadlines_recompute(years=stale, actor=None)

            transaction.on_commit(recompute)

    def is_workday(self, day: datetime.date) -> bool:
        day = _as_date(day)
        override = self._year(day.year).get(day)
        if override is not None:
            return override
        return day.weekday() < 5

    def add_workdays(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `start` (start not counted); n = 0 returns start."""
        start = _as_date(start)
        if n < 0:
            raise ValueError(_("工作日天数不能为负数。"))
        # Fetch the years the answer probably spans at once; later years load on demand.
        estimate = start + datetime.timedelta(days=n * 7 // 5 + 30)
        self.load(range(start.year, estimate.year + 1))
        day = start
        remaining = n
        while remaining > 0:
            day += ONE_DAY
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, a: datetime.date, b: datetime.date) -> int:
        """Working days d with a < d ≤ b; negative when b < a, 0 when equal."""
        a, b = _as_date(a), _as_date(b)
        if a == b:
            return 0
        if b < a:
            return -self.workdays_between(b, a)
        # a itself is not counted, so its year matters only from the next day on.
        self.load(range((a + ONE_DAY).year, b.year + 1))
        count = 0
        day = a
        while day < b:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        return count

    def next_workday_on_or_after(self, day: datetime.date) -> datetime.date:
        """`day` itself when it is a working day, else the next one (民法典 Art. 203 rollover)."""
        day = _as_date(day)
        self.load([day.year, day.year + 1] if day.month == 12 else [day.year])
        while not self.is_workday(day):
            day += ONE_DAY
        return day


def is_workday(day: datetime.date) -> bool:
    return WorkCalendar().is_workday(day)


def add_workdays(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start`; the start day is not counted."""
    return WorkCalendar().add_workdays(start, n)


def workdays_between(a: datetime.date, b: datetime.date) -> int:
    """Working days d with a < d ≤ b; negative when b < a."""
    return WorkCalendar().workdays_between(a, b)


def next_workday_on_or_after(day: datetime.date) -> datetime.date:
    """A period ending on a holiday ends on the next working day (民法典 Art. 203)."""
    return WorkCalendar().next_workday_on_or_after(day)


def year_status(year: int) -> str:
    """ "official" when the year's State Council arrangement is entered, else "provisional"."""
    return WorkCalendar().year_status(year)


def spans_provisional(a: datetime.date | None, b: datetime.date | None) -> bool:
    """Whether a due date `b` counted from `a` rests on a provisional year (False for no date)."""
    if a is None or b is None:
        return False
    return WorkCalendar().spans_provisional(a, b)
