"""我的待办 entries of the working-day calendar.

- A due date that a calendar change moved earlier, for its owner, until the new date passes.
- For the administrator, from 1 November: next year is still provisional, enter the notice.
"""

import datetime

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from zhengtong.inbox.registry import InboxItem, row_item
from zhengtong.inbox.union import Source, date_text, items_of, text

from .calendar import PROVISIONAL, WorkCalendar
from .models import DeadlineMove

REMIND_FROM_MONTH = 11
KIND_MOVED = "期限提前"


def moved_deadline_sources(user, *, today) -> list[Source]:
    """The due dates a calendar change moved earlier, for their owner, until the new one."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        Source(
            kind=KIND_MOVED,
            rows=DeadlineMove.objects.filter(owner=user, new_on__gte=today),
            due=F("new_on"),
            title=text(F("kind"), " ", F("title")),
            subtitle=text(
                "工作日历调整,期限由 ", date_text("old_on"), " 提前至 ", date_text("new_on")
            ),
            fields={"i_url": F("url")},
            item=row_item(KIND_MOVED, lambda row: row["i_url"]),
        )
    ]


def moved_deadline_items(user, *, today=None) -> list[InboxItem]:
    """The items of `moved_deadline_sources`, in the inbox's order."""
    today = today or timezone.localdate()
    return items_of(moved_deadline_sources(user, today=today), today=today)


def provisional_year_items(user) -> list[InboxItem]:
    """From 1 November the administrator is reminded while next year is still provisional.

    One item at most, whatever the size of the database: it stays computed in Python and
    enters 我的待办 as a literal row (`union.ListSource`, see `inbox.registry.register`)."""
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
