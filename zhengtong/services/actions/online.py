"""网上申请: a resident's submission from a phone, and what the hall does with it.

- `online_submit` (no actor: the resident has no account, their phone was proved by an SMS code
  before the call) stores the submission with its material photos (re-encoded by
  `lib.files.normalise_image`) under a 网上申请 receipt number, ``WS`` + the hall's prefix +
  date + serial, in the hall's queue;
- `online_take`: a window clerk of that hall takes it in through the window's intake action
  (`intake.application_intake`, channel 网上申请, the same receipt number): the clerk becomes
  the case's first responder, and missing materials give the one-time notice (待补正) exactly
  as at the window. Two clerks taking it at once: the row lock lets one win, the other is told;
- `online_decline`: the clerk sends it back with a reason the resident reads on the status
  page and receives by SMS.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from zhengtong.accounts.models import Membership, OrgUnit
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.encrypted import normalise_phone
from zhengtong.lib.files import ImageRejected, NormalisedImage, normalise_image
from zhengtong.lib.idcard import parse_id_number
from zhengtong.notify.cases import hall_name
from zhengtong.notify.optout import MOBILE_RE
from zhengtong.notify.outbox import Recipient, notify
from zhengtong.workdays import HolidayDataMissing, add_workdays

from ..models import Application, Material, OnlineApplication, OnlinePhoto, ServiceItem
from ..selectors import CASE_ROLES
from .intake import _clean_situation, _situation_missing, application_intake
from .numbering import hall_prefix, sequence_next

ONLINE_PREFIX = "WS"
RESPOND_WORKDAYS = 1
MAX_PHOTOS_PER_MATERIAL = 3
MAX_PHOTOS = 12


def online_halls():
    """The halls a resident may apply to: the units that have window clerks."""
    clerks = Membership.objects.filter(role__in=CASE_ROLES, user__is_active=True)
    return OrgUnit.objects.filter(pk__in=clerks.values("org_unit")).order_by("path")


def next_online_no(hall: OrgUnit, day: datetime.date) -> str:
    serial = sequence_next(f"online:{hall.pk}:{day:%Y%m%d}")
    return f"{ONLINE_PREFIX}{hall_prefix(hall)}{day:%Y%m%d}{serial:04d}"


def respond_by(day: datetime.date) -> datetime.date:
    """One working day after the submission; the next calendar day when the year's holiday
    data is missing (the queue still shows the submission as due)."""
    try:
        return add_workdays(day, RESPOND_WORKDAYS)
    except HolidayDataMissing:
        return day + datetime.timedelta(days=1)


def read_photo(upload, label: str) -> NormalisedImage:
    """The checked, re-encoded photo; ValidationError (naming the material) otherwise."""
    try:
        return normalise_image(upload)
    except ImageRejected as exc:
        raise ValidationError(f"{label}:{exc}") from None


@dataclass
class _Clean:
    item: ServiceItem
    hall: OrgUnit
    name: str
    id_number: str
    phone: str
    situation: dict
    note: str
    images: list[tuple[Material, NormalisedImage]]


def online_check(**fields) -> None:
    """Check a submission as `online_submit` would, storing nothing (ValidationError if bad):
    the page calls it before spending the resident's SMS code."""
    _clean(**fields)


@audited_atomic
def online_submit(**fields) -> OnlineApplication:
    """Store a resident's online application in the hall's queue: `item_code`, `hall`, `name`,
    `id_number`, `phone` (proved by an SMS code before the call), `situation`, `photos` (a
    material code to its uploads) and `note`. Every bad field is reported at once, and
    nothing is stored then."""
    clean = _clean(**fields)
    item, hall, images = clean.item, clean.hall, clean.images
    now = timezone.now()
    day = timezone.localdate(now)
    submission = OnlineApplication.objects.create(
        receipt_no=next_online_no(hall, day),
        item=item,
        org_unit=hall,
        name=clean.name,
        id_number=clean.id_number,
        phone=clean.phone,
        situation=clean.situation,
        note=clean.note,
        submitted_at=now,
        respond_by=respond_by(day),
    )
    seen: set[tuple[int, str]] = set()
    for material, image in images:
        key = (material.pk, image.upload_sha256)
        if key in seen:
            continue  # the same picture chosen twice for a material is kept once
        seen.add(key)
        photo = OnlinePhoto(submission=submission, material=material, sha256=image.upload_sha256)
        # The name is random (StoredName); only the extension of the re-encoded image is used.
        photo.image.save(f"photo.{image.ext}", ContentFile(image.data), save=False)
        photo.save()
    record_event(
        actor=None,
        action="online_application_submitted",
        kind=Event.Kind.CREATE,
        target=submission,
        changes={
            "receipt_no": [None, submission.receipt_no],
            "item": [None, item.name],
            "hall": [None, hall.name],
            "photos": [None, len(seen)],
        },
    )
    return submission


def _clean(
    *,
    item_code: str,
    hall: OrgUnit | None,
    name: str,
    id_number: str,
    phone: str,
    situation: dict | None = None,
    photos: dict[str, list] | None = None,
    note: str = "",
) -> _Clean:
    errors: dict[str, list[str]] = {}
    item = (
        ServiceItem.objects.filter(code=str(item_code or "").strip(), is_active=True)
        .prefetch_related("materials")
        .first()
    )
    if item is None:
        errors["item"] = ["该事项不存在或已停止网上申请。"]
    if hall is None or not online_halls().filter(pk=hall.pk).exists():
        errors["hall"] = ["请选择办理的便民服务中心。"]
    name = str(name or "").strip()
    if not name:
        errors["name"] = ["请填写申请人姓名。"]
    elif len(name) > 50:
        errors["name"] = ["姓名不能超过 50 个字。"]
    try:
        number = parse_id_number(id_number).number
    except ValidationError as exc:
        errors["id_number"] = exc.messages
        number = ""
    phone = normalise_phone(phone or "")
    if not MOBILE_RE.match(phone):
        errors["phone"] = ["手机号码格式不正确,请输入 11 位手机号码。"]
    note = str(note or "").strip()
    if len(note) > 500:
        errors["note"] = ["补充说明不能超过 500 个字。"]
    clean_situation: dict = {}
    try:
        clean_situation = _clean_situation(situation)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    images: list[tuple] = []
    if item is not None:
        for key, message in _situation_missing(item, clean_situation, {}).items():
            errors.setdefault(key, []).append(message)
        by_code = {m.code: m for m in item.materials.all()}
        photos = photos or {}
        unknown = [code for code in photos if code not in by_code]
        if unknown:
            errors["photos"] = [f"以下材料不属于事项“{item.name}”:{'、'.join(unknown)}。"]
        for code, uploads in photos.items():
            material = by_code.get(code)
            if material is None:
                continue
            uploads = [u for u in uploads if u]
            if len(uploads) > MAX_PHOTOS_PER_MATERIAL:
                errors.setdefault(f"m_{code}", []).append(
                    f"{material.name}:最多上传 {MAX_PHOTOS_PER_MATERIAL} 张照片。"
                )
                continue
            for upload in uploads:
                try:
                    images.append((material, read_photo(upload, material.name)))
                except ValidationError as exc:
                    errors.setdefault(f"m_{code}", []).extend(exc.messages)
        if not images and not any(k.startswith("m_") for k in errors):
            errors["photos"] = ["请至少上传一项材料的照片。"]
        elif len(images) > MAX_PHOTOS:
            errors["photos"] = [f"照片总数不能超过 {MAX_PHOTOS} 张。"]
    if errors:
        raise ValidationError(errors)
    assert item is not None and hall is not None
    return _Clean(item, hall, name, number, phone, clean_situation, note, images)


def _lock(submission: OnlineApplication) -> OnlineApplication:
    """The submission row locked to commit and read afresh: a second clerk waits here and then
    finds it taken."""
    return (
        OnlineApplication.objects.select_for_update(of=("self",))
        .select_related("item", "org_unit", "taken_by")
        .get(pk=submission.pk)
    )


def _require_waiting(actor, submission: OnlineApplication) -> None:
    if not can_act_in(actor, submission.org_unit, CASE_ROLES):
        raise PermissionDenied("您不是该便民服务中心的窗口工作人员。")
    if submission.status == OnlineApplication.Status.TAKEN:
        who = submission.taken_by.display_name if submission.taken_by else "其他工作人员"
        raise ValidationError({"status": f"该网上申请已由{who}接件,办件 {submission.receipt_no}。"})
    if submission.status == OnlineApplication.Status.DECLINED:
        raise ValidationError({"status": "该网上申请已退回申请人,不能再接件。"})


@audited_atomic
def online_take(
    *, actor, submission: OnlineApplication, materials: list[str] | None = None
) -> Application:
    """Take the submission in as a case (channel 网上申请, same receipt number): `materials` are
    the codes of the materials the clerk accepts from the photos (default: every material with
    a photo); any required one left out is in the one-time notice and the case is 待补正."""
    submission = _lock(submission)
    _require_waiting(actor, submission)
    if materials is None:
        materials = sorted(set(submission.photos.values_list("material__code", flat=True)))
    application = _intake(actor, submission, list(materials))
    submission.status = OnlineApplication.Status.TAKEN
    submission.taken_by = actor
    submission.taken_at = timezone.now()
    submission.application = application
    submission.save(update_fields=["status", "taken_by", "taken_at", "application"])
    record_event(
        actor=actor,
        action="online_application_taken",
        target=submission,
        changes={
            "status": [OnlineApplication.Status.WAITING.label, submission.get_status_display()],
            "application": [None, application.receipt_no],
            "case_status": [None, application.get_status_display()],
        },
    )
    return application


def _intake(actor, submission: OnlineApplication, materials: list[str]) -> Application:
    return application_intake(
        actor=actor,
        item_code=submission.item.code,
        applicant={
            "name": submission.name,
            "id_number": submission.id_number,
            "phone": submission.phone,
        },
        materials=materials,
        situation=submission.situation,
        channel=Application.Channel.ONLINE,
        org_unit=submission.org_unit,
        receipt_no=submission.receipt_no,
    )


@audited_atomic
def online_decline(*, actor, submission: OnlineApplication, reason: str) -> OnlineApplication:
    """Send the submission back with a reason; the resident reads it and gets it by SMS."""
    submission = _lock(submission)
    _require_waiting(actor, submission)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回理由,申请人会看到这段说明。"})
    if len(reason) > 300:
        raise ValidationError({"reason": "退回理由不能超过 300 个字。"})
    submission.status = OnlineApplication.Status.DECLINED
    submission.declined_reason = reason
    submission.save(update_fields=["status", "declined_reason"])
    record_event(
        actor=actor,
        action="online_application_declined",
        target=submission,
        reason=reason,
        changes={
            "status": [OnlineApplication.Status.WAITING.label, submission.get_status_display()],
            "reason": [None, reason],
        },
    )
    notify(
        event="online_declined",
        target=submission,
        recipients=[Recipient.resident(submission.phone, submission.name)],
        context={
            "name": submission.name,
            "item": submission.item.name,
            "receipt_no": submission.receipt_no,
            "reason": reason,
            "hall": hall_name(submission.org_unit.name),
        },
        dedupe=f"online_declined:{submission.pk}",
        item=submission.item,
    )
    return submission
