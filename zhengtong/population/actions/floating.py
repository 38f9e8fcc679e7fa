"""Floating-population records (流出/流入) and the 婚育证明 of women aged 18–49.

流动人口计划生育工作条例 (2009): the 户籍地 township issues the 婚育证明 (Art. 7 fields) to a woman
leaving; a woman arriving presents it to the township where she now lives within 30 days
(Art. 8). The 30 days are calendar days with the starting day not counted; a period ending on a
holiday ends on the next working day (民法典 Art. 201, 203).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengtong.audit.actions import diff, record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.idcard import parse_id_number
from zhengtong.people.models import Person
from zhengtong.workdays import HolidayDataMissing, next_workday_on_or_after, spans_provisional

from ..models import FloatingRecord, MarriageCertificate
from ..selectors import can_write_person, unit_of

PRESENT_WITHIN_DAYS = 30
CERTIFICATE_MIN_AGE = 18
CERTIFICATE_MAX_AGE = 49

# The seven fields of 流动人口计划生育工作条例 Art. 7; each is required.
CERTIFICATE_FIELDS = {
    "name": "姓名",
    "age": "年龄",
    "id_number": "公民身份号码",
    "marital_status": "婚姻状况",
    "spouse": "配偶信息",
    "fertility": "生育状况",
    "contraception": "避孕节育情况",
}
CERTIFICATE_OPTIONAL = ["issued_by", "issued_on"]
RECORD_FIELDS = ["direction", "place", "started_on", "ended_on", "contact_phone", "employer"]


def age_on(person: Person, day: datetime.date) -> int:
    b = person.birth_date
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def needs_certificate(person: Person, day: datetime.date) -> bool:
    """Women aged 18–49 on the day of the move carry a 婚育证明; nobody else needs one."""
    return (
        person.sex == Person.Sex.FEMALE
        and CERTIFICATE_MIN_AGE <= age_on(person, day) <= CERTIFICATE_MAX_AGE
    )


def certificate_due_on(arrived_on: datetime.date) -> datetime.date:
    """Arrival + 30 calendar days (arrival day not counted), moved to the next working day when
    the last day is a holiday. Without holiday data for that year the plain date stands: it is
    never later than the legal one."""
    last_day = arrived_on + datetime.timedelta(days=PRESENT_WITHIN_DAYS)
    try:
        return next_workday_on_or_after(last_day)
    except HolidayDataMissing:
        return last_day


def clean_certificate(data: dict, person: Person) -> dict:
    """The Art. 7 fields, each required, with a Chinese message naming the missing one."""
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    for field, label in CERTIFICATE_FIELDS.items():
        value = data.get(field)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            errors[field] = [f"婚育证明缺少「{label}」,请补全后再保存。"]
            continue
        cleaned[field] = value
    if "age" in cleaned:
        try:
            cleaned["age"] = int(cleaned["age"])
        except (TypeError, ValueError):
            errors["age"] = ["婚育证明的「年龄」应为整数。"]
        else:
            if not 0 < cleaned["age"] < 150:
                errors["age"] = ["婚育证明的「年龄」不在合理范围内。"]
    if "id_number" in cleaned:
        try:
            number = parse_id_number(cleaned["id_number"]).number
        except ValidationError as exc:
            errors["id_number"] = [f"婚育证明的「公民身份号码」有误:{exc.messages[0]}"]
        else:
            if number != person.id_number:
                errors["id_number"] = ["婚育证明的「公民身份号码」与本人身份证号码不一致。"]
            cleaned["id_number"] = number
    for field, max_length in (
        ("name", 50),
        ("marital_status", 20),
        ("spouse", 100),
        ("fertility", 100),
        ("contraception", 100),
    ):
        if field in cleaned and len(str(cleaned[field])) > max_length:
            errors[field] = [
                f"婚育证明的「{CERTIFICATE_FIELDS[field]}」不能超过 {max_length} 个字。"
            ]
    issued_by = (data.get("issued_by") or "").strip()
    if len(issued_by) > 100:
        errors["issued_by"] = ["出具机关不能超过 100 个字。"]
    issued_on = data.get("issued_on") or None
    if issued_on is not None and issued_on > timezone.localdate():
        errors["issued_on"] = ["出具日期不能晚于今天。"]
    if errors:
        raise ValidationError(errors)
    cleaned["issued_by"] = issued_by
    cleaned["issued_on"] = issued_on
    return cleaned


def _clean_record(*, direction, place, started_on, contact_phone, employer) -> dict:
    if direction not in FloatingRecord.Direction.values:
        raise ValidationError({"direction": "请选择流向(流出或流入)。"})
    place = (place or "").strip()
    if not place:
        label = (
            "流出地(去向)" if direction == FloatingRecord.Direction.OUT else "流入前居住地(来源)"
        )
        raise ValidationError({"place": f"请填写{label}。"})
    if len(place) > 200:
        raise ValidationError({"place": "流入地/流出地不能超过 200 个字。"})
    if started_on is None:
        raise ValidationError({"started_on": "请填写流出/流入日期。"})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": "流出/流入日期不能晚于今天。"})
    contact_phone = (contact_phone or "").strip()
    if contact_phone and not contact_phone.replace("-", "").isdigit():
        raise ValidationError({"contact_phone": "联系电话只能包含数字和连字符。"})
    if len(contact_phone) > 20:
        raise ValidationError({"contact_phone": "联系电话不能超过 20 位。"})
    employer = (employer or "").strip()
    if len(employer) > 100:
        raise ValidationError({"employer": "务工单位不能超过 100 个字。"})
    return {
        "direction": direction,
        "place": place,
        "started_on": started_on,
        "contact_phone": contact_phone,
        "employer": employer,
    }


@audited_atomic
def floating_record_create(
    *,
    actor,
    person: Person,
    direction: str,
    place: str,
    started_on: datetime.date,
    contact_phone: str = "",
    employer: str = "",
    certificate: dict | None = None,
) -> FloatingRecord:
    """Record a departure (流出) or an arrival (流入) of `person`, kept by the person's village.

    A woman aged 18–49 leaving needs her 婚育证明 with all seven fields. One arriving gets 30
    days to present it: her record carries a certificate item due on arrival + 30 days, which
    stays on the overdue list until presented. Anyone else needs none.
    """
    if not can_write_person(actor, person):
        raise ValidationError({"person": "您无权为该人员登记流动信息。"})
    data = _clean_record(
        direction=direction,
        place=place,
        started_on=started_on,
        contact_phone=contact_phone,
        employer=employer,
    )
    if FloatingRecord.objects.filter(
        person=person, direction=direction, ended_on__isnull=True
    ).exists():
        raise ValidationError(
            {"direction": "该人员已有一条未结束的同向流动记录,请先登记返回/离开日期。"}
        )
    needed = needs_certificate(person, started_on)
    cert_data = None
    if needed and direction == FloatingRecord.Direction.OUT:
        cert_data = clean_certificate(certificate or {}, person)
    elif needed and certificate and any(certificate.get(f) for f in CERTIFICATE_FIELDS):
        # An arriving woman who shows it at registration presents it on the spot.
        cert_data = clean_certificate(certificate, person)
    record = FloatingRecord.objects.create(
        person=person, org_unit=unit_of(person), created_by=actor, **data
    )
    changes = diff({}, snapshot(record, RECORD_FIELDS))
    if needed:
        cert = MarriageCertificate(record=record)
        if direction == FloatingRecord.Direction.IN:
            cert.due_on = certificate_due_on(started_on)
            cert.due_provisional = spans_provisional(started_on, cert.due_on)
            changes["certificate_due_on"] = [None, cert.due_on.isoformat()]
        if cert_data is not None:
            for key, value in cert_data.items():
                setattr(cert, key, value)
            if direction == FloatingRecord.Direction.IN:
                cert.presented_on = started_on
                changes["certificate_presented_on"] = [None, started_on.isoformat()]
            changes["certificate"] = [None, "已登记"]
        else:
            # Not presented yet: the person's own facts fill what is known.
            cert.name = person.name
            cert.age = age_on(person, started_on)
            cert.id_number = person.id_number
        cert.save()
    record_event(
        actor=actor,
        action="floating_record_created",
        kind=Event.Kind.CREATE,
        target=record,
        changes=changes,
    )
    return record


@audited_atomic
def certificate_present(
    *, actor, certificate: MarriageCertificate, presented_on: datetime.date, **fields
) -> MarriageCertificate:
    """An arriving woman presents her 婚育证明: every Art. 7 field is required."""
    certificate = (
        MarriageCertificate.objects.select_for_update(of=("self",))
        .select_related("record__person__org_unit")
        .get(pk=certificate.pk)
    )
    record = certificate.record
    if not can_write_person(actor, record.person):
        raise ValidationError({"person": "您无权为该人员登记婚育证明。"})
    if presented_on is None:
        raise ValidationError({"presented_on": "请填写交验日期。"})
    if presented_on > timezone.localdate():
        raise ValidationError({"presented_on": "交验日期不能晚于今天。"})
    if presented_on < record.started_on:
        raise ValidationError({"presented_on": "交验日期不能早于流入日期。"})
    cleaned = clean_certificate(fields, record.person)
    before = snapshot(certificate, [*CERTIFICATE_FIELDS, *CERTIFICATE_OPTIONAL, "presented_on"])
    for key, value in cleaned.items():
        setattr(certificate, key, value)
    certificate.presented_on = presented_on
    after = snapshot(certificate, [*CERTIFICATE_FIELDS, *CERTIFICATE_OPTIONAL, "presented_on"])
    certificate.save()
    record_event(
        actor=actor,
        action="certificate_presented",
        target=record,
        changes=diff(before, after),
    )
    return certificate


@audited_atomic
def floating_record_end(
    *, actor, record: FloatingRecord, ended_on: datetime.date
) -> FloatingRecord:
    """The person came back (流出) or left again (流入)."""
    record = (
        FloatingRecord.objects.select_for_update(of=("self",))
        .select_related("person__org_unit")
        .get(pk=record.pk)
    )
    if not can_write_person(actor, record.person):
        raise ValidationError({"person": "您无权修改该人员的流动信息。"})
    if record.ended_on is not None:
        raise ValidationError({"ended_on": "该记录已结束。"})
    if ended_on is None:
        raise ValidationError({"ended_on": "请填写返回/离开日期。"})
    if ended_on < record.started_on:
        raise ValidationError({"ended_on": "返回/离开日期不能早于流出/流入日期。"})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "返回/离开日期不能晚于今天。"})
    record.ended_on = ended_on
    record.save(update_fields=["ended_on", "updated_at"])
    record_event(
        actor=actor,
        action="floating_record_ended",
        target=record,
        changes={"ended_on": [None, ended_on.isoformat()]},
    )
    return record
