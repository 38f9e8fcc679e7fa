"""我的待办: the one list of everything a user owns that has a due date.

Modules add their kinds by registering a provider in their AppConfig.ready(); the inbox page
and the deadline colours never change when a kind is added. A provider takes the user and the
day and returns database sources (`union.Source`: querysets of one shape, sorted, counted and
paged together in SQL), so the page costs what the user's rows cost; it must run a fixed number
of queries whatever it returns.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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


def row_item(
    kind: str,
    url: Callable[[dict], str],
    provisional: Callable[[dict], bool] | None = None,
) -> Callable[[dict], InboxItem]:
    """The `item` of a `union.Source`: an InboxItem of `kind` read from one row of the source's
    shape (`i_title`, `i_due`, `i_subtitle`), its page at `url(row)`."""

    def item(row: dict) -> InboxItem:
        return InboxItem(
            kind=kind,
            title=row["i_title"],
            url=url(row),
            due_on=row["i_due"],
            subtitle=row["i_subtitle"],
            provisional=bool(provisional(row)) if provisional else False,
        )

    return item


Provider = Callable[[object], Iterable[InboxItem]]
SourceProvider = Callable[..., "list[Source]"]
# Registration order is the order of items equal in every sort key.
_providers: list[Callable] = []


def register(provider: Provider) -> Provider:
    """A provider of items computed in Python, for a list bounded by a constant (the calendar
    reminder: one item at most): they enter the database's sort as literal rows
    (`union.ListSource`). Anything that grows with the data is a `register_sources` provider."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def register_sources(provider: SourceProvider) -> SourceProvider:
    """A provider of querysets of one shape (`union.Source`), called as provider(user, today=)."""
    provider.gives_sources = True  # type: ignore[attr-defined]
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sources_for(user, *, today: datetime.date) -> list:
    from .union import ListSource

    sources: list = []
    for provider in _providers:
        if getattr(provider, "gives_sources", False):
            sources.extend(provider(user, today=today))
        else:
            sources.append(ListSource(list(provider(user))))
    return sources


def rows_for(user, *, today: datetime.date | None = None, calendar=None) -> "UnionRows":
    """Every provider's items for `user` as one sequence sorted in the database: overdue first,
    then by due date, kind and title. `count()`/`counts()` and a page slice are one query each;
    a slice's items carry their `deadline`."""
    from .union import UnionRows, warning_until

    today = today or timezone.localdate()
    calendar = calendar or WorkCalendar()

    def prepare(items) -> None:
        for item in items:
            item.deadline = deadline(item.due_on, today=today, calendar=calendar)

    return UnionRows(
        sources_for(user, today=today),
        today=today,
        warning_until=warning_until(today, calendar),
        prepare=prepare,
    )


def items_for(user, *, today=None) -> list[InboxItem]:
    """Every provider's items for `user`: overdue first, then by due date, whatever the state."""
    return rows_for(user, today=today).items()


if TYPE_CHECKING:
    from .union import Source, UnionRows
