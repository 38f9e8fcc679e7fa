"""我的待办 entries of the working-day calendar.

- A due date that a calendar change moved earlier, for its owner, until the new date passes.
- For the administrator, from 1 November: next year is still provisional, enter the notice.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from zhengtong.inbox.registry import InboxItem

from .calendar import PROVISIONAL, WorkCalendar
from .models import DeadlineMove

REMIND_FROM_MONTH = 11


def moved_deadline_items(user) -> list[InboxItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    rows = DeadlineMove.objects.filter(owner=user, new_on__gte=today).order_by("new_on", "pk")
    return [
        InboxItem(
            kind="期限提前",
            title=f"{row.kind} {row.title}",
            url=row.url,
            due_on=row.new_on,
            subtitle=f"工作日历调整,期限由 {row.old_on:%Y-%m-%d} 提前至 {row.new_on:%Y-%m-%d}",
        )
        for row in rows
    ]


def provisional_year_items(user) -> list[InboxItem]:
    """From 1 November the administrator is reminded while next year is still provisional."""
    from .views import can_manage_calendar

    if not getattr(user, "is_authenticated", False) or not can_manage_calendar(user):
        return []
    today = timezone.localdate()
    if today.month < REMIND_FROM_MONTH:
        return []
    year = today.year + 1
    if WorkCalendar().year_status(year) != PROVISIONAL:
        return []
    return [
        InboxItem(
            kind="工作日历",
            title=f"{year} 年节假日安排尚未录入(期限暂按法定节假日计算)",
            url=reverse("workdays:notice_entry") + f"?year={year}",
            due_on=datetime.date(today.year, 12, 31),
            subtitle="国务院办公厅通知发布后,粘贴通知全文即可录入",
        )
    ]
