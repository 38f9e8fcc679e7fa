"""Portfolio aggregates of key projects, computed in the database.

The cockpit and the API summary both read from here. Every function takes a queryset of
projects the caller already scoped (see selectors.projects_visible_to) and put on one yearly
list (`KeyProject.objects.on_list(year)`, which annotates each project's `annual_plan` of that
list), and runs a fixed number of queries however many projects it holds. Amounts are Decimal 元. The plan-versus-actual rule
itself lives in progress.py; this module only applies it.
"""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from zhengtong.lib.money import fen, percent

from . import progress
from .models import STAGE_CLASS, ProgressReport, ProjectLeader, Stage

ZERO = Decimal("0.00")
# The seed's classes in display order; 已取消 is kept apart from the three.
STAGE_CLASSES = [Stage.NOT_STARTED, Stage.UNDER_CONSTRUCTION, Stage.COMPLETED, Stage.CANCELLED]


def _pks(queryset: QuerySet) -> QuerySet:
    # A plain pk subquery: safe to nest whatever annotations or ordering the caller added.
    return queryset.order_by().values("pk")


def totals(queryset: QuerySet) -> dict:
    """Count, Σ total investment and Σ annual plan (one query)."""
    row = queryset.order_by().aggregate(
        count=Count("pk"), total_investment=Sum("total_investment"), annual_plan=Sum("annual_plan")
    )
    return {
        "count": row["count"],
        "total_investment": fen(row["total_investment"]),
        "annual_plan": fen(row["annual_plan"]),
    }


def by_stage(queryset: QuerySet) -> dict[str, int]:
    """{stage: count} for every stage, zero included (one query)."""
    counts = dict(queryset.order_by().values_list("stage").annotate(n=Count("pk")))
    return {stage.value: counts.get(stage.value, 0) for stage in Stage}


def by_class(stage_counts: dict[str, int]) -> dict[str, int]:
    """The seed's 未开工/在建/已完成 (+已取消) from the counts by stage; no query."""
    classes = {c.value: 0 for c in STAGE_CLASSES}
    for stage, n in stage_counts.items():
        classes[STAGE_CLASS[Stage(stage)].value] += n
    return classes


def by_sector(queryset: QuerySet) -> list[dict]:
    """Per sector: count, Σ total investment, Σ annual plan (one query)."""
    rows = (
        queryset.order_by()
        .values("sector__code", "sector__name", "sector__sort_order")
        .annotate(
            count=Count("pk"),
            total_investment=Sum("total_investment"),
            annual_plan=Sum("annual_plan"),
        )
        .order_by("sector__sort_order", "sector__code")
    )
    return [
        {
            "code": r["sector__code"],
            "name": r["sector__name"],
            "count": r["count"],
            "total_investment": fen(r["total_investment"]),
            "annual_plan": fen(r["annual_plan"]),
        }
        for r in rows
    ]


def by_leader(queryset: QuerySet) -> list[dict]:
    """Per 帮包 leader: number of projects and their Σ total investment (one query)."""
    rows = (
        ProjectLeader.objects.filter(project__in=_pks(queryset))
        .values("user_id", "user__full_name", "user__username")
        .annotate(
            count=Count("project", distinct=True), total_investment=Sum("project__total_investment")
        )
        .order_by("-count", "user__full_name", "user_id")
    )
    return [
        {
            "id": r["user_id"],
            "name": r["user__full_name"] or r["user__username"],
            "count": r["count"],
            "total_investment": fen(r["total_investment"]),
        }
        for r in rows
    ]


def monthly(queryset: QuerySet, *, year: int, month: int, annual_plan: Decimal) -> list[dict]:
    """Cumulative plan and actual for months 1–12 of `year` (one query).

    The plan of the portfolio follows the same rule as a project's, applied to Σ annual plan;
    the actual is shown up to `month` and is None after it.
    """
    rows = dict(
        ProgressReport.objects.filter(
            project__in=_pks(queryset),
            month__gte=progress.month_start(year, 1),
            month__lte=progress.month_start(year, month),
        )
        .order_by()
        .values_list("month")
        .annotate(total=Sum("investment"))
    )
    by_month = {m.month: fen(total) for m, total in rows.items()}
    result = []
    running = ZERO
    for m in range(1, 13):
        running += by_month.get(m, ZERO)
        result.append(
            {
                "month": m,
                "plan": progress.cumulative_plan(annual_plan, m),
                "actual_month": by_month.get(m, ZERO) if m <= month else None,
                "actual": running if m <= month else None,
            }
        )
    return result


def progress_rows(queryset: QuerySet, *, year: int, month: int) -> list[dict]:
    """Every project with its YTD and its standing under the rule (one query, one row each)."""
    # The caller's queryset itself: its annual plans are the list's, annotated by on_list().
    projects = progress.with_ytd(queryset.order_by(), year=year, month=month).only(
        "pk", "code", "name", "stage"
    )
    rows = []
    for project in projects:
        p = progress.progress_of(project, year=year, month=month)
        rows.append(
            {
                "id": project.pk,
                "code": project.code,
                "name": project.name,
                "stage": project.stage,
                "annual_plan": fen(project.annual_plan),
                "cumulative_plan": p.cumulative_plan,
                "ytd_investment": p.ytd_investment,
                "gap": p.gap,
                "completion_pct": p.completion_pct,
                "flag": p.flag,
            }
        )
    return rows


def flag_counts(rows: list[dict]) -> dict[str, int]:
    counts = Counter(r["flag"] for r in rows)
    return {f: counts.get(f, 0) for f in progress.FLAG_LABELS}


def delayed(rows: list[dict], n: int = 10) -> list[dict]:
    """The `n` projects whose YTD lags their cumulative plan the most (only those that lag)."""
    lagging = [r for r in rows if r["gap"] > 0]
    return sorted(lagging, key=lambda r: (-r["gap"], r["code"]))[:n]


def most_delayed(queryset: QuerySet, n: int = 10, *, year: int, month: int) -> list[dict]:
    return delayed(progress_rows(queryset, year=year, month=month), n)


def summary(
    queryset: QuerySet, *, year: int | None = None, month: int | None = None, top: int = 10
) -> dict:
    """Everything the cockpit shows, over `queryset` (already scoped), in six queries.

    `year`/`month` default to the month whose reports are due (progress.default_as_of()).
    """
    if year is None or month is None:
        year, month = progress.default_as_of()
    result = totals(queryset)
    result["by_stage"] = by_stage(queryset)
    result["by_class"] = by_class(result["by_stage"])
    result["by_sector"] = by_sector(queryset)
    result["by_leader"] = by_leader(queryset)
    rows = progress_rows(queryset, year=year, month=month)
    ytd = sum((r["ytd_investment"] for r in rows), ZERO)
    result.update(
        year=year,
        month=month,
        ytd_investment=ytd,
        completion_pct=percent(ytd, result["annual_plan"]),
        monthly=monthly(queryset, year=year, month=month, annual_plan=result["annual_plan"]),
        flags=flag_counts(rows),
        most_delayed=delayed(rows, top),
    )
    return result
