"""The 工作日历 pages: the years (official or provisional) with a month grid of one year, and
the entry of a year from the State Council's notice (paste the text, or upload xlsx/CSV)."""

import calendar
import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import has_role

from .actions import calendar_year_confirm
from .models import CalendarYear, Holiday
from .notice import NoticeError, ParsedNotice, as_rows_text, parse_file, parse_notice, parse_rows
from .statutory import RULE_TEXT, statutory_holidays

MIN_YEAR, MAX_YEAR = 1990, 2100
WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"]
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def can_manage_calendar(user) -> bool:
    return user.is_superuser or has_role(user, Role.ADMIN)


@dataclass(frozen=True)
class DayCell:
    day: datetime.date
    kind: str  # workday, weekend, holiday, makeup
    name: str
    changed: bool = False  # differs from the provisional rule (statutory holidays + weekends)


def month_grid(year: int, holidays) -> list[dict]:
    """Twelve months of weeks (Monday first); None pads the days outside the month.

    `holidays` maps a date to a Holiday or to anything with `is_workday` and `name`.
    """
    months = []
    for month in range(1, 13):
        rows = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row: list[DayCell | None] = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                row.append(_cell(day, holidays.get(day)))
            rows.append(row)
        months.append({"month": month, "weeks": rows})
    return months


def _cell(day: datetime.date, holiday) -> DayCell:
    statutory = statutory_holidays(day.year)
    rule_workday = day.weekday() < 5 and day not in statutory
    if holiday is None:
        actual = day.weekday() < 5
        return DayCell(day, "workday" if actual else "weekend", "", actual != rule_workday)
    return DayCell(
        day,
        "makeup" if holiday.is_workday else "holiday",
        holiday.name,
        holiday.is_workday != rule_workday,
    )


@dataclass(frozen=True)
class _Day:
    is_workday: bool
    name: str


def provisional_days(year: int) -> dict[datetime.date, _Day]:
    return {d: _Day(False, name) for d, name in statutory_holidays(year).items()}


@login_required
@role_required(test=can_manage_calendar, message="只有系统管理员可以查看工作日历维护页面。")
def year_list(request):
    """Maintained years with their counts, missing current/next year flagged, and one year's grid."""
    today = timezone.localdate()
    error = ""
    raw = request.GET.get("year", "").strip()
    chosen = today.year
    if raw:
        if raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
            chosen = int(raw)
        else:
            error = _("年份:请输入 %(min)s 至 %(max)s 之间的四位年份。") % {
                "min": MIN_YEAR,
                "max": MAX_YEAR,
            }

    years = list(CalendarYear.objects.all())
    counts = {
        row["y"]: row
        for row in Holiday.objects.annotate(y=ExtractYear("date"))
        .values("y")
        .annotate(
            holidays=Count("id", filter=Q(is_workday=False)),
            makeups=Count("id", filter=Q(is_workday=True)),
        )
        .order_by()
    }
    rows = [
        {
            "year": y,
            "holidays": counts.get(y.year, {}).get("holidays", 0),
            "makeups": counts.get(y.year, {}).get("makeups", 0),
        }
        for y in years
    ]
    maintained = {y.year for y in years}
    missing = [y for y in (today.year, today.year + 1) if y not in maintained]

    if chosen in maintained:
        holidays = {
            h.date: h
            for h in Holiday.objects.filter(
                date__range=(datetime.date(chosen, 1, 1), datetime.date(chosen, 12, 31))
            )
        }
        listed = sorted(holidays.values(), key=lambda h: h.date)
    else:
        holidays = provisional_days(chosen)
        listed = []
    context = {
        "rows": rows,
        "missing": missing,
        "chosen": chosen,
        "chosen_maintained": chosen in maintained,
        "grid": month_grid(chosen, holidays),
        "holidays": listed,
        "statutory": sorted(statutory_holidays(chosen).items()),
        "rule_text": RULE_TEXT,
        "error": error,
        "weekdays": WEEKDAYS,
        "today": today,
    }
    return render(request, "workdays/year_list.html", context)


def _parse_request(request) -> tuple[ParsedNotice | None, str, str]:
    """(parsed, error, the rows text carried to the confirmation) from the posted form."""
    raw_year = (request.POST.get("year") or "").strip()
    year = None
    if raw_year:
        if not (raw_year.isdigit() and MIN_YEAR <= int(raw_year) <= MAX_YEAR):
            return (
                None,
                _("年份:请输入 %(min)s 至 %(max)s 之间的四位年份。")
                % {
                    "min": MIN_YEAR,
                    "max": MAX_YEAR,
                },
                "",
            )
        year = int(raw_year)
    try:
        if request.POST.get("rows"):
            rows = [line.split(",", 2) for line in request.POST["rows"].splitlines() if line]
            parsed = parse_rows(rows, year=year)
        elif request.FILES.get("file"):
            upload = request.FILES["file"]
            if upload.size > MAX_UPLOAD_BYTES:
                return None, _("文件过大(最大 2 MB)。"), ""
            parsed = parse_file(upload.name, upload.read(), year=year)
        elif (request.POST.get("text") or "").strip():
            parsed = parse_notice(request.POST["text"], year=year)
        else:
            return None, _("请粘贴通知全文,或上传日期表(xlsx/CSV)。"), ""
    except NoticeError as exc:
        return None, str(exc), ""
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None, _("年份超出可录入的范围。"), ""
    return parsed, "", as_rows_text(parsed)


@login_required
def notice_entry(request):
    """Paste the notice (or upload the dates), see the year as a month calendar, confirm."""
    if not can_manage_calendar(request.user):
        raise PermissionDenied(_("只有系统管理员可以录入工作日历。"))
    context = {"weekdays": WEEKDAYS, "today": timezone.localdate(), "rule_text": RULE_TEXT}
    raw_year = request.GET.get("year", "")
    context["year"] = raw_year if raw_year.isdigit() else ""
    if request.method != "POST":
        return render(request, "workdays/notice_entry.html", context)
    parsed, error, rows_text = _parse_request(request)
    context.update(text=request.POST.get("text", ""), year=request.POST.get("year", ""))
    if error:
        context["error"] = error
        return render(request, "workdays/notice_entry.html", context, status=400)
    by_day = {d.date: d for d in parsed.days}
    grid = month_grid(parsed.year, {d: v for d, v in by_day.items() if d.year == parsed.year})
    context.update(
        parsed=parsed,
        grid=grid,
        rows=rows_text,
        changes=[c for month in grid for week in month["weeks"] for c in week if c and c.changed],
        earlier=[d for d in parsed.days if d.date.year != parsed.year],
        already=CalendarYear.objects.filter(year=parsed.year).exists(),
    )
    if request.POST.get("confirm") != "1":
        return render(request, "workdays/notice_entry.html", context)
    result = calendar_year_confirm(
        parsed=parsed, actor=request.user, note=_("国务院办公厅通知录入")
    )
    context.update(result=result, confirmed=True)
    return render(request, "workdays/notice_confirmed.html", context)
