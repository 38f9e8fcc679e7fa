"""网上申请 for the public, no account: /public/online/…

A resident picks an active item, fills in name, ID number and mobile phone, proves the phone
with an SMS code (the code door, `notify.codes`, purpose ``online``), adds a photo of each
material and gets a receipt number. The status page, like the case lookup, needs the receipt
number and the phone's last four digits; a wrong pair is answered exactly as an unknown number.
Nothing here shows an ID number, a phone number or a full name.

Limits (the rate-counter door): submissions per client address per hour and per phone per day;
the codes have the code door's limits; the status page counts each proof per address.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from zhengtong.audit.actions import record_event
from zhengtong.audit.context import current
from zhengtong.audit.models import Event
from zhengtong.lib import ratelimit
from zhengtong.lib.encrypted import normalise_phone
from zhengtong.lib.files import size_label
from zhengtong.lib.forms import StyledForm, add_errors, choice_field
from zhengtong.lib.masking import mask_name_public
from zhengtong.notify import codes
from zhengtong.notify.optout import MOBILE_RE, phone_index
from zhengtong.people.models import Person

from .actions.intake import SITUATION_NEEDED
from .actions.online import (
    MAX_PHOTOS_PER_MATERIAL,
    ONLINE_PREFIX,
    online_check,
    online_halls,
    online_submit,
)
from .forms import CHILD_ORDER_CHOICES, HUKOU_CHOICES
from .models import Material, OnlineApplication, ServiceItem
from .public_views import RECEIPT_RE, lookup_payload, lookup_window

PURPOSE = "online"
HOUR = 60 * 60
DAY = 24 * HOUR
NOT_FOUND = "未找到与受理编号和手机号后四位相符的网上申请,请核对后再试。"
THROTTLED = "查询过于频繁,请 10 分钟后再试。"


def submits_per_address() -> int:
    return int(getattr(settings, "ONLINE_SUBMITS_PER_ADDRESS", 10))


def submits_per_phone() -> int:
    return int(getattr(settings, "ONLINE_SUBMITS_PER_PHONE", 3))


def status_checks_per_address() -> int:
    return int(getattr(settings, "PUBLIC_LOOKUP_LIMIT", 10))


def _address() -> str:
    return current().ip or "-"


def situation_keys(item: ServiceItem) -> list[str]:
    """The situation facts the item's materials depend on, in a fixed order."""
    used = {key for m in item.materials.all() for key in (m.condition or {})}
    return [key for key in SITUATION_NEEDED if key in used]


class ApplyForm(StyledForm):
    hall = forms.ChoiceField(
        label="办理地点", error_messages={"required": "请选择办理的便民服务中心。"}
    )
    name = forms.CharField(
        label="申请人姓名",
        max_length=50,
        error_messages={"required": "请填写申请人姓名。", "max_length": "姓名不能超过 50 个字。"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label="公民身份号码",
        max_length=18,
        error_messages={"required": "请填写公民身份号码。", "max_length": "身份证号码应为 18 位。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        help_text="用于接收验证码和办理结果短信。",
        error_messages={"required": "请填写手机号码。", "max_length": "手机号码格式不正确。"},
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}
        ),
    )
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    hukou = forms.ChoiceField(
        label="户籍", choices=[("", "请选择"), *HUKOU_CHOICES], required=False
    )
    marital_status = forms.ChoiceField(
        label="婚姻状况",
        required=False,
        choices=[("", "请选择")] + [c for c in Person.MaritalStatus.choices if c[0]],
    )
    child_order = forms.ChoiceField(label="申请孩次", required=False, choices=CHILD_ORDER_CHOICES)
    note = forms.CharField(
        label="补充说明",
        max_length=500,
        required=False,
        error_messages={"max_length": "补充说明不能超过 500 个字。"},
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, item: ServiceItem, halls, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.halls = {h.code: h for h in halls}
        choice_field(self, "hall").choices = [("", "请选择")] + [
            (h.code, f"{h.name}便民服务中心") for h in halls
        ]
        if len(halls) == 1:
            self.fields["hall"].initial = halls[0].code
        keys = situation_keys(item)
        for key in ("hukou", "marital_status", "child_order"):
            if key not in keys:
                del self.fields[key]

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        if not MOBILE_RE.match(phone):
            raise ValidationError("手机号码格式不正确,请输入 11 位手机号码。")
        return phone

    def clean_hall(self):
        hall = self.halls.get(self.cleaned_data["hall"])
        if hall is None:
            raise ValidationError("请选择办理的便民服务中心。")
        return hall

    def situation(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("hukou", "marital_status", "child_order") if data.get(k)}


def _active_item(code: str) -> ServiceItem:
    return get_object_or_404(
        ServiceItem.objects.prefetch_related("materials"), code=code, is_active=True
    )


def _materials(item: ServiceItem) -> list[Material]:
    return sorted(item.materials.all(), key=lambda m: (m.sort_order, m.code))


@require_GET
def online_index(request: HttpRequest) -> HttpResponse:
    items = ServiceItem.objects.filter(is_active=True).order_by("sort_order", "code")
    return render(request, "public/online/index.html", {"items": items})


def _page(request, item, form, *, status=200, **extra) -> HttpResponse:
    context = {
        "item": item,
        "form": form,
        "materials": _materials(item),
        "photo_errors": {},
        "max_photos": MAX_PHOTOS_PER_MATERIAL,
        "max_size": size_label(settings.UPLOAD_MAX_BYTES),
        "minutes": codes.CODE_MINUTES,
        **extra,
    }
    return render(request, "public/online/apply.html", context, status=status)


def _send_code(request, item, form) -> HttpResponse:
    """The "获取验证码" button: everything typed comes back; only the phone is checked."""
    form.is_valid()  # binds cleaned_data; only the phone matters here
    phone_errors = form.errors.get("phone")
    if phone_errors:
        form.errors.clear()
        form.add_error("phone", phone_errors)
        return _page(request, item, form, status=400)
    form.errors.clear()
    sent = codes.send_code(form.cleaned_data["phone"], PURPOSE, request)
    if not sent.ok:
        form.add_error("phone", sent.error)
        return _page(request, item, form, status=sent.status)
    return _page(request, item, form, code_sent=sent.mask)


def _submit(request, item, form) -> HttpResponse:
    if not form.is_valid():
        return _page(request, item, form, status=400)
    data = form.cleaned_data
    photos = {m.code: request.FILES.getlist(f"m_{m.code}") for m in _materials(item)}
    photos = {code: files for code, files in photos.items() if files}
    code = (data.get("code") or "").strip()
    if not code:
        form.add_error("code", "请填写短信验证码(先点“获取验证码”)。")
        return _page(request, item, form, status=400)
    # Check everything but the code first: a wrong photo must not spend the resident's code.
    fields = {
        "item_code": item.code,
        "hall": data["hall"],
        "name": data["name"],
        "id_number": data["id_number"],
        "phone": data["phone"],
        "situation": form.situation(),
        "photos": photos,
        "note": data.get("note", ""),
    }
    try:
        online_check(**fields)
    except ValidationError as exc:
        return _refused(request, item, form, exc)
    # Per address every checked attempt counts; per phone only the stored submissions.
    index = phone_index(data["phone"]) or ""
    by_phone = f"online_submit:p:{index[:32]}"
    count, _last = ratelimit.peek(by_phone, window_seconds=DAY)
    if count >= submits_per_phone() or not ratelimit.hit(
        f"online_submit:{_address()}", window_seconds=HOUR, limit=submits_per_address()
    ):
        error = "提交过于频繁:同一手机号每天、同一网络每小时的网上申请次数有限,请稍后再试。"
        return _page(request, item, form, status=429, error=error)
    checked = codes.check_code(data["phone"], PURPOSE, code)
    if not checked.ok:
        form.add_error("code", checked.error)
        return _page(request, item, form, status=checked.status)
    try:
        submission = online_submit(**fields)
    except ValidationError as exc:
        return _refused(request, item, form, exc)
    ratelimit.hit(by_phone, window_seconds=DAY, limit=submits_per_phone())
    return render(
        request,
        "public/online/done.html",
        {
            "submission": submission,
            "name": mask_name_public(submission.name),
            "hall": submission.org_unit.name,
            "photos": submission.photos.count(),
        },
    )


def _refused(request, item, form, exc: ValidationError) -> HttpResponse:
    photo_errors: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        rest = {}
        for name, messages in exc.message_dict.items():
            if name.startswith("m_"):
                photo_errors[name[2:]] = messages
            else:
                rest[name] = messages
        if rest:
            add_errors(form, ValidationError(rest))
    else:
        add_errors(form, exc)
    return _page(request, item, form, status=400, photo_errors=photo_errors)


@never_cache
@require_http_methods(["GET", "POST"])
def online_apply(request: HttpRequest, code: str) -> HttpResponse:
    item = _active_item(code)
    halls = list(online_halls())
    if request.method != "POST":
        return _page(request, item, ApplyForm(item=item, halls=halls))
    form = ApplyForm(request.POST, item=item, halls=halls)
    if request.POST.get("step") == "code":
        return _send_code(request, item, form)
    return _submit(request, item, form)


class StatusForm(StyledForm):
    receipt_no = forms.CharField(
        label="受理编号",
        max_length=30,
        error_messages={"required": "请填写受理编号。", "max_length": "受理编号格式不正确。"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone_last4 = forms.CharField(
        label="手机号后四位",
        max_length=4,
        min_length=4,
        error_messages={
            "required": "请填写手机号后四位。",
            "max_length": "请输入 4 位数字。",
            "min_length": "请输入 4 位数字。",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_receipt_no(self) -> str:
        value = self.cleaned_data["receipt_no"].strip().upper()
        if not RECEIPT_RE.match(value):
            raise ValidationError("受理编号格式不正确,只含字母和数字。")
        return value

    def clean_phone_last4(self) -> str:
        value = self.cleaned_data["phone_last4"].strip()
        if not (len(value) == 4 and value.isdigit()):
            raise ValidationError("请输入 4 位数字。")
        return value


def find_submission(receipt_no: str, phone_last4: str) -> OnlineApplication | None:
    """The submission proved by its receipt number and phone's last four digits, or None; each
    attempt is audited, a wrong phone exactly as an unknown number."""
    submission = (
        OnlineApplication.objects.select_related("item", "org_unit", "application")
        .filter(receipt_no=receipt_no)
        .first()
    )
    if submission is not None and submission.phone_last4 != phone_last4:
        submission = None
    record_event(
        actor=None,
        action="online_status_lookup",
        kind=Event.Kind.READ,
        target_type="services.onlineapplication",
        target_repr=receipt_no[:30],
        org_unit=submission.org_unit if submission else None,
        changes={"found": submission is not None},
    )
    return submission


def status_payload(submission: OnlineApplication, request=None) -> dict:
    """What the resident may learn about a proved submission."""
    payload = {
        "receipt_no": submission.receipt_no,
        "item": submission.item.name,
        "hall": submission.org_unit.name,
        "applicant": mask_name_public(submission.name),
        "status": submission.status,
        "status_display": submission.get_status_display(),
        "submitted_at": submission.submitted_at,
        "respond_by": submission.respond_by,
        "declined_reason": submission.declined_reason,
        "case": None,
    }
    if submission.application is not None:
        payload["case"] = lookup_payload(submission.application, request)
    return payload


@never_cache
@require_GET
def online_status(request: HttpRequest) -> HttpResponse:
    bound = "phone_last4" in request.GET
    form = (
        StatusForm(request.GET)
        if bound
        else StatusForm(initial={"receipt_no": request.GET.get("receipt_no", "")[:30]})
    )
    context: dict = {"form": form}
    status = 200
    if bound and form.is_valid():
        window = int(lookup_window() / datetime.timedelta(seconds=1))
        if not ratelimit.hit(
            f"online_status:{_address()}", window_seconds=window, limit=status_checks_per_address()
        ):
            context["error"], status = THROTTLED, 429
        else:
            data = form.cleaned_data
            submission = find_submission(data["receipt_no"], data["phone_last4"])
            if submission is None:
                context["error"], status = NOT_FOUND, 404
            else:
                context["online"] = status_payload(submission, request)
    elif bound:
        status = 400
    return render(request, "public/online/status.html", context, status=status)


def online_lookup(receipt_no: str, phone_last4: str) -> dict | None:
    """For 办件查询: a 网上申请 number not yet a case, proved as there (None otherwise)."""
    if not receipt_no.startswith(ONLINE_PREFIX):
        return None
    submission = find_submission(receipt_no, phone_last4)
    if submission is None or submission.application_id:
        return None
    return status_payload(submission)
