"""收件登记: the case taken in at the window, accepted when the materials are complete, otherwise
pending with ONE notice (一次性告知) listing every missing material."""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts.models import Membership
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.encrypted import match
from zhengtong.lib.idcard import parse_id_number
from zhengtong.notify import cases as notices
from zhengtong.people.actions import person_get_or_register
from zhengtong.people.models import Person

from ..models import (
    Application,
    Notice,
    NoticeItem,
    ReceivedMaterial,
    ServiceItem,
)
from ..selectors import CASE_ROLES, SITUATION_KEYS
from .clock import due_change, set_due
from .common import materials_of, names, outstanding
from .home import MAX_HOME_PHOTOS, clean_position, read_image, store_home_photos
from .numbering import next_receipt_no

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")
HUKOU_VALUES = ("local", "floating")


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
        if match(Person.objects.all(), "id_number", number).exclude(marital_status="").exists():
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


def _home_visit_facts(
    *, actor, hall, channel, applicant: dict, latitude, longitude, photos, home_visit, visit_photos
):
    """上门服务: the checked position and images, or the errors by field. A home-visit case
    needs a position or a photo taken at the home; the other channels take neither."""
    photos = list(photos or [])
    visit_photos = list(visit_photos or [])
    given = latitude not in (None, "") or longitude not in (None, "") or photos or visit_photos
    if channel != Application.Channel.HOME_VISIT:
        if given or home_visit is not None:
            raise ValidationError(
                {"channel": _("定位、照片和来源走访只用于“上门服务”的办件,请改选来源渠道。")}
            )
        return None, None, []
    if home_visit is not None:
        if not (
            can_act_in(actor, home_visit.org_unit, CASE_ROLES)
            and home_visit.org_unit.path.startswith(hall.path)
        ):
            raise PermissionDenied(_("该走访不在您所在服务大厅的辖区内。"))
        number = str(applicant.get("id_number") or "").strip().upper()
        if str(home_visit.person.id_number or "").upper() != number:
            raise ValidationError(
                {"id_number": _("申请人与来源走访的对象不一致,请核对公民身份号码。")}
            )
    if any(p.visit_id != getattr(home_visit, "pk", None) for p in visit_photos):
        raise ValidationError({"photos": _("所选走访照片不属于来源走访。")})
    if len(photos) + len(visit_photos) > MAX_HOME_PHOTOS:
        raise ValidationError({"photos": _("最多上传 %(n)s 张照片。") % {"n": MAX_HOME_PHOTOS}})
    errors: dict[str, list[str]] = {}
    lat = lng = None
    try:
        lat, lng = clean_position(latitude, longitude)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    images = []
    for upload in photos:
        try:
            images.append(read_image(upload, "photos"))
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.message_dict["photos"])
    for photo in visit_photos:
        with photo.image.open("rb") as fh:
            images.append(read_image(fh, "photos"))
    if not errors and lat is None and not images:
        errors["photos"] = [_("上门服务须记录申请人家中的定位,或拍摄一张现场照片(至少一项)。")]
    if errors:
        raise ValidationError(errors)
    return lat, lng, images


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
    receipt_no: str = "",
    latitude=None,
    longitude=None,
    photos=(),
    home_visit=None,
    visit_photos=(),
) -> Application:
    """Take in a case at the window: accepted with a due date when the materials are complete,
    otherwise pending with ONE notice listing every missing material. `receipt_no` is given
    only for a case that already has its number (an online application's).

    上门服务 (channel home_visit) also needs the home's position (`latitude`, `longitude`) or
    a photo taken there (`photos`: uploads; `visit_photos`: photos of `home_visit`, the village
    visit the case came from)."""
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
    home = collect(
        lambda: _home_visit_facts(
            actor=actor,
            hall=hall,
            channel=channel,
            applicant=applicant,
            latitude=latitude,
            longitude=longitude,
            photos=photos,
            home_visit=home_visit,
            visit_photos=visit_photos,
        )
    )
    presented = (
        collect(lambda: materials_of(item, materials or [], required=False)) if item else None
    )
    if item is not None and clean_situation is not None:
        for key, message in _situation_missing(item, clean_situation, applicant).items():
            errors.setdefault(key, []).append(message)
    if errors:
        raise ValidationError(errors)
    assert item is not None and presented is not None, "a missing item is an error above"
    assert home is not None
    lat, lng, home_images = home

    person = person_get_or_register(
        actor=actor, id_number=applicant["id_number"], name=name, phone=phone
    )
    if "marital_status" not in clean_situation and person.marital_status:
        clean_situation["marital_status"] = person.marital_status
    received_at = received_at or timezone.now()
    day = timezone.localdate(received_at)
    application = Application.objects.create(
        receipt_no=receipt_no or next_receipt_no(hall, day),
        item=item,
        org_unit=hall,
        applicant=person,
        applicant_phone=phone,
        situation=clean_situation,
        channel=channel,
        latitude=lat,
        longitude=lng,
        home_visit=home_visit,
        status=Application.Status.PENDING,
        first_responder=actor,
        handler=actor,
        received_at=received_at,
    )
    ReceivedMaterial.objects.bulk_create(
        ReceivedMaterial(application=application, material=m, received_at=received_at)
        for m in presented
    )
    kept = store_home_photos(application, home_images)
    missing = outstanding(application)
    changes = {
        "receipt_no": [None, application.receipt_no],
        "item": [None, item.name],
        "applicant": [None, person.name],
        "channel": [None, channel],
        "materials": [None, names(presented)],
    }
    if channel == Application.Channel.HOME_VISIT:
        changes["located"] = [None, lat is not None]
        changes["photos"] = [None, kept]
        if home_visit is not None:
            changes["home_visit"] = [None, home_visit.pk]
    if missing:
        notice = Notice.objects.create(
            application=application, issued_at=received_at, issued_by=actor
        )
        NoticeItem.objects.bulk_create(
            NoticeItem(notice=notice, material=m, problem=NoticeItem.Problem.MISSING)
            for m in missing
        )
        changes["missing_materials"] = [None, names(missing)]
        notices.case_notice(application, notice, missing)
    else:
        application.status = Application.Status.ACCEPTED
        application.accepted_on = day
        set_due(application)
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
        changes.update(due_change(application))
        notices.case_accepted(application)
    changes["status"] = [None, application.status]
    record_event(
        actor=actor,
        action="application_received",
        kind=Event.Kind.CREATE,
        target=application,
        changes=changes,
    )
    return application
