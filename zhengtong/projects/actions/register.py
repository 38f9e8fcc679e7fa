"""The register itself: create and edit a project, move it between stages, assign its leaders."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import has_role
from zhengtong.audit.actions import diff, record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event

# At or above 1 万亿元 an amount is a typing mistake (usually 万元 typed into a 元 field).
from zhengtong.lib.money import AMOUNT_CAP

from ..lists import remaining_of, with_remaining
from ..models import (
    STAGE_REOPEN,
    STAGE_TRANSITIONS,
    KeyProject,
    ListEntry,
    ProjectLeader,
    ProjectList,
    Stage,
)
from ..selectors import leader_candidates

# The fields project_update() may change. Stage has its own action; leaders too.
REGISTER_FIELDS = [
    "code",
    "name",
    "year",
    "sector",
    "category",
    "project_type",
    "org_unit",
    "responsible_unit",
    "location",
    "description",
    "total_investment",
    "annual_plan",
    "planned_start_on",
    "planned_finish_on",
    "actual_start_on",
    "actual_finish_on",
    "is_example",
]
# `annual_plan` is not a column of the project: it is the plan on the list of the project's
# 入库年度 (ListEntry). The other register fields are the project's own.
PLAN_FIELD = "annual_plan"
MODEL_FIELDS = [f for f in REGISTER_FIELDS if f != PLAN_FIELD]
PLAN_LABEL = "年度计划投资(元)"
# Revising money or dates is a change of plan (KP12): it must say why.
REASON_FIELDS = [
    "total_investment",
    "annual_plan",
    "planned_start_on",
    "planned_finish_on",
    "actual_start_on",
    "actual_finish_on",
]
# Stages a project may be created in without naming its 帮包 leaders.
STAGES_WITHOUT_LEADERS = {Stage.NOT_STARTED, Stage.SURVEY}


def _snap(project: KeyProject, fields) -> dict:
    """Like audit.snapshot(), but related units and sectors by name so the history reads well."""
    model_fields = [f for f in fields if f != PLAN_FIELD]
    data = snapshot(project, model_fields)
    if PLAN_FIELD in fields:
        plan = project.annual_plan
        data[PLAN_FIELD] = None if plan is None else str(Decimal(plan).quantize(Decimal("0.01")))
    for name in model_fields:
        field = project._meta.get_field(name)
        if field.is_relation:
            related = getattr(project, name)
            data[name] = str(related) if related is not None else None
        elif isinstance(field, models.DecimalField) and data[name] is not None:
            # 100 and 100.00 are the same amount: compare and show them the same way.
            places = Decimal(10) ** -field.decimal_places
            data[name] = str(Decimal(data[name]).quantize(places))
    return data


def _label(field: str) -> str:
    if field == PLAN_FIELD:
        return PLAN_LABEL
    model_field = KeyProject._meta.get_field(field)
    return str(model_field.verbose_name) if isinstance(model_field, models.Field) else field


def _validate(project: KeyProject) -> None:
    """The register's own rules first (with messages naming the field), then the model's."""
    errors: dict[str, list[str]] = {}
    for field in ("total_investment", "annual_plan"):
        value = getattr(project, field)
        if value is None:
            continue
        if value < 0:
            errors.setdefault(field, []).append(f"{_label(field)}不能为负数。")
        elif value >= AMOUNT_CAP:
            errors.setdefault(field, []).append(
                f"{_label(field)}超过 1 万亿元,请核对金额单位(应以元为单位)。"
            )
    if (
        project.total_investment is not None
        and project.annual_plan is not None
        and project.annual_plan > project.total_investment
    ):
        errors.setdefault(PLAN_FIELD, []).append("年度计划投资(元)不能超过总投资(元)。")
    if (
        project.planned_start_on
        and project.planned_finish_on
        and project.planned_finish_on < project.planned_start_on
    ):
        errors.setdefault("planned_finish_on", []).append("计划竣工日期不能早于计划开工日期。")
    if (
        project.actual_start_on
        and project.actual_finish_on
        and project.actual_finish_on < project.actual_start_on
    ):
        errors.setdefault("actual_finish_on", []).append("实际竣工日期不能早于实际开工日期。")
    if project.pk and project.total_investment is not None:
        above = (
            ListEntry.objects.filter(project=project, annual_plan__gt=project.total_investment)
            .exclude(project_list__year=project.year)
            .values_list("project_list__year", flat=True)
        )
        if above:
            years = "、".join(f"{y}年" for y in above)
            errors.setdefault("total_investment", []).append(
                f"总投资(元)不能低于{years}清单中的年度计划投资。"
            )
    if errors:
        raise ValidationError(errors)
    project.full_clean()


def _place_on_list(project: KeyProject, plan: Decimal) -> tuple[ListEntry, list]:
    """Put `project` on the list of its 入库年度 with `plan` (the list is created as a draft
    when the year has none), or change its plan there. Returns the entry and [old, new] plan.

    The ceiling is what is left to invest before that year; the register's audit event
    records the change, so joining an approved list this way is an audited change of it.
    """
    project_list, _ = ProjectList.objects.get_or_create(
        year=project.year, defaults={"title": ProjectList.default_title(project.year)}
    )
    remaining = remaining_of(
        with_remaining(KeyProject.objects.filter(pk=project.pk), year=project.year)
        .only("pk", "total_investment")
        .get()
    )
    if plan > remaining:
        raise ValidationError(
            {PLAN_FIELD: "年度计划投资(元)不能超过剩余投资(元)(总投资减去以前年度已完成投资)。"}
        )
    entry = ListEntry.objects.filter(project_list=project_list, project=project).first()
    if entry is None:
        last = project_list.entries.order_by("-position").values_list("position", flat=True)
        entry = ListEntry.objects.create(
            project_list=project_list,
            project=project,
            position=(last.first() or 0) + 1,
            annual_plan=plan,
            origin=ListEntry.Origin.NEW,
            remaining_investment=remaining,
        )
        return entry, [None, str(plan)]
    old = str(entry.annual_plan)
    entry.annual_plan = plan
    entry.remaining_investment = remaining
    entry.save(update_fields=["annual_plan", "remaining_investment"])
    return entry, [old, str(plan)]


def _check_leaders(project: KeyProject, leaders) -> list:
    leaders = list(dict.fromkeys(leaders))
    allowed = set(leader_candidates(project.org_unit).values_list("pk", flat=True))
    for user in leaders:
        if user.pk not in allowed:
            raise ValidationError({"leaders": f"“{user}”不是本区区领导,不能作为帮包领导。"})
    return leaders


@audited_atomic
def project_create(
    *,
    actor,
    code: str,
    name: str,
    year: int,
    sector,
    category: str,
    org_unit,
    total_investment: Decimal,
    annual_plan: Decimal,
    responsible_unit=None,
    project_type: str = KeyProject.ProjectType.CONSTRUCTION,
    location: str = "",
    description: str = "",
    planned_start_on=None,
    planned_finish_on=None,
    stage: str = Stage.NOT_STARTED,
    is_example: bool = False,
    leaders=(),
) -> KeyProject:
    """Add a project to the register; a project in 在建 or later needs its 帮包 leaders at once."""
    project = KeyProject(
        code=(code or "").strip(),
        name=(name or "").strip(),
        year=year,
        sector=sector,
        category=category,
        project_type=project_type,
        org_unit=org_unit,
        responsible_unit=responsible_unit,
        location=location,
        description=description,
        total_investment=total_investment,
        planned_start_on=planned_start_on,
        planned_finish_on=planned_finish_on,
        stage=stage,
        is_example=is_example,
    )
    project.annual_plan = annual_plan
    _validate(project)
    if stage not in STAGES_WITHOUT_LEADERS and not leaders:
        raise ValidationError(
            {"stage": f"以“{Stage(stage).label}”阶段登记项目时须至少指定一名帮包领导。"}
        )
    leaders = _check_leaders(project, leaders)
    today = timezone.localdate()
    if stage in (Stage.UNDER_CONSTRUCTION, Stage.COMPLETED):
        project.actual_start_on = planned_start_on or today
    if stage == Stage.COMPLETED:
        project.actual_finish_on = planned_finish_on or today
    project.save()
    project.annual_plan = Decimal(annual_plan).quantize(Decimal("0.01"))
    _place_on_list(project, project.annual_plan)
    ProjectLeader.objects.bulk_create(
        [ProjectLeader(project=project, user=u, assigned_on=today) for u in leaders]
    )
    changes = {k: [None, v] for k, v in _snap(project, [*REGISTER_FIELDS, "stage"]).items()}
    changes["project_list"] = [None, ProjectList.default_title(project.year)]
    if leaders:
        changes["leaders"] = [[], [str(u) for u in leaders]]
    record_event(
        actor=actor,
        action="project_created",
        target=project,
        kind=Event.Kind.CREATE,
        changes=changes,
    )
    return project


@audited_atomic
def project_update(*, actor, project: KeyProject, reason: str = "", **fields) -> KeyProject:
    """Change register fields; revising investment or dates needs a reason (kept in the log)."""
    unknown = set(fields) - set(REGISTER_FIELDS)
    if "stage" in unknown:
        raise ValidationError({"stage": "阶段须通过“变更阶段”修改。"})
    if unknown:
        raise TypeError(f"project_update() cannot change {sorted(unknown)}")
    project = KeyProject.objects.select_for_update().get(pk=project.pk)
    before = _snap(project, REGISTER_FIELDS)
    for field, value in fields.items():
        if field in ("code", "name") and isinstance(value, str):
            value = value.strip()
        setattr(project, field, value)
    changes = diff(before, _snap(project, REGISTER_FIELDS))
    if not changes:
        return project
    reason = (reason or "").strip()
    revised = [f for f in REASON_FIELDS if f in changes]
    if revised and not reason:
        names = "、".join(_label(f) for f in revised)
        raise ValidationError({"reason": f"修改{names}须填写变更理由。"})
    _validate(project)
    columns = [f for f in fields if f != PLAN_FIELD]
    project.save(update_fields=[*columns, "updated_at"])
    plan = project.annual_plan
    if plan is not None and (PLAN_FIELD in changes or "year" in changes):
        _place_on_list(project, Decimal(plan).quantize(Decimal("0.01")))
    record_event(
        actor=actor, action="project_updated", target=project, changes=changes, reason=reason
    )
    return project


@audited_atomic
def project_set_stage(*, actor, project: KeyProject, stage: str, reason: str = "") -> KeyProject:
    """Move a project along STAGE_TRANSITIONS; a reopening needs the office and a reason."""
    project = KeyProject.objects.select_for_update().get(pk=project.pk)
    old, new = Stage(project.stage), Stage(stage)
    reason = (reason or "").strip()
    if new == old:
        raise ValidationError({"stage": f"项目已处于“{old.label}”阶段。"})
    if new in STAGE_REOPEN.get(old, set()):
        if not has_role(actor, Role.PROJECT_OFFICE):
            raise ValidationError({"stage": "只有重点项目办可以重新启用项目。"})
        if not reason:
            raise ValidationError({"reason": f"从“{old.label}”重新启用为“{new.label}”须填写理由。"})
    elif new not in STAGE_TRANSITIONS[old]:
        raise ValidationError({"stage": f"不允许从“{old.label}”变更为“{new.label}”。"})
    if new == Stage.UNDER_CONSTRUCTION and not project.leader_links.exists():
        raise ValidationError({"stage": "转为在建前须至少指定一名帮包领导。"})
    before = snapshot(project, ["stage", "actual_start_on", "actual_finish_on"])
    today = timezone.localdate()
    project.stage = new
    if new == Stage.UNDER_CONSTRUCTION:
        project.actual_start_on = project.actual_start_on or today
        # A reopened project is no longer finished.
        project.actual_finish_on = None
    if new == Stage.COMPLETED:
        project.actual_start_on = project.actual_start_on or today
        project.actual_finish_on = project.actual_finish_on or today
    project.save(update_fields=["stage", "actual_start_on", "actual_finish_on", "updated_at"])
    changes = diff(before, snapshot(project, ["stage", "actual_start_on", "actual_finish_on"]))
    record_event(
        actor=actor,
        action="project_stage_changed",
        target=project,
        changes=changes,
        reason=reason,
    )
    return project


@audited_atomic
def project_set_leaders(
    *, actor, project: KeyProject, leaders, responsible_unit=None
) -> KeyProject:
    """Replace the 帮包 leaders (and optionally the responsible unit) of a project."""
    project = KeyProject.objects.select_for_update().get(pk=project.pk)
    leaders = _check_leaders(project, leaders)
    if not leaders and project.stage == Stage.UNDER_CONSTRUCTION:
        raise ValidationError({"leaders": "在建项目至少须保留一名帮包领导。"})
    current = list(project.leader_links.select_related("user").order_by("user__username"))
    old_names = [str(link.user) for link in current]
    wanted = {u.pk for u in leaders}
    project.leader_links.exclude(user__in=wanted).delete()
    kept = {link.user_id for link in current}
    today = timezone.localdate()
    ProjectLeader.objects.bulk_create(
        [
            ProjectLeader(project=project, user=u, assigned_on=today)
            for u in leaders
            if u.pk not in kept
        ]
    )
    changes: dict[str, list[Any]] = {}
    new_names = [str(u) for u in sorted(leaders, key=lambda u: u.username)]
    if set(old_names) != set(new_names) or len(old_names) != len(new_names):
        changes["leaders"] = [old_names, new_names]
    if responsible_unit is not None and responsible_unit.pk != project.responsible_unit_id:
        changes["responsible_unit"] = [str(project.responsible_unit or ""), str(responsible_unit)]
        project.responsible_unit = responsible_unit
        project.save(update_fields=["responsible_unit", "updated_at"])
    if changes:
        record_event(actor=actor, action="project_leaders_changed", target=project, changes=changes)
    return project
