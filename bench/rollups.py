"""The aggregates of the cockpits, work reports, 办事公开 and 月冠军 read from the summary tables, next
to the same figures recounted from the records (what the pages did before), on one database.

A benchmark, not a test. Point DATABASE_URL at a database built by `make bench-city` (the city
database) or any copy with data, then:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengtong_bench_city \\
        AUDIT_HMAC_DEV_KEY=True .venv/bin/python bench/rollups.py

For each figure: the median and p95 over BENCH_REPEAT runs (default 15) of the recount and of
the rollup read, their ratio, and whether the two give the same numbers.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = max(15, int(os.environ.get("BENCH_REPEAT", "15")))


def timed(fn) -> tuple[float, float, object]:
    fn()
    times, result = [], None
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    ordered = sorted(times)
    return statistics.median(times), ordered[int(0.95 * (len(ordered) - 1))], result


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengtong.settings")
    import django

    django.setup()
    from zhengtong.accounts.models import Role, User
    from zhengtong.accounts.scope import scope, unit_paths
    from zhengtong.lib import periods
    from zhengtong.rollups import read
    from zhengtong.rollups.tests.checks import finished_from_records, followups_from_records
    from zhengtong.services import reports

    today = periods.today()
    year = today.replace(month=1, day=1)
    month = today.replace(day=1)
    rows = []
    for username in ("leader", "mayor"):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        path = unit_paths(user, [Role.LEADER])[0]
        days = scope(read.case_days(), user, [Role.LEADER])
        months = scope(read.case_months(), user, [Role.LEADER])
        f_days = scope(read.followup_days(), user, [Role.LEADER])
        f_months = scope(read.followup_months(), user, [Role.LEADER])
        rows.append(
            (
                f"cases finished this year ({username})",
                lambda p=path: finished_from_records(p, year, today),
                lambda d=days, m=months: read.cases_finished(d, m, year, today),
            )
        )
        rows.append(
            (
                f"follow-ups due this year ({username})",
                lambda p=path: followups_from_records(p, year, today),
                lambda d=f_days, m=f_months: read.followups_due(d, m, year, today),
            )
        )
    rows.append(
        (
            "办事公开 this month, all halls",
            lambda: reports.disclosure_count(month=month),
            lambda: reports.disclosure_running(month=month),
        )
    )
    from zhengtong.accounts.models import OrgUnit

    for hall in OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWN).order_by("path")[:2]:
        rows.append(
            (
                f"月冠军 finished per clerk ({hall.code})",
                lambda h=hall: reports.handler_finished_count(hall=h, month=month),
                lambda h=hall: reports.handler_finished(hall=h, month=month),
            )
        )
    head = (
        f"{'figure':<40}{'recount ms':>11}{'p95':>8}{'rollup ms':>10}{'p95':>8}{'ratio':>8}  same"
    )
    print(head)
    print("-" * len(head))
    for label, before, after in rows:
        b_med, b_p95, b_res = timed(before)
        a_med, a_p95, a_res = timed(after)
        ratio = b_med / a_med if a_med else float("inf")
        print(
            f"{label:<40}{b_med:>11.1f}{b_p95:>8.1f}{a_med:>10.1f}{a_p95:>8.1f}{ratio:>7.1f}×"
            f"  {'yes' if b_res == a_res else 'NO'}"
        )


if __name__ == "__main__":
    main()
