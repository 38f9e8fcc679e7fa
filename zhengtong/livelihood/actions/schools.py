"""School safety and the unlicensed-kindergarten clean-up: every change of state.

An inspection records the checklist; each item found wanting becomes a hazard, one line of the
《开发区学校安全隐患通知书》, due in working days. The school reports each hazard rectified, the
office verifies each, and the inspection closes only when every hazard is verified. A clean-up
campaign closes only when every kindergarten on its register has an outcome.

Every function takes the acting user, runs in one transaction and records one audit event.
Input that breaks a rule raises a ValidationError keyed by the field, in Chinese, and nothing is
saved. Views find rows through the livelihood scope (404 otherwise); these functions check again
that the actor may change the row's department (PermissionDenied).
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.audit.actions import record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.masking import mask_text_for_audit
from zhengtong.workdays import HolidayDataMissing, add_workdays, spans_provisional

from .. import checklist
from ..models import CleanupCampaign, Hazard, Inspection, School, UnlicensedKindergarten
from ..selectors import can_edit_row, require_edit

MAX_DEADLINE_WORKDAYS = 60
NOTICE_PREFIX = "开发区校安"
SCHOOL_FIELDS = [
    "name",
    "kind",
    "address",
    "principal",
    "contact_name",
    "contact_phone",
    "contact_user",
    "is_central",
    "recording_room_on",
]
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")


# ---------------------------------------------------------------------------- helpers


def _today() -> datetime.date:
    return timezone.localdate()


def _text(value, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空。"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字。"})
    return value


def _date(day, field: str, label: str, *, not_before=None, before_label: str = ""):
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise ValidationError({field: f"{label}不是有效的日期。"})
    if day > _today():
        raise ValidationError({field: f"{label}不能晚于今天。"})
    if not_before is not None and day < not_before:
        raise ValidationError({field: f"{label}不能早于{before_label}({not_before:%Y-%m-%d})。"})
    return day


def _require_keeper(actor, org_unit: OrgUnit) -> None:
    if not can_edit_row(actor, org_unit):
        raise PermissionDenied


# ---------------------------------------------------------------------------- schools


def _clean_school(data: dict, *, exclude_pk=None) -> dict:
    name = _text(data.get("name"), "name", "学校名称", max_length=100)
    kind = data.get("kind") or ""
    if kind not in School.Kind.values:
        raise ValidationError({"kind": "请选择学校类型(小学、初中、九年一贯制或幼儿园)。"})
    duplicates = School.objects.filter(name=name)
    if exclude_pk:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise ValidationError({"name": f"学校名称“{name}”已登记,请勿重复登记。"})
    return {
        "name": name,
        "kind": kind,
        "address": _text(data.get("address"), "address", "地址", max_length=200, required=False),
        "principal": _text(
            data.get("principal"), "principal", "负责人", max_length=50, required=False
        ),
        "contact_name": _text(
            data.get("contact_name"), "contact_name", "联系人", max_length=50, required=False
        ),
        "contact_phone": _clean_contact_phone(data.get("contact_phone")),
        "contact_user": _clean_contact_user(data.get("contact_user")),
        **_clean_recording_room(kind, data),
    }


def _clean_recording_room(kind: str, data: dict) -> dict:
    """中心小学 only for a 小学; a recording room only for a school (a kindergarten has no
    classes to record), and not dated in the future."""
    is_central = bool(data.get("is_central"))
    if is_central and kind != School.Kind.PRIMARY:
        raise ValidationError({"is_central": "只有小学可以标为中心小学。"})
    equipped_on = data.get("recording_room_on") or None
    if equipped_on is not None:
        if not isinstance(equipped_on, datetime.date):
            raise ValidationError({"recording_room_on": "录播室配备日期格式不正确。"})
        if kind == School.Kind.KINDERGARTEN:
            raise ValidationError({"recording_room_on": "幼儿园不登记录播室。"})
        if equipped_on > timezone.localdate():
            raise ValidationError({"recording_room_on": "录播室配备日期不能晚于今天。"})
    return {"is_central": is_central, "recording_room_on": equipped_on}


def _clean_contact_phone(value) -> str:
    phone = re.sub(r"\s", "", str(value or ""))
    if phone and not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise ValidationError(
            {"contact_phone": "联系电话格式不正确,应为 11 位手机号或带区号的固定电话。"}
        )
    return phone


def _clean_contact_user(value) -> User | None:
    """The school's staff account (a User or its pk), which must be an active account."""
    if value in (None, ""):
        return None
    user = value if isinstance(value, User) else User.objects.filter(pk=value).first()
    if user is None or not user.is_active:
        raise ValidationError({"contact_user": "学校工作人员账号不存在或已停用。"})
    return user


def _audit_values(fields: dict) -> dict:
    """The school's fields as an audit row keeps them: the staff account by its login name."""
    values = dict(fields)
    user = values.get("contact_user")
    values["contact_user"] = user.username if isinstance(user, User) else None
    return values


@audited_atomic
def school_create(
    *,
    actor,
    org_unit: OrgUnit,
    name: str,
    kind: str,
    address: str = "",
    principal: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_user: User | None = None,
    is_central: bool = False,
    recording_room_on: datetime.date | None = None,
) -> School:
    """Put a school or kindergarten of the zone on the department's register."""
    _require_keeper(actor, org_unit)
    fields = _clean_school(
        {
            "name": name,
            "kind": kind,
            "address": address,
            "principal": principal,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "contact_user": contact_user,
            "is_central": is_central,
            "recording_room_on": recording_room_on,
        }
    )
    school = School.objects.create(org_unit=org_unit, **fields)
    record_event(
        actor=actor,
        action="school_created",
        target=school,
        kind=Event.Kind.CREATE,
        org_unit=org_unit,
        changes={k: [None, v] for k, v in _audit_values(fields).items()},
    )
    return school


@audited_atomic
def school_update(*, actor, school: School, **data) -> School:
    """Change a school's name, type, address, principal, contact or recording room."""
    school = School.objects.select_for_update().select_related("org_unit").get(pk=school.pk)
    require_edit(actor, school.org_unit)
    merged = {**snapshot(school, SCHOOL_FIELDS), **data}
    before = snapshot(school, SCHOOL_FIELDS)
    old_user = school.contact_user.username if school.contact_user else None
    for field, value in _clean_school(merged, exclude_pk=school.pk).items():
        setattr(school, field, value)
    after = snapshot(school, SCHOOL_FIELDS)
    changes = {k: [before[k], after[k]] for k in SCHOOL_FIELDS if before[k] != after[k]}
    if not changes:
        return school
    school.save(update_fields=list(changes))
    if "contact_user" in changes:
        new_user = school.contact_user.username if school.contact_user else None
        changes["contact_user"] = [old_user, new_user]
    record_event(
        actor=actor,
        action="school_updated",
        target=school,
        org_unit=school.org_unit,
        changes=changes,
    )
    return school


# ---------------------------------------------------------------------------- inspections


def _clean_results(results: dict) -> dict:
    cleaned = {}
    missing = []
    for item in checklist.ITEMS:
        value = (results or {}).get(item.code, "")
        if value not in checklist.RESULTS:
            missing.append(item.name)
            continue
        cleaned[item.code] = value
    if missing:
        raise ValidationError(
            {"checklist": f"检查项目“{'、'.join(missing)}”未填写检查结果(合格或存在隐患)。"}
        )
    unknown = set(results or {}) - set(checklist.BY_CODE)
    if unknown:
        raise ValidationError({"checklist": "检查项目不在检查表内,请刷新页面后重新填写。"})
    return cleaned


def _clean_hazards(hazards: list[dict], results: dict) -> list[dict]:
    cleaned = []
    for index, row in enumerate(hazards or [], start=1):
        code = row.get("item", "")
        if code not in checklist.BY_CODE:
            raise ValidationError({"hazards": f"第 {index} 项隐患未选择所属检查项目。"})
        name = checklist.item_name(code)
        if results.get(code) != checklist.HAZARD:
            raise ValidationError(
                {"hazards": f"第 {index} 项隐患属于“{name}”,但该项目检查结果为合格。"}
            )
        description = _text(
            row.get("description"), "hazards", f"“{name}”的隐患描述", max_length=280
        )
        requirement = _text(
            row.get("requirement"), "hazards", f"“{name}”的整改要求", max_length=300
        )
        try:
            workdays = int(row.get("deadline_workdays", ""))
        except (TypeError, ValueError):
            raise ValidationError({"hazards": f"“{name}”的整改时限(工作日)须为整数。"}) from None
        if not 1 <= workdays <= MAX_DEADLINE_WORKDAYS:
            raise ValidationError(
                {"hazards": f"“{name}”的整改时限须在 1 至 {MAX_DEADLINE_WORKDAYS} 个工作日之间。"}
            )
        cleaned.append(
            {
                "code": code,
                "description": f"{name}:{description}",
                "requirement": requirement,
                "deadline_workdays": workdays,
            }
        )
    flagged = [item for item in checklist.ITEMS if results.get(item.code) == checklist.HAZARD]
    listed = {row["code"] for row in cleaned}
    bare = [item.name for item in flagged if item.code not in listed]
    if bare:
        raise ValidationError(
            {"hazards": f"检查项目“{'、'.join(bare)}”存在隐患,请逐条填写隐患和整改要求。"}
        )
    # The notice lists hazards in checklist order.
    order = {item.code: i for i, item in enumerate(checklist.ITEMS)}
    return sorted(cleaned, key=lambda row: order[row["code"]])


def next_notice_no(year: int) -> str:
    """The next 《学校安全隐患通知书》 number of `year`; call inside the locked transaction."""
    prefix = f"{NOTICE_PREFIX}〔{year}〕"
    issued = Inspection.objects.filter(notice_no__startswith=prefix).values_list(
        "notice_no", flat=True
    )
    numbers = [int(no[len(prefix) : -1]) for no in issued if no[len(prefix) : -1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}号"


@audited_atomic
def inspection_record(
    *,
    actor,
    school: School,
    inspected_on: datetime.date,
    inspectors: str,
    results: dict,
    hazards: list[dict],
) -> Inspection:
    """Record an inspection with its checklist; each hazard becomes a line of the notice.

    The rectification deadline of each hazard is `deadline_workdays` working days after the
    inspection. When the holiday calendar of that year is missing the hazard is kept without a
    due date and `inspection.warnings` says why. An inspection without hazards is closed at once.
    """
    school = School.objects.select_related("org_unit").get(pk=school.pk)
    _require_keeper(actor, school.org_unit)
    inspected_on = _date(inspected_on, "inspected_on", "检查日期")
    inspectors = _text(inspectors, "inspectors", "检查人员", max_length=200)
    results = _clean_results(results)
    rows = _clean_hazards(hazards, results)
    # Serialize notice numbering and same-day duplicates on the department row.
    OrgUnit.objects.select_for_update().filter(pk=school.org_unit_id).first()
    if Inspection.objects.filter(school=school, inspected_on=inspected_on).exists():
        raise ValidationError(
            {"inspected_on": f"{school.name}在 {inspected_on:%Y-%m-%d} 已有检查记录,请勿重复录入。"}
        )
    warnings: list[str] = []
    due: dict[int, datetime.date | None] = {}
    for row in rows:
        n = row["deadline_workdays"]
        if n not in due:
            try:
                due[n] = add_workdays(inspected_on, n)
            except HolidayDataMissing as exc:
                due[n] = None
                warnings.append(f"整改期限未能计算:{exc}")
    inspection = Inspection.objects.create(
        school=school,
        org_unit=school.org_unit,
        inspected_on=inspected_on,
        inspectors=inspectors,
        checklist=results,
        notice_no=next_notice_no(inspected_on.year) if rows else "",
        status=Inspection.Status.OPEN if rows else Inspection.Status.CLOSED,
        closed_on=None if rows else inspected_on,
    )
    Hazard.objects.bulk_create(
        [
            Hazard(
                inspection=inspection,
                description=row["description"],
                requirement=row["requirement"],
                deadline_workdays=row["deadline_workdays"],
                due_on=due[row["deadline_workdays"]],
                due_provisional=spans_provisional(inspected_on, due[row["deadline_workdays"]]),
            )
            for row in rows
        ]
    )
    record_event(
        actor=actor,
        action="inspection_recorded",
        target=inspection,
        kind=Event.Kind.CREATE,
        org_unit=school.org_unit,
        changes={
            "school": [None, school.name],
            "inspected_on": [None, inspected_on.isoformat()],
            "checklist": [None, results],
            "hazards": [None, [row["description"] for row in rows]],
            "notice_no": [None, inspection.notice_no],
            "status": [None, inspection.status],
        },
    )
    if rows:
        warnings.extend(_tell_school(inspection))
    inspection.warnings = list(dict.fromkeys(warnings))
    return inspection


def _chinese_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "另行通知"


def _tell_school(inspection: Inspection) -> list[str]:
    """Notify the school of its 《安全隐患通知书》 in the inspection's transaction: an SMS to the
    contact phone and an in-app message to the school's staff account. One message per notice
    and channel (the dedupe key is the inspection). The text names each hazard and its
    deadline; hazard descriptions are typed by staff, so any ID or phone number in them is
    masked. Returns the warnings for the issuing page when the school cannot be reached."""
    from zhengtong.notify.models import State
    from zhengtong.notify.outbox import Recipient, notify

    school = inspection.school
    recipients = []
    if school.contact_phone:
        recipients.append(Recipient.resident(school.contact_phone, school.contact_name))
    if school.contact_user_id and school.contact_user and school.contact_user.is_active:
        recipients.append(Recipient.staff(school.contact_user))
    if not recipients:
        return [
            f"未能通知学校:{school.name}未登记联系电话和工作人员账号。"
            "请在学校信息中补充联系人,并另行将通知书送达学校。"
        ]
    hazards = list(inspection.hazards.order_by("id"))
    dues = [h.due_on for h in hazards if h.due_on]
    context = {
        "school": school.name,
        "organ": inspection.org_unit.name,
        "notice_no": inspection.notice_no,
        "inspected_on": _chinese_date(inspection.inspected_on),
        "count": str(len(hazards)),
        "hazards": ";".join(
            f"{mask_text_for_audit(h.description)}({_chinese_date(h.due_on)}前整改)"
            if h.due_on
            else f"{mask_text_for_audit(h.description)}(整改期限另行通知)"
            for h in hazards
        ),
        "due_on": _chinese_date(min(dues)) if dues else "另行通知",
    }
    sent = notify(
        event="hazard_notice",
        target=inspection,
        recipients=recipients,
        context=context,
        dedupe=f"hazard_notice:{inspection.pk}",
    )
    if any(message.state != State.FAILED for message in sent):
        return []
    if any(message.last_error for message in sent):
        return [
            f"未能通知学校:{school.name}的联系电话不是手机号码,无法发送短信。"
            "请电话告知学校,或在学校信息中改填手机号码。"
        ]
    return ["未能通知学校:隐患通知书的消息模板未启用,请系统管理员在消息模板中启用。"]


def _lock_hazard(actor, hazard: Hazard) -> Hazard:
    hazard = (
        Hazard.objects.select_for_update()
        .select_related("inspection__org_unit", "inspection__school")
        .get(pk=hazard.pk)
    )
    require_edit(actor, hazard.inspection.org_unit)
    if hazard.inspection.status != Inspection.Status.OPEN:
        raise ValidationError({"inspection": "该检查已闭环,不能再修改隐患整改情况。"})
    return hazard


@audited_atomic
def hazard_report_rectified(
    *, actor, hazard: Hazard, rectified_on: datetime.date, note: str
) -> Hazard:
    """The school's report that one hazard is rectified, entered by the office."""
    hazard = _lock_hazard(actor, hazard)
    if hazard.verified_on:
        raise ValidationError({"rectified_on": "该隐患已复查确认,不能再修改整改情况。"})
    rectified_on = _date(
        rectified_on,
        "rectified_on",
        "整改完成日期",
        not_before=hazard.inspection.inspected_on,
        before_label="检查日期",
    )
    note = _text(note, "rectification_note", "整改情况", max_length=2000)
    before = snapshot(hazard, ["rectified_on", "rectification_note"])
    hazard.rectified_on = rectified_on
    hazard.rectification_note = note
    hazard.save(update_fields=["rectified_on", "rectification_note"])
    after = snapshot(hazard, ["rectified_on", "rectification_note"])
    record_event(
        actor=actor,
        action="hazard_rectified",
        target=hazard,
        org_unit=hazard.inspection.org_unit,
        changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return hazard


@audited_atomic
def hazard_verify(*, actor, hazard: Hazard, verified_on: datetime.date) -> Hazard:
    """The office's re-inspection confirms one rectified hazard."""
    hazard = _lock_hazard(actor, hazard)
    if hazard.rectified_on is None:
        raise ValidationError(
            {"verified_on": "该隐患尚未报告整改完成,不能复查确认。请先录入学校的整改情况。"}
        )
    if hazard.verified_on:
        raise ValidationError({"verified_on": "该隐患已复查确认。"})
    verified_on = _date(
        verified_on,
        "verified_on",
        "复查确认日期",
        not_before=hazard.rectified_on,
        before_label="整改完成日期",
    )
    hazard.verified_on = verified_on
    hazard.verified_by = actor
    hazard.save(update_fields=["verified_on", "verified_by"])
    record_event(
        actor=actor,
        action="hazard_verified",
        target=hazard,
        org_unit=hazard.inspection.org_unit,
        changes={"verified_on": [None, verified_on.isoformat()]},
    )
    return hazard


@audited_atomic
def inspection_close(*, actor, inspection: Inspection, closed_on: datetime.date) -> Inspection:
    """Close the inspection; refused while any hazard is not verified rectified."""
    inspection = (
        Inspection.objects.select_for_update().select_related("org_unit").get(pk=inspection.pk)
    )
    require_edit(actor, inspection.org_unit)
    if inspection.status == Inspection.Status.CLOSED:
        raise ValidationError({"closed_on": "该检查已闭环。"})
    pending = list(
        inspection.hazards.filter(verified_on__isnull=True).values_list("description", flat=True)
    )
    if pending:
        raise ValidationError(
            {
                "closed_on": f"还有 {len(pending)} 项隐患未复查确认整改到位,不能闭环:"
                + ";".join(pending)
                + "。"
            }
        )
    last = max(
        (d for d in inspection.hazards.values_list("verified_on", flat=True) if d is not None),
        default=None,
    )
    closed_on = _date(
        closed_on,
        "closed_on",
        "闭环日期",
        not_before=last or inspection.inspected_on,
        before_label="最后一项复查确认日期" if last else "检查日期",
    )
    inspection.status = Inspection.Status.CLOSED
    inspection.closed_on = closed_on
    inspection.save(update_fields=["status", "closed_on"])
    record_event(
        actor=actor,
        action="inspection_closed",
        target=inspection,
        org_unit=inspection.org_unit,
        changes={
            "status": [Inspection.Status.OPEN, Inspection.Status.CLOSED],
            "closed_on": [None, closed_on.isoformat()],
        },
    )
    return inspection


# ---------------------------------------------------------------------------- kindergartens


@audited_atomic
def campaign_create(
    *,
    actor,
    org_unit: OrgUnit,
    name: str,
    started_on: datetime.date,
    due_on: datetime.date | None = None,
) -> CleanupCampaign:
    """Open a clean-up campaign of unlicensed kindergartens, to be finished by `due_on`."""
    _require_keeper(actor, org_unit)
    name = _text(name, "name", "名称", max_length=100)
    started_on = _date(started_on, "started_on", "开始日期")
    if due_on is not None:
        if not isinstance(due_on, datetime.date) or isinstance(due_on, datetime.datetime):
            raise ValidationError({"due_on": "整治完成期限不是有效的日期。"})
        if due_on < started_on:
            raise ValidationError({"due_on": "整治完成期限不能早于开始日期。"})
    campaign = CleanupCampaign.objects.create(
        org_unit=org_unit, name=name, started_on=started_on, due_on=due_on
    )
    record_event(
        actor=actor,
        action="cleanup_campaign_created",
        target=campaign,
        kind=Event.Kind.CREATE,
        org_unit=org_unit,
        changes={
            "name": [None, name],
            "started_on": [None, started_on.isoformat()],
            "due_on": [None, due_on.isoformat() if due_on else None],
        },
    )
    return campaign


def _lock_open_campaign(actor, campaign: CleanupCampaign, field: str) -> CleanupCampaign:
    campaign = (
        CleanupCampaign.objects.select_for_update().select_related("org_unit").get(pk=campaign.pk)
    )
    require_edit(actor, campaign.org_unit)
    if campaign.closed_on:
        raise ValidationError({field: "该清理整顿工作已完成,不能再修改。"})
    return campaign


@audited_atomic
def kindergarten_register(
    *,
    actor,
    campaign: CleanupCampaign,
    name: str,
    operator: str,
    address: str,
    children: int,
    found_on: datetime.date,
) -> UnlicensedKindergarten:
    """Put an unlicensed kindergarten found in the survey on the campaign's register."""
    campaign = _lock_open_campaign(actor, campaign, "name")
    name = _text(name, "name", "名称", max_length=100)
    operator = _text(operator, "operator", "举办者", max_length=50)
    address = _text(address, "address", "地址", max_length=200)
    if not isinstance(children, int) or isinstance(children, bool) or not 0 <= children <= 32767:
        raise ValidationError({"children": "在园幼儿数须为 0 至 32767 之间的整数。"})
    found_on = _date(
        found_on, "found_on", "摸排日期", not_before=campaign.started_on, before_label="开始日期"
    )
    if campaign.kindergartens.filter(name=name, address=address).exists():
        raise ValidationError({"name": f"“{name}”({address})已在本次清理整顿名单中。"})
    kindergarten = UnlicensedKindergarten.objects.create(
        campaign=campaign,
        name=name,
        operator=operator,
        address=address,
        children=children,
        found_on=found_on,
    )
    record_event(
        actor=actor,
        action="kindergarten_registered",
        target=kindergarten,
        kind=Event.Kind.CREATE,
        org_unit=campaign.org_unit,
        changes={
            "campaign": [None, campaign.name],
            "name": [None, name],
            "operator": [None, operator],
            "address": [None, address],
            "children": [None, children],
            "found_on": [None, found_on.isoformat()],
        },
    )
    return kindergarten


@audited_atomic
def kindergarten_dispose(
    *,
    actor,
    kindergarten: UnlicensedKindergarten,
    outcome: str,
    outcome_on: datetime.date,
    note: str = "",
) -> UnlicensedKindergarten:
    """Record how one kindergarten ended: 取缔, 整改后办证 or 合并, with the date."""
    kindergarten = UnlicensedKindergarten.objects.select_related("campaign").get(pk=kindergarten.pk)
    _lock_open_campaign(actor, kindergarten.campaign, "outcome")
    kindergarten = UnlicensedKindergarten.objects.select_for_update().get(pk=kindergarten.pk)
    if kindergarten.outcome:
        raise ValidationError(
            {"outcome": f"该幼儿园已处置({kindergarten.get_outcome_display()}),不能重复处置。"}
        )
    if outcome not in (
        UnlicensedKindergarten.Outcome.BANNED,
        UnlicensedKindergarten.Outcome.LICENSED,
        UnlicensedKindergarten.Outcome.MERGED,
    ):
        raise ValidationError({"outcome": "请选择处置结果(取缔、整改后办证或合并)。"})
    outcome_on = _date(
        outcome_on,
        "outcome_on",
        "处置日期",
        not_before=kindergarten.found_on,
        before_label="摸排日期",
    )
    required = outcome == UnlicensedKindergarten.Outcome.MERGED
    note = _text(note, "outcome_note", "处置说明", max_length=200, required=required)
    kindergarten.outcome = outcome
    kindergarten.outcome_on = outcome_on
    kindergarten.outcome_note = note
    kindergarten.save(update_fields=["outcome", "outcome_on", "outcome_note"])
    record_event(
        actor=actor,
        action="kindergarten_disposed",
        target=kindergarten,
        org_unit=kindergarten.campaign.org_unit,
        changes={
            "outcome": ["", outcome],
            "outcome_on": [None, outcome_on.isoformat()],
            "outcome_note": ["", note],
        },
    )
    return kindergarten


@audited_atomic
def campaign_close(
    *, actor, campaign: CleanupCampaign, closed_on: datetime.date
) -> CleanupCampaign:
    """Mark the clean-up complete; refused while any kindergarten has no outcome."""
    campaign = _lock_open_campaign(actor, campaign, "closed_on")
    pending = list(
        campaign.kindergartens.filter(outcome="").values_list("name", flat=True).order_by("name")
    )
    if pending:
        raise ValidationError(
            {
                "closed_on": f"还有 {len(pending)} 所无证幼儿园未处置,不能完成清理整顿:"
                + "、".join(pending)
                + "。"
            }
        )
    last = max(
        (d for d in campaign.kindergartens.values_list("outcome_on", flat=True) if d is not None),
        default=None,
    )
    closed_on = _date(
        closed_on,
        "closed_on",
        "完成日期",
        not_before=last or campaign.started_on,
        before_label="最后一所幼儿园的处置日期" if last else "开始日期",
    )
    campaign.closed_on = closed_on
    campaign.save(update_fields=["closed_on"])
    record_event(
        actor=actor,
        action="cleanup_campaign_closed",
        target=campaign,
        org_unit=campaign.org_unit,
        changes={"closed_on": [None, closed_on.isoformat()]},
    )
    return campaign
