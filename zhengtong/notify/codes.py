"""The one door for SMS verification codes: `send_code(phone, purpose, request)` and
`check_code(phone, purpose, code)`.

A code is 6 random digits sent through the outbox (`notify()`, event ``sms_code``, urgent: asked
for just now). Only its keyed hash is kept (`VerificationCode`), with the phone as its blind
index and mask, never the number. A code dies after `CODE_MINUTES` minutes, after `MAX_TRIES`
wrong entries, when a newer code for the same phone and purpose is sent, or when it is used.

Limits, counted by the rate-counter door (`zhengtong.lib.ratelimit`): codes per phone and per
client address in 10 minutes, code entries per client address in 10 minutes, and codes per
phone per day. A phone that has reached the outbox's daily SMS cap (`tasks.daily_cap`) is told
so at once: the code would not be sent.

The outbox shows a code's message with the digits hidden (`masked_text`); the SMS itself
carries them.
"""

import datetime
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from zhengtong.audit.context import current
from zhengtong.lib import ratelimit
from zhengtong.lib.encrypted import normalise_phone
from zhengtong.lib.masking import mask_phone_internal

from .models import Message, VerificationCode
from .optout import MOBILE_RE, phone_index
from .outbox import Recipient, notify

CODE_MINUTES = 10
MAX_TRIES = 5
WINDOW_SECONDS = 10 * 60
CODE_RE = re.compile(r"^[0-9]{6}$")
HIDDEN = "******"

# What the SMS says the code is for ("仅用于{purpose}"), by purpose.
PURPOSES = {
    "optout": "设置是否接收政务提醒短信",
    "online": "网上申请办事",
}

TOO_FREQUENT = "获取验证码过于频繁,请 10 分钟后再试。"
CHECKS_TOO_FREQUENT = "尝试过于频繁,请 10 分钟后再试。"
EXPIRED = "验证码已失效,请重新获取验证码。"
TOO_MANY_WRONG = "验证码错误次数过多,请重新获取验证码。"
BAD_PHONE = "手机号码格式不正确,请输入 11 位手机号码。"
BAD_FORMAT = "验证码为 6 位数字。"


def send_limit_per_phone() -> int:
    return int(getattr(settings, "SMS_CODES_PER_PHONE", 3))


def send_limit_per_address() -> int:
    return int(getattr(settings, "SMS_CODES_PER_ADDRESS", 10))


def check_limit_per_address() -> int:
    return int(getattr(settings, "SMS_CODE_CHECKS_PER_ADDRESS", 20))


def daily_limit_per_phone() -> int:
    return int(getattr(settings, "SMS_CODES_PER_PHONE_DAY", 10))


@dataclass(frozen=True)
class Sent:
    """The answer of `send_code`: `ok` with the phone's mask, or the Chinese reason and the
    HTTP status a page answers with (400 bad phone, 429 a limit)."""

    ok: bool
    mask: str = ""
    index: str = ""
    error: str = ""
    status: int = 200


@dataclass(frozen=True)
class Checked:
    """The answer of `check_code`: `ok`, or the Chinese reason; `dead` when the resident must
    ask for a new code (none, expired, too many wrong entries)."""

    ok: bool
    error: str = ""
    status: int = 200
    dead: bool = False


def _hash(index: str, purpose: str, code: str) -> str:
    return salted_hmac("notify.codes", f"{index}:{purpose}:{code}").hexdigest()


def _address(request=None) -> str:
    ip = current().ip
    if not ip and request is not None:
        ip = request.META.get("REMOTE_ADDR", "")
    return ip or "-"


def _day_start(now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    return datetime.datetime.combine(local.date(), datetime.time.min, tzinfo=local.tzinfo)


def _daily_refusal(phone: str, index: str, now: datetime.datetime) -> str:
    """Why no code can go to this phone today, or ""."""
    from .tasks import daily_cap, sent_today

    cap = daily_cap()
    if sent_today(phone, now) >= cap:
        return f"该手机号今日已收到 {cap} 条政务短信,达到每日上限,验证码无法发送,请明天再试。"
    limit = daily_limit_per_phone()
    issued = VerificationCode.objects.filter(
        phone_index=index, created_at__gte=_day_start(now)
    ).count()
    if issued >= limit:
        return f"该手机号今日已获取 {limit} 次验证码,达到每日上限,请明天再试。"
    return ""


def send_code(phone: str, purpose: str, request=None) -> Sent:
    """Send a new code for `purpose` to `phone`, or say in Chinese why none was sent."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown code purpose {purpose!r}")
    phone = normalise_phone(phone or "")
    if not MOBILE_RE.match(phone):
        return Sent(False, error=BAD_PHONE, status=400)
    index = phone_index(phone) or ""
    mask = mask_phone_internal(phone)
    now = timezone.now()
    if refusal := _daily_refusal(phone, index, now):
        return Sent(False, mask=mask, index=index, error=refusal, status=429)
    # The counter keys name the phone by a prefix of its blind index, never by the number.
    by_address = ratelimit.hit(
        f"sms_code_send:{_address(request)}",
        window_seconds=WINDOW_SECONDS,
        limit=send_limit_per_address(),
    )
    by_phone = ratelimit.hit(
        f"sms_code_send:p:{index[:32]}",
        window_seconds=WINDOW_SECONDS,
        limit=send_limit_per_phone(),
    )
    if not (by_address and by_phone):
        return Sent(False, mask=mask, index=index, error=TOO_FREQUENT, status=429)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        VerificationCode.objects.filter(
            phone_index=index, purpose=purpose, closed_at__isnull=True
        ).update(closed_at=now)
        VerificationCode.objects.create(
            phone_index=index,
            phone_mask=mask,
            purpose=purpose,
            code_hash=_hash(index, purpose, code),
            expires_at=now + datetime.timedelta(minutes=CODE_MINUTES),
            created_at=now,
        )
        notify(
            event="sms_code",
            target=None,
            recipients=[Recipient.resident(phone)],
            context={"code": code, "minutes": str(CODE_MINUTES), "purpose": PURPOSES[purpose]},
            dedupe=f"sms_code:{uuid.uuid4().hex}",
            urgent=True,  # asked for just now: not held back by the quiet hours
        )
    return Sent(True, mask=mask, index=index)


def check_code(phone: str, purpose: str, code: str) -> Checked:
    """Check `code` for `phone` and `purpose`; a right code is spent (it works once)."""
    return check_index(phone_index(normalise_phone(phone or "")) or "", purpose, code)


def check_index(index: str, purpose: str, code: str, request=None) -> Checked:
    """`check_code` for a phone known only by its blind index (the opt-out page's session)."""
    code = (code or "").strip()
    if not CODE_RE.match(code):
        return Checked(False, error=BAD_FORMAT, status=400)
    if not ratelimit.hit(
        f"sms_code_check:{_address(request)}",
        window_seconds=WINDOW_SECONDS,
        limit=check_limit_per_address(),
    ):
        return Checked(False, error=CHECKS_TOO_FREQUENT, status=429)
    now = timezone.now()
    with transaction.atomic():
        row = (
            VerificationCode.objects.select_for_update()
            .filter(phone_index=index, purpose=purpose, closed_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
            if index
            else None
        )
        if row is None or row.expires_at <= now:
            return Checked(False, error=EXPIRED, status=400, dead=True)
        if not hmac.compare_digest(row.code_hash, _hash(index, purpose, code)):
            row.tries += 1
            if row.tries >= MAX_TRIES:
                row.closed_at = now
                row.save(update_fields=["tries", "closed_at"])
                return Checked(False, error=TOO_MANY_WRONG, status=429, dead=True)
            row.save(update_fields=["tries"])
            left = MAX_TRIES - row.tries
            return Checked(False, error=f"验证码不正确,还可以再试 {left} 次。", status=400)
        row.closed_at = now
        row.save(update_fields=["closed_at"])
    return Checked(True)


def masked_text(message: Message) -> str:
    """A message's text as the outbox shows it: a verification code's digits hidden."""
    text = message.text
    if message.event == "sms_code":
        code = str((message.context or {}).get("code") or "")
        if code:
            text = text.replace(code, HIDDEN)
        text = re.sub(r"[0-9]{6}", HIDDEN, text)
    return text
