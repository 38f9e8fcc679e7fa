"""The one door for the period a report or ledger page shows: parse it, validate it, default it.

A page asks `choose_year()`, `choose_month()` or `choose_week()` (or `choose_period()` for the
reports that also take a date range) with the query string and a `DataDates`: the rows that
decide whether a period "has data" and the date field that places them in a period. The
answer is a `PeriodChoice`: the period to show, a Chinese error for a bad value (never an
exception), a notice when the default fell back, and what the picker template
(`templates/lib/_period_picker.html`) needs.

The default is the current period, except when it has no data yet (the first weeks of a year,
a new month): then it is the last period before it that has data, and the page says so
("2027年暂无数据,当前显示2026年"). Asking for a period explicitly always shows that period.
Deciding costs one query: the distinct years of the rows for a year page (which are also the
years the picker lists), the latest date up to the end of the current period otherwise.

The picker is a plain GET form: it carries the page's other query parameters as hidden inputs
(except `page`, and except the `controls` a page renders inside the form itself, such as the
hall of the hall's reports), so picking a year keeps the filters.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Max, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")
MIN_YEAR, MAX_YEAR = 2000, 2100

YEAR_RE = re.compile(r"^\d{4}$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The query parameters a period picker owns; every other parameter of the page is kept.
PERIOD_PARAMS = ("year", "month", "week", "start", "end")


class PeriodError(ValueError):
    """A period the user typed that cannot be read; the message is Chinese and names the field."""


def today() -> datetime.date:
    return timezone.localdate(timezone.now(), SHANGHAI)


# ---------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included; `kind` is year, month, week or range."""

    start: datetime.date
    end: datetime.date
    # The same days are the same period, however they were asked for.
    kind: str = field(default="range", compare=False)

    @property
    def is_year(self) -> bool:
        return self.start == datetime.date(self.start.year, 1, 1) and self.end == datetime.date(
            self.start.year, 12, 31
        )

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def label(self) -> str:
        """The period as a heading says it: "2026 年", "2026年03月", "2026年第47周"."""
        if self.kind == "month":
            return f"{self.start:%Y年%m月}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}年第{week}周"
        if self.is_year:
            return f"{self.start.year} 年"
        return f"{self.start:%Y年%m月%d日} 至 {self.end:%Y年%m月%d日}"

    @property
    def short(self) -> str:
        """The period inside a sentence: "2026年", "2026年03月", "2026年第47周"."""
        return self.label.replace(" ", "")

    @property
    def value(self) -> str:
        """The value of the query parameter that selects this period: 2026, 2026-03, 2026-W47."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.is_year:
            return str(self.start.year)
        return f"{self.start.isoformat()}~{self.end.isoformat()}"

    @property
    def query(self) -> str:
        """The query string that selects this period again."""
        if self.kind in ("month", "week"):
            return urlencode({self.kind: self.value})
        if self.is_year:
            return urlencode({"year": self.start.year})
        return urlencode({"start": self.start.isoformat(), "end": self.end.isoformat()})

    @property
    def slug(self) -> str:
        """The period in a file name."""
        if self.kind in ("month", "week") or self.is_year:
            return self.value
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def previous(self) -> "Period":
        if self.kind == "month":
            return month_period(self.start - datetime.timedelta(days=1))
        if self.kind == "week":
            return week_period(self.start - datetime.timedelta(days=7))
        return year_period(self.start.year - 1)

    def following(self) -> "Period":
        if self.kind == "month":
            return month_period(self.end + datetime.timedelta(days=1))
        if self.kind == "week":
            return week_period(self.start + datetime.timedelta(days=7))
        return year_period(self.start.year + 1)


def year_period(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year")


def month_period(day: datetime.date) -> Period:
    """The calendar month that contains `day`."""
    first = day.replace(day=1)
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return Period(first, following - datetime.timedelta(days=1), "month")


def week_period(day: datetime.date) -> Period:
    """The ISO week (Monday to Sunday) that contains `day`."""
    monday = day - datetime.timedelta(days=day.weekday())
    return Period(monday, monday + datetime.timedelta(days=6), "week")


def period_containing(kind: str, day: datetime.date) -> Period:
    if kind == "month":
        return month_period(day)
    if kind == "week":
        return week_period(day)
    return year_period(day.year)


# ---------------------------------------------------------------------------- parsing


def _blank(value) -> bool:
    return value is None or not str(value).strip()


def parse_year(value: str | None) -> Period | None:
    """ "2026" → that calendar year; None when empty; PeriodError otherwise."""
    if _blank(value):
        return None
    value = str(value).strip()
    if not YEAR_RE.match(value) or not MIN_YEAR <= int(value) <= MAX_YEAR:
        raise PeriodError(f"年度:应为 {MIN_YEAR}–{MAX_YEAR} 之间的四位年份,例如 2026。")
    return year_period(int(value))


def parse_month(value: str | None) -> Period | None:
    """ "2026-03" → that month; None when empty; PeriodError otherwise."""
    if _blank(value):
        return None
    match = MONTH_RE.match(str(value).strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise PeriodError("月份:格式应为 YYYY-MM,例如 2026-03。")
    if not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        raise PeriodError(f"月份:年份应在 {MIN_YEAR}–{MAX_YEAR} 之间。")
    return month_period(datetime.date(int(match[1]), int(match[2]), 1))


def parse_week(value: str | None) -> Period | None:
    """The ISO week "2026-W47" → Monday to Sunday; None when empty; PeriodError otherwise."""
    if _blank(value):
        return None
    match = WEEK_RE.match(str(value).strip())
    if not match:
        raise PeriodError("周次:格式应为 YYYY-Www,例如 2026-W47。")
    if not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        raise PeriodError(f"周次:年份应在 {MIN_YEAR}–{MAX_YEAR} 之间。")
    try:
        monday = datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise PeriodError("周次:该年没有这一周。") from None
    return week_period(monday)


def parse_date(value: str | None, label: str) -> datetime.date:
    value = str(value).strip()
    if not DATE_RE.match(value):
        raise PeriodError(f"{label}:格式应为 YYYY-MM-DD,例如 2026-03-01。")
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise PeriodError(f"{label}:没有这一天。") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise PeriodError(f"{label}:年份应在 {MIN_YEAR}–{MAX_YEAR} 之间。")
    return day


def parse_range(start: str | None, end: str | None) -> Period | None:
    """?start=YYYY-MM-DD&end=YYYY-MM-DD, both days included; None when both are empty."""
    if _blank(start) and _blank(end):
        return None
    if _blank(start):
        raise PeriodError("开始日期:请同时填写开始日期和结束日期。")
    if _blank(end):
        raise PeriodError("结束日期:请同时填写开始日期和结束日期。")
    first, last = parse_date(start, "开始日期"), parse_date(end, "结束日期")
    if last < first:
        raise PeriodError("结束日期:不能早于开始日期。")
    return Period(
        first, last, "year" if year_period(first.year) == Period(first, last) else "range"
    )


def parse_period(params: Mapping, *, ranges: bool = True) -> Period | None:
    """?year=YYYY, or (when `ranges`) ?start=…&end=…; None when neither is given."""
    if ranges:
        period = parse_range(params.get("start"), params.get("end"))
        if period is not None:
            return period
    return parse_year(params.get("year"))


# ---------------------------------------------------------------------------- data


class DataDates:
    """The rows whose dates say which periods have data: one or more (queryset, date field)
    sources, e.g. `DataDates(loans, "submitted_on")` or `DataDates.union([(a, "x"), (b, "y")])`.
    """

    def __init__(self, queryset: QuerySet | None = None, field: str = "", *, sources=()):
        self.sources = list(sources)
        if queryset is not None:
            self.sources.insert(0, (queryset, field))

    @classmethod
    def union(cls, sources) -> "DataDates":
        return cls(sources=sources)

    @staticmethod
    def _is_datetime(queryset: QuerySet, name: str) -> bool:
        return isinstance(queryset.model._meta.get_field(name), models.DateTimeField)

    def years(self) -> list[int]:
        """The years with rows in any source, newest first (one query)."""
        parts = []
        for queryset, name in self.sources:
            tz = SHANGHAI if self._is_datetime(queryset, name) else None
            parts.append(
                queryset.order_by()
                .filter(**{f"{name}__isnull": False})
                .annotate(period_year=ExtractYear(name, tzinfo=tz))
                .values_list("period_year", flat=True)
                .distinct()
            )
        if not parts:
            return []
        values = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
        return sorted({v for v in values if v and MIN_YEAR <= v <= MAX_YEAR}, reverse=True)

    def latest(self, until: datetime.date) -> datetime.date | None:
        """The latest day on or before `until` with rows (one query per source)."""
        found = []
        for queryset, name in self.sources:
            if self._is_datetime(queryset, name):
                bound = datetime.datetime.combine(
                    until + datetime.timedelta(days=1), datetime.time.min, tzinfo=SHANGHAI
                )
                lookup: dict[str, datetime.date] = {f"{name}__lt": bound}
            else:
                lookup = {f"{name}__lte": until}
            value = queryset.order_by().filter(**lookup).aggregate(latest=Max(name))["latest"]
            if isinstance(value, datetime.datetime):
                value = timezone.localtime(value, SHANGHAI).date()
            if value is not None:
                found.append(value)
        return max(found, default=None)


# ---------------------------------------------------------------------------- choosing


@dataclass
class PeriodChoice:
    """What a page shows and what its picker says."""

    period: Period
    kind: str
    error: str = ""
    notice: str = ""
    years: list[int] = field(default_factory=list)
    hidden: list[tuple[str, str]] = field(default_factory=list)
    asked: str = ""

    @property
    def fell_back(self) -> bool:
        return bool(self.notice)

    @property
    def value(self) -> str:
        """The picker's current value: what was typed after an error, else the period."""
        return self.asked if self.error else self.period.value

    @property
    def year_options(self) -> list[int]:
        """The years the picker lists: those with data, this year and the one shown."""
        return sorted({*self.years, today().year, self.period.start.year}, reverse=True)

    @property
    def status(self) -> int:
        """The HTTP status of the page: 400 after a bad value."""
        return 400 if self.error else 200


def _kept(params: Mapping, own: tuple[str, ...]) -> list[tuple[str, str]]:
    """The page's other filters, for hidden inputs of the picker form."""
    getlist = getattr(params, "getlist", None)
    kept: list[tuple[str, str]] = []
    for name in params:
        if name in own or name == "page":
            continue
        values = getlist(name) if getlist else [params[name]]
        kept.extend((name, v) for v in values if not _blank(v))
    return kept


def _fallback_notice(current: Period, shown: Period) -> str:
    return f"{current.short}暂无数据,当前显示{shown.short}。"


def _default(kind: str, data: DataDates | None, years: list[int]) -> tuple[Period, str]:
    current = period_containing(kind, today())
    if data is None:
        return current, ""
    if kind == "year":
        if current.start.year in years:
            return current, ""
        earlier = [y for y in years if y < current.start.year]
        if not earlier:
            return current, ""
        shown = year_period(max(earlier))
        return shown, _fallback_notice(current, shown)
    latest = data.latest(current.end)
    if latest is None or latest >= current.start:
        return current, ""
    shown = period_containing(kind, latest)
    return shown, _fallback_notice(current, shown)


def _choose(params, kind, parse, own, data, controls) -> PeriodChoice:
    years = data.years() if (data is not None and kind == "year") else []
    hidden = _kept(params, (*own, *controls))
    try:
        asked = parse(params)
    except PeriodError as exc:
        default, _ = _default(kind, data, years)
        raw = str(params.get(own[0]) or "").strip()[:20]
        return PeriodChoice(default, kind, error=str(exc), years=years, hidden=hidden, asked=raw)
    if asked is not None:
        return PeriodChoice(asked, kind, years=years, hidden=hidden)
    default, notice = _default(kind, data, years)
    return PeriodChoice(default, kind, notice=notice, years=years, hidden=hidden)


def choose_year(params: Mapping, *, data: DataDates | None = None, controls=()) -> PeriodChoice:
    """The year of a ledger page: ?year=YYYY, else this year or the last year with data."""
    return _choose(params, "year", lambda p: parse_year(p.get("year")), ("year",), data, controls)


def choose_period(params: Mapping, *, data: DataDates | None = None, controls=()) -> PeriodChoice:
    """A report's period: ?year=YYYY or ?start=…&end=…, else as `choose_year`."""
    return _choose(params, "year", parse_period, ("year", "start", "end"), data, controls)


def choose_month(params: Mapping, *, data: DataDates | None = None, controls=()) -> PeriodChoice:
    """?month=YYYY-MM, else this month or the last month with data."""
    return _choose(
        params, "month", lambda p: parse_month(p.get("month")), ("month",), data, controls
    )


def choose_week(params: Mapping, *, data: DataDates | None = None, controls=()) -> PeriodChoice:
    """?week=YYYY-Www (ISO), else this week or the last week with data."""
    return _choose(params, "week", lambda p: parse_week(p.get("week")), ("week",), data, controls)
