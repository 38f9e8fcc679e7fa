"""上门服务 (the hall at the applicant's home): where a home-visit case was taken in, the photos
taken there, and 上门告知 — the 《办证服务告知书》 delivered at home, with the date, the clerk,
the place and the applicant's signature or a photo.

Images enter the store through `normalise_image` only (type, size and pixel limits, metadata
stripped); the same picture chosen twice is kept once.
"""

import base64
import binascii
import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.files import ImageRejected, NormalisedImage, normalise_image

from ..models import Application, HomePhoto, NoticeDelivery
from ..selectors import CASE_ROLES

MAX_HOME_PHOTOS = 9

# The mainland's extent (曾母暗沙 to 漠河, 帕米尔 to 乌苏里江): a point outside is a typing or
# device error, e.g. latitude and longitude swapped.
LATITUDE_RANGE = (Decimal("3.8"), Decimal("53.6"))
LONGITUDE_RANGE = (Decimal("73.4"), Decimal("135.1"))

DATA_URL_RE = re.compile(r"^data:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)$")


def _coordinate(value, field: str, label: str, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(label)s不是有效的数字。") % {"label": label}}) from None
    if not number.is_finite() or not bounds[0] <= number <= bounds[1]:
        raise ValidationError(
            {
                field: _("%(label)s须在 %(low)s 到 %(high)s 之间(中国境内),请检查是否填反。")
                % {"label": label, "low": bounds[0], "high": bounds[1]}
            }
        )
    return number.quantize(Decimal("0.000001"))


def clean_position(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    """(latitude, longitude) checked against the mainland's extent; both or neither."""
    errors: dict[str, list[str]] = {}
    values = []
    for value, field, label, bounds in (
        (latitude, "latitude", _("纬度"), LATITUDE_RANGE),
        (longitude, "longitude", _("经度"), LONGITUDE_RANGE),
    ):
        try:
            values.append(_coordinate(value, field, label, bounds))
        except ValidationError as exc:
            errors.update(exc.message_dict)
            values.append(None)
    if errors:
        raise ValidationError(errors)
    lat, lng = values
    if (lat is None) != (lng is None):
        raise ValidationError({"latitude": _("定位须同时填写纬度和经度,或都不填。")})
    return lat, lng


def read_image(upload, field: str) -> NormalisedImage:
    """The checked, re-encoded image, or ValidationError on `field` naming the file."""
    try:
        return normalise_image(upload)
    except ImageRejected as exc:
        raise ValidationError({field: str(exc)}) from None


def read_signature(data_url: str) -> NormalisedImage | None:
    """The signature drawn on the page's canvas (a PNG data URL), checked like any upload."""
    data_url = (data_url or "").strip()
    if not data_url:
        return None
    found = DATA_URL_RE.match(data_url)
    if found is None:
        raise ValidationError({"signature": _("签名格式不正确,请重新签名。")})
    try:
        raw = base64.b64decode(re.sub(r"\s", "", found["data"]), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature": _("签名格式不正确,请重新签名。")}) from None
    image = read_image(SimpleUploadedFile("签名.png", raw, "image/png"), "signature")
    if image.ext != "png":
        raise ValidationError({"signature": _("签名格式不正确,请重新签名。")})
    return image


def store_home_photos(application: Application, images: list[NormalisedImage]) -> int:
    """Save the photos taken at the home with the case, each picture once; how many kept."""
    seen: set[str] = set()
    for image in images:
        if image.upload_sha256 in seen:
            continue
        seen.add(image.upload_sha256)
        photo = HomePhoto(application=application, sha256=image.upload_sha256)
        # The name is random (StoredName); only the extension of the re-encoded image is used.
        photo.image.save(f"photo.{image.ext}", ContentFile(image.data), save=False)
        photo.save()
    return len(seen)


def _today() -> datetime.date:
    return timezone.localdate()


@audited_atomic
def notice_delivery_record(
    *,
    actor,
    application: Application,
    delivered_on,
    delivered_by,
    place: str,
    latitude=None,
    longitude=None,
    signature: str = "",
    photo=None,
) -> NoticeDelivery:
    """上门告知: record that the 《办证服务告知书》 was handed to the applicant at home."""
    hall = application.org_unit
    if not can_act_in(actor, hall, CASE_ROLES):
        raise PermissionDenied(_("您不是该服务大厅的窗口工作人员。"))
    errors: dict[str, list[str]] = {}

    def collect(func, *args):
        try:
            return func(*args)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            return None

    received_on = timezone.localdate(application.received_at)
    if not isinstance(delivered_on, datetime.date):
        errors["delivered_on"] = [_("告知日期不是有效的日期。")]
    elif delivered_on > _today():
        errors["delivered_on"] = [_("告知日期不能晚于今天。")]
    elif delivered_on < received_on:
        errors["delivered_on"] = [
            _("告知日期不能早于收件日期(%(day)s)。") % {"day": f"{received_on:%Y-%m-%d}"}
        ]
    if delivered_by is None or not can_act_in(delivered_by, hall, CASE_ROLES):
        errors["delivered_by"] = [_("告知人须是本服务大厅的窗口工作人员。")]
    place = (place or "").strip()
    if not place:
        errors["place"] = [_("请填写告知地点。")]
    elif len(place) > 200:
        errors["place"] = [_("告知地点不能超过 200 个字。")]
    position = collect(clean_position, latitude, longitude)
    drawn = collect(read_signature, signature)
    taken = collect(read_image, photo, "photo") if photo else None
    if not errors and drawn is None and taken is None:
        errors["signature"] = [_("请让申请人在下方签名,或拍摄一张现场照片(至少一项)。")]
    if (
        drawn is not None
        and application.deliveries.filter(signature_sha256=drawn.upload_sha256).exists()
    ):
        errors.setdefault("signature", []).append(_("这份签名已经登记过,请勿重复提交。"))
    if (
        taken is not None
        and application.deliveries.filter(photo_sha256=taken.upload_sha256).exists()
    ):
        errors.setdefault("photo", []).append(_("这张照片已用于本办件的另一次上门告知。"))
    if errors:
        raise ValidationError(errors)
    assert position is not None
    lat, lng = position
    delivery = NoticeDelivery(
        application=application,
        delivered_on=delivered_on,
        delivered_by=delivered_by,
        place=place,
        latitude=lat,
        longitude=lng,
        recorded_by=actor,
    )
    if drawn is not None:
        delivery.signature_sha256 = drawn.upload_sha256
        delivery.signature.save("signature.png", ContentFile(drawn.data), save=False)
    if taken is not None:
        delivery.photo_sha256 = taken.upload_sha256
        delivery.photo.save(f"photo.{taken.ext}", ContentFile(taken.data), save=False)
    delivery.save()
    record_event(
        actor=actor,
        action="service_notice_delivered",
        kind=Event.Kind.CREATE,
        target=application,
        changes={
            "delivered_on": [None, delivered_on.isoformat()],
            "delivered_by": [None, delivered_by.display_name],
            "place": [None, place],
            "located": [None, lat is not None],
            "signed": [None, drawn is not None],
            "photo": [None, taken is not None],
        },
    )
    return delivery
