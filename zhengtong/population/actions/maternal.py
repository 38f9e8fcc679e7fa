"""Changes to a pregnancy and its visit windows (FEATURES PF8, PF9; the dates in schedule.py),
and the stage before it: the free pre-pregnancy check (孕前优生健康检查)."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.people.models import Person
from zhengtong.workdays import HolidayDataMissing, add_workdays, spans_provisional

from .. import schedule
from ..models import MaternalVisit, PreconceptionCheck, Pregnancy
from ..selectors import can_write_person, unit_of

# Working days from enrolment to the pre-pregnancy check: the office's rule (about a month), not
# a national one; the national project only asks for the check 3–6 months before conceiving.
PRECONCEPTION_CHECK_WORKDAYS = 20


def preconception_workdays() -> int:
    return int(getattr(settings, "PRECONCEPTION_CHECK_WORKDAYS", PRECONCEPTION_CHECK_WORKDAYS))


def _require_writer(actor, person: Person) -> None:
    if not can_write_person(actor, person):
        raise PermissionDenied("只有该人员所属村的工作人员可以登记。")


def _windows_changes(windows) -> list[list[str]]:
    return [[w.kind, w.window_start.isoformat(), w.window_end.isoformat()] for w in windows]


@audited_atomic
def pregnancy_register(
    *,
    actor,
    person: Person,
    lmp: datetime.date,
    high_risk: bool = False,
    today: datetime.date | None = None,
) -> Pregnancy:
    """Register a pregnancy from its LMP and generate the five antenatal windows of §3.2."""
    _require_writer(actor, person)
    # Two workers registering her at once: the second waits here and then finds the first's
    # (the chain lock serialises actions already; this keeps the rule where it is checked).
    person = Person.objects.select_for_update().get(pk=person.pk)
    today = today or timezone.localdate()
    if person.sex != Person.Sex.FEMALE:
        raise ValidationError({"person": "只能为女性登记孕产期。"})
    if person.org_unit_id is None:
        raise ValidationError({"person": "该人员未登记所属村,请先完善人员信息。"})
    if message := schedule.lmp_error(lmp, today):
        raise ValidationError({"lmp": message})
    oldest_open = today - datetime.timedelta(days=schedule.MAX_LMP_AGE_DAYS)
    running = Pregnancy.objects.filter(
        person=person, delivered_on__isnull=True, lmp__gte=oldest_open
    ).first()
    if running is not None:
        raise ValidationError(
            {"lmp": f"该人员已有未分娩的孕产期登记(末次月经 {running.lmp:%Y-%m-%d}),请勿重复登记。"}
        )
    pregnancy = Pregnancy.objects.create(
        person=person,
        org_unit=unit_of(person),
        lmp=lmp,
        edd=schedule.expected_delivery(lmp),
        high_risk=high_risk,
        created_by=actor,
    )
    windows = schedule.antenatal_windows(lmp)
    if high_risk:
        windows += schedule.high_risk_windows(lmp, from_day=today)
    MaternalVisit.objects.bulk_create(
        MaternalVisit(
            pregnancy=pregnancy, kind=w.kind, window_start=w.window_start, window_end=w.window_end
        )
        for w in windows
    )
    changes: dict[str, list[Any]] = {
        "lmp": [None, lmp.isoformat()],
        "edd": [None, pregnancy.edd.isoformat()],
        "high_risk": [None, high_risk],
        "visits": [None, _windows_changes(windows)],
    }
    # The pre-pregnancy stage: her latest check not yet tied to a pregnancy is this one's.
    check = (
        PreconceptionCheck.objects.select_for_update()
        .filter(person=person, pregnancy__isnull=True)
        .order_by("-enrolled_on", "-id")
        .first()
    )
    if check is not None:
        check.pregnancy = pregnancy
        check.save(update_fields=["pregnancy"])
        changes["preconception_check"] = [None, check.pk]
    record_event(
        actor=actor,
        action="pregnancy_registered",
        kind=Event.Kind.CREATE,
        target=pregnancy,
        changes=changes,
    )
    return pregnancy


@audited_atomic
def pregnancy_record_delivery(
    *,
    actor,
    pregnancy: Pregnancy,
    delivered_on: datetime.date,
    discharged_on: datetime.date,
    today: datetime.date | None = None,
) -> list[MaternalVisit]:
    """Record delivery and discharge; add the postpartum home visit and the 42-day check."""
    pregnancy = Pregnancy.objects.select_for_update().select_related("person").get(pk=pregnancy.pk)
    _require_writer(actor, pregnancy.person)
    today = today or timezone.localdate()
    if pregnancy.delivered_on is not None:
        raise ValidationError(
            {"delivered_on": f"已登记分娩日期 {pregnancy.delivered_on:%Y-%m-%d},不能重复登记。"}
        )
    errors = schedule.delivery_errors(
        lmp=pregnancy.lmp, delivered_on=delivered_on, discharged_on=discharged_on, today=today
    )
    if errors:
        raise ValidationError(errors)
    pregnancy.delivered_on = delivered_on
    pregnancy.discharged_on = discharged_on
    pregnancy.save(update_fields=["delivered_on", "discharged_on"])
    windows = schedule.postpartum_windows(delivered_on, discharged_on)
    visits = MaternalVisit.objects.bulk_create(
        MaternalVisit(
            pregnancy=pregnancy, kind=w.kind, window_start=w.window_start, window_end=w.window_end
        )
        for w in windows
    )
    record_event(
        actor=actor,
        action="pregnancy_delivery_recorded",
        target=pregnancy,
        changes={
            "delivered_on": [None, delivered_on.isoformat()],
            "discharged_on": [None, discharged_on.isoformat()],
            "visits": [None, _windows_changes(windows)],
        },
    )
    return visits


@audited_atomic
def high_risk_referral(
    *,
    actor,
    pregnancy: Pregnancy,
    referred_on: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> MaternalVisit:
    """A referral of a high-risk woman: mark the pregnancy high-risk and open a follow-up of the
    referral's result due within 14 days."""
    pregnancy = Pregnancy.objects.select_for_update().select_related("person").get(pk=pregnancy.pk)
    _require_writer(actor, pregnancy.person)
    today = today or timezone.localdate()
    if referred_on > today:
        raise ValidationError({"referred_on": "转诊日期不能晚于今天。"})
    if referred_on < pregnancy.lmp:
        raise ValidationError({"referred_on": "转诊日期不能早于末次月经日期。"})
    window = schedule.referral_window(referred_on)
    visit = MaternalVisit.objects.create(
        pregnancy=pregnancy,
        kind=window.kind,
        window_start=window.window_start,
        window_end=window.window_end,
        note=(note or "").strip(),
    )
    changes: dict[str, list[Any]] = {"referral": [None, _windows_changes([window])[0]]}
    if not pregnancy.high_risk:
        pregnancy.high_risk = True
        pregnancy.save(update_fields=["high_risk"])
        changes["high_risk"] = [False, True]
        if pregnancy.delivered_on is None:
            extra = schedule.high_risk_windows(pregnancy.lmp, from_day=referred_on)
            MaternalVisit.objects.bulk_create(
                MaternalVisit(
                    pregnancy=pregnancy,
                    kind=w.kind,
                    window_start=w.window_start,
                    window_end=w.window_end,
                )
                for w in extra
            )
            changes["visits"] = [None, _windows_changes(extra)]
    record_event(actor=actor, action="high_risk_referred", target=pregnancy, changes=changes)
    return visit


@audited_atomic
def maternal_visit_complete(
    *,
    actor,
    visit: MaternalVisit,
    done_on: datetime.date,
    note: str,
    today: datetime.date | None = None,
) -> MaternalVisit:
    """Record that a visit of the schedule took place (a late one stays marked late)."""
    visit = (
        MaternalVisit.objects.select_for_update()
        .select_related("pregnancy__person")
        .get(pk=visit.pk)
    )
    _require_writer(actor, visit.pregnancy.person)
    today = today or timezone.localdate()
    if visit.done_on is not None:
        raise ValidationError({"done_on": "该次随访已登记完成。"})
    if done_on > today:
        raise ValidationError({"done_on": "随访日期不能晚于今天。"})
    if done_on < visit.pregnancy.lmp:
        raise ValidationError({"done_on": "随访日期不能早于末次月经日期。"})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写随访情况。"})
    visit.done_on = done_on
    visit.done_by = actor
    visit.note = note
    visit.save(update_fields=["done_on", "done_by", "note"])
    record_event(
        actor=actor,
        action="maternal_visit_done",
        target=visit.pregnancy,
        changes={
            "visit": [None, visit.get_kind_display()],
            "done_on": [None, done_on.isoformat()],
            "late": [None, done_on > visit.window_end],
        },
    )
    return visit


# ------------------------------------------------------------------------ pre-pregnancy check


@audited_atomic
def preconception_enrol(
    *, actor, person: Person, enrolled_on: datetime.date, today: datetime.date | None = None
) -> PreconceptionCheck:
    """Enrol a woman planning a pregnancy for the free check, due in working days.

    When the holiday calendar of the due year is missing the check is enrolled with no due date
    (the page says so) and the workdays recompute fills it in once the calendar is loaded.
    """
    _require_writer(actor, person)
    # Two workers enrolling her at once: the second waits here, then sees the first's row.
    person = Person.objects.select_for_update().get(pk=person.pk)
    today = today or timezone.localdate()
    if person.sex != Person.Sex.FEMALE:
        raise ValidationError({"person": "孕前优生健康检查按女方登记,请在女方名下登记。"})
    if person.org_unit_id is None:
        raise ValidationError({"person": "该人员未登记所属村,请先完善人员信息。"})
    if enrolled_on is None:
        raise ValidationError({"enrolled_on": "请填写登记日期。"})
    if enrolled_on > today:
        raise ValidationError({"enrolled_on": "登记日期不能晚于今天。"})
    oldest_open = today - datetime.timedelta(days=schedule.MAX_LMP_AGE_DAYS)
    if Pregnancy.objects.filter(
        person=person, delivered_on__isnull=True, lmp__gte=oldest_open
    ).exists():
        raise ValidationError(
            {"person": "该人员已有未分娩的孕产期登记,孕前优生健康检查应在怀孕前进行。"}
        )
    open_check = PreconceptionCheck.objects.filter(
        person=person, done_on__isnull=True, pregnancy__isnull=True
    ).first()
    if open_check is not None:
        raise ValidationError(
            {
                "enrolled_on": f"该人员已有待检查的登记({open_check.enrolled_on:%Y-%m-%d}),请勿重复登记。"
            }
        )
    try:
        due_on = add_workdays(enrolled_on, preconception_workdays())
    except HolidayDataMissing:
        due_on = None
    check = PreconceptionCheck.objects.create(
        person=person,
        org_unit=unit_of(person),
        enrolled_on=enrolled_on,
        due_on=due_on,
        due_provisional=spans_provisional(enrolled_on, due_on),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="preconception_enrolled",
        kind=Event.Kind.CREATE,
        target=check,
        org_unit=check.org_unit,
        changes={
            "person": [None, person.masked_id],
            "enrolled_on": [None, enrolled_on.isoformat()],
            "due_on": [None, due_on.isoformat() if due_on else None],
        },
    )
    return check


@audited_atomic
def preconception_record(
    *,
    actor,
    check: PreconceptionCheck,
    done_on: datetime.date,
    result: str,
    note: str = "",
    today: datetime.date | None = None,
) -> PreconceptionCheck:
    """Record that the check took place and its result; a risk found needs the guidance given."""
    check = PreconceptionCheck.objects.select_for_update().select_related("person").get(pk=check.pk)
    _require_writer(actor, check.person)
    today = today or timezone.localdate()
    errors = {}
    if check.done_on is not None:
        raise ValidationError({"done_on": f"已于 {check.done_on:%Y-%m-%d} 登记检查结果。"})
    if done_on is None:
        errors["done_on"] = "请填写检查日期。"
    elif done_on > today:
        errors["done_on"] = "检查日期不能晚于今天。"
    elif done_on < check.enrolled_on:
        errors["done_on"] = "检查日期不能早于登记日期。"
    if result not in PreconceptionCheck.Result.values:
        errors["result"] = "请选择检查结果。"
    note = (note or "").strip()
    if result == PreconceptionCheck.Result.RISK and not note:
        errors["note"] = "发现风险因素时请填写风险因素和咨询指导意见。"
    if errors:
        raise ValidationError(errors)
    check.done_on = done_on
    check.done_by = actor
    check.result = result
    check.note = note
    check.save(update_fields=["done_on", "done_by", "result", "note"])
    record_event(
        actor=actor,
        action="preconception_checked",
        target=check,
        org_unit=check.org_unit,
        changes={
            "done_on": [None, done_on.isoformat()],
            "result": [None, result],
            "late": [None, check.due_on is not None and done_on > check.due_on],
        },
    )
    return check
