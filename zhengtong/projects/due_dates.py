"""How the open problems of the 问题台账 follow a change of the working-day calendar."""

from zhengtong.workdays.recompute import Recomputed, recompute_rows, span_filter

from .models import Problem


def recompute_problems(calendar, years) -> list[Recomputed]:
    """Open problems: raised_on + deadline_workdays."""
    rows = (
        Problem.objects.select_for_update(of=("self",))
        .filter(status=Problem.Status.OPEN)
        .filter(span_filter("raised_on", "due_on", years))
        .order_by("pk")
    )
    return recompute_rows(
        calendar,
        rows,
        kind="项目问题",
        compute=lambda p: (p.raised_on, calendar.add_workdays(p.raised_on, p.deadline_workdays)),
        title=lambda p: p.title,
        owner_id=lambda p: p.raised_by_id,
    )
