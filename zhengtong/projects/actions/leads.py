"""招商引资: a lead from the first talks (洽谈) through 签约 and 落地 to a key project, or 终止.

A lead moves one stage at a time and never back; 终止 is open from every stage before it
becomes a key project, and says why. Each move is dated (not in the future, not before the
previous step), kept as a `LeadStep` and recorded in the audit log in the same transaction.
A lead becomes a key project once: through the register's own project_create(), or by linking
a project already on the register that no other lead owns. Views decide who may call.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.money import format_yuan, parse_amount

from ..models import (
    LEAD_NEXT,
    LEAD_OPEN_STAGES,
    LEAD_PLATES,
    InvestmentLead,
    KeyProject,
    LeadStage,
    LeadStep,
)
from ..selectors import LEAD_MANAGE_ROLES, lead_owner_candidates
from .register import project_create

CREATE_FIELDS = [
    "company",
    "sector",
    "intended_investment",
    "source",
    "org_unit",
    "owner",
    "contacted_on",
    "note",
]


def _past_date(value, *, field: str, label: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValidationError({field: f"请填写{label}。"})
    if value > timezone.localdate():
        raise ValidationError({field: f"{label}不能晚于今天。"})
    return value


def _text(value, *, field: str, label: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: f"请填写{label}。"})
    if len(text) > limit:
        raise ValidationError({field: f"{label}不能超过 {limit} 个字。"})
    return text


def _check_owner(owner, org_unit) -> None:
    if owner is None or not lead_owner_candidates(org_unit).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": f"招商责任人须是{org_unit}的领导或工作人员。"})


def _require_manager(actor, org_unit) -> None:
    """Only the key-project office of the lead's unit (or of a unit above it) keeps its leads."""
    if not can_act_in(actor, org_unit, LEAD_MANAGE_ROLES):
        raise PermissionDenied("只有该单位的重点项目办可以登记和推进招商线索。")


def _locked(actor, lead: InvestmentLead) -> InvestmentLead:
    """The lead re-read under a row lock (two moves at the same moment cannot both pass), for
    an actor who keeps it."""
    lead = (
        # Lock the lead's row only: its project may be NULL (an outer join PostgreSQL cannot lock).
        InvestmentLead.objects.select_for_update(of=("self",))
        .select_related("org_unit", "sector", "owner", "project")
        .get(pk=lead.pk)
    )
    _require_manager(actor, lead.org_unit)
    return lead


def _last_step_on(lead: InvestmentLead) -> datetime.date:
    last = lead.steps.order_by("-happened_on").values_list("happened_on", flat=True).first()
    return last or lead.contacted_on


def _check_move(lead: InvestmentLead, to: str, on: datetime.date, field: str) -> None:
    current = LeadStage(lead.stage)
    if to == LeadStage.TERMINATED:
        if current not in LEAD_OPEN_STAGES:
            raise ValidationError(f"线索已{current.label},不能再终止。")
    elif LEAD_NEXT.get(current) != to:
        expected = LEAD_NEXT.get(current)
        if expected is None:
            raise ValidationError(f"线索已{current.label},不能再变更阶段。")
        raise ValidationError(
            f"线索当前为“{current.label}”,下一步只能是“{expected.label}”,"
            f"不能直接{LeadStage(to).label}。"
        )
    before = _last_step_on(lead)
    if on < before:
        raise ValidationError({field: f"日期不能早于上一步的日期 {before:%Y-%m-%d}。"})


def _move(
    *,
    actor,
    action: str,
    lead: InvestmentLead,
    to: str,
    on: datetime.date,
    note: str,
    changes: dict,
) -> InvestmentLead:
    """Save the fields in `changes` and the new stage, add the step and the audit row."""
    old = lead.stage
    lead.stage = to
    lead.save(update_fields=[*changes, "stage", "updated_at"])
    LeadStep.objects.create(lead=lead, stage=to, happened_on=on, note=note, recorded_by=actor)
    record_event(
        actor=actor,
        action=action,
        target=lead,
        changes={"stage": [old, to], **changes},
        reason=note,
        org_unit=lead.org_unit,
    )
    return lead


@audited_atomic
def lead_create(
    *,
    actor,
    company: str,
    sector,
    intended_investment,
    source: str,
    org_unit,
    owner,
    contacted_on: datetime.date,
    note: str = "",
    is_example: bool = False,
) -> InvestmentLead:
    """Register a lead in 洽谈, dated by its first talks."""
    _require_manager(actor, org_unit)
    company = _text(company, field="company", label="企业名称", limit=100)
    if sector is None or sector.plate not in LEAD_PLATES:
        raise ValidationError({"sector": "请选择开发区的主导产业。"})
    amount = parse_amount(intended_investment, field="intended_investment", label="意向投资")
    if source not in InvestmentLead.Source.values:
        raise ValidationError({"source": "请选择线索来源。"})
    contacted_on = _past_date(contacted_on, field="contacted_on", label="首次洽谈日期")
    _check_owner(owner, org_unit)
    lead = InvestmentLead.objects.create(
        company=company,
        sector=sector,
        intended_investment=amount,
        source=source,
        org_unit=org_unit,
        owner=owner,
        contacted_on=contacted_on,
        note=(note or "").strip(),
        is_example=is_example,
        created_by=actor,
    )
    LeadStep.objects.create(
        lead=lead,
        stage=LeadStage.NEGOTIATING,
        happened_on=contacted_on,
        note=f"{lead.get_source_display()},意向投资 {format_yuan(amount, '万元')}",
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action="lead_created",
        target=lead,
        kind=Event.Kind.CREATE,
        changes={k: [None, v] for k, v in snapshot(lead, [*CREATE_FIELDS, "stage"]).items()},
        org_unit=org_unit,
    )
    return lead


@audited_atomic
def lead_sign(
    *, actor, lead: InvestmentLead, contract_amount, signed_on, note: str = ""
) -> InvestmentLead:
    """洽谈 → 签约: the contract's amount and date."""
    amount = parse_amount(contract_amount, field="contract_amount", label="协议投资")
    signed_on = _past_date(signed_on, field="signed_on", label="签约日期")
    lead = _locked(actor, lead)
    _check_move(lead, LeadStage.SIGNED, signed_on, "signed_on")
    lead.contract_amount, lead.signed_on = amount, signed_on
    changes = {"contract_amount": [None, str(amount)], "signed_on": [None, signed_on.isoformat()]}
    note = _text(note, field="note", label="说明", limit=300, required=False)
    return _move(actor=actor, action="lead_signed", lead=lead, to=LeadStage.SIGNED, on=signed_on, note=note,
                 changes=changes)  # fmt: skip


@audited_atomic
def lead_land(
    *, actor, lead: InvestmentLead, registered_company: str, land: str, landed_on, note: str = ""
) -> InvestmentLead:
    """签约 → 落地: the company registered in the zone and the land it builds on."""
    registered_company = _text(
        registered_company, field="registered_company", label="注册企业名称", limit=100
    )
    land = _text(land, field="land", label="项目用地", limit=200)
    landed_on = _past_date(landed_on, field="landed_on", label="落地日期")
    lead = _locked(actor, lead)
    _check_move(lead, LeadStage.LANDED, landed_on, "landed_on")
    lead.registered_company, lead.land, lead.landed_on = registered_company, land, landed_on
    changes = {
        "registered_company": ["", registered_company],
        "land": ["", land],
        "landed_on": [None, landed_on.isoformat()],
    }
    note = _text(note, field="note", label="说明", limit=300, required=False)
    return _move(actor=actor, action="lead_landed", lead=lead, to=LeadStage.LANDED, on=landed_on, note=note,
                 changes=changes)  # fmt: skip


@audited_atomic
def lead_convert(
    *,
    actor,
    lead: InvestmentLead,
    converted_on,
    project: KeyProject | None = None,
    new_project: dict | None = None,
) -> InvestmentLead:
    """落地 → 转为重点项目: link `project` (on the register, owned by no other lead) or create
    one from `new_project` (the arguments of project_create(), less actor and sector) through
    the register's own action. A lead becomes a key project once."""
    converted_on = _past_date(converted_on, field="converted_on", label="转为重点项目日期")
    lead = _locked(actor, lead)
    if lead.project_id is not None:
        raise ValidationError(f"该线索已转为重点项目“{lead.project}”,不能重复转入。")
    _check_move(lead, LeadStage.CONVERTED, converted_on, "converted_on")
    if (project is None) == (new_project is None):
        raise ValidationError({"project": "请选择已登记的重点项目,或填写新项目的信息(二选一)。"})
    if project is not None:
        project = KeyProject.objects.select_for_update().get(pk=project.pk)
        owner = InvestmentLead.objects.filter(project=project).exclude(pk=lead.pk).first()
        if owner is not None:
            raise ValidationError(
                {"project": f"重点项目“{project}”已由招商线索“{owner}”转入,不能重复关联。"}
            )
        how = "关联已登记项目"
    else:
        assert new_project is not None
        project = project_create(actor=actor, sector=lead.sector, **new_project)
        how = "新登记项目"
    lead.project, lead.converted_on = project, converted_on
    changes = {
        "project": [None, str(project)],
        "converted_on": [None, converted_on.isoformat()],
    }
    return _move(actor=actor, action="lead_converted", lead=lead, to=LeadStage.CONVERTED, on=converted_on,
                 note=f"{how}:{project.code} {project.name}", changes=changes)  # fmt: skip


@audited_atomic
def lead_terminate(*, actor, lead: InvestmentLead, reason: str, terminated_on) -> InvestmentLead:
    """Any stage before 转为重点项目 → 终止, with the reason."""
    reason = _text(reason, field="reason", label="终止原因", limit=300)
    terminated_on = _past_date(terminated_on, field="terminated_on", label="终止日期")
    lead = _locked(actor, lead)
    _check_move(lead, LeadStage.TERMINATED, terminated_on, "terminated_on")
    lead.terminated_on, lead.termination_reason = terminated_on, reason
    changes = {
        "terminated_on": [None, terminated_on.isoformat()],
        "termination_reason": ["", reason],
    }
    return _move(actor=actor, action="lead_terminated", lead=lead, to=LeadStage.TERMINATED, on=terminated_on,
                 note=reason, changes=changes)  # fmt: skip
