"""我的待办 entries of the key-project module: open problems of the 问题台账, the monthly
reports a liaison still owes, and the filed reports the office has not checked.

All three are database sources: a report owed is a project on the month's list with no report
for that month (NOT EXISTS), so 我的待办 reads only the projects the liaison reports for.
"""

import datetime

from django.db.models import Case, CharField, DateField, F, When
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, TruncDate
from django.urls import reverse
from django.utils import timezone

from zhengtong.inbox.registry import InboxItem, row_item
from zhengtong.inbox.union import Source, day, items_of, text
from zhengtong.workdays import WorkCalendar
from zhengtong.workdays.calendar import PROVISIONAL

from .due_dates import REPORT_CHECK_WORKDAYS, ReportDue, report_due
from .selectors import problems_for_inbox, reports_owed_by, reports_to_check

KIND_PROBLEM = "项目问题"
KIND_REPORT = "项目月报"
ESCALATED = "【已升级督办】"
KIND_CHECK = "月报审核"


def _problem_build(problems) -> dict[int, InboxItem]:
    items = {}
    for problem in problems:
        title = problem.title
        if problem.escalated_at:
            title = f"{ESCALATED}{title}"
        items[problem.pk] = InboxItem(
            kind=KIND_PROBLEM,
            title=title,
            url=problem.get_absolute_url(),
            due_on=problem.due_on,
            provisional=problem.due_provisional,
            subtitle=problem.project.name,
        )
    return items


def problem_sources(user, *, today) -> list[Source]:
    """Open problems the user must see through: as 帮包 leader, office, or owning unit."""
    problems = problems_for_inbox(user)
    return [
        Source(
            kind=KIND_PROBLEM,
            rows=problems,
            due=F("due_on"),
            title=Case(
                When(escalated_at__isnull=False, then=text(ESCALATED, F("title"))),
                default=F("title"),
                output_field=CharField(),
            ),
            build=lambda pks: _problem_build(problems.filter(pk__in=pks)),
        )
    ]


def problem_items(user, *, today=None) -> list[InboxItem]:
    """The items of `problem_sources`, in the inbox's order."""
    today = today or timezone.localdate()
    return items_of(problem_sources(user, today=today), today=today)


# From this day of the month the liaison sees this month's report coming (reminded daily).
REPORT_NOTICE_DAY = 25


def reports_owed(today: datetime.date, calendar: WorkCalendar) -> list[ReportDue]:
    """The months whose report is owed on `today`: last month's, due on the 5th working day of
    this month (due_dates.report_due); from the 25th also this month's, due on the 5th working
    day of the next."""
    owed = [report_due(today, calendar)]
    if today.day >= REPORT_NOTICE_DAY:
        next_month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        owed.append(report_due(next_month, calendar))
    return owed


def report_sources(user, *, today) -> list[Source]:
    """Each project the liaison reports for with no report for an owed month: one source per
    owed month (its due date is the month's), the projects as a NOT EXISTS over the month's
    reports (`reports_owed_by`)."""

    def source(due: ReportDue) -> Source:
        def url(row) -> str:
            page = reverse("projects:report_create", args=[row["i_pk"]])
            return f"{page}?month={due.month:%Y-%m}"

        return Source(
            kind=KIND_REPORT,
            rows=reports_owed_by(user, due.month),
            due=day(due.due_on),
            title=f"填报{due.label}月报",
            subtitle=F("name"),
            item=row_item(KIND_REPORT, url, provisional=lambda row: due.provisional),
        )

    if not getattr(user, "is_authenticated", False):
        return []
    return [source(due) for due in reports_owed(today, WorkCalendar())]


def report_items(user, *, today=None) -> list[InboxItem]:
    """The items of `report_sources`, in the inbox's order. Four queries at most."""
    today = today or timezone.localdate()
    return items_of(report_sources(user, today=today), today=today)


def _spans_provisional(calendar: WorkCalendar, a: datetime.date, b: datetime.date) -> bool:
    """Whether the days after `a` up to `b` fall in a provisional year (years already loaded)."""
    return any(
        calendar.year_status(year) == PROVISIONAL
        for year in range((a + datetime.timedelta(days=1)).year, b.year + 1)
    )


def check_sources(user, *, today) -> list[Source]:
    """Each filed report the office has not checked, due REPORT_CHECK_WORKDAYS working days
    after the day it was filed. The working days are the calendar's (official or statutory
    years, see workdays/calendar.py), so the due date enters the SQL as a mapping of the days
    the user's reports were filed on: one query for those days, one for the calendar's years.
    """
    reports = reports_to_check(user).annotate(filed_on=TruncDate("created_at"))
    days = sorted(set(reports.order_by().values_list("filed_on", flat=True).distinct()))
    if not days:
        return []
    calendar = WorkCalendar()
    calendar.load(range(days[0].year, days[-1].year + 2))
    due_of = {filed: calendar.add_workdays(filed, REPORT_CHECK_WORKDAYS) for filed in days}

    return [
        Source(
            kind=KIND_CHECK,
            rows=reports,
            due=Case(
                *(When(filed_on=filed, then=day(due)) for filed, due in due_of.items()),
                output_field=DateField(),
            ),
            title=text(
                "审核",
                Cast(ExtractYear("month"), CharField()),
                "年",
                Cast(ExtractMonth("month"), CharField()),
                "月月报",
            ),
            subtitle=F("project__name"),
            fields={"i_project": F("project_id"), "i_filed": F("filed_on")},
            item=row_item(
                KIND_CHECK,
                lambda row: (
                    reverse("projects:project_detail", args=[row["i_project"]]) + "#reports"
                ),
                provisional=lambda row: _spans_provisional(calendar, row["i_filed"], row["i_due"]),
            ),
        )
    ]


def check_items(user, *, today=None) -> list[InboxItem]:
    """The items of `check_sources`, in the inbox's order."""
    today = today or timezone.localdate()
    return items_of(check_sources(user, today=today), today=today)
