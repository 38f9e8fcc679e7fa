"""Yearly lists: carry this year's unfinished projects to next year's draft, then approve it.

A draft is saved whole (every row of the page at once, 序号 renumbered 1..n in page order) and
may be saved again; approval freezes it in one audited change. An approved list is changed only
by the register itself (a project registered for that year joins its list, audited there).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.money import format_yuan

from ..lists import CLOSED_STAGES, MAX_YEAR, MIN_YEAR, remaining_of, with_remaining
from ..models import KeyProject, ListEntry, ProjectList
from .register import AMOUNT_CAP


@dataclass(frozen=True)
class DraftRow:
    """One row of a draft as the office typed it: a project and its plan (元)."""

    project: KeyProject
    annual_plan: Decimal


def _money(value: Decimal) -> str:
    return format_yuan(value, "万元")


def _check_plans(rows: list[DraftRow], *, year: int) -> dict[int, Decimal]:
    """Plans ≥ 0 and ≤ remaining investment; the remaining of each project (one query)."""
    remaining = {
        p.pk: remaining_of(p)
        for p in with_remaining(
            KeyProject.objects.filter(pk__in=[r.project.pk for r in rows]), year=year
        ).only("pk", "total_investment")
    }
    problems = []
    for row in rows:
        name = row.project.name
        if row.annual_plan is None or row.annual_plan < 0:
            problems.append(f"“{name}”的年度计划投资不能为负数。")
        elif row.annual_plan >= AMOUNT_CAP:
            problems.append(f"“{name}”的年度计划投资超过 1 万亿元,请核对金额单位(应以元为单位)。")
        elif row.annual_plan > remaining[row.project.pk]:
            problems.append(
                f"“{name}”的年度计划投资({_money(row.annual_plan)})超过剩余投资"
                f"({_money(remaining[row.project.pk])},即总投资减去已报完成投资)。"
            )
    if problems:
        raise ValidationError(problems)
    return remaining


def _snapshot(project_list: ProjectList) -> dict:
    entries = list(project_list.entries.order_by("position"))
    return {
        "count": len(entries),
        "carried": sum(1 for e in entries if e.origin == ListEntry.Origin.CARRIED),
        "new": sum(1 for e in entries if e.origin == ListEntry.Origin.NEW),
        "annual_plan_total": str(sum((e.annual_plan for e in entries), Decimal("0.00"))),
    }


@audited_atomic
def list_draft_save(
    *,
    actor,
    year: int,
    rows: list[DraftRow],
    carried_from: ProjectList | None = None,
    is_example: bool = False,
) -> ProjectList:
    """Save the draft list of `year` with exactly `rows`, in order (created when missing)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"年度须在 {MIN_YEAR} 至 {MAX_YEAR} 年之间。")
    existing = ProjectList.objects.select_for_update().filter(year=year).first()
    if existing is not None and existing.is_approved:
        raise ValidationError(f"{year}年清单已批准,不能再修改;如需调整请另行登记。")
    seen = set()
    for row in rows:
        if row.project.pk in seen:
            raise ValidationError(f"“{row.project.name}”在清单中重复出现。")
        seen.add(row.project.pk)
        if row.project.stage in CLOSED_STAGES:
            raise ValidationError(
                f"“{row.project.name}”已{row.project.get_stage_display()},不能列入{year}年清单。"
            )
    remaining = _check_plans(rows, year=year)
    carried_ids = set()
    if carried_from is not None:
        carried_ids = set(carried_from.entries.values_list("project_id", flat=True))
    created = existing is None
    if existing is None:
        project_list = ProjectList.objects.create(
            year=year,
            title=ProjectList.default_title(year),
            carried_from=carried_from,
            is_example=is_example,
        )
        before = None
    else:
        project_list = existing
        before = _snapshot(project_list)
        carried_ids = set(
            project_list.carried_from.entries.values_list("project_id", flat=True)
            if project_list.carried_from is not None
            else []
        )
        project_list.entries.all().delete()
        project_list.save(update_fields=["updated_at"])
    ListEntry.objects.bulk_create(
        ListEntry(
            project_list=project_list,
            project=row.project,
            position=position,
            annual_plan=row.annual_plan,
            origin=(
                ListEntry.Origin.CARRIED if row.project.pk in carried_ids else ListEntry.Origin.NEW
            ),
            remaining_investment=remaining[row.project.pk],
        )
        for position, row in enumerate(rows, start=1)
    )
    after = _snapshot(project_list)
    changes = {k: [None if before is None else before[k], v] for k, v in after.items()}
    if carried_from is not None and created:
        changes["carried_from"] = [None, str(carried_from)]
    record_event(
        actor=actor,
        action="project_list_drafted" if created else "project_list_draft_saved",
        target=project_list,
        kind=Event.Kind.CREATE if created else Event.Kind.UPDATE,
        changes=changes,
    )
    return project_list


@audited_atomic
def list_approve(*, actor, project_list: ProjectList) -> ProjectList:
    """Approve a draft list as one change: it then counts in every figure and is frozen."""
    project_list = ProjectList.objects.select_for_update().get(pk=project_list.pk)
    if project_list.is_approved:
        raise ValidationError(f"{project_list.year}年清单已经批准,不能重复批准。")
    if (
        ProjectList.objects.filter(year=project_list.year, status=ProjectList.Status.APPROVED)
        .exclude(pk=project_list.pk)
        .exists()
    ):
        raise ValidationError(f"{project_list.year}年已有批准的清单。")
    entries = list(project_list.entries.select_related("project").order_by("position"))
    if not entries:
        raise ValidationError("清单中没有项目,不能批准。")
    # Reports filed since the draft was saved lower what is left to invest: check again.
    _check_plans(
        [DraftRow(project=e.project, annual_plan=e.annual_plan) for e in entries],
        year=project_list.year,
    )
    project_list.status = ProjectList.Status.APPROVED
    project_list.approved_by = actor
    project_list.approved_at = timezone.now()
    project_list.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    summary = _snapshot(project_list)
    record_event(
        actor=actor,
        action="project_list_approved",
        target=project_list,
        changes={
            "status": [ProjectList.Status.DRAFT.label, ProjectList.Status.APPROVED.label],
            **{k: [None, v] for k, v in summary.items()},
        },
    )
    return project_list
