"""健康义诊: the township's 计生服务站 and 卫生院 examine the floating population in its villages.

A clinic is planned by the township's 计生办 (a village worker role at the township), marked held
once it has taken place, and then each person examined is recorded with the findings, by the
township or by the worker of the person's village. Every function changes state for one
`actor`, in one transaction, with one audit event; input that breaks a rule raises a
ValidationError keyed by the field, in Chinese, and nothing is saved.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.people.models import Person

from ..models import Clinic, ClinicAttendance, FloatingRecord
from ..selectors import POPULATION_ROLES

DEFAULT_ORGANISERS = "镇计生服务站、镇卫生院"
# 育龄妇女: women aged 15 to 49 (国家统计口径), the ones offered the free health check.
CHILDBEARING_AGES = (15, 49)
ATTENDEE_RULE = (
    "参诊对象:义诊当日在本镇登记流入、尚未离开的流动人口,按流入登记的村计入;"
    "免费健康检查面向其中 15–49 周岁的育龄妇女。"
)


def _today() -> datetime.date:
    return timezone.localdate()


def _text(value, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空。"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字。"})
    return value


def _age_on(person: Person, day: datetime.date) -> int:
    b = person.birth_date
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def arrivals_on(township: OrgUnit, day: datetime.date) -> QuerySet:
    """流入 records in the villages of `township` under way on `day`: arrived, not yet left."""
    return FloatingRecord.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day),
        direction=FloatingRecord.Direction.IN,
        org_unit__path__startswith=township.path,
        started_on__lte=day,
    )


@audited_atomic
def clinic_plan(
    *,
    actor,
    org_unit: OrgUnit,
    held_on: datetime.date,
    villages,
    place: str,
    organisers: str = "",
) -> Clinic:
    """Plan a township's 健康义诊 in some of its villages."""
    if org_unit.kind != OrgUnit.Kind.TOWN:
        raise ValidationError({"org_unit": "健康义诊由镇(街道)组织,请选择镇(街道)。"})
    if not can_act_in(actor, org_unit, POPULATION_ROLES):
        raise PermissionDenied
    if not isinstance(held_on, datetime.date):
        raise ValidationError({"held_on": "义诊日期不是有效的日期。"})
    villages = list(villages)
    if not villages:
        raise ValidationError({"villages": "请至少选择一个下村的村。"})
    for village in villages:
        if village.kind != OrgUnit.Kind.VILLAGE or not village.is_within(org_unit):
            raise ValidationError({"villages": f"{village.name}不是{org_unit.name}的村。"})
    place = _text(place, "place", "义诊地点", max_length=200)
    organisers = _text(organisers, "organisers", "组织单位", max_length=200, required=False)
    clinic = Clinic.objects.create(
        org_unit=org_unit,
        held_on=held_on,
        place=place,
        organisers=organisers or DEFAULT_ORGANISERS,
        created_by=actor,
    )
    clinic.villages.set(villages)
    record_event(
        actor=actor,
        action="clinic_planned",
        target=clinic,
        kind=Event.Kind.CREATE,
        changes={
            "held_on": [None, held_on.isoformat()],
            "villages": [None, "、".join(v.name for v in villages)],
            "place": [None, place],
            "organisers": [None, clinic.organisers],
        },
    )
    return clinic


@audited_atomic
def clinic_mark_held(*, actor, clinic: Clinic, held_on: datetime.date) -> Clinic:
    """Record that a planned clinic took place, on the day it did (today at the latest)."""
    clinic = Clinic.objects.select_for_update().select_related("org_unit").get(pk=clinic.pk)
    if not can_act_in(actor, clinic.org_unit, POPULATION_ROLES):
        raise PermissionDenied
    if clinic.status == Clinic.Status.HELD:
        raise ValidationError({"held_on": "该义诊已标记为已举办。"})
    if not isinstance(held_on, datetime.date):
        raise ValidationError({"held_on": "义诊日期不是有效的日期。"})
    if held_on > _today():
        raise ValidationError({"held_on": "义诊日期不能晚于今天:尚未举办的义诊不能标记为已举办。"})
    changes = {
        "status": [clinic.status, Clinic.Status.HELD],
        "held_on": [clinic.held_on.isoformat(), held_on.isoformat()],
    }
    clinic.status = Clinic.Status.HELD
    clinic.held_on = held_on
    clinic.save(update_fields=["status", "held_on", "updated_at"])
    record_event(actor=actor, action="clinic_held", target=clinic, changes=changes)
    return clinic


@audited_atomic
def clinic_attendance_record(
    *,
    actor,
    clinic: Clinic,
    record: FloatingRecord,
    items: str,
    result: str,
    advice: str = "",
    women_check: bool = False,
) -> ClinicAttendance:
    """Record one floating person examined at a held clinic, with the findings."""
    clinic = Clinic.objects.select_for_update().select_related("org_unit").get(pk=clinic.pk)
    record = FloatingRecord.objects.select_related("person", "org_unit").get(pk=record.pk)
    if not can_act_in(actor, record.org_unit, POPULATION_ROLES):
        raise PermissionDenied
    if clinic.status != Clinic.Status.HELD:
        raise ValidationError({"clinic": "义诊尚未标记为已举办,不能登记参诊人员。"})
    if not arrivals_on(clinic.org_unit, clinic.held_on).filter(pk=record.pk).exists():
        raise ValidationError(
            {"record": f"{record.person.name}在义诊当日不是{clinic.org_unit.name}的流入人口。"}
        )
    person = record.person
    if ClinicAttendance.objects.filter(clinic=clinic, person=person).exists():
        raise ValidationError({"record": f"{person.name}已登记为本次义诊的参诊人员。"})
    items = _text(items, "items", "检查项目", max_length=200)
    result = _text(result, "result", "结果", max_length=2000)
    advice = _text(advice, "advice", "建议/转诊", max_length=200, required=False)
    if women_check:
        low, high = CHILDBEARING_AGES
        age = _age_on(person, clinic.held_on)
        if person.sex != Person.Sex.FEMALE or not low <= age <= high:
            raise ValidationError(
                {"women_check": f"免费健康检查只面向 {low}–{high} 周岁的流入育龄妇女。"}
            )
    try:
        with transaction.atomic():
            attendance = ClinicAttendance.objects.create(
                clinic=clinic,
                person=person,
                org_unit=record.org_unit,
                items=items,
                result=result,
                advice=advice,
                women_check=bool(women_check),
                recorded_by=actor,
            )
    except IntegrityError:
        raise ValidationError({"record": f"{person.name}已登记为本次义诊的参诊人员。"}) from None
    record_event(
        actor=actor,
        action="clinic_attendance_recorded",
        target=attendance,
        kind=Event.Kind.CREATE,
        changes={
            "items": [None, items],
            "result": [None, result],
            "advice": [None, advice],
            "women_check": [None, bool(women_check)],
        },
    )
    return attendance
