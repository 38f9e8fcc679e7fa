"""Follow-up plans (PF5) and contraception reports (PF6).

Follow-ups: a plan schedules its first follow-up at start + interval (or on a given first date);
completing or skipping one on day D schedules the next at D + interval. Intervals are calendar
days, not working days: "quarterly" means every 90 days whatever the holidays, and a due date
that falls on a holiday is simply done the day before or after. Overdue is not a stored status:
a follow-up is overdue while it is scheduled and today is after its due date.

Contraception reports are expected per calendar quarter from each woman aged 18–49 who is away
(流出, record not ended). An expected report still missing after its period ends becomes a task:
`contraception_reports_close_period()` records it once, and the inbox lists it until received.
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.people.models import Person

from ..models import ContraceptionReport, FloatingRecord, FollowUp, FollowUpPlan
from ..selectors import POPULATION_ROLES, can_write_person, unit_of

MAX_INTERVAL_DAYS = 3650
CONTRACEPTION_MIN_AGE = 18
CONTRACEPTION_MAX_AGE = 49


def _require_writer(actor, person: Person) -> None:
    if not can_write_person(actor, person):
        raise PermissionDenied("只有该人员所属村的工作人员可以操作。")


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# Follow-ups ------------------------------------------------------------------------------------


@audited_atomic
def followup_plan_create(
    *,
    actor,
    person: Person,
    kind: str,
    interval_days: int,
    purpose: str,
    owner=None,
    start_on: datetime.date | None = None,
    first_due_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> FollowUpPlan:
    """Start a repeatable follow-up; the first one is due at start + interval, or on
    `first_due_on` when given."""
    _require_writer(actor, person)
    today = today or timezone.localdate()
    owner = owner or actor
    errors = {}
    if kind not in FollowUpPlan.Kind.values:
        errors["kind"] = "请选择随访方式。"
    if not isinstance(interval_days, int) or not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        errors["interval_days"] = f"随访间隔应为 1 至 {MAX_INTERVAL_DAYS} 天。"
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = "请填写随访内容。"
    elif len(purpose) > 200:
        errors["purpose"] = "随访内容不能超过 200 个字。"
    if not can_act_in(owner, person.org_unit, POPULATION_ROLES):
        errors["owner"] = "责任人须是该人员所属村的工作人员。"
    if first_due_on is not None and first_due_on < today:
        errors["first_due_on"] = "首次随访日期不能早于今天。"
    if errors:
        raise ValidationError(errors)
    start_on = start_on or today
    due_on = first_due_on or start_on + _days(interval_days)
    plan = FollowUpPlan.objects.create(
        person=person,
        org_unit=unit_of(person),
        kind=kind,
        interval_days=interval_days,
        owner=owner,
        purpose=purpose,
    )
    FollowUp.objects.create(plan=plan, due_on=due_on)
    record_event(
        actor=actor,
        action="followup_plan_created",
        kind=Event.Kind.CREATE,
        target=plan,
        changes={
            "kind": [None, kind],
            "interval_days": [None, interval_days],
            "owner": [None, str(owner)],
            "purpose": [None, purpose],
            "first_due_on": [None, due_on.isoformat()],
        },
    )
    return plan


def _locked_scheduled(followup: FollowUp) -> FollowUp:
    followup = (
        FollowUp.objects.select_for_update()
        .select_related("plan__person", "plan__owner")
        .get(pk=followup.pk)
    )
    if followup.status != FollowUp.Status.SCHEDULED:
        raise ValidationError(
            {"status": f"该次随访已是“{followup.get_status_display()}”状态,不能再次办理。"}
        )
    return followup


def _schedule_next(followup: FollowUp, day: datetime.date) -> FollowUp | None:
    plan = followup.plan
    if not plan.active:
        return None
    return FollowUp.objects.create(plan=plan, due_on=day + _days(plan.interval_days))


@audited_atomic
def followup_complete(
    *,
    actor,
    followup: FollowUp,
    done_on: datetime.date,
    outcome: str,
    today: datetime.date | None = None,
    visit=None,
    client_uuid: uuid.UUID | None = None,
) -> FollowUp | None:
    """Record a follow-up done on `done_on` and schedule the next at done_on + interval.

    `visit` is the home visit that answered it, when it was closed by logging a visit.
    `client_uuid` is the number an offline client gave the record (population/sync.py finds a
    replay by it). Returns the next follow-up (None when the plan has stopped).
    """
    followup = _locked_scheduled(followup)
    _require_writer(actor, followup.plan.person)
    today = today or timezone.localdate()
    errors = {}
    if done_on > today:
        errors["done_on"] = "随访日期不能晚于今天。"
    outcome = (outcome or "").strip()
    if not outcome:
        errors["outcome"] = "请填写随访情况。"
    if errors:
        raise ValidationError(errors)
    was_overdue = done_on > followup.due_on
    followup.status = FollowUp.Status.DONE
    followup.done_on = done_on
    followup.done_by = actor
    followup.outcome = outcome
    followup.visit = visit
    followup.client_uuid = client_uuid
    followup.save(update_fields=["status", "done_on", "done_by", "outcome", "visit", "client_uuid"])
    following = _schedule_next(followup, done_on)
    record_event(
        actor=actor,
        action="followup_done",
        target=followup.plan,
        changes={
            "due_on": [None, followup.due_on.isoformat()],
            "status": [FollowUp.Status.SCHEDULED, FollowUp.Status.DONE],
            "done_on": [None, done_on.isoformat()],
            "late": [None, was_overdue],
            "next_due_on": [None, following.due_on.isoformat() if following else None],
            **({"visit": [None, visit.pk]} if visit is not None else {}),
        },
    )
    return following


@audited_atomic
def followup_skip(
    *,
    actor,
    followup: FollowUp,
    reason: str,
    today: datetime.date | None = None,
) -> FollowUp | None:
    """Skip a follow-up with a reason (e.g. the person is in hospital); the next one is due at
    today + interval, as if it had been done today."""
    followup = _locked_scheduled(followup)
    _require_writer(actor, followup.plan.person)
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"skip_reason": "跳过随访须填写原因。"})
    if len(reason) > 200:
        raise ValidationError({"skip_reason": "跳过原因不能超过 200 个字。"})
    followup.status = FollowUp.Status.SKIPPED
    followup.skip_reason = reason
    followup.done_by = actor
    followup.save(update_fields=["status", "skip_reason", "done_by"])
    following = _schedule_next(followup, today)
    record_event(
        actor=actor,
        action="followup_skipped",
        target=followup.plan,
        reason=reason,
        changes={
            "due_on": [None, followup.due_on.isoformat()],
            "status": [FollowUp.Status.SCHEDULED, FollowUp.Status.SKIPPED],
            "next_due_on": [None, following.due_on.isoformat() if following else None],
        },
    )
    return following


@audited_atomic
def followup_plan_stop(*, actor, plan: FollowUpPlan, reason: str) -> FollowUpPlan:
    """End a plan (e.g. the person moved back); its open follow-up is skipped with the reason."""
    plan = FollowUpPlan.objects.select_for_update().select_related("person").get(pk=plan.pk)
    _require_writer(actor, plan.person)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "停止随访计划须填写原因。"})
    if not plan.active:
        raise ValidationError({"reason": "该随访计划已停止。"})
    plan.active = False
    plan.save(update_fields=["active"])
    skipped = plan.followups.filter(status=FollowUp.Status.SCHEDULED).update(
        status=FollowUp.Status.SKIPPED, skip_reason=reason[:200]
    )
    record_event(
        actor=actor,
        action="followup_plan_stopped",
        target=plan,
        reason=reason,
        changes={"active": [True, False], "skipped": [None, skipped]},
    )
    return plan


# Contraception reports -------------------------------------------------------------------------


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar quarter containing `day`."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    if first_month == 10:
        end = datetime.date(day.year, 12, 31)
    else:
        end = datetime.date(day.year, first_month + 3, 1) - _days(1)
    return start, end


def _birth_bounds(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Birth dates of women aged 18–49 on `on`: born after (on − 50 years), on or before
    (on − 18 years)."""

    def years_before(years: int) -> datetime.date:
        try:
            return on.replace(year=on.year - years)
        except ValueError:  # 29 February
            return on.replace(year=on.year - years, day=28)

    return years_before(CONTRACEPTION_MAX_AGE + 1) + _days(1), years_before(CONTRACEPTION_MIN_AGE)


@audited_atomic
def contraception_reports_open_period(*, today: datetime.date, actor=None) -> list:
    """Expect one report for the quarter containing `today` from every woman aged 18–49 who is
    away (流出) during it. Running it again adds nothing."""
    start, end = quarter_of(today)
    oldest, youngest = _birth_bounds(start)
    away = (
        FloatingRecord.objects.filter(
            direction=FloatingRecord.Direction.OUT,
            started_on__lte=end,
            person__sex=Person.Sex.FEMALE,
            person__birth_date__gte=oldest,
            person__birth_date__lte=youngest,
            person__merged_into__isnull=True,
        )
        .exclude(ended_on__lt=start)
        .select_related("person", "org_unit")
        .order_by("person_id", "-started_on")
    )
    known = set(
        ContraceptionReport.objects.filter(period_start=start).values_list("person_id", flat=True)
    )
    created = []
    for record in away:
        if record.person_id in known:
            continue
        known.add(record.person_id)
        try:
            with transaction.atomic():
                report = ContraceptionReport.objects.create(
                    person=record.person,
                    org_unit=record.org_unit,
                    period_start=start,
                    period_end=end,
                )
        except IntegrityError:
            continue
        record_event(
            actor=actor,
            action="contraception_report_expected",
            kind=Event.Kind.CREATE,
            target=report,
            changes={"period": [None, f"{start.isoformat()}~{end.isoformat()}"]},
        )
        created.append(report)
    return created


@audited_atomic
def contraception_reports_close_period(*, today: datetime.date, actor=None) -> list:
    """Turn every expected report whose period ended before `today` into a task (an audit event
    "contraception_report_missing" that the inbox and the person's page show). Idempotent."""
    missing = list(
        ContraceptionReport.objects.filter(
            status=ContraceptionReport.Status.EXPECTED, period_end__lt=today
        ).select_related("person", "org_unit")
    )
    already = set(
        Event.objects.filter(
            action="contraception_report_missing",
            target_type=ContraceptionReport._meta.label_lower,
            target_id__in=[str(r.pk) for r in missing],
        ).values_list("target_id", flat=True)
    )
    closed = []
    for report in missing:
        if str(report.pk) in already:
            continue
        record_event(
            actor=actor,
            action="contraception_report_missing",
            target=report,
            changes={
                "status": [None, "报告期结束未寄回"],
                "period_end": [None, str(report.period_end)],
            },
        )
        closed.append(report)
    return closed


@audited_atomic
def contraception_report_receive(
    *,
    actor,
    report: ContraceptionReport,
    received_on: datetime.date,
    method: str,
    note: str = "",
    today: datetime.date | None = None,
) -> ContraceptionReport:
    """A report came back: expected → received (待落实)."""
    report = (
        ContraceptionReport.objects.select_for_update().select_related("person").get(pk=report.pk)
    )
    _require_writer(actor, report.person)
    today = today or timezone.localdate()
    if report.status != ContraceptionReport.Status.EXPECTED:
        raise ValidationError({"status": "该报告单已收到,不能重复登记。"})
    errors = {}
    if received_on > today:
        errors["received_on"] = "收到日期不能晚于今天。"
    elif received_on < report.period_start:
        errors["received_on"] = "收到日期不能早于报告期开始日期。"
    method = (method or "").strip()
    if not method:
        errors["method"] = "请填写避孕节育措施。"
    elif len(method) > 100:
        errors["method"] = "避孕节育措施不能超过 100 个字。"
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = "备注不能超过 200 个字。"
    if errors:
        raise ValidationError(errors)
    report.status = ContraceptionReport.Status.RECEIVED
    report.received_on = received_on
    report.method = method
    report.note = note
    report.save(update_fields=["status", "received_on", "method", "note"])
    record_event(
        actor=actor,
        action="contraception_report_received",
        target=report,
        changes={
            "status": [ContraceptionReport.Status.EXPECTED, report.status],
            "received_on": [None, received_on.isoformat()],
            "method": [None, method],
        },
    )
    return report


@audited_atomic
def contraception_report_verify(
    *,
    actor,
    report: ContraceptionReport,
    verified_on: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> ContraceptionReport:
    """The office checked the report (落实): received → verified."""
    report = (
        ContraceptionReport.objects.select_for_update().select_related("person").get(pk=report.pk)
    )
    _require_writer(actor, report.person)
    today = today or timezone.localdate()
    if report.status != ContraceptionReport.Status.RECEIVED:
        raise ValidationError({"status": "只有已收到的报告单可以落实。"})
    if verified_on > today:
        raise ValidationError({"verified_on": "落实日期不能晚于今天。"})
    if report.received_on is not None and verified_on < report.received_on:
        raise ValidationError({"verified_on": "落实日期不能早于收到日期。"})
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": "备注不能超过 200 个字。"})
    old_status = report.status
    report.status = ContraceptionReport.Status.VERIFIED
    report.verified_on = verified_on
    report.verified_by = actor
    fields = ["status", "verified_on", "verified_by"]
    if note:
        report.note = note
        fields.append("note")
    report.save(update_fields=fields)
    record_event(
        actor=actor,
        action="contraception_report_verified",
        target=report,
        changes={"status": [old_status, report.status], "verified_on": [None, str(verified_on)]},
    )
    return report
