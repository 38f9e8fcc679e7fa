"""/public/sms/optout/: a resident stops non-essential SMS to their phone, or takes them back.

Two steps, no login. The resident enters the phone; a 6-digit code goes to it through the
outbox (`notify()`, event ``sms_code``); entering the code sets the choice (`optout.optout_set`).
The session keeps the phone's blind index and mask and the code's keyed hash, never the number
or the code. Sending codes is limited per phone and per client address, checking them per
client address, and a code dies after `MAX_TRIES` wrong entries or `CODE_MINUTES` minutes; the
counts go through the rate-counter door (`zhengtong.lib.ratelimit`).
"""

import datetime
import hmac
import re
import secrets
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from zhengtong.audit.context import current
from zhengtong.lib import ratelimit
from zhengtong.lib.encrypted import normalise_phone
from zhengtong.lib.forms import StyledForm
from zhengtong.lib.masking import mask_phone_internal

from .events import EVENTS
from .models import OptOut
from .optout import SMS_DECISIONS, optout_set, phone_index
from .outbox import MOBILE_RE, Recipient, notify

SESSION_KEY = "sms_optout"
CODE_MINUTES = 10
MAX_TRIES = 5
WINDOW_SECONDS = 10 * 60
# The events a resident receives by SMS: the page lists which of them still go after 退订.
RESIDENT_EVENTS = (
    "case_accepted",
    "case_notice",
    "case_done",
    "case_refused",
    "payment_approved",
    "callback_scheduled",
    "reminder",
)


def send_limit_per_phone() -> int:
    return int(getattr(settings, "SMS_OPTOUT_CODES_PER_PHONE", 3))


def send_limit_per_address() -> int:
    return int(getattr(settings, "SMS_OPTOUT_CODES_PER_ADDRESS", 10))


def check_limit_per_address() -> int:
    return int(getattr(settings, "SMS_OPTOUT_CHECKS_PER_ADDRESS", 20))


class PhoneForm(StyledForm):
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        error_messages={"required": "请填写手机号码。", "max_length": "手机号码格式不正确。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        if not MOBILE_RE.match(phone):
            raise ValidationError("手机号码格式不正确,请输入 11 位手机号码。")
        return phone


class CodeForm(StyledForm):
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        min_length=6,
        error_messages={
            "required": "请填写短信验证码。",
            "max_length": "验证码为 6 位数字。",
            "min_length": "验证码为 6 位数字。",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    choice = forms.ChoiceField(
        label="选择",
        choices=[("out", "退订非必要短信"), ("in", "恢复接收全部短信")],
        initial="out",
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择退订或恢复接收。",
            "invalid_choice": "请选择退订或恢复接收。",
        },
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValidationError("验证码为 6 位数字。")
        return code


def _code_hash(index: str, code: str) -> str:
    return salted_hmac("notify.sms_optout", f"{index}:{code}").hexdigest()


def _address() -> str:
    return current().ip or "-"


def _pending(request: HttpRequest) -> dict | None:
    state = request.session.get(SESSION_KEY)
    if not state:
        return None
    if datetime.datetime.fromisoformat(state["expires"]) <= timezone.now():
        request.session.pop(SESSION_KEY, None)
        return None
    return state


def _decisions() -> list[dict]:
    return [
        {
            "label": EVENTS[event].label,
            "essential": SMS_DECISIONS[event].essential,
            "reason": SMS_DECISIONS[event].reason,
        }
        for event in RESIDENT_EVENTS
    ]


def _page(request, context: dict, status: int = 200) -> HttpResponse:
    context.setdefault("decisions", _decisions())
    context.setdefault("minutes", CODE_MINUTES)
    return render(request, "notify/public/optout.html", context, status=status)


def _send_code(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return _page(request, {"phone_form": form}, status=400)
    phone = form.cleaned_data["phone"]
    index = phone_index(phone) or ""
    # The counter keys name the phone by a prefix of its blind index, never by the number.
    by_address = ratelimit.hit(
        f"sms_optout_send:{_address()}",
        window_seconds=WINDOW_SECONDS,
        limit=send_limit_per_address(),
    )
    by_phone = ratelimit.hit(
        f"sms_optout_send:p:{index[:32]}",
        window_seconds=WINDOW_SECONDS,
        limit=send_limit_per_phone(),
    )
    if not (by_address and by_phone):
        return _page(
            request,
            {"phone_form": form, "error": "获取验证码过于频繁,请 10 分钟后再试。"},
            status=429,
        )
    code = f"{secrets.randbelow(10**6):06d}"
    mask = mask_phone_internal(phone)
    notify(
        event="sms_code",
        target=None,
        recipients=[Recipient.resident(phone)],
        context={"code": code, "minutes": str(CODE_MINUTES)},
        dedupe=f"sms_code:{uuid.uuid4().hex}",
        urgent=True,  # asked for just now: not held back by the quiet hours
    )
    request.session[SESSION_KEY] = {
        "index": index,
        "mask": mask,
        "hash": _code_hash(index, code),
        "expires": (timezone.now() + datetime.timedelta(minutes=CODE_MINUTES)).isoformat(),
        "tries": 0,
    }
    return _page(request, {"pending": {"mask": mask}, "code_form": CodeForm()})


def _check_code(request: HttpRequest) -> HttpResponse:
    state = _pending(request)
    if state is None:
        return _page(
            request,
            {"phone_form": PhoneForm(), "error": "验证码已失效,请重新获取验证码。"},
            status=400,
        )
    pending = {"mask": state["mask"]}
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _page(request, {"pending": pending, "code_form": form}, status=400)
    if not ratelimit.hit(
        f"sms_optout_check:{_address()}",
        window_seconds=WINDOW_SECONDS,
        limit=check_limit_per_address(),
    ):
        return _page(
            request,
            {"pending": pending, "code_form": form, "error": "尝试过于频繁,请 10 分钟后再试。"},
            status=429,
        )
    expected = state["hash"]
    if not hmac.compare_digest(expected, _code_hash(state["index"], form.cleaned_data["code"])):
        state["tries"] += 1
        if state["tries"] >= MAX_TRIES:
            request.session.pop(SESSION_KEY, None)
            return _page(
                request,
                {"phone_form": PhoneForm(), "error": "验证码错误次数过多,请重新获取验证码。"},
                status=429,
            )
        request.session[SESSION_KEY] = state
        form.add_error("code", f"验证码不正确,还可以再试 {MAX_TRIES - state['tries']} 次。")
        return _page(request, {"pending": pending, "code_form": form}, status=400)
    request.session.pop(SESSION_KEY, None)
    opted_out = form.cleaned_data["choice"] == "out"
    row = _set_by_index(state["index"], state["mask"], opted_out)
    return _page(request, {"done": {"mask": row.phone_mask, "opted_out": row.opted_out}})


def _set_by_index(index: str, mask: str, opted_out: bool) -> OptOut:
    """The choice for the verified phone, known here only by its index and mask."""
    return optout_set(opted_out=opted_out, source=OptOut.Source.PUBLIC, index=index, mask=mask)


@never_cache
@require_http_methods(["GET", "POST"])
def optout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("step") == "code":
            return _check_code(request)
        return _send_code(request)
    return _page(request, {"phone_form": PhoneForm()})
