"""Every change of a case, a leave or a rating: one transaction, one audit event each.

The rules of the hall live here: 一次性告知 (intake issues one notice listing every missing
material; a later request citing anything else is warned about and recorded), 首问负责 (the
receiving clerk is `first_responder` for life; handovers move `handler` only), 限时办结 (due =
acceptance date + promised working days + the working days the clock stood still), A/B roles
(B acts for A while A is on leave; the event says "on_behalf_of" A) and 好差评.
"""

import datetime
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts.models import Membership
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.idcard import parse_id_number
from zhengtong.people.actions import person_get_or_register
from zhengtong.people.models import Person
from zhengtong.workdays import HolidayDataMissing, WorkCalendar

from .models import (
    Application,
    DutyEntry,
    Leave,
    Material,
    Notice,
    NoticeItem,
    Pause,
    Post,
    Rating,
    ReceivedMaterial,
    Rectification,
    Sequence,
    ServiceItem,
)
from .selectors import CASE_ROLES, SITUATION_KEYS, acting_as, required_materials

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")
HUKOU_VALUES = ("local", "floating")


# --- numbering -------------------------------------------------------------------------------


def sequence_next(key: str) -> int:
    """The next number of the named counter, in one atomic statement.

    The upsert takes the counter row's lock and holds it to commit, so two transactions asking
    for the same key get consecutive numbers and a rolled-back one gives its number back.
    Actions take the audit chain's lock before this one (`audited_atomic`), so a counter is
    never waited for by a transaction that holds the chain.
    """
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, last_number) VALUES (%s, 1) "  # noqa: S608 - table name
            f"ON CONFLICT (key) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [key],
        )
        return cursor.fetchone()[0]


def hall_prefix(org_unit) -> str:
    """Receipt-number prefix of a hall: its unit code, letters and digits only."""
    return re.sub(r"[^A-Z0-9]", "", org_unit.code.upper())[:10]


def _next_receipt_no(org_unit, day: datetime.date) -> str:
    serial = sequence_next(f"receipt:{org_unit.pk}:{day:%Y%m%d}")
    return f"{hall_prefix(org_unit)}{day:%Y%m%d}{serial:04d}"


def _next_certificate_no(item: ServiceItem, year: int) -> str:
    serial = sequence_next(f"cert:{item.code}:{year}")
    return f"{item.certificate_prefix or item.code}{year}{serial:06d}"


# --- helpers ---------------------------------------------------------------------------------


def _lock(application: Application) -> None:
    """Lock the case row and reload it, so concurrent actions see each other's result."""
    list(Application.objects.select_for_update().filter(pk=application.pk).values_list("pk"))
    application.refresh_from_db()


def _require_actor(actor, application: Application) -> dict:
    """The on_behalf_of change for B 代 A (empty when acting for oneself); 403 otherwise."""
    mode = acting_as(actor, application)
    if mode is None:
        raise PermissionDenied(_("您不是该办件的承办人,也不是承办人请假期间的 B 角。"))
    if mode == "b_for_a":
        return {"on_behalf_of": [None, application.handler.display_name]}
    return {}


def _require_status(application: Application, *statuses: str, message: str) -> None:
    if application.status not in statuses:
        raise ValidationError({"status": message})


def _materials_of(item: ServiceItem, codes, *, required: bool = True) -> list[Material]:
    """The item's materials for `codes`, in guide order; unknown codes name the field."""
    if isinstance(codes, str) or not isinstance(codes, list | tuple):
        raise ValidationError({"materials": _("材料应为材料编码的列表。")})
    wanted = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
    if required and not wanted:
        raise ValidationError({"materials": _("请至少选择一项材料。")})
    by_code = {m.code: m for m in item.materials.all()}
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        raise ValidationError(
            {
                "materials": _("以下材料不属于事项“%(item)s”:%(codes)s。")
                % {"item": item.name, "codes": "、".join(unknown)}
            }
        )
    return sorted((by_code[c] for c in wanted), key=lambda m: (m.sort_order, m.code))


SITUATION_NEEDED = {
    "hukou": _("本事项所需材料取决于户籍情形,请选择申请人的户籍。"),
    "marital_status": _(
        "本事项所需材料取决于婚姻状况(如已婚须提交结婚证),请选择申请人的婚姻状况。"
    ),
    "child_order": _("本事项所需材料取决于申请孩次,请选择孩次。"),
}


def _situation_missing(item: ServiceItem, situation: dict, applicant: dict) -> dict[str, str]:
    """The situation keys the item's materials depend on that intake left open: without them
    the one-time notice would silently leave out a material (e.g. 结婚证). A marital status
    already on the applicant's record counts as given."""
    needed = {
        key
        for condition in item.materials.values_list("condition", flat=True)
        for key in (condition or {})
        if key in SITUATION_NEEDED
    }
    missing = needed - set(situation)
    if "marital_status" in missing:
        number = str(applicant.get("id_number") or "").strip().upper()
        if Person.objects.filter(id_number=number).exclude(marital_status="").exists():
            missing.discard("marital_status")
    return {key: str(SITUATION_NEEDED[key]) for key in sorted(missing)}


def _clean_situation(situation) -> dict:
    if situation in (None, ""):
        return {}
    if not isinstance(situation, dict):
        raise ValidationError({"situation": _("申请情形格式不正确。")})
    unknown = [k for k in situation if k not in SITUATION_KEYS]
    if unknown:
        raise ValidationError(
            {"situation": _("未知的申请情形:%(keys)s。") % {"keys": "、".join(map(str, unknown))}}
        )
    clean = {}
    if situation.get("hukou") not in (None, ""):
        if situation["hukou"] not in HUKOU_VALUES:
            raise ValidationError({"situation": _("户籍情形只能是本地户籍或流动人口。")})
        clean["hukou"] = situation["hukou"]
    if situation.get("marital_status") not in (None, ""):
        allowed = [v for v in Person.MaritalStatus.values if v]
        if situation["marital_status"] not in allowed:
            raise ValidationError({"situation": _("婚姻状况不正确。")})
        clean["marital_status"] = situation["marital_status"]
    if situation.get("child_order") not in (None, ""):
        order = situation["child_order"]
        if isinstance(order, str) and order.isdigit():
            order = int(order)
        if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 20:
            raise ValidationError({"situation": _("孩次应为 1 到 20 之间的整数。")})
        clean["child_order"] = order
    return clean


def _clean_phone(phone) -> str:
    phone = re.sub(r"\s", "", str(phone or ""))
    if not phone:
        raise ValidationError({"phone": _("请填写联系电话。")})
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise ValidationError(
            {"phone": _("联系电话格式不正确,应为 11 位手机号或带区号的固定电话。")}
        )
    return phone


def _hall_of(actor, org_unit):
    """The hall a clerk takes a case in for: the given one, or their only window-clerk unit."""
    if org_unit is not None:
        if not can_act_in(actor, org_unit, CASE_ROLES):
            raise PermissionDenied(_("您不是该服务大厅的窗口工作人员。"))
        return org_unit
    halls = [
        m.org_unit
        for m in Membership.objects.filter(user=actor, role__in=CASE_ROLES).select_related(
            "org_unit"
        )
    ]
    if not halls:
        raise PermissionDenied(_("只有窗口工作人员可以收件。"))
    if len(halls) > 1:
        raise ValidationError({"org_unit": _("您在多个服务大厅任职,请选择收件的服务大厅。")})
    return halls[0]


def _outstanding(application: Application) -> list[Material]:
    """Materials still to hand in: those the situation requires plus any a notice cited."""
    materials = list(application.item.materials.all())
    required = {m.pk for m in required_materials(application.item, application.situation)}
    cited = set(
        NoticeItem.objects.filter(notice__application=application).values_list(
            "material_id", flat=True
        )
    )
    received = set(application.received_materials.values_list("material_id", flat=True))
    return [m for m in materials if (m.pk in required or m.pk in cited) and m.pk not in received]


def _set_due(application: Application, calendar: WorkCalendar | None = None) -> None:
    """due = acceptance date + promised + paused working days, or the year the data lacks."""
    calendar = calendar or WorkCalendar()
    days = application.item.promised_workdays + application.paused_workdays
    accepted_on = application.accepted_on
    assert accepted_on is not None, "only an accepted application has a due date"
    try:
        due_on = calendar.add_workdays(accepted_on, days)
        application.due_on = due_on
        application.due_provisional = calendar.spans_provisional(accepted_on, due_on)
        application.calendar_missing_year = None
    except HolidayDataMissing as exc:
        application.due_on = None
        application.calendar_missing_year = exc.year


def _close_pause(application: Application, today: datetime.date) -> Pause | None:
    """End the open pause today and add its working days to the case; None when none is open."""
    pause = application.pauses.filter(ended_on__isnull=True).first()
    if pause is None:
        return None
    pause.ended_on = today
    try:
        pause.workdays = max(WorkCalendar().workdays_between(pause.started_on, today), 0)
    except HolidayDataMissing as exc:
        # The days cannot be counted; the case reports the gap instead of a wrong due date.
        pause.workdays = 0
        application.calendar_missing_year = exc.year
    pause.save(update_fields=["ended_on", "workdays"])
    application.paused_workdays += pause.workdays
    return pause


def _names(materials) -> list[str]:
    return [m.name for m in materials]


def _due_change(application: Application) -> dict:
    changes: dict[str, list[Any]] = {"due_on": [None, application.due_on]}
    if application.due_provisional:
        changes["due_provisional"] = [None, True]
    if application.calendar_missing_year:
        changes["calendar_missing_year"] = [None, application.calendar_missing_year]
    return changes


# --- cases -----------------------------------------------------------------------------------


@audited_atomic
def application_intake(
    *,
    actor,
    item_code: str,
    applicant: dict,
    materials: list[str],
    situation: dict | None = None,
    channel: str = Application.Channel.WINDOW,
    org_unit=None,
    received_at: datetime.datetime | None = None,
) -> Application:
    """Take in a case at the window: accepted with a due date when the materials are complete,
    otherwise pending with ONE notice listing every missing material."""
    hall = _hall_of(actor, org_unit)
    errors: dict[str, list[str]] = {}

    def collect(func, *args):
        try:
            return func(*args)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            return None

    item = ServiceItem.objects.filter(code=str(item_code or "").strip(), is_active=True).first()
    if item is None:
        errors["item"] = [_("事项编码“%(code)s”不存在或已停用。") % {"code": item_code or ""}]
    applicant = applicant if isinstance(applicant, dict) else {}
    try:
        parse_id_number(applicant.get("id_number", ""))
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    name = str(applicant.get("name") or "").strip()
    if not name:
        errors["name"] = [_("请填写申请人姓名。")]
    phone = collect(_clean_phone, applicant.get("phone"))
    clean_situation = collect(_clean_situation, situation)
    if channel not in Application.Channel.values:
        errors["channel"] = [_("来源渠道不正确。")]
    presented = (
        collect(lambda: _materials_of(item, materials or [], required=False)) if item else None
    )
    if item is not None and clean_situation is not None:
        for key, message in _situation_missing(item, clean_situation, applicant).items():
            errors.setdefault(key, []).append(message)
    if errors:
        raise ValidationError(errors)
    assert item is not None and presented is not None, "a missing item is an error above"

    person = person_get_or_register(
        actor=actor, id_number=applicant["id_number"], name=name, phone=phone
    )
    if "marital_status" not in clean_situation and person.marital_status:
        clean_situation["marital_status"] = person.marital_status
    received_at = received_at or timezone.now()
    day = timezone.localdate(received_at)
    application = Application.objects.create(
        receipt_no=_next_receipt_no(hall, day),
        item=item,
        org_unit=hall,
        applicant=person,
        applicant_phone=phone,
        situation=clean_situation,
        channel=channel,
        status=Application.Status.PENDING,
        first_responder=actor,
        handler=actor,
        received_at=received_at,
    )
    ReceivedMaterial.objects.bulk_create(
        ReceivedMaterial(application=application, material=m, received_at=received_at)
        for m in presented
    )
    missing = _outstanding(application)
    changes = {
        "receipt_no": [None, application.receipt_no],
        "item": [None, item.name],
        "applicant": [None, person.name],
        "channel": [None, channel],
        "materials": [None, _names(presented)],
    }
    if missing:
        notice = Notice.objects.create(
            application=application, issued_at=received_at, issued_by=actor
        )
        NoticeItem.objects.bulk_create(
            NoticeItem(notice=notice, material=m, problem=NoticeItem.Problem.MISSING)
            for m in missing
        )
        changes["missing_materials"] = [None, _names(missing)]
    else:
        application.status = Application.Status.ACCEPTED
        application.accepted_on = day
        _set_due(application)
        application.save(
            update_fields=[
                "status",
                "accepted_on",
                "due_on",
                "due_provisional",
                "calendar_missing_year",
                "updated_at",
            ]
        )
        changes.update(_due_change(application))
    changes["status"] = [None, application.status]
    record_event(
        actor=actor,
        action="application_received",
        kind=Event.Kind.CREATE,
        target=application,
        changes=changes,
    )
    return application


@audited_atomic
def application_supplement(*, actor, application: Application, materials: list[str]) -> Application:
    """Record materials the applicant brings; once nothing is outstanding the case is accepted
    (from pending: acceptance today; from paused: the clock resumes, due moved out)."""
    _lock(application)
    on_behalf = _require_actor(actor, application)
    _require_status(
        application,
        Application.Status.PENDING,
        Application.Status.PAUSED,
        message=_("只有待补正或补正中的办件可以补交材料。"),
    )
    brought = _materials_of(application.item, materials)
    now = timezone.now()
    for material in brought:
        ReceivedMaterial.objects.update_or_create(
            application=application, material=material, defaults={"received_at": now}
        )
    changes = {"materials": [None, _names(brought)], **on_behalf}
    missing = _outstanding(application)
    old_status = application.status
    if missing:
        action = "materials_supplemented"
        changes["missing_materials"] = [None, _names(missing)]
    else:
        today = timezone.localdate(now)
        if old_status == Application.Status.PENDING:
            action = "application_accepted"
            application.accepted_on = today
            changes["accepted_on"] = [None, today]
        old_due = application.due_on
        application.calendar_missing_year = None
        if old_status == Application.Status.PAUSED:
            action = "application_resumed"
            pause = _close_pause(application, today)
            changes["paused_workdays"] = [None, pause.workdays if pause else 0]
        application.status = Application.Status.ACCEPTED
        if application.calendar_missing_year is None:
            _set_due(application)
        else:
            application.due_on = None
        application.save(
            update_fields=[
                "status",
                "accepted_on",
                "paused_workdays",
                "due_on",
                "due_provisional",
                "calendar_missing_year",
                "updated_at",
            ]
        )
        changes["status"] = [old_status, application.status]
        changes.update(_due_change(application))
        changes["due_on"][0] = old_due
    record_event(actor=actor, action=action, target=application, changes=changes)
    return application


@audited_atomic
def application_request_correction(
    *, actor, application: Application, materials: list[str], note: str = ""
) -> Notice:
    """Ask the applicant to supplement or correct materials.

    After acceptance this stops the clock (a Pause, status paused). Materials outside the first
    notice are allowed, but the notice is marked and the event is the warning
    "notice_outside_first".
    """
    _lock(application)
    on_behalf = _require_actor(actor, application)
    _require_status(
        application,
        Application.Status.PENDING,
        Application.Status.ACCEPTED,
        message=_("只有待补正或已受理的办件可以要求补正。"),
    )
    cited = _materials_of(application.item, materials)
    note = (note or "").strip()
    first = application.notices.order_by("issued_at", "id").first()
    first_ids = set(first.items.values_list("material_id", flat=True)) if first else set()
    outside = [m for m in cited if m.pk not in first_ids]
    received = set(application.received_materials.values_list("material_id", flat=True))
    now = timezone.now()
    notice = Notice.objects.create(
        application=application, issued_at=now, issued_by=actor, within_first_notice=not outside
    )
    NoticeItem.objects.bulk_create(
        NoticeItem(
            notice=notice,
            material=m,
            problem=(
                NoticeItem.Problem.DEFECTIVE if m.pk in received else NoticeItem.Problem.MISSING
            ),
            note=note[:200],
        )
        for m in cited
    )
    # A cited material must be handed in again before the case can go on.
    application.received_materials.filter(material__in=cited).delete()
    changes = {"notice_materials": [None, _names(cited)], **on_behalf}
    action = "notice_issued"
    if application.status == Application.Status.ACCEPTED:
        Pause.objects.create(
            application=application,
            started_on=timezone.localdate(now),
            reason=(note or _("等待申请人补正材料"))[:200],
        )
        changes["status"] = [application.status, Application.Status.PAUSED]
        application.status = Application.Status.PAUSED
        application.save(update_fields=["status", "updated_at"])
        action = "application_paused"
    if outside:
        action = "notice_outside_first"
        changes["outside_first_notice"] = [None, _names(outside)]
    record_event(actor=actor, action=action, target=application, changes=changes, reason=note)
    return notice


@audited_atomic
def application_handover(*, actor, application: Application, to_user, reason: str) -> Application:
    """Hand the case to another clerk of the hall; the first-responsible clerk stays."""
    _lock(application)
    on_behalf = _require_actor(actor, application)
    if not application.is_open:
        raise ValidationError({"status": _("已办结的办件不能移交。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写移交原因。")})
    if to_user is None or not can_act_in(to_user, application.org_unit, CASE_ROLES):
        raise ValidationError({"to_user": _("只能移交给本服务大厅的窗口工作人员。")})
    if to_user.pk == application.handler_id:
        raise ValidationError({"to_user": _("该工作人员已是本办件的承办人。")})
    old = application.handler
    application.handler = to_user
    application.save(update_fields=["handler", "updated_at"])
    record_event(
        actor=actor,
        action="application_handed_over",
        target=application,
        changes={"handler": [old.display_name, to_user.display_name], **on_behalf},
        reason=reason,
    )
    return application


def _finish(
    *, actor, application: Application, status: str, action: str, note: str, on_behalf: dict
) -> Application:
    now = timezone.now()
    old_status = application.status
    _close_pause(application, timezone.localdate(now))
    application.status = status
    application.finished_at = now
    application.decision_note = note
    changes = {"status": [old_status, status], **on_behalf}
    if status == Application.Status.APPROVED and application.item.certificate_name:
        application.certificate_no = _next_certificate_no(
            application.item, timezone.localdate(now).year
        )
        changes["certificate_no"] = [None, application.certificate_no]
    application.save(
        update_fields=[
            "status",
            "finished_at",
            "decision_note",
            "certificate_no",
            "paused_workdays",
            "calendar_missing_year",
            "updated_at",
        ]
    )
    record_event(actor=actor, action=action, target=application, changes=changes, reason=note)
    return application


@audited_atomic
def application_approve(*, actor, application: Application, note: str = "") -> Application:
    """Approve an accepted case; an item that issues a document gets the next serial number."""
    _lock(application)
    on_behalf = _require_actor(actor, application)
    _require_status(
        application, Application.Status.ACCEPTED, message=_("只有已受理的办件可以办结。")
    )
    return _finish(
        actor=actor,
        application=application,
        status=Application.Status.APPROVED,
        action="application_approved",
        note=(note or "").strip(),
        on_behalf=on_behalf,
    )


@audited_atomic
def application_refuse(*, actor, application: Application, reason: str) -> Application:
    """Refuse an open case, with the reason the applicant is told."""
    _lock(application)
    on_behalf = _require_actor(actor, application)
    if not application.is_open:
        raise ValidationError({"status": _("该办件已办结。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写不予办理的理由。")})
    return _finish(
        actor=actor,
        application=application,
        status=Application.Status.REFUSED,
        action="application_refused",
        note=reason,
        on_behalf=on_behalf,
    )


@audited_atomic
def application_withdraw(*, actor, application: Application, reason: str) -> Application:
    """Record the applicant's withdrawal of an open case."""
    _lock(application)
    on_behalf = _require_actor(actor, application)
    if not application.is_open:
        raise ValidationError({"status": _("该办件已办结。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤回原因。")})
    return _finish(
        actor=actor,
        application=application,
        status=Application.Status.WITHDRAWN,
        action="application_withdrawn",
        note=reason,
        on_behalf=on_behalf,
    )


@audited_atomic
def applications_fill_due_dates(*, actor) -> int:
    """Compute the due dates that waited for holiday data, once the year is maintained.

    Run after loading a new year's calendar; returns how many cases got a due date.
    """
    calendar = WorkCalendar()
    filled = 0
    qs = Application.objects.select_for_update().filter(
        status=Application.Status.ACCEPTED, calendar_missing_year__isnull=False
    )
    for application in qs.select_related("item"):
        missing = application.calendar_missing_year
        _set_due(application, calendar)
        if application.due_on is None:
            continue
        application.save(
            update_fields=["due_on", "due_provisional", "calendar_missing_year", "updated_at"]
        )
        record_event(
            actor=actor,
            action="application_due_computed",
            target=application,
            changes={
                "due_on": [None, application.due_on],
                "calendar_missing_year": [missing, None],
            },
        )
        filled += 1
    return filled


# --- A/B roles -------------------------------------------------------------------------------


@audited_atomic
def leave_record(
    *, actor, user, start_on: datetime.date, end_on: datetime.date, reason: str
) -> Leave:
    """Record a clerk's leave; while it lasts their B handles their cases.

    A clerk records their own leave; a window clerk of the hall records a colleague's.
    """
    posts = list(Post.objects.filter(a_user=user).select_related("org_unit")) + list(
        Post.objects.filter(b_user=user).select_related("org_unit")
    )
    if not posts:
        raise ValidationError({"user": _("该工作人员没有窗口岗位,无需登记请假。")})
    if not any(can_act_in(actor, p.org_unit, CASE_ROLES) for p in posts):
        raise PermissionDenied(_("只有本服务大厅的窗口工作人员可以登记请假。"))
    if not isinstance(start_on, datetime.date) or isinstance(start_on, datetime.datetime):
        raise ValidationError({"start_on": _("请填写开始日期。")})
    if not isinstance(end_on, datetime.date) or isinstance(end_on, datetime.datetime):
        raise ValidationError({"end_on": _("请填写结束日期。")})
    if end_on < start_on:
        raise ValidationError({"end_on": _("结束日期不能早于开始日期。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写请假事由。")})
    if Leave.objects.filter(user=user, start_on__lte=end_on, end_on__gte=start_on).exists():
        raise ValidationError({"start_on": _("与已登记的请假时间重叠。")})
    leave = Leave.objects.create(
        user=user, start_on=start_on, end_on=end_on, reason=reason[:100], created_by=actor
    )
    record_event(
        actor=actor,
        action="leave_recorded",
        kind=Event.Kind.CREATE,
        target=leave,
        org_unit=posts[0].org_unit,
        changes={
            "user": [None, user.display_name],
            "start_on": [None, start_on],
            "end_on": [None, end_on],
        },
        reason=reason,
    )
    return leave


# --- 挂牌上岗 -------------------------------------------------------------------------------


def _require_roster_keeper(actor, post: Post) -> None:
    if not can_act_in(actor, post.org_unit, CASE_ROLES):
        raise PermissionDenied(_("只有本服务大厅的窗口工作人员可以安排值班。"))


def _require_not_past(day: datetime.date) -> None:
    # The roster of a past day is the record of who was on duty; it is not rewritten.
    if day < timezone.localdate():
        raise ValidationError({"day": _("不能修改已过去日期的值班安排。")})


@audited_atomic
def duty_assign(*, actor, day: datetime.date, post: Post, user) -> DutyEntry:
    """Put a window clerk of the post's hall on duty at the post on `day` (挂牌上岗).

    The actor must be a window clerk of that hall; a clerk holds one post per day.
    """
    _require_roster_keeper(actor, post)
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise ValidationError({"day": _("请填写值班日期。")})
    _require_not_past(day)
    if user is None or not user.is_active or not can_act_in(user, post.org_unit, CASE_ROLES):
        raise ValidationError({"user": _("只能安排本服务大厅的窗口工作人员上岗。")})
    taken = DutyEntry.objects.filter(day=day, user=user).select_related("post").first()
    if taken is not None:
        raise ValidationError(
            {
                "user": _("%(name)s %(day)s 已在“%(post)s”上岗,同一天只能安排一个岗位。")
                % {"name": user.display_name, "day": day.isoformat(), "post": taken.post}
            }
        )
    try:
        with transaction.atomic():
            entry = DutyEntry.objects.create(day=day, user=user, post=post)
    except IntegrityError:
        # A concurrent request put the same clerk on duty that day first.
        raise ValidationError(
            {"user": _("该工作人员当天已有岗位,同一天只能安排一个岗位。")}
        ) from None
    record_event(
        actor=actor,
        action="duty_assigned",
        kind=Event.Kind.CREATE,
        target=entry,
        org_unit=post.org_unit,
        changes={
            "day": [None, day],
            "user": [None, user.display_name],
            "post": [None, str(post)],
        },
    )
    return entry


@audited_atomic
def duty_remove(*, actor, entry: DutyEntry) -> None:
    """Take a clerk off the roster of a day that has not passed."""
    entry = DutyEntry.objects.select_related("post__org_unit", "user").get(pk=entry.pk)
    _require_roster_keeper(actor, entry.post)
    _require_not_past(entry.day)
    record_event(
        actor=actor,
        action="duty_removed",
        kind=Event.Kind.DELETE,
        target=entry,
        org_unit=entry.post.org_unit,
        changes={
            "day": [entry.day, None],
            "user": [entry.user.display_name, None],
            "post": [str(entry.post), None],
        },
    )
    entry.delete()


# --- 好差评 ----------------------------------------------------------------------------------


RATEABLE_STATUSES = (Application.Status.APPROVED, Application.Status.REFUSED)


def rectification_workdays() -> int:
    return int(getattr(settings, "RECTIFICATION_WORKDAYS", 15))


@audited_atomic
def rating_submit(*, application: Application, level: int, comment: str = "") -> Rating:
    """The applicant's one rating of a decided case (approved or refused); 不满意 and 非常不满意
    open a rectification owned by the first-responsible clerk, due in RECTIFICATION_WORKDAYS
    working days. A withdrawn case was never decided, so there is no service to rate."""
    _lock(application)
    if application.status not in RATEABLE_STATUSES:
        raise ValidationError({"application": _("只能评价已办结的办件。")})
    if isinstance(level, str) and level.strip().isdigit():
        level = int(level)
    if isinstance(level, bool) or level not in Rating.Level.values:
        raise ValidationError({"level": _("评价等级应为 1 到 5。")})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("评价意见不能超过 500 个字。")})
    if Rating.objects.filter(application=application).exists():
        raise ValidationError({"application": _("该办件已经评价过,不能重复评价。")})
    try:
        with transaction.atomic():
            rating = Rating.objects.create(application=application, level=level, comment=comment)
    except IntegrityError:
        raise ValidationError({"application": _("该办件已经评价过,不能重复评价。")}) from None
    changes: dict[str, list[Any]] = {"rating": [None, rating.get_level_display()]}
    if rating.is_bad:
        today = timezone.localdate()
        due_on, missing = None, None
        calendar = WorkCalendar()
        try:
            due_on = calendar.add_workdays(today, rectification_workdays())
        except HolidayDataMissing as exc:
            missing = exc.year
        Rectification.objects.create(
            rating=rating,
            owner=application.first_responder,
            due_on=due_on,
            due_provisional=calendar.spans_provisional(today, due_on) if due_on else False,
            calendar_missing_year=missing,
        )
        changes["rectification_owner"] = [None, application.first_responder.display_name]
        changes["rectification_due_on"] = [None, due_on]
    record_event(
        actor=None,
        action="rating_submitted",
        kind=Event.Kind.CREATE,
        target=application,
        changes=changes,
        reason=comment,
    )
    return rating


@audited_atomic
def rectification_close(
    *, actor, rectification: Rectification, callback_note: str, result: str
) -> Rectification:
    """Close a rectification with the callback note (required) and what was done."""
    rectification = (
        Rectification.objects.select_for_update()
        .select_related("rating__application__org_unit")
        .get(pk=rectification.pk)
    )
    application = rectification.rating.application
    if actor.pk != rectification.owner_id and not can_act_in(
        actor, application.org_unit, CASE_ROLES
    ):
        raise PermissionDenied(_("只有整改责任人或本服务大厅的窗口工作人员可以办结整改。"))
    if rectification.done_at is not None:
        raise ValidationError({"rectification": _("该整改已经完成。")})
    callback_note = (callback_note or "").strip()
    if not callback_note:
        raise ValidationError({"callback_note": _("请填写回访记录。")})
    rectification.callback_note = callback_note
    rectification.result = (result or "").strip()
    rectification.done_at = timezone.now()
    rectification.done_by = actor
    rectification.save(update_fields=["callback_note", "result", "done_at", "done_by"])
    record_event(
        actor=actor,
        action="rectification_closed",
        target=application,
        changes={"rectification": ["open", "closed"], "callback_note": [None, callback_note]},
        reason=rectification.result,
    )
    return rectification
