"""Every change of welfare state: one transaction and one audit event each.

Actions check that the actor is a 民政 clerk allowed to change the row's department
(`require_edit`); views check the same before calling, so a refusal here is a 403 there.
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengtong.audit.actions import diff, record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.encrypted import match
from zhengtong.lib.idcard import parse_id_number
from zhengtong.lib.money import parse_amount
from zhengtong.people.actions import person_get_or_register
from zhengtong.people.models import HouseholdMember, Person

from . import scales
from .models import (
    Assessment,
    AssessmentScale,
    CensusCampaign,
    Payment,
    PaymentCycle,
    ReliefBatch,
    ReliefGrant,
    WelfareStatus,
)
from .selectors import (
    active_scale,
    add_months,
    eligibility,
    eligible_people,
    month_end,
    require_edit,
    require_keeping_unit,
    subsidy_rates,
)

ORPHAN_MAX_AGE = 18


def _unit_for(actor, org_unit):
    unit = org_unit or require_keeping_unit(actor)
    require_edit(actor, unit)
    return unit


# ------------------------------------------------------------------------------- status


@audited_atomic
def welfare_status_set(
    *,
    actor,
    person: Person,
    category: str,
    long_term_dependent: bool,
    verified_on: datetime.date,
    org_unit=None,
    in_institution: bool | None = None,
) -> WelfareStatus:
    """Record (or correct) what the office has verified about `person`."""
    if category not in WelfareStatus.Category.values:
        raise ValidationError({"category": "请选择有效的救助类别。"})
    if verified_on is None:
        raise ValidationError({"verified_on": "请填写核实日期。"})
    if verified_on > timezone.localdate():
        raise ValidationError({"verified_on": "核实日期不能晚于今天。"})
    status = WelfareStatus.objects.select_for_update().filter(person=person).first()
    fields = ["category", "long_term_dependent", "in_institution", "verified_on", "verified_by"]
    if status is None:
        unit = _unit_for(actor, org_unit)
        status = WelfareStatus(person=person, org_unit=unit)
        before, kind = {}, Event.Kind.CREATE
    else:
        require_edit(actor, status.org_unit)
        before, kind = snapshot(status, fields), Event.Kind.UPDATE
    status.category = category
    status.long_term_dependent = bool(long_term_dependent)
    if in_institution is not None:  # an import without the column keeps what is recorded
        status.in_institution = bool(in_institution)
    status.verified_on = verified_on
    status.verified_by = actor
    status.save()
    changes = diff(before, snapshot(status, fields))
    record_event(
        actor=actor,
        action="welfare_status_set",
        kind=kind,
        target=status,
        changes=changes,
        org_unit=status.org_unit,
    )
    return status


# ------------------------------------------------------------------------------- assessments


@audited_atomic
def assessment_create(
    *,
    actor,
    person: Person,
    assessed_on: datetime.date,
    scores: dict,
    assessor_1,
    assessor_2,
    scale: AssessmentScale | None = None,
    org_unit=None,
    note: str = "",
    conditions: dict | None = None,
) -> Assessment:
    """Score an assessment by the scale's definition; two different assessors sign it.

    The level, the grades and the reassessment date (assessed_on + 6 calendar months) are
    derived, never typed.
    """
    unit = _unit_for(actor, org_unit)
    scale = scale or active_scale()
    conditions = conditions or {}
    errors: dict[str, Any] = {}
    if assessed_on is None:
        errors["assessed_on"] = "请填写评估日期。"
    elif assessed_on > timezone.localdate():
        errors["assessed_on"] = "评估日期不能晚于今天。"
    if assessor_1 is None:
        errors["assessor_1"] = "请选择评估员一。"
    if assessor_2 is None:
        errors["assessor_2"] = "请选择评估员二。"
    elif assessor_1 is not None and assessor_1.pk == assessor_2.pk:
        errors["assessor_2"] = "评估员二不能与评估员一是同一人,评估需两名不同的评估员。"
    try:
        result = scales.score_scale(scale, scores, conditions=conditions)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        result = None
    if errors:
        raise ValidationError(errors)
    assert result is not None, "score_scale raised, so errors were raised above"
    months = scale.definition.get("reassess_months", 6)
    assessment = Assessment.objects.create(
        person=person,
        org_unit=unit,
        scale=scale,
        scale_version=scale.definition.get("version", scale.code),
        assessed_on=assessed_on,
        scores=scales.clean_scores(scale.definition, scores),
        grades=result.as_grades_json(),
        level=result.level,
        coma=bool(conditions.get("coma")),
        dementia=bool(conditions.get("dementia")),
        psychiatric=bool(conditions.get("psychiatric")),
        incidents_30d=int(conditions.get("incidents_30d") or 0),
        assessor_1=assessor_1,
        assessor_2=assessor_2,
        reassess_due_on=add_months(assessed_on, months),
        note=(note or "").strip(),
    )
    record_event(
        actor=actor,
        action="assessment_created",
        kind=Event.Kind.CREATE,
        target=assessment,
        changes={
            "person": [None, person.masked_id],
            "assessed_on": [None, assessed_on.isoformat()],
            "level": [None, assessment.level],
            "scale": [None, scale.code],
        },
        org_unit=unit,
    )
    return assessment


# ------------------------------------------------------------------------------- subsidy


def _require_draft(cycle: PaymentCycle) -> None:
    if cycle.status != PaymentCycle.Status.DRAFT:
        raise ValidationError({"cycle": "该发放批次已审批,不能再修改。"})


def _rate_for(rates: dict, level: int) -> Decimal:
    try:
        amount = Decimal(str(rates[str(level)]))
    except (KeyError, InvalidOperation):
        raise ValidationError(
            {"rates": f"未配置{level}级的护理补贴标准(NURSING_SUBSIDY_RATES)。"}
        ) from None
    if amount <= 0:
        raise ValidationError({"rates": f"{level}级的护理补贴标准必须大于 0。"})
    return amount


@audited_atomic
def cycle_create(*, actor, month: datetime.date, org_unit=None) -> PaymentCycle:
    """The month's cycle with one payment per eligible person, amounts by level from config.

    Eligibility is judged on the month's last day; the rates in force are kept on the cycle.
    """
    unit = _unit_for(actor, org_unit)
    if month is None:
        raise ValidationError({"month": "请选择发放月份。"})
    month = month.replace(day=1)
    if PaymentCycle.objects.filter(org_unit=unit, month=month).exists():
        raise ValidationError({"month": f"{month:%Y年%m月}的发放批次已存在。"})
    rates = subsidy_rates()
    on = month_end(month)
    statuses = WelfareStatus.objects.filter(org_unit__path__startswith=unit.path)
    found = eligible_people(statuses, on=on)
    amounts = {level: _rate_for(rates, level) for level in {a.level for _s, a in found}}
    cycle = PaymentCycle.objects.create(org_unit=unit, month=month, rates=rates)
    Payment.objects.bulk_create(
        Payment(
            cycle=cycle,
            person=status.person,
            assessment=assessment,
            level=assessment.level,
            amount=amounts[assessment.level],
        )
        for status, assessment in found
    )
    total = sum(amounts[a.level] for _s, a in found)
    record_event(
        actor=actor,
        action="payment_cycle_created",
        kind=Event.Kind.CREATE,
        target=cycle,
        changes={
            "month": [None, month.isoformat()],
            "payments": [None, len(found)],
            "total": [None, str(total)],
            "rates": [None, rates],
        },
        org_unit=unit,
    )
    return cycle


@audited_atomic
def payment_add(*, actor, cycle: PaymentCycle, person: Person) -> Payment:
    """Add one person to a draft cycle; refused when ineligible or already in it."""
    cycle = PaymentCycle.objects.select_for_update().get(pk=cycle.pk)
    require_edit(actor, cycle.org_unit)
    _require_draft(cycle)
    if cycle.payments.filter(person=person).exists():
        raise ValidationError({"person": f"{person.name}已在本月发放名单中,不能重复发放。"})
    ok, reasons = eligibility(person, month_end(cycle.month))
    if not ok:
        raise ValidationError({"person": [f"{person.name}不符合护理补贴条件:", *reasons]})
    assessment = (
        person.assessments.filter(assessed_on__lte=month_end(cycle.month))
        .order_by("-assessed_on", "-id")
        .first()
    )
    assert assessment is not None, "eligibility() holds only with an assessment"
    payment = Payment.objects.create(
        cycle=cycle,
        person=person,
        assessment=assessment,
        level=assessment.level,
        amount=_rate_for(cycle.rates, assessment.level),
    )
    record_event(
        actor=actor,
        action="payment_added",
        kind=Event.Kind.CREATE,
        target=payment,
        changes={"person": [None, person.masked_id], "amount": [None, str(payment.amount)]},
        org_unit=cycle.org_unit,
    )
    return payment


@audited_atomic
def payment_remove(*, actor, payment: Payment, reason: str) -> None:
    """Take a payment off a draft cycle, with the reason."""
    cycle = PaymentCycle.objects.select_for_update().get(pk=payment.cycle_id)
    require_edit(actor, cycle.org_unit)
    _require_draft(cycle)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写移出名单的原因。"})
    changes = {"person": [payment.person.masked_id, None], "amount": [str(payment.amount), None]}
    target_repr = str(payment)
    payment.delete()
    record_event(
        actor=actor,
        action="payment_removed",
        kind=Event.Kind.DELETE,
        target_type="welfare.payment",
        target_repr=target_repr,
        changes=changes,
        reason=reason,
        org_unit=cycle.org_unit,
    )


@audited_atomic
def cycle_approve(*, actor, cycle: PaymentCycle) -> PaymentCycle:
    """Approve a draft cycle; from then on it and its payments are frozen."""
    cycle = PaymentCycle.objects.select_for_update().get(pk=cycle.pk)
    require_edit(actor, cycle.org_unit)
    _require_draft(cycle)
    if not cycle.payments.exists():
        raise ValidationError({"cycle": "发放名单为空,不能审批。"})
    cycle.status = PaymentCycle.Status.APPROVED
    cycle.approved_by = actor
    cycle.approved_at = timezone.now()
    cycle.save(update_fields=["status", "approved_by", "approved_at"])
    record_event(
        actor=actor,
        action="payment_cycle_approved",
        target=cycle,
        changes={"status": [PaymentCycle.Status.DRAFT, PaymentCycle.Status.APPROVED]},
        org_unit=cycle.org_unit,
    )
    _tell_recipients(cycle)
    return cycle


def _tell_recipients(cycle: PaymentCycle) -> None:
    """Each recipient with a mobile number on record hears that the month's subsidy is approved
    (an SMS: the name masked, no ID number). One message per payment, however often approved."""
    from zhengtong.lib.money import format_yuan
    from zhengtong.notify.outbox import Recipient, notify

    month = f"{cycle.month.year}年{cycle.month.month}月"
    for payment in (
        cycle.payments.select_related("person").exclude(person__phone_index=None).order_by("pk")
    ):
        notify(
            event="payment_approved",
            target=payment,
            recipients=[Recipient.resident(payment.person.phone, payment.person.name)],
            context={
                "name": payment.person.name,
                "month": month,
                "amount": format_yuan(payment.amount, "元"),
                "unit": cycle.org_unit.name,
            },
            dedupe=f"payment:{payment.pk}:approved",
        )


# ------------------------------------------------------------------------------- relief


@audited_atomic
def relief_batch_create(*, actor, name: str, org_unit=None) -> ReliefBatch:
    unit = _unit_for(actor, org_unit)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写批次名称。"})
    if len(name) > 100:
        raise ValidationError({"name": "批次名称不能超过 100 个字。"})
    batch = ReliefBatch.objects.create(name=name, org_unit=unit)
    record_event(
        actor=actor,
        action="relief_batch_created",
        kind=Event.Kind.CREATE,
        target=batch,
        changes={"name": [None, name]},
        org_unit=unit,
    )
    return batch


def _require_open_batch(batch: ReliefBatch) -> None:
    if batch.status != ReliefBatch.Status.DRAFT:
        raise ValidationError({"batch": "该救助批次已审批,不能再修改。"})


@audited_atomic
def relief_grant_add(
    *,
    actor,
    batch: ReliefBatch,
    recipient_kind: str,
    id_number: str,
    name: str,
    reason: str,
    amount,
    note: str = "",
    on: datetime.date | None = None,
) -> ReliefGrant:
    """Grant relief to a family (recorded on its applicant and household) or an orphan."""
    batch = ReliefBatch.objects.select_for_update().get(pk=batch.pk)
    require_edit(actor, batch.org_unit)
    _require_open_batch(batch)
    errors = {}
    if recipient_kind not in ReliefGrant.RecipientKind.values:
        errors["recipient_kind"] = "请选择救助对象(困难家庭或孤儿)。"
    if reason not in ReliefGrant.Reason.values:
        errors["reason"] = "请选择救助原因。"
    try:
        amount = parse_amount(
            amount, field="amount", label="救助金额", maximum=Decimal("99999999.99")
        )
    except ValidationError as exc:
        errors["amount"] = exc.message_dict["amount"][0]
    try:
        parsed = parse_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
        parsed = None
    on = on or timezone.localdate()
    if parsed and recipient_kind == ReliefGrant.RecipientKind.ORPHAN:
        if parsed.age_on(on) >= ORPHAN_MAX_AGE:
            errors["id_number"] = (
                f"孤儿须未满{ORPHAN_MAX_AGE}周岁,该身份证号码为{parsed.age_on(on)}周岁。"
            )
    if (
        parsed
        and batch.grants.filter(
            person__in=match(Person.objects.all(), "id_number", parsed.number)
        ).exists()
    ):
        errors["id_number"] = "该人员已在本批次中,同一批次不能重复救助。"
    if errors:
        raise ValidationError(errors)
    person = person_get_or_register(actor=actor, id_number=id_number, name=name)
    household = None
    if recipient_kind == ReliefGrant.RecipientKind.HOUSEHOLD:
        member = HouseholdMember.objects.filter(person=person).select_related("household").first()
        household = member.household if member else None
    try:
        with transaction.atomic():
            grant = ReliefGrant.objects.create(
                batch=batch,
                recipient_kind=recipient_kind,
                person=person,
                household=household,
                reason=reason,
                amount=amount,
                note=(note or "").strip()[:200],
            )
    except IntegrityError:
        raise ValidationError({"id_number": "该人员已在本批次中,同一批次不能重复救助。"}) from None
    record_event(
        actor=actor,
        action="relief_grant_added",
        kind=Event.Kind.CREATE,
        target=grant,
        changes={
            "person": [None, person.masked_id],
            "recipient_kind": [None, recipient_kind],
            "reason": [None, reason],
            "amount": [None, str(amount)],
        },
        org_unit=batch.org_unit,
    )
    return grant


@audited_atomic
def relief_grant_remove(*, actor, grant: ReliefGrant, reason: str) -> None:
    batch = ReliefBatch.objects.select_for_update().get(pk=grant.batch_id)
    require_edit(actor, batch.org_unit)
    _require_open_batch(batch)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写删除原因。"})
    changes = {"person": [grant.person.masked_id, None], "amount": [str(grant.amount), None]}
    target_repr = str(grant)
    grant.delete()
    record_event(
        actor=actor,
        action="relief_grant_removed",
        kind=Event.Kind.DELETE,
        target_type="welfare.reliefgrant",
        target_repr=target_repr,
        changes=changes,
        reason=reason,
        org_unit=batch.org_unit,
    )


@audited_atomic
def relief_batch_approve(*, actor, batch: ReliefBatch) -> ReliefBatch:
    batch = ReliefBatch.objects.select_for_update().get(pk=batch.pk)
    require_edit(actor, batch.org_unit)
    _require_open_batch(batch)
    if not batch.grants.exists():
        raise ValidationError({"batch": "救助名单为空,不能审批。"})
    batch.status = ReliefBatch.Status.APPROVED
    batch.approved_by = actor
    batch.approved_on = timezone.localdate()
    batch.save(update_fields=["status", "approved_by", "approved_on"])
    record_event(
        actor=actor,
        action="relief_batch_approved",
        target=batch,
        changes={"status": [ReliefBatch.Status.DRAFT, ReliefBatch.Status.APPROVED]},
        org_unit=batch.org_unit,
    )
    return batch


# ------------------------------------------------------------------------------- census


def census_areas(unit=None):
    """The places a census may cover: a city, county, zone, town or village. Candidates are
    only ever the people the office itself keeps (welfare/census.py), wherever the area."""
    from zhengtong.accounts.models import OrgUnit

    kinds = [
        OrgUnit.Kind.CITY,
        OrgUnit.Kind.COUNTY,
        OrgUnit.Kind.ZONE,
        OrgUnit.Kind.TOWN,
        OrgUnit.Kind.VILLAGE,
    ]
    return OrgUnit.objects.filter(kind__in=kinds).order_by("path")


@audited_atomic
def census_campaign_create(
    *,
    actor,
    name: str,
    area,
    started_on: datetime.date,
    ends_on: datetime.date,
    org_unit=None,
) -> CensusCampaign:
    """Open a 普查评估 of every candidate under `area`, assessed from `started_on` to `ends_on`."""
    unit = _unit_for(actor, org_unit)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写普查名称。"})
    if area is None or not census_areas(unit).filter(pk=area.pk).exists():
        raise ValidationError({"area": "普查范围须为市、县、开发区、镇街或村(居)。"})
    if started_on is None or ends_on is None:
        raise ValidationError({"ends_on": "请填写开始日期和截止日期。"})
    if ends_on < started_on:
        raise ValidationError({"ends_on": "截止日期不能早于开始日期。"})
    campaign = CensusCampaign.objects.create(
        name=name,
        org_unit=unit,
        area=area,
        started_on=started_on,
        ends_on=ends_on,
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="census_campaign_created",
        kind=Event.Kind.CREATE,
        target=campaign,
        changes={
            "name": [None, name],
            "area": [None, area.name],
            "started_on": [None, started_on.isoformat()],
            "ends_on": [None, ends_on.isoformat()],
        },
        org_unit=unit,
    )
    return campaign
