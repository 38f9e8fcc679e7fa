"""The summary tables counted again from the records: the definition of every figure.

`recount()` returns what the tables must hold (zero rows left out); `rebuild()` replaces their
content with it (`manage.py recount_rollups`, after a bulk load or a migration that moves rows
past the triggers); `differences()` lists where the stored tables and a recount disagree.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connections, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate, TruncMonth

from zhengtong.population.models import FollowUp
from zhengtong.services.models import Application

from .models import (
    CaseDay,
    CaseHandlerMonth,
    CaseItemMonth,
    CaseMonth,
    FollowUpDay,
    FollowUpMonth,
)
from .triggers import SHANGHAI

FINISHED = (Application.Status.APPROVED, Application.Status.REFUSED)
ON_TIME = Q(due_on__isnull=True) | Q(finished_on__lte=F("due_on"))

Key = tuple
Counts = dict[str, dict[Key, list[int]]]


def _finished_cases(using: str = "default"):
    return (
        Application.objects.using(using)
        .filter(status__in=FINISHED, finished_at__isnull=False)
        .annotate(finished_on=TruncDate("finished_at", tzinfo=SHANGHAI))
        .order_by()
    )


def _add(table: dict[Key, list[int]], rows: Iterable[Any], key: tuple[str, ...], fields) -> None:
    for row in rows:
        values = table.setdefault(tuple(row[k] for k in key), [0] * fields[0])
        for position, name in fields[1]:
            values[position] += row[name]


def recount(using: str = "default") -> Counts:
    """{table name: {key: [counts]}} from the case and follow-up rows, by database aggregates."""
    cases = Application.objects.using(using).order_by()
    case_day: dict[Key, list[int]] = {}
    _add(
        case_day,
        cases.annotate(d=TruncDate("received_at", tzinfo=SHANGHAI))
        .values("org_unit_id", "d")
        .annotate(n=Count("id")),
        ("org_unit_id", "d"),
        (3, [(0, "n")]),
    )
    _add(
        case_day,
        _finished_cases(using)
        .values("org_unit_id", "finished_on")
        .annotate(n=Count("id"), on_time=Count("id", filter=ON_TIME)),
        ("org_unit_id", "finished_on"),
        (3, [(1, "n"), (2, "on_time")]),
    )
    case_month: dict[Key, list[int]] = {}
    _add(
        case_month,
        cases.annotate(m=TruncMonth("received_at", tzinfo=SHANGHAI))
        .values("org_unit_id", "item_id", "m")
        .annotate(n=Count("id")),
        ("org_unit_id", "item_id", "m"),
        (3, [(0, "n")]),
    )
    _add(
        case_month,
        _finished_cases(using)
        .annotate(m=TruncMonth("finished_at", tzinfo=SHANGHAI))
        .values("org_unit_id", "item_id", "m")
        .annotate(n=Count("id"), on_time=Count("id", filter=ON_TIME)),
        ("org_unit_id", "item_id", "m"),
        (3, [(1, "n"), (2, "on_time")]),
    )
    done = Count("id", filter=Q(status=FollowUp.Status.DONE))
    followups = FollowUp.objects.using(using).order_by()
    follow_day: dict[Key, list[int]] = {}
    _add(
        follow_day,
        followups.values("plan__org_unit_id", "due_on").annotate(n=Count("id"), done=done),
        ("plan__org_unit_id", "due_on"),
        (2, [(0, "n"), (1, "done")]),
    )
    follow_month: dict[Key, list[int]] = {}
    _add(
        follow_month,
        followups.annotate(m=TruncMonth("due_on"))
        .values("plan__org_unit_id", "m")
        .annotate(n=Count("id"), done=done),
        ("plan__org_unit_id", "m"),
        (2, [(0, "n"), (1, "done")]),
    )
    case_month = _dated(case_month)
    unit_month: dict[Key, list[int]] = {}
    for (unit, _item, month), values in case_month.items():
        total = unit_month.setdefault((unit, month), [0, 0, 0])
        for i, n in enumerate(values):
            total[i] += n
    handler_month: dict[Key, list[int]] = {}
    _add(
        handler_month,
        _finished_cases(using)
        .filter(handler__isnull=False)
        .annotate(m=TruncMonth("finished_at", tzinfo=SHANGHAI))
        .values("org_unit_id", "handler_id", "m")
        .annotate(n=Count("id"), on_time=Count("id", filter=ON_TIME)),
        ("org_unit_id", "handler_id", "m"),
        (2, [(0, "n"), (1, "on_time")]),
    )
    return {
        "case_day": _dated(case_day),
        "case_unit_month": unit_month,
        "case_month": case_month,
        "followup_day": follow_day,
        "followup_month": _dated(follow_month),
        "case_handler_month": _dated(handler_month),
    }


def _dated(table: dict[Key, list[int]]) -> dict[Key, list[int]]:
    """TruncMonth/TruncDate give dates (or, on some backends, datetimes): keep dates."""
    result = {}
    for key, values in table.items():
        last = key[-1]
        if hasattr(last, "date") and callable(last.date):
            key = (*key[:-1], last.date())
        result[key] = values
    return result


def stored() -> Counts:
    """What the summary tables hold now (rows of zeros left out)."""

    def table(model, key: tuple[str, ...], fields: tuple[str, ...]) -> dict[Key, list[int]]:
        rows = model.objects.values_list(*key, *fields)
        return {
            tuple(row[: len(key)]): list(row[len(key) :]) for row in rows if any(row[len(key) :])
        }

    counts = ("received", "finished", "on_time")
    return {
        "case_day": table(CaseDay, ("org_unit_id", "day"), counts),
        "case_unit_month": table(CaseMonth, ("org_unit_id", "month"), counts),
        "case_month": table(CaseItemMonth, ("org_unit_id", "item_id", "month"), counts),
        "followup_day": table(FollowUpDay, ("org_unit_id", "day"), ("due", "done")),
        "followup_month": table(FollowUpMonth, ("org_unit_id", "month"), ("due", "done")),
        "case_handler_month": table(
            CaseHandlerMonth, ("org_unit_id", "handler_id", "month"), ("finished", "on_time")
        ),
    }


def differences(limit: int = 20) -> list[str]:
    """Where the stored tables and a recount from the records disagree (empty when equal)."""
    expected, found = recount(), stored()
    out = []
    for name, rows in expected.items():
        have = found[name]
        for key in sorted(set(rows) | set(have), key=str):
            if rows.get(key) != have.get(key):
                out.append(f"{name} {key}: recount {rows.get(key)}, stored {have.get(key)}")
    return out[:limit]


# Per table: its model and how a recounted (key, counts) row becomes one of its rows.
TABLES = {
    "case_day": (
        CaseDay,
        lambda k, v: CaseDay(
            org_unit_id=k[0], day=k[1], received=v[0], finished=v[1], on_time=v[2]
        ),
    ),
    "case_unit_month": (
        CaseMonth,
        lambda k, v: CaseMonth(
            org_unit_id=k[0], month=k[1], received=v[0], finished=v[1], on_time=v[2]
        ),
    ),
    "case_month": (
        CaseItemMonth,
        lambda k, v: CaseItemMonth(
            org_unit_id=k[0], item_id=k[1], month=k[2], received=v[0], finished=v[1], on_time=v[2]
        ),
    ),
    "followup_day": (
        FollowUpDay,
        lambda k, v: FollowUpDay(org_unit_id=k[0], day=k[1], due=v[0], done=v[1]),
    ),
    "followup_month": (
        FollowUpMonth,
        lambda k, v: FollowUpMonth(org_unit_id=k[0], month=k[1], due=v[0], done=v[1]),
    ),
    "case_handler_month": (
        CaseHandlerMonth,
        lambda k, v: CaseHandlerMonth(
            org_unit_id=k[0], handler_id=k[1], month=k[2], finished=v[0], on_time=v[1]
        ),
    ),
}
# The tables of migration 0002, the ones a database has before migration 0003.
FIRST_TABLES = ("case_day", "case_unit_month", "case_month", "followup_day", "followup_month")


def rebuild(using: str = "default", tables: tuple[str, ...] | None = None) -> dict[str, int]:
    """Replace the summary tables (all, or those named) with a recount; returns the rows
    written per table."""
    with transaction.atomic(using=using):
        return _rebuild(using, tables or tuple(TABLES))


def _rebuild(using: str, tables: tuple[str, ...]) -> dict[str, int]:
    connection = connections[using]
    models = [TABLES[name][0] for name in tables]
    if connection.vendor == "postgresql":
        # The triggers of concurrent writers wait until the new content is committed.
        names = ", ".join(model._meta.db_table for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
    counts = recount(using)
    written: dict[str, int] = {}
    for model in models:
        model._default_manager.using(using).all().delete()
    for name in tables:
        model, make = TABLES[name]
        rows = counts[name]
        model._default_manager.using(using).bulk_create(
            (make(key, values) for key, values in rows.items()), batch_size=5000
        )
        written[name] = len(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return written
