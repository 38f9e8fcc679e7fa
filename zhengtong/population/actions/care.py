"""Care work of the village: check-up campaigns, home visits with referrals, 计生助福 assistance
and volunteer 1+1 pairings.

Every function changes state for one `actor`, in one transaction, with one audit event. Input
that breaks a rule raises a ValidationError keyed by the field, in Chinese; nothing is saved.
Views check that the rows are in the user's scope (404 otherwise); these functions check again
that the actor may act in the row's village (PermissionDenied), so no other caller can skip it.
"""

import datetime
import re
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.files import ImageRejected, NormalisedImage, normalise_image
from zhengtong.people.models import Household, Person
from zhengtong.workdays import HolidayDataMissing, add_workdays, spans_provisional

from ..models import (
    Assistance,
    Campaign,
    CampaignTarget,
    FloatingRecord,
    FollowUp,
    FollowUpPlan,
    HomeVisit,
    Pairing,
    PairingVisit,
    Referral,
    VisitPhoto,
)
from ..selectors import POPULATION_ROLES, can_write_person, unit_of
from .followups import followup_complete

MAX_PHOTOS = 9

# The mainland's extent (曾母暗沙 to 漠河, 帕米尔 to 乌苏里江): a point outside is a typing or
# device error, e.g. latitude and longitude swapped.
LATITUDE_RANGE = (Decimal("3.8"), Decimal("53.6"))
LONGITUDE_RANGE = (Decimal("73.4"), Decimal("135.1"))

# Working days the receiving office has for a referral, by kind. Override with the setting
# REFERRAL_WORKDAYS = {"medical": 5, "civil": 10, "dibao": 10}.
REFERRAL_WORKDAYS: dict[str, int] = {
    Referral.Kind.MEDICAL: 5,
    Referral.Kind.CIVIL: 10,
    Referral.Kind.DIBAO: 10,
}
# The township office that takes each kind: the first department under the township whose name
# contains one of the words; the township itself when it has none.
REFERRAL_OFFICE_WORDS: dict[str, tuple[str, ...]] = {
    Referral.Kind.MEDICAL: ("卫生院", "卫生", "卫健"),
    Referral.Kind.CIVIL: ("民政",),
    Referral.Kind.DIBAO: ("民政", "社会救助", "社会事务"),
}
# Roles that handle a referral at the receiving office.
REFERRAL_OFFICE_ROLES = [Role.DEPT_CLERK, Role.VILLAGE_WORKER]

CAMPAIGN_AGE_RANGE = (18, 49)
TARGET_RULE = (
    "查体对象:活动开始日年满 18 周岁、未满 50 周岁的女性,包括户籍在本辖区的妇女和在本辖区居住的"
    "流入妇女(无本地户籍,按流入登记的村计入);整个活动期间均在外流出的妇女不列入。"
)
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


# ---------------------------------------------------------------------------- helpers


def _today() -> datetime.date:
    return timezone.localdate()


def _require_unit(actor, org_unit, roles=POPULATION_ROLES) -> None:
    if not can_act_in(actor, org_unit, roles):
        raise PermissionDenied


def _require_writable(actor, person: Person) -> None:
    if not can_write_person(actor, person):
        raise PermissionDenied


def _text(value, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空。"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字。"})
    return value


def _not_future(day, field: str, label: str) -> datetime.date:
    if not isinstance(day, datetime.date):
        raise ValidationError({field: f"{label}不是有效的日期。"})
    if day > _today():
        raise ValidationError({field: f"{label}不能晚于今天。"})
    return day


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def _read_photo(upload) -> NormalisedImage:
    """The checked, re-encoded photo, or ValidationError naming the file."""
    try:
        return normalise_image(upload)
    except ImageRejected as exc:
        raise ValidationError({"photos": str(exc)}) from None


def _coordinate(value, field: str, label: str, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{label}不是有效的数字。"}) from None
    if not number.is_finite() or not bounds[0] <= number <= bounds[1]:
        raise ValidationError(
            {field: f"{label}须在 {bounds[0]} 到 {bounds[1]} 之间(中国境内),请检查是否填反。"}
        )
    return number.quantize(Decimal("0.000001"))


# ---------------------------------------------------------------------------- campaigns


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _eligible_women(campaign: Campaign):
    """(person id, village id) of the women the campaign targets, per TARGET_RULE."""
    low, high = CAMPAIGN_AGE_RANGE
    oldest_birth = _years_before(campaign.start_on, high + 1) + datetime.timedelta(days=1)
    youngest_birth = _years_before(campaign.start_on, low)
    women = Person.objects.filter(
        sex=Person.Sex.FEMALE,
        merged_into__isnull=True,
        birth_date__gte=oldest_birth,
        birth_date__lte=youngest_birth,
    )
    away_all_period = FloatingRecord.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=campaign.end_on),
        person=OuterRef("pk"),
        direction=FloatingRecord.Direction.OUT,
        started_on__lte=campaign.start_on,
    )
    residents = women.filter(org_unit__path__startswith=campaign.org_unit.path).exclude(
        Exists(away_all_period)
    )
    chosen: dict[int, int] = dict(residents.values_list("pk", "org_unit_id"))
    arrivals = (
        FloatingRecord.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=campaign.start_on),
            direction=FloatingRecord.Direction.IN,
            org_unit__path__startswith=campaign.org_unit.path,
            started_on__lte=campaign.end_on,
            person__in=women,
        )
        .order_by("person_id", "-started_on", "-id")
        .values_list("person_id", "org_unit_id")
    )
    for person_id, unit_id in arrivals:
        chosen.setdefault(person_id, unit_id)
    return chosen


def _add_targets(campaign: Campaign) -> int:
    existing = set(campaign.targets.values_list("person_id", flat=True))
    new = [
        CampaignTarget(campaign=campaign, person_id=person_id, org_unit_id=unit_id)
        for person_id, unit_id in sorted(_eligible_women(campaign).items())
        if person_id not in existing
    ]
    CampaignTarget.objects.bulk_create(new)
    return len(new)


@audited_atomic
def campaign_create(
    *,
    actor,
    org_unit: OrgUnit,
    kind: str,
    start_on: datetime.date,
    end_on: datetime.date,
    name: str = "",
) -> Campaign:
    """Open a quarterly check-up for the villages under `org_unit` and build its target list."""
    _require_unit(actor, org_unit)
    if org_unit.kind not in (OrgUnit.Kind.TOWN, OrgUnit.Kind.VILLAGE):
        raise ValidationError({"org_unit": "组织单位须为镇(街道)或村。"})
    if kind not in Campaign.Kind.values:
        raise ValidationError({"kind": "请选择查体类别。"})
    if not isinstance(start_on, datetime.date) or not isinstance(end_on, datetime.date):
        raise ValidationError({"start_on": "开始日期和结束日期须为有效日期。"})
    if end_on < start_on:
        raise ValidationError({"end_on": "结束日期不能早于开始日期。"})
    quarter = quarter_of(start_on)
    if quarter_of(end_on) != quarter:
        raise ValidationError({"end_on": f"季度查体的开始和结束日期须在同一季度({quarter})内。"})
    label = Campaign.Kind(kind).label
    name = _text(name, "name", "名称", max_length=100, required=False)
    name = name or f"{org_unit.name} {quarter[:4]}年第{quarter[-1]}季度{label}"
    if Campaign.objects.filter(org_unit=org_unit, kind=kind, quarter=quarter).exists():
        raise ValidationError({"start_on": f"{org_unit.name} {quarter} 的{label}已经建立。"})
    campaign = Campaign.objects.create(
        org_unit=org_unit, kind=kind, name=name, quarter=quarter, start_on=start_on, end_on=end_on
    )
    added = _add_targets(campaign)
    record_event(
        actor=actor,
        action="campaign_created",
        target=campaign,
        kind=Event.Kind.CREATE,
        changes={
            "kind": [None, kind],
            "quarter": [None, quarter],
            "start_on": [None, start_on.isoformat()],
            "end_on": [None, end_on.isoformat()],
            "targets": [None, added],
        },
    )
    return campaign


@audited_atomic
def campaign_sync_targets(*, actor, campaign: Campaign) -> int:
    """Add women who became eligible since the list was built (e.g. new arrivals); never removes
    a target, so figures already reported stay reproducible."""
    campaign = Campaign.objects.select_for_update().select_related("org_unit").get(pk=campaign.pk)
    _require_unit(actor, campaign.org_unit)
    if campaign.end_on < _today():
        raise ValidationError({"campaign": "查体活动已结束,不能再增加对象。"})
    before = campaign.targets.count()
    added = _add_targets(campaign)
    record_event(
        actor=actor,
        action="campaign_targets_synced",
        target=campaign,
        changes={"targets": [before, before + added]},
    )
    return added


@audited_atomic
def campaign_record_attendance(
    *, actor, target: CampaignTarget, attended_on: datetime.date, result: str = ""
) -> CampaignTarget:
    """Record that a targeted woman came to the check-up (or correct the record)."""
    target = (
        CampaignTarget.objects.select_for_update()
        .select_related("campaign", "org_unit", "person")
        .get(pk=target.pk)
    )
    _require_unit(actor, target.org_unit)
    campaign = target.campaign
    _not_future(attended_on, "attended_on", "到检日期")
    if not campaign.start_on <= attended_on <= campaign.end_on:
        raise ValidationError(
            {
                "attended_on": (
                    f"到检日期须在活动期间({campaign.start_on:%Y-%m-%d} 至 "
                    f"{campaign.end_on:%Y-%m-%d})内。"
                )
            }
        )
    result = _text(result, "result", "结果", max_length=200, required=False)
    changes = {
        "attended_on": [
            target.attended_on.isoformat() if target.attended_on else None,
            attended_on.isoformat(),
        ],
        "result": [target.result, result],
    }
    target.attended_on = attended_on
    target.result = result
    target.save(update_fields=["attended_on", "result"])
    record_event(actor=actor, action="campaign_attendance_recorded", target=target, changes=changes)
    return target


# ---------------------------------------------------------------------------- home visits


@audited_atomic
def home_visit_record(
    *,
    actor,
    person: Person,
    visited_on: datetime.date,
    place: str,
    outcome: str,
    latitude=None,
    longitude=None,
    photos=(),
    client_uuid: uuid.UUID | str | None = None,
    followup: FollowUp | None = None,
) -> tuple[HomeVisit, bool]:
    """Log a home visit; returns (visit, created).

    The visit answers the person's 上门随访: every scheduled one already due on the visit's
    date is recorded as done by this visit (and the next one scheduled), and so is `followup`,
    the due item the visit was started from, even when it falls due later.

    A visit carrying a `client_uuid` already stored (an offline client syncing twice, or a form
    sent twice) is returned as it is, with created False, and nothing is written.
    """
    if client_uuid not in (None, ""):
        try:
            client_uuid = uuid.UUID(str(client_uuid))
        except ValueError:
            raise ValidationError({"client_uuid": "客户端编号格式不正确。"}) from None
        existing = HomeVisit.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.visited_by_id != actor.pk or existing.person_id != person.pk:
                raise ValidationError({"client_uuid": "客户端编号已被另一条走访记录使用。"})
            return existing, False
    else:
        client_uuid = None
    _require_writable(actor, person)
    _not_future(visited_on, "visited_on", "走访日期")
    place = _text(place, "place", "地点", max_length=200)
    outcome = _text(outcome, "outcome", "走访情况", max_length=5000)
    lat = _coordinate(latitude, "latitude", "纬度", LATITUDE_RANGE)
    lng = _coordinate(longitude, "longitude", "经度", LONGITUDE_RANGE)
    if (lat is None) != (lng is None):
        raise ValidationError({"latitude": "定位须同时填写纬度和经度,或都不填。"})
    answered = _home_followups_answered(person, visited_on, followup)
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": f"每次走访最多上传 {MAX_PHOTOS} 张照片。"})
    files = [_read_photo(upload) for upload in photos]

    visit = HomeVisit(
        person=person,
        org_unit=unit_of(person),
        visited_by=actor,
        visited_on=visited_on,
        place=place,
        latitude=lat,
        longitude=lng,
        outcome=outcome,
        client_uuid=client_uuid,
    )
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        # The same offline visit arrived twice at once; the other request stored it.
        existing = HomeVisit.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        return existing, False
    seen: set[str] = set()
    for image in files:
        digest = image.upload_sha256
        if digest in seen:
            continue  # The same picture chosen twice is kept once.
        seen.add(digest)
        photo = VisitPhoto(visit=visit, sha256=digest)
        # The name is random (StoredName); only the extension of the re-encoded image is used.
        photo.image.save(f"photo.{image.ext}", ContentFile(image.data), save=False)
        photo.save()
    record_event(
        actor=actor,
        action="home_visit_recorded",
        target=visit,
        kind=Event.Kind.CREATE,
        changes={
            "person": [None, str(person)],
            "visited_on": [None, visited_on.isoformat()],
            "place": [None, place],
            "located": [None, lat is not None],
            "photos": [None, len(seen)],
        },
    )
    for due in answered:
        followup_complete(
            actor=actor,
            followup=due,
            done_on=visited_on,
            outcome=f"入户走访:{outcome}"[:5000],
            visit=visit,
        )
    return visit, True


def _home_followups_answered(
    person: Person, visited_on: datetime.date, chosen: FollowUp | None
) -> list[FollowUp]:
    """The scheduled 上门随访 of `person` that a visit on `visited_on` answers."""
    scheduled = FollowUp.objects.filter(
        plan__person=person,
        plan__kind=FollowUpPlan.Kind.HOME,
        status=FollowUp.Status.SCHEDULED,
    )
    if chosen is not None and not scheduled.filter(pk=chosen.pk).exists():
        raise ValidationError(
            {"followup": "所选随访不是该人员待办的上门随访,请从工作清单重新进入。"}
        )
    due = scheduled.filter(Q(due_on__lte=visited_on) | Q(pk=getattr(chosen, "pk", None)))
    return list(due.order_by("due_on", "id"))


# ---------------------------------------------------------------------------- referrals


def _township_of(unit: OrgUnit) -> OrgUnit:
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    town = OrgUnit.objects.filter(pk__in=ids, kind=OrgUnit.Kind.TOWN).order_by("-path").first()
    return town or unit


def referral_office(village: OrgUnit, kind: str) -> OrgUnit:
    """The office that takes a referral of `kind` from `village` (see REFERRAL_OFFICE_WORDS)."""
    town = _township_of(village)
    departments = OrgUnit.objects.filter(parent=town, kind=OrgUnit.Kind.DEPARTMENT)
    for word in REFERRAL_OFFICE_WORDS.get(kind, ()):
        office = departments.filter(name__contains=word).order_by("path").first()
        if office is not None:
            return office
    return town


def referral_workdays(kind: str) -> int:
    configured = getattr(settings, "REFERRAL_WORKDAYS", None) or {}
    return int(configured.get(kind, REFERRAL_WORKDAYS[kind]))


@audited_atomic
def referral_open(*, actor, visit: HomeVisit, kind: str, note: str) -> Referral:
    """Hand a need found on a visit to the office for its kind, due in working days.

    When the holiday calendar of the due year is missing the referral is still opened, with no
    due date; the page says why (see `Referral.due_on`).
    """
    visit = HomeVisit.objects.select_related("org_unit", "person").get(pk=visit.pk)
    _require_unit(actor, visit.org_unit)
    if kind not in Referral.Kind.values:
        raise ValidationError({"kind": "请选择转介类别(医疗救助、民政救助或低保)。"})
    note = _text(note, "note", "情况说明", max_length=2000)
    if visit.referrals.filter(kind=kind, status=Referral.Status.OPEN).exists():
        raise ValidationError(
            {"kind": f"该走访已有待办理的{Referral.Kind(kind).label}转介,请勿重复转介。"}
        )
    office = referral_office(visit.org_unit, kind)
    today = _today()
    try:
        due_on = add_workdays(today, referral_workdays(kind))
    except HolidayDataMissing:
        due_on = None
    referral = Referral.objects.create(
        visit=visit,
        kind=kind,
        to_unit=office,
        note=note,
        opened_on=today,
        due_on=due_on,
        due_provisional=spans_provisional(today, due_on),
    )
    record_event(
        actor=actor,
        action="referral_opened",
        target=referral,
        kind=Event.Kind.CREATE,
        org_unit=visit.org_unit,
        changes={
            "kind": [None, kind],
            "to_unit": [None, office.name],
            "due_on": [None, due_on.isoformat() if due_on else None],
        },
    )
    return referral


def can_close_referral(user, referral: Referral) -> bool:
    return can_act_in(user, referral.to_unit, REFERRAL_OFFICE_ROLES)


@audited_atomic
def referral_close(
    *, actor, referral: Referral, result: str, closed_on: datetime.date | None = None
) -> Referral:
    """The receiving office records what it did; only its staff close a referral."""
    referral = (
        Referral.objects.select_for_update()
        .select_related("to_unit", "visit__org_unit")
        .get(pk=referral.pk)
    )
    if not can_close_referral(actor, referral):
        raise PermissionDenied
    if referral.status != Referral.Status.OPEN:
        raise ValidationError({"result": "该转介已办结。"})
    result = _text(result, "result", "办理结果", max_length=2000)
    closed_on = _not_future(closed_on or _today(), "closed_on", "办结日期")
    if closed_on < referral.visit.visited_on:
        raise ValidationError({"closed_on": "办结日期不能早于走访日期。"})
    referral.status = Referral.Status.DONE
    referral.result = result
    referral.closed_on = closed_on
    referral.save(update_fields=["status", "result", "closed_on"])
    record_event(
        actor=actor,
        action="referral_closed",
        target=referral,
        org_unit=referral.visit.org_unit,
        changes={
            "status": [Referral.Status.OPEN, Referral.Status.DONE],
            "closed_on": [None, closed_on.isoformat()],
        },
    )
    return referral


# ---------------------------------------------------------------------------- 计生助福


ASSISTANCE_RULE = (
    "计生助福对象:计生特殊家庭(独生子女死亡或伤残家庭)的成员,以及孤儿、单亲家庭子女等未满 "
    "18 周岁的儿童。"
)


def assistance_eligible(person: Person, on: datetime.date) -> bool:
    """Per ASSISTANCE_RULE: a member of a 计生特殊家庭, or a child under 18 on `on`."""
    special = Household.objects.filter(members__person=person).exclude(special_family="").exists()
    return special or person.birth_date > _years_before(on, 18)


@audited_atomic
def assistance_record(
    *,
    actor,
    person: Person,
    category: str,
    program: str,
    content: str,
    given_on: datetime.date,
    amount=None,
) -> Assistance:
    """Record goods, money (an amount in 元, above zero) or a service package given."""
    _require_writable(actor, person)
    if category not in Assistance.Category.values:
        raise ValidationError({"category": "请选择帮扶类别(物资、资金或服务套餐)。"})
    program = _text(program, "program", "项目", max_length=100)
    content = _text(content, "content", "内容", max_length=200)
    _not_future(given_on, "given_on", "发放日期")
    if amount in (None, ""):
        amount = None
    else:
        try:
            amount = Decimal(str(amount).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError({"amount": "金额(元)不是有效的数字。"}) from None
        if not amount.is_finite() or amount <= 0:
            raise ValidationError({"amount": "金额(元)须大于 0。"})
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError({"amount": "金额(元)最多保留两位小数。"})
        if amount >= Decimal("10000000000"):
            raise ValidationError({"amount": "金额(元)过大,请核对单位(应以元为单位)。"})
    if category == Assistance.Category.MONEY and amount is None:
        raise ValidationError({"amount": "资金类帮扶须填写金额(元)。"})
    if not assistance_eligible(person, given_on):
        raise ValidationError({"person": ASSISTANCE_RULE})
    assistance = Assistance.objects.create(
        person=person,
        org_unit=unit_of(person),
        category=category,
        program=program,
        content=content,
        amount=amount,
        given_on=given_on,
        given_by=actor,
    )
    record_event(
        actor=actor,
        action="assistance_recorded",
        target=assistance,
        kind=Event.Kind.CREATE,
        changes={
            "category": [None, category],
            "program": [None, program],
            "amount": [None, str(amount) if amount is not None else None],
            "given_on": [None, given_on.isoformat()],
        },
    )
    return assistance


# ---------------------------------------------------------------------------- 1+1 pairings


PHONE_RE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


@audited_atomic
def pairing_create(
    *,
    actor,
    person: Person,
    volunteer_name: str,
    volunteer_phone: str,
    cadence_days: int,
    started_on: datetime.date,
) -> Pairing:
    """Pair a volunteer with a child; the first visit is due one cadence after the start."""
    _require_writable(actor, person)
    volunteer_name = _text(volunteer_name, "volunteer_name", "志愿者", max_length=50)
    volunteer_phone = _text(volunteer_phone, "volunteer_phone", "志愿者电话", max_length=20)
    if not PHONE_RE.match(volunteer_phone):
        raise ValidationError({"volunteer_phone": "志愿者电话须为 11 位手机号或带区号的固定电话。"})
    if not isinstance(cadence_days, int) or not 1 <= cadence_days <= 365:
        raise ValidationError({"cadence_days": "走访周期(天)须在 1 到 365 之间。"})
    _not_future(started_on, "started_on", "结对日期")
    if Pairing.objects.filter(person=person, volunteer_name=volunteer_name, active=True).exists():
        raise ValidationError({"volunteer_name": "该志愿者已与此对象结对。"})
    pairing = Pairing.objects.create(
        person=person,
        org_unit=unit_of(person),
        volunteer_name=volunteer_name,
        volunteer_phone=volunteer_phone,
        cadence_days=cadence_days,
        started_on=started_on,
        next_due_on=started_on + datetime.timedelta(days=cadence_days),
    )
    record_event(
        actor=actor,
        action="pairing_created",
        target=pairing,
        kind=Event.Kind.CREATE,
        changes={
            "volunteer_name": [None, volunteer_name],
            "cadence_days": [None, cadence_days],
            "next_due_on": [None, pairing.next_due_on.isoformat()],
        },
    )
    return pairing


@audited_atomic
def pairing_record_visit(
    *, actor, pairing: Pairing, visited_on: datetime.date, note: str
) -> PairingVisit:
    """Record a volunteer's visit; the next one falls due one cadence after the latest visit."""
    pairing = Pairing.objects.select_for_update().select_related("org_unit").get(pk=pairing.pk)
    _require_unit(actor, pairing.org_unit)
    if not pairing.active:
        raise ValidationError({"visited_on": "结对已结束,不能再登记走访。"})
    _not_future(visited_on, "visited_on", "走访日期")
    if visited_on < pairing.started_on:
        raise ValidationError({"visited_on": "走访日期不能早于结对日期。"})
    note = _text(note, "note", "情况", max_length=2000)
    visit = PairingVisit.objects.create(
        pairing=pairing, visited_on=visited_on, note=note, recorded_by=actor
    )
    latest = pairing.visits.order_by("-visited_on").values_list("visited_on", flat=True).first()
    if latest is None:  # never: the visit was just created; this narrows the type
        latest = visited_on
    old_due = pairing.next_due_on
    pairing.next_due_on = latest + datetime.timedelta(days=pairing.cadence_days)
    pairing.save(update_fields=["next_due_on"])
    record_event(
        actor=actor,
        action="pairing_visit_recorded",
        target=pairing,
        changes={
            "visited_on": [None, visited_on.isoformat()],
            "next_due_on": [old_due.isoformat(), pairing.next_due_on.isoformat()],
        },
    )
    return visit


@audited_atomic
def pairing_end(*, actor, pairing: Pairing, reason: str) -> Pairing:
    """End a pairing (the child came of age, the volunteer left…); its visits stop falling due."""
    pairing = Pairing.objects.select_for_update().select_related("org_unit").get(pk=pairing.pk)
    _require_unit(actor, pairing.org_unit)
    if not pairing.active:
        raise ValidationError({"reason": "结对已结束。"})
    reason = _text(reason, "reason", "原因", max_length=200)
    pairing.active = False
    pairing.save(update_fields=["active"])
    record_event(
        actor=actor,
        action="pairing_ended",
        target=pairing,
        changes={"active": [True, False]},
        reason=reason,
    )
    return pairing
