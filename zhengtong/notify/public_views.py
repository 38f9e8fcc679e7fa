"""/public/sms/optout/: a resident stops non-essential SMS to their phone, or takes them back.

Two steps, no login. The resident enters the phone; a 6-digit code goes to it through the code
door (`notify.codes`, purpose ``optout``); entering the code sets the choice
(`optout.optout_set`). The session keeps the phone's blind index and mask, never the number or
the code; the limits on sending and checking codes are the code door's.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from zhengtong.lib.encrypted import normalise_phone
from zhengtong.lib.forms import StyledForm

from . import codes
from .events import EVENTS
from .models import OptOut
from .optout import SMS_DECISIONS, optout_set
from .outbox import MOBILE_RE

SESSION_KEY = "sms_optout"
PURPOSE = "optout"
CODE_MINUTES = codes.CODE_MINUTES
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


def _pending(request: HttpRequest) -> dict | None:
    return request.session.get(SESSION_KEY) or None


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
    sent = codes.send_code(form.cleaned_data["phone"], PURPOSE, request)
    if not sent.ok:
        return _page(request, {"phone_form": form, "error": sent.error}, status=sent.status)
    request.session[SESSION_KEY] = {"index": sent.index, "mask": sent.mask}
    return _page(request, {"pending": {"mask": sent.mask}, "code_form": CodeForm()})


def _check_code(request: HttpRequest) -> HttpResponse:
    state = _pending(request)
    if state is None:
        return _page(
            request,
            {"phone_form": PhoneForm(), "error": codes.EXPIRED},
            status=400,
        )
    pending = {"mask": state["mask"]}
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _page(request, {"pending": pending, "code_form": form}, status=400)
    checked = codes.check_index(state["index"], PURPOSE, form.cleaned_data["code"], request)
    if not checked.ok:
        if checked.dead:
            request.session.pop(SESSION_KEY, None)
            return _page(
                request, {"phone_form": PhoneForm(), "error": checked.error}, status=checked.status
            )
        if checked.status == 429:
            context = {"pending": pending, "code_form": form, "error": checked.error}
            return _page(request, context, status=429)
        form.add_error("code", checked.error)
        return _page(request, {"pending": pending, "code_form": form}, status=checked.status)
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
