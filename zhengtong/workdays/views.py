"""The 工作日历 page: which years are maintained, and a month grid of one year."""

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
from zhengtong.accounts.scope import has_role

from .models import CalendarYear, Holiday

MIN_YEAR, MAX_YEAR = 1990, 2100


def can_manage_calendar(user) -> bool:
    return user.is_superuser or has_role(user, Role.ADMIN)


@dataclass(frozen=True)
class DayCell:
    day: datetime.date
    kind: str  # workday, weekend, holiday, makeup
    name: str


def month_grid(year: int, holidays: dict[datetime.date, Holiday]) -> list[dict]:
    """Twelve months of weeks (Monday first); None pads the days outside the month."""
    months = []
    for month in range(1, 13):
        rows = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                row.append(_cell(day, holidays.get(day)))
            rows.append(row)
        months.append({"month": month, "weeks": rows})
    return months


def _cell(day: datetime.date, holiday: Holiday | None) -> DayCell:
    if holiday is None:
        return DayCell(day, "weekend" if day.weekday() >= 5 else "workday", "")
    return DayCell(day, "makeup" if holiday.is_workday else "holiday", holiday.name)


@login_required
def year_list(request):
    """Maintained years with their counts, missing current/next year flagged, and one year's grid."""
    if not can_manage_calendar(request.user):
        raise PermissionDenied(_("只有系统管理员可以查看工作日历维护页面。"))
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

    grid = None
    holidays: dict[datetime.date, Holiday] = {}
    if chosen in maintained:
        holidays = {
            h.date: h
            for h in Holiday.objects.filter(
                date__range=(datetime.date(chosen, 1, 1), datetime.date(chosen, 12, 31))
            )
        }
        grid = month_grid(chosen, holidays)
    context = {
        "rows": rows,
        "missing": missing,
        "chosen": chosen,
        "chosen_maintained": chosen in maintained,
        "grid": grid,
        "holidays": sorted(holidays.values(), key=lambda h: h.date),
        "error": error,
        "weekdays": ["一", "二", "三", "四", "五", "六", "日"],
        "today": today,
    }
    return render(request, "workdays/year_list.html", context)
