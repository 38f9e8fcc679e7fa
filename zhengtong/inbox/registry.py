"""我的待办: the one list of everything a user owns that has a due date.

Modules add their kinds by registering a provider in their AppConfig.ready(); the inbox page
and the deadline colours never change when a kind is added. A provider takes the user and
returns `InboxItem`s; it must run a fixed number of queries whatever it returns.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from zhengtong.workdays import WorkCalendar

WARNING_WORKDAYS = 1


@dataclass(frozen=True)
class Deadline:
    """How a due date looks today: state is overdue / warning / normal / done / unknown."""

    state: str
    days: int | None = None
    message: str = ""

    @property
    def sort_key(self) -> int:
        return {"overdue": 0, "unknown": 1, "warning": 2, "normal": 3, "done": 4}[self.state]


def deadline(
    due_on: datetime.date | None,
    *,
    done: bool = False,
    today=None,
    calendar: WorkCalendar | None = None,
) -> Deadline:
    """The one countdown rule: red when overdue, yellow with 1 working day or less left.

    A date past is overdue whatever the calendar says about other days; a date years ahead is
    counted on the provisional calendar like any other. Pass one `WorkCalendar` for a whole page
    so its rows share the holiday lookups.
    """
    if done:
        return Deadline("done")
    if due_on is None:
        return Deadline("unknown", message="未设定期限")
    today = today or timezone.localdate()
    calendar = calendar or WorkCalendar()
    if today > due_on:
        return Deadline("overdue", max(calendar.workdays_between(due_on, today), 0))
    left = calendar.workdays_between(today, due_on)
    return Deadline("warning" if left <= WARNING_WORKDAYS else "normal", left)


@dataclass
class InboxItem:
    kind: str
    title: str
    url: str
    due_on: datetime.date
    subtitle: str = ""
    deadline: Deadline = field(default=None)  # type: ignore[assignment]
    provisional: bool = False  # the due date rests on a provisional year: shown "暂定"


Provider = Callable[[object], Iterable[InboxItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def items_for(user, *, today=None) -> list[InboxItem]:
    """Every provider's items for `user`: overdue first, then by due date, whatever the state."""
    items: list[InboxItem] = []
    for provider in _providers:
        items.extend(provider(user))
    calendar = WorkCalendar()
    for item in items:
        item.deadline = deadline(item.due_on, today=today, calendar=calendar)
    items.sort(key=lambda i: (i.deadline.state != "overdue", i.due_on, i.kind, i.title))
    return items
