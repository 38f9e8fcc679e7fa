"""The summary tables counted again from the records: the definition of every figure.

`recount()` returns what the tables must hold (zero rows left out); `rebuild()` replaces their
content with it (`manage.py recount_rollups`, after a bulk load or a migration that moves rows
past the triggers); `differences()` lists where the stored tables and a recount disagree.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connections, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate, TruncMonth

from zhengtong.population.models import FollowUp
from zhengtong.services.models import Application

from .models import CaseDay, CaseItemMonth, CaseMonth, FollowUpDay, FollowUpMonth
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
    return {
        "case_day": _dated(case_day),
        "case_unit_month": unit_month,
        "case_month": case_month,
        "followup_day": follow_day,
        "followup_month": _dated(follow_month),
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


def rebuild(using: str = "default") -> dict[str, int]:
    """Replace the summary tables with a recount; returns the rows written per table."""
    with transaction.atomic(using=using):
        return _rebuild(using)


def _rebuild(using: str) -> dict[str, int]:
    connection = connections[using]
    if connection.vendor == "postgresql":
        # The triggers of concurrent writers wait until the new content is committed.
        with connection.cursor() as cursor:
            cursor.execute(
                "LOCK TABLE rollups_caseday, rollups_caseitemmonth, rollups_followupday,"
                " rollups_casemonth, rollups_followupmonth IN EXCLUSIVE MODE"
            )
    counts = recount(using)
    written: dict[str, int] = defaultdict(int)
    for model in (CaseDay, CaseMonth, CaseItemMonth, FollowUpDay, FollowUpMonth):
        model.objects.using(using).all().delete()
    batch = 5000
    CaseDay.objects.using(using).bulk_create(
        (
            CaseDay(org_unit_id=u, day=d, received=r, finished=f, on_time=o)
            for (u, d), (r, f, o) in counts["case_day"].items()
        ),
        batch_size=batch,
    )
    CaseMonth.objects.using(using).bulk_create(
        (
            CaseMonth(org_unit_id=u, month=m, received=r, finished=f, on_time=o)
            for (u, m), (r, f, o) in counts["case_unit_month"].items()
        ),
        batch_size=batch,
    )
    CaseItemMonth.objects.using(using).bulk_create(
        (
            CaseItemMonth(org_unit_id=u, item_id=i, month=m, received=r, finished=f, on_time=o)
            for (u, i, m), (r, f, o) in counts["case_month"].items()
        ),
        batch_size=batch,
    )
    FollowUpDay.objects.using(using).bulk_create(
        (
            FollowUpDay(org_unit_id=u, day=d, due=n, done=k)
            for (u, d), (n, k) in counts["followup_day"].items()
        ),
        batch_size=batch,
    )
    FollowUpMonth.objects.using(using).bulk_create(
        (
            FollowUpMonth(org_unit_id=u, month=m, due=n, done=k)
            for (u, m), (n, k) in counts["followup_month"].items()
        ),
        batch_size=batch,
    )
    for name, rows in counts.items():
        written[name] = len(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (CaseDay, CaseMonth, CaseItemMonth, FollowUpDay, FollowUpMonth):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return dict(written)
