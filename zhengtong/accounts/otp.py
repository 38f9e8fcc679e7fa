"""The second factor (TOTP with django-otp): who must use it, enrolment, verification, reset.

A user must use it when one of their roles is in `OTP_REQUIRED_ROLES` (the superuser counts as
系统管理员), or when one of their units, or a unit above it, has `otp_required` set. Anyone else
may enrol by choice; from then on every login asks for the code as well. Recovery codes are a
django-otp static device: ten single-use codes, shown once.
"""

import base64
import urllib.parse

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengtong.audit.actions import record_event
from zhengtong.audit.models import Event

from .models import Membership, OrgUnit, Role

RECOVERY_CODE_COUNT = 10


def check_required_roles(app_configs=None, **kwargs) -> list:
    """System check: every code in OTP_REQUIRED_ROLES names a role."""
    from django.core.checks import Error

    unknown = [r for r in settings.OTP_REQUIRED_ROLES if r not in Role.values]
    if not unknown:
        return []
    return [
        Error(
            f"OTP_REQUIRED_ROLES 含未知角色编码:{', '.join(unknown)}",
            hint=f"可用的角色编码:{', '.join(Role.values)}",
            id="accounts.E001",
        )
    ]


def otp_required_for(user) -> bool:
    """True when this user may not work without a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = set(settings.OTP_REQUIRED_ROLES)
    if user.is_superuser and Role.ADMIN in roles:
        return True
    memberships = list(Membership.objects.filter(user=user).select_related("org_unit"))
    if any(m.role in roles for m in memberships):
        return True
    ancestor_ids = {int(pk) for m in memberships for pk in m.org_unit.path.strip("/").split("/")}
    return OrgUnit.objects.filter(pk__in=ancestor_ids, otp_required=True).exists()


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled, created on first need."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("手机验证器"), confirmed=False)
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link as an SVG QR code in a data: URI (made here, no outside service)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5)


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def recovery_download_uri(codes: list[str]) -> str:
    text = _("政通 两步验证恢复码(每个只能用一次,请妥善保管)") + "\n\n" + "\n".join(codes) + "\n"
    return "data:text/plain;charset=utf-8," + urllib.parse.quote(text)


@transaction.atomic
def otp_enrol_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code from it; returns the new recovery codes, or None."""
    user = request.user
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    record_event(
        actor=user,
        action="otp_enrolled",
        kind=Event.Kind.UPDATE,
        target=user,
        reason=_("启用两步验证(手机验证器 + %(n)d 个恢复码)") % {"n": len(codes)},
    )
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@transaction.atomic
def otp_verify(*, request, token: str) -> bool:
    """Check a code from the authenticator or a recovery code; on success mark the session."""
    user = request.user
    token = "".join(token.split()).lower()
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                record_event(
                    actor=user,
                    action="otp_recovery_code_used",
                    kind=Event.Kind.LOGIN,
                    target=user,
                    changes={"recovery_codes_left": left},
                    reason=_("用恢复码完成两步验证,剩余 %(n)d 个") % {"n": left},
                )
            return True
    record_event(
        actor=user,
        action="otp_verify_failed",
        kind=Event.Kind.LOGIN,
        target=user,
        reason=_("两步验证码错误"),
    )
    return False


@transaction.atomic
def otp_reset(*, user, actor) -> int:
    """Remove every second-factor device of `user` (lost phone); returns how many went."""
    count = 0
    for model in (TOTPDevice, StaticDevice):
        deleted, _rows = model.objects.filter(user=user).delete()
        count += deleted
    record_event(
        actor=actor,
        action="otp_reset",
        kind=Event.Kind.UPDATE,
        target=user,
        reason=_("管理员重置两步验证,该用户下次登录须重新绑定"),
    )
    return count
