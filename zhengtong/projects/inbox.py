"""我的待办 entries of the key-project module: open problems of the 问题台账, and the monthly
reports a liaison still owes."""

from django.urls import reverse
from django.utils import timezone

from zhengtong.inbox.registry import InboxItem
from zhengtong.workdays import WorkCalendar

from .due_dates import report_due, report_month
from .selectors import problems_for_inbox, reports_owed_by

KIND_REPORT = "项目月报"


def problem_items(user) -> list[InboxItem]:
    """Open problems the user must see through: as 帮包 leader, office, or owning unit."""
    items = []
    for problem in problems_for_inbox(user):
        title = problem.title
        if problem.escalated_at:
            title = f"【已升级督办】{title}"
        items.append(
            InboxItem(
                kind="项目问题",
                title=title,
                url=problem.get_absolute_url(),
                due_on=problem.due_on,
                provisional=problem.due_provisional,
                subtitle=problem.project.name,
            )
        )
    return items


def report_items(user) -> list[InboxItem]:
    """The last month's report of each project the liaison reports for and has not filed,
    due on the 5th working day of this month (due_dates.report_due). Two queries at most."""
    today = timezone.localdate()
    projects = list(reports_owed_by(user, report_month(today)))
    if not projects:
        return []
    due = report_due(today, WorkCalendar())
    return [
        InboxItem(
            kind=KIND_REPORT,
            title=f"填报{due.label}月报",
            url=reverse("projects:report_create", args=[project.pk]),
            due_on=due.due_on,
            provisional=due.provisional,
            subtitle=project.name,
        )
        for project in projects
    ]
