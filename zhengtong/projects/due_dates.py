"""Due dates of the key-project module: the open problems of the 问题台账 (and how they follow a
change of the working-day calendar), and the monthly report each project owes.

A month's report (月报) is due on the REPORT_DUE_WORKDAYS-th working day of the next month:
reports for November are filed early in December (the 5th working day by default), counted on
the one working-day calendar, so a holiday at the start of the month moves the due date.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings

from zhengtong.workdays import WorkCalendar
from zhengtong.workdays.recompute import Recomputed, recompute_rows, span_filter

from .models import Problem

REPORT_DUE_WORKDAYS = getattr(settings, "PROGRESS_REPORT_DUE_WORKDAYS", 5)
# The office checks a filed report within this many working days of its filing.
REPORT_CHECK_WORKDAYS = getattr(settings, "PROGRESS_REPORT_CHECK_WORKDAYS", 3)


@dataclass(frozen=True)
class ReportDue:
    """The month whose report is owed now, and the day it is due on."""

    month: datetime.date  # the first day of the month reported on
    due_on: datetime.date
    provisional: bool  # the due date rests on a provisional calendar year

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


def report_month(today: datetime.date) -> datetime.date:
    """The month whose report is owed on `today`: the month before (December's in January)."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def report_due(today: datetime.date, calendar: WorkCalendar | None = None) -> ReportDue:
    """The report owed on `today` and its due date (the calendar loads its years once)."""
    calendar = calendar or WorkCalendar()
    month = report_month(today)
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    due_on = calendar.add_workdays(month_end, REPORT_DUE_WORKDAYS)
    return ReportDue(
        month=month, due_on=due_on, provisional=calendar.spans_provisional(month_end, due_on)
    )


def recompute_problems(calendar, years) -> list[Recomputed]:
    """Open problems: raised_on + deadline_workdays."""
    rows = (
        Problem.objects.select_for_update(of=("self",))
        .filter(status=Problem.Status.OPEN)
        .filter(span_filter("raised_on", "due_on", years))
        .order_by("pk")
    )
    return recompute_rows(
        calendar,
        rows,
        kind="项目问题",
        compute=lambda p: (p.raised_on, calendar.add_workdays(p.raised_on, p.deadline_workdays)),
        title=lambda p: p.title,
        owner_id=lambda p: p.raised_by_id,
    )
