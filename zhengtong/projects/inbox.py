"""我的待办 entries of the key-project module: open problems of the 问题台账, the monthly
reports a liaison still owes, and the filed reports the office has not checked."""

import datetime

from django.db.models import Case, CharField, F, When
from django.urls import reverse
from django.utils import timezone

from zhengtong.inbox.registry import InboxItem
from zhengtong.inbox.union import Source, text
from zhengtong.workdays import WorkCalendar

from .due_dates import REPORT_CHECK_WORKDAYS, report_due
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


def problem_items(user) -> list[InboxItem]:
    """Open problems the user must see through: as 帮包 leader, office, or owning unit."""
    return list(_problem_build(problems_for_inbox(user)).values())


def problem_sources(user, *, today) -> list[Source]:
    """`problem_items` for the database's sort."""
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


# From this day of the month the liaison sees this month's report coming (reminded daily).
REPORT_NOTICE_DAY = 25


def report_items(user) -> list[InboxItem]:
    """The last month's report of each project the liaison reports for and has not filed, due
    on the 5th working day of this month (due_dates.report_due); from the 25th also this
    month's, due on the 5th working day of the next. Four queries at most."""
    today = timezone.localdate()
    calendar = WorkCalendar()
    owed = [report_due(today, calendar)]
    if today.day >= REPORT_NOTICE_DAY:
        next_month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        owed.append(report_due(next_month, calendar))
    items = []
    for due in owed:
        for project in reports_owed_by(user, due.month):
            url = reverse("projects:report_create", args=[project.pk])
            items.append(
                InboxItem(
                    kind=KIND_REPORT,
                    title=f"填报{due.label}月报",
                    url=f"{url}?month={due.month:%Y-%m}",
                    due_on=due.due_on,
                    provisional=due.provisional,
                    subtitle=project.name,
                )
            )
    return items


def check_items(user) -> list[InboxItem]:
    """Each filed report the office has not checked, due REPORT_CHECK_WORKDAYS working days
    after it was filed. One query, and the calendar's years once."""
    reports = list(reports_to_check(user))
    if not reports:
        return []
    calendar = WorkCalendar()
    items = []
    for report in reports:
        filed_on = timezone.localtime(report.created_at).date()
        due_on = calendar.add_workdays(filed_on, REPORT_CHECK_WORKDAYS)
        items.append(
            InboxItem(
                kind=KIND_CHECK,
                title=f"审核{report.month.year}年{report.month.month}月月报",
                url=reverse("projects:project_detail", args=[report.project_id]) + "#reports",
                due_on=due_on,
                provisional=calendar.spans_provisional(filed_on, due_on),
                subtitle=report.project.name,
            )
        )
    return items
