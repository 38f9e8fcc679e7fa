"""When the calendar changes, every open due date that depends on the changed days moves with it.

Each module registers one function in its AppConfig.ready():

    from zhengtong.workdays.recompute import register
    register(my_open_due_dates)

The function takes a fresh `WorkCalendar` and the changed years, recomputes the due date and
the 暂定 flag of its open items that count days in those years, saves the changed rows and
returns one `Recomputed` per row that changed. The workdays app calls them all in one
transaction (`deadlines_recompute`), audits each change with its old and new date, and flags a
date that moved earlier to its owner in 我的待办. The calendar never imports the modules.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar, cast

from django.db import models

from .calendar import WorkCalendar

_Row = TypeVar("_Row", bound=models.Model)


class _Linked(Protocol):
    def get_absolute_url(self) -> str: ...


@dataclass(frozen=True)
class Recomputed:
    """One open item whose due date or 暂定 flag changed."""

    kind: str  # 办件, 差评整改, 项目问题…
    title: str
    url: str
    target: models.Model
    field: str  # the due-date field, for the audit record
    old_on: datetime.date | None
    new_on: datetime.date | None
    old_provisional: bool
    new_provisional: bool
    owner_id: int | None = None

    @property
    def moved(self) -> bool:
        return self.old_on != self.new_on

    @property
    def earlier(self) -> bool:
        return self.old_on is not None and self.new_on is not None and self.new_on < self.old_on


Recomputer = Callable[[WorkCalendar, set[int]], Iterable[Recomputed]]
_recomputers: list[Recomputer] = []


def register(recomputer: Recomputer) -> Recomputer:
    if recomputer not in _recomputers:
        _recomputers.append(recomputer)
    return recomputer


def recomputers() -> list[Recomputer]:
    return list(_recomputers)


def span_filter(start: str, due: str, years: Iterable[int]) -> models.Q:
    """Rows whose counted days (start, due] may touch one of `years`: a cheap pre-filter."""
    years = sorted(years)
    first, last = datetime.date(years[0], 1, 1), datetime.date(years[-1], 12, 31)
    return models.Q(**{f"{due}__gte": first, f"{start}__lt": last})


def recompute_rows(
    calendar: WorkCalendar,
    rows: Iterable[_Row],
    *,
    kind: str,
    compute: Callable[[_Row], tuple[datetime.date, datetime.date] | None],
    title: Callable[[_Row], str],
    owner_id: Callable[[_Row], int | None] = lambda row: None,
    url: Callable[[_Row], str] | None = None,
    due_field: str = "due_on",
    provisional_field: str = "due_provisional",
) -> list[Recomputed]:
    """The common loop: `compute(row)` gives (start, new due date) or None to leave the row."""
    changed = []
    for row in rows:
        answer = compute(row)
        if answer is None:
            continue
        start, new_on = answer
        new_provisional = calendar.spans_provisional(start, new_on)
        old_on, old_provisional = getattr(row, due_field), getattr(row, provisional_field)
        if (old_on, old_provisional) == (new_on, new_provisional):
            continue
        setattr(row, due_field, new_on)
        setattr(row, provisional_field, new_provisional)
        row.save(update_fields=[due_field, provisional_field])
        changed.append(
            Recomputed(
                kind=kind,
                title=title(row),
                url=url(row) if url else cast(_Linked, row).get_absolute_url(),
                target=row,
                field=due_field,
                old_on=old_on,
                new_on=new_on,
                old_provisional=old_provisional,
                new_provisional=new_provisional,
                owner_id=owner_id(row),
            )
        )
    return changed
