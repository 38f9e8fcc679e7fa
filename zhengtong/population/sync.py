"""Records made offline on a phone, sent when the connection is back (POST /population/sync/).

Each record carries the `client_uuid` the phone gave it. A record already stored under its
number is answered "already saved" and nothing is written again, so a phone that sends twice
(the answer was lost, two tabs, a retry) stores each record once. Everything else goes through
the actions of the online forms (`followup_complete`, `home_visit_record`): the same checks,
the same audit trail.

A record the server cannot take answers with a Chinese message the page shows beside it:

- ``conflict``: the world moved on while the phone was offline — the person moved out of the
  worker's villages, someone else already recorded the follow-up, the plan was stopped;
- ``refused``: the row is not the worker's (another village's person, a number that does not
  exist: the same answer for both, audited as a denied access);
- ``invalid``: the record itself is wrong (a date in the future, an empty outcome).

The statuses ``saved`` and ``duplicate`` mean the record is on the server: the phone drops it.
"""

import base64
import binascii
import datetime
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.http import Http404
from django.urls import reverse

from zhengtong.audit.reads import record_denied

from .actions import care
from .actions import followups as followup_actions
from .models import FollowUp, FollowUpPlan, HomeVisit
from .selectors import get_person_for_user

MAX_RECORDS = 50

SAVED = "saved"
DUPLICATE = "duplicate"
CONFLICT = "conflict"
REFUSED = "refused"
INVALID = "invalid"

NOT_YOURS = "该人员不在您负责的村,或记录不存在,不能保存。"
MOVED = "该人员已迁出您负责的村,本条未保存;如需补记,请与现属地工作人员联系。"
UUID_TAKEN = "客户端编号已被另一条记录使用,本条未保存。"


@dataclass
class Result:
    client_uuid: str
    status: str
    message: str
    url: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for messages in exc.message_dict.values() for m in messages)
    return " ".join(exc.messages)


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _date(value, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({"date": f"{label}格式不正确,应为 YYYY-MM-DD。"}) from None


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _day(day: datetime.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def sync_records(actor, records: list[Any]) -> list[dict[str, str]]:
    """Take each record once; one answer per record, in order."""
    return [sync_record(actor, record).as_dict() for record in records]


def sync_record(actor, record: Any) -> Result:
    if not isinstance(record, dict):
        return Result("", INVALID, "记录格式不正确。")
    raw = record.get("client_uuid")
    try:
        number = uuid.UUID(str(raw)) if raw else None
    except ValueError:
        number = None
    if number is None:
        return Result(str(raw or "")[:64], INVALID, "缺少客户端编号或格式不正确,不能保存。")
    kind = record.get("kind")
    try:
        if kind == "followup":
            return _followup(actor, record, number)
        if kind == "visit":
            return _visit(actor, record, number)
    except ValidationError as exc:
        return Result(str(number), INVALID, _messages(exc))
    return Result(str(number), INVALID, "记录类型不正确(应为随访或走访)。")


# Follow-ups ------------------------------------------------------------------------------------


FOLLOWUPS = FollowUp.objects.select_related("plan__person", "done_by")


def _followup_url(followup: FollowUp) -> str:
    return reverse("population:followup_detail", args=[followup.pk])


def _followup_replay(actor, number: uuid.UUID) -> Result | None:
    existing = FOLLOWUPS.filter(client_uuid=number).first()
    if existing is None:
        return None
    if existing.done_by_id != actor.pk:
        return Result(str(number), REFUSED, UUID_TAKEN)
    return Result(
        str(number), DUPLICATE, "这条随访已经保存过,未重复记录。", _followup_url(existing)
    )


def _followup_closed(actor, followup: FollowUp, number: uuid.UUID) -> Result | None:
    """Why a follow-up recorded offline can no longer be recorded, if it cannot."""
    plan = followup.plan
    if followup.status == FollowUp.Status.DONE:
        by = followup.done_by
        if by is None:
            message = "这次随访已登记,本条未保存。"
        else:
            who = "您" if by.pk == actor.pk else by.display_name
            message = f"这次随访已由{who}于 {_day(followup.done_on)} 登记,本条未保存。"
        return Result(str(number), CONFLICT, message, _followup_url(followup))
    if not plan.active:
        reason = f"(原因:{followup.skip_reason})" if followup.skip_reason else ""
        return Result(
            str(number),
            CONFLICT,
            f"该随访计划已停止{reason},本条未保存。",
            _followup_url(followup),
        )
    if followup.status == FollowUp.Status.SKIPPED:
        reason = f"(原因:{followup.skip_reason})" if followup.skip_reason else ""
        return Result(
            str(number), CONFLICT, f"这次随访已被跳过{reason},本条未保存。", _followup_url(followup)
        )
    return None


def _followup(actor, record: dict, number: uuid.UUID) -> Result:
    if replay := _followup_replay(actor, number):
        return replay
    pk = _int(record.get("followup"))
    followup = FOLLOWUPS.filter(pk=pk).first() if pk is not None else None
    if followup is None:
        record_denied(
            actor=actor,
            model=FollowUp,
            pk=record.get("followup"),
            action="population_access_denied",
            write=True,
        )
        return Result(str(number), REFUSED, NOT_YOURS)
    try:
        get_person_for_user(actor, followup.plan.person_id, for_write=True, purpose="随访记录")
    except Http404:
        return Result(str(number), REFUSED, NOT_YOURS)
    except PermissionDenied:
        return Result(str(number), CONFLICT, MOVED)
    if closed := _followup_closed(actor, followup, number):
        return closed
    done_on = _date(record.get("done_on"), "随访日期")
    try:
        following = followup_actions.followup_complete(
            actor=actor,
            followup=followup,
            done_on=done_on,
            outcome=_text(record.get("outcome")),
            client_uuid=number,
        )
    except (ValidationError, IntegrityError) as exc:
        # Recorded meanwhile: by this very record sent twice at once, or by someone else.
        if replay := _followup_replay(actor, number):
            return replay
        fresh = FOLLOWUPS.get(pk=followup.pk)
        if closed := _followup_closed(actor, fresh, number):
            return closed
        raise exc
    message = f"已保存,下次随访 {_day(following.due_on)}。" if following else "已保存。"
    return Result(str(number), SAVED, message, _followup_url(followup))


# Home visits ----------------------------------------------------------------------------------


def _visit_url(visit: HomeVisit) -> str:
    return reverse("population:visit_detail", args=[visit.pk])


def _visit_replay(actor, number: uuid.UUID) -> Result | None:
    existing = HomeVisit.objects.filter(client_uuid=number).first()
    if existing is None:
        return None
    if existing.visited_by_id != actor.pk:
        return Result(str(number), REFUSED, UUID_TAKEN)
    return Result(str(number), DUPLICATE, "这条走访已经保存过,未重复记录。", _visit_url(existing))


def _photos(value) -> list[SimpleUploadedFile]:
    """The photos of an offline visit: [{"name", "type", "data" (base64)}], checked by the
    action like an upload of the online form."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError({"photos": "照片数据不正确。"})
    if len(value) > care.MAX_PHOTOS:
        raise ValidationError({"photos": f"每次走访最多上传 {care.MAX_PHOTOS} 张照片。"})
    files = []
    for n, photo in enumerate(value, start=1):
        if not isinstance(photo, dict) or not isinstance(photo.get("data"), str):
            raise ValidationError({"photos": f"第 {n} 张照片数据不正确。"})
        try:
            data = base64.b64decode(photo["data"], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({"photos": f"第 {n} 张照片数据不正确。"}) from None
        name = _text(photo.get("name"))[:100] or f"photo{n}"
        files.append(SimpleUploadedFile(name, data, content_type=_text(photo.get("type"))))
    return files


def _visit(actor, record: dict, number: uuid.UUID) -> Result:
    if replay := _visit_replay(actor, number):
        return replay
    pk = _int(record.get("person"))
    try:
        person = get_person_for_user(actor, pk, for_write=True, purpose="入户走访")
    except Http404:
        return Result(str(number), REFUSED, NOT_YOURS)
    except PermissionDenied:
        return Result(str(number), CONFLICT, MOVED)
    visited_on = _date(record.get("visited_on"), "走访日期")
    # The 上门随访 the visit was started from: when it was recorded or stopped meanwhile, the
    # visit (which happened) is still kept, on its own, and the answer says so.
    note = ""
    followup = None
    if (followup_pk := _int(record.get("followup"))) is not None:
        followup = FOLLOWUPS.filter(
            pk=followup_pk, plan__person=person, plan__kind=FollowUpPlan.Kind.HOME
        ).first()
        if followup is not None and (closed := _followup_closed(actor, followup, number)):
            note = closed.message.replace("本条未保存", "走访已单独保存")
            followup = None
    try:
        visit, created = care.home_visit_record(
            actor=actor,
            person=person,
            visited_on=visited_on,
            place=_text(record.get("place")),
            outcome=_text(record.get("outcome")),
            latitude=_text(record.get("latitude")) or None,
            longitude=_text(record.get("longitude")) or None,
            photos=_photos(record.get("photos")),
            client_uuid=number,
            followup=followup,
        )
    except ValidationError as exc:
        if replay := _visit_replay(actor, number):
            return replay
        raise ValidationError(_messages(exc)) from exc
    if not created:
        return Result(str(number), DUPLICATE, "这条走访已经保存过,未重复记录。", _visit_url(visit))
    closed_count = visit.followups.count()
    message = f"已保存,同时完成上门随访 {closed_count} 项。" if closed_count else "已保存。"
    if note:
        message = f"{message}{note}"
    return Result(str(number), SAVED, message, _visit_url(visit))
