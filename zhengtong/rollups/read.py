"""Reading the summary tables: bounded sums over the units a reader may see.

Each function sums a few hundred rows at most (units × days or months of the period) through
the scope door, whatever the number of cases and follow-ups behind them.
"""

import datetime

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import (
    CaseDay,
    CaseHandlerMonth,
    CaseItemMonth,
    CaseMonth,
    FollowUpDay,
    FollowUpMonth,
)


def _first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_split(start: datetime.date, last: datetime.date) -> tuple[Q, Q | None]:
    """(days, months): the whole months inside [start, last] by month, the ends by day."""
    first_whole = start if start.day == 1 else _first_of_next_month(start)
    after_last = last + datetime.timedelta(days=1)
    end_whole = after_last.replace(day=1)  # months before this one end by `last`
    if first_whole >= end_whole:
        return Q(day__gte=start, day__lte=last), None
    days = Q(day__gte=start, day__lt=first_whole) | Q(day__gte=end_whole, day__lte=last)
    return days, Q(month__gte=first_whole, month__lt=end_whole)


def _sums(qs: QuerySet, *fields: str) -> dict[str, int]:
    return qs.aggregate(**{f: Coalesce(Sum(f), 0) for f in fields})


def cases_finished(
    days: QuerySet, months: QuerySet, start: datetime.date, last: datetime.date
) -> dict[str, int]:
    """{finished, on_time} of the cases finished in [start, last]: `days` and `months` are the
    scoped CaseDay and CaseMonth querysets."""
    return _split_sums(days, months, start, last, ("finished", "on_time"))


def followups_due(
    days: QuerySet, months: QuerySet, start: datetime.date, last: datetime.date
) -> dict[str, int]:
    """{due, done} of the follow-ups falling due in [start, last]: `days` and `months` are the
    scoped FollowUpDay and FollowUpMonth querysets."""
    return _split_sums(days, months, start, last, ("due", "done"))


def _split_sums(days, months, start, last, fields: tuple[str, ...]) -> dict[str, int]:
    if last < start:
        return dict.fromkeys(fields, 0)
    by_day, by_month = month_split(start, last)
    a = _sums(days.filter(by_day), *fields)
    b = _sums(months.filter(by_month), *fields) if by_month is not None else {}
    return {k: a[k] + b.get(k, 0) for k in fields}


def case_days() -> QuerySet:
    return CaseDay.objects.all()


def case_months() -> QuerySet:
    return CaseMonth.objects.all()


def case_item_months() -> QuerySet:
    return CaseItemMonth.objects.all()


def followup_days() -> QuerySet:
    return FollowUpDay.objects.all()


def followup_months() -> QuerySet:
    return FollowUpMonth.objects.all()


def case_handler_months() -> QuerySet:
    return CaseHandlerMonth.objects.all()
