"""Pages anyone may open without an account: the service guide, the case lookup and its rating
form, the on-duty board (挂牌上岗) and the monthly disclosure (办事公开).

Nothing here shows an ID number, a phone number or a full applicant name. The lookup answers a
wrong phone exactly as an unknown receipt number, and each client address gets
`PUBLIC_LOOKUP_LIMIT` proofs per `PUBLIC_LOOKUP_WINDOW_MINUTES`; the attempts are counted by the
rate-counter door (`zhengtong.lib.ratelimit`, one atomic upsert per attempt), so several app
servers and concurrent requests share one exact count. Each attempt is still audited.
"""

import datetime
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zhengtong.accounts.models import OrgUnit
from zhengtong.audit.actions import record_public_event
from zhengtong.audit.context import current
from zhengtong.audit.models import Event
from zhengtong.lib import listing, ratelimit
from zhengtong.lib.forms import MonthInput, StyledForm
from zhengtong.lib.masking import mask_name_public
from zhengtong.people.models import Person

from . import certificates, reports
from .actions.ratings import rating_submit
from .models import Application, DutyEntry, Leave, Material, Post, Rating, ServiceItem
from .selectors import due_state

LOOKUP_ACTION = "public_lookup"
THROTTLED_MESSAGE = "查询过于频繁,请 10 分钟后再试。"
NOT_FOUND_MESSAGE = "未找到与受理编号和手机号后四位相符的办件,请核对后再试。"
RECEIPT_RE = re.compile(r"^[A-Za-z0-9-]{1,30}$")
HUKOU_WORDS = {"local": "本地户籍", "floating": "流动人口(外地户籍)"}


def lookup_limit() -> int:
    return int(getattr(settings, "PUBLIC_LOOKUP_LIMIT", 10))


def lookup_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(getattr(settings, "PUBLIC_LOOKUP_WINDOW_MINUTES", 10)))


# ---------------------------------------------------------------------------- 办事指南


def condition_text(condition: dict | None) -> str:
    """A material's condition in words, e.g. "本地户籍;已婚或再婚;第一孩或第二孩"."""
    if not condition:
        return "所有申请人"
    marital = dict(Person.MaritalStatus.choices)
    parts = []
    if hukou := condition.get("hukou"):
        values = hukou if isinstance(hukou, list) else [hukou]
        parts.append("或".join(HUKOU_WORDS.get(v, str(v)) for v in values))
    if statuses := condition.get("marital_status"):
        values = statuses if isinstance(statuses, list) else [statuses]
        parts.append("或".join(str(marital.get(v, v)) for v in values))
    if orders := condition.get("child_order"):
        values = orders if isinstance(orders, list) else [orders]
        parts.append("或".join(_child_order(v) for v in values))
    for key, value in condition.items():
        if key not in ("hukou", "marital_status", "child_order"):
            parts.append(f"{key}:{value}")
    return ";".join(parts)


def _child_order(value) -> str:
    words = "零一二三四五六七八九十"
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"生育第{words[number]}个孩子" if 0 < number <= 10 else f"生育第{number}个孩子"


@require_GET
def guide_list(request: HttpRequest) -> HttpResponse:
    items = ServiceItem.objects.filter(is_active=True).order_by("sort_order", "code")
    return render(request, "services/public/guide_list.html", {"items": items})


@require_GET
def guide_detail(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(
        ServiceItem.objects.prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("sort_order", "code"))
        ),
        code=code,
        is_active=True,
    )
    materials = [(m, condition_text(m.condition)) for m in item.materials.all()]
    return render(
        request, "services/public/guide_detail.html", {"item": item, "materials": materials}
    )


# ---------------------------------------------------------------------------- 办件查询


class LookupForm(StyledForm):
    receipt_no = forms.CharField(
        label="受理编号",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "受理编号:必填。", "max_length": "受理编号:格式不正确。"},
    )
    phone_last4 = forms.CharField(
        label="手机号后四位",
        max_length=4,
        min_length=4,
        error_messages={
            "required": "手机号后四位:必填。",
            "max_length": "手机号后四位:请输入 4 位数字。",
            "min_length": "手机号后四位:请输入 4 位数字。",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_receipt_no(self) -> str:
        value = self.cleaned_data["receipt_no"].strip().upper()
        if not RECEIPT_RE.match(value):
            raise ValidationError("受理编号:格式不正确,只含字母和数字。")
        return value

    def clean_phone_last4(self) -> str:
        value = self.cleaned_data["phone_last4"].strip()
        if not (len(value) == 4 and value.isdigit()):
            raise ValidationError("手机号后四位:请输入 4 位数字。")
        return value


class RatingForm(LookupForm):
    level = forms.TypedChoiceField(
        label="评价",
        choices=Rating.Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "评价:请选择一项。", "invalid_choice": "评价:请选择一项。"},
    )
    comment = forms.CharField(
        label="意见建议",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "意见建议:不能超过 500 个字。"},
    )


class Throttled(Exception):
    pass


def lookup_throttled(ip: str | None) -> bool:
    """Count this attempt for the client address; True when it is beyond the window's limit."""
    return ratelimit.address_throttled(
        "public_lookup", ip, window=lookup_window(), limit=lookup_limit()
    )


def find_case(receipt_no: str, phone_last4: str) -> Application | None:
    """The case proved by its receipt number and the applicant phone's last 4 digits, or None.

    Raises Throttled when the client has used up its attempts; records each attempt it makes.
    A wrong phone and an unknown number both return None, and record the same kind of row.
    """
    ip = current().ip
    if lookup_throttled(ip):
        raise Throttled
    application = (
        Application.objects.select_related(
            "item", "org_unit", "applicant", "first_responder", "rating"
        )
        .filter(receipt_no=receipt_no)
        .first()
    )
    # The stored last four digits: the check needs no decryption.
    if application is not None and application.applicant_phone_last4 != phone_last4:
        application = None
    record_public_event(
        action=LOOKUP_ACTION,
        kind=Event.Kind.READ,
        target_type="services.lookup",
        target_repr=receipt_no[:30],
        org_unit=application.org_unit if application else None,
        changes={"found": application is not None},
    )
    return application


def staff_card(user, hall: OrgUnit, request: HttpRequest | None = None) -> dict:
    """A clerk's public card: name, post, window, staff number, photo; nothing personal."""
    posts = list(Post.objects.filter(Q(a_user=user) | Q(b_user=user), org_unit=hall))
    post = next((p for p in posts if p.a_user_id == user.pk), posts[0] if posts else None)
    photo = None
    if user.photo:
        photo = user.photo.url
        if request is not None:
            photo = request.build_absolute_uri(photo)
    return {
        "name": user.display_name,
        "post": post.name if post else user.post,
        "window": post.window if post else "",
        "staff_no": user.staff_no,
        "photo_url": photo,
    }


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value else None


def lookup_payload(application: Application, request: HttpRequest | None = None) -> dict:
    """What the public may learn about a proved case."""
    try:
        rating = application.rating  # joined by find_case
    except Rating.DoesNotExist:
        rating = None
    state = due_state(application)
    finished = application.status in (Application.Status.APPROVED, Application.Status.REFUSED)
    return {
        "receipt_no": application.receipt_no,
        "item": application.item.name,
        "item_code": application.item.code,
        "applicant": mask_name_public(application.applicant.name),
        "status": application.status,
        "status_display": application.get_status_display(),
        "received_on": _local_date(application.received_at),
        "accepted_on": application.accepted_on,
        "due_on": application.due_on,
        "due_state": {"state": state.state, "days": state.days, "message": state.message},
        "finished_on": _local_date(application.finished_at),
        "first_responder": staff_card(application.first_responder, application.org_unit, request),
        "can_rate": finished and rating is None,
        "rating": rating.get_level_display() if rating else None,
    }


def _json_ready(payload: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in payload.items()}


@never_cache
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    if "phone_last4" in request.GET:
        form = LookupForm(request.GET)
    else:
        # The QR code of a receipt opens this page with its receipt number filled in.
        form = LookupForm(initial={"receipt_no": request.GET.get("receipt_no", "")[:30]})
    context: dict = {"form": form}
    status = 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            application = find_case(data["receipt_no"], data["phone_last4"])
        except Throttled:
            context["error"] = THROTTLED_MESSAGE
            status = 429
        else:
            online = None
            if application is None:
                # A 网上申请 number not taken in yet: its own status (the same proof).
                from .online_public import online_lookup

                online = online_lookup(data["receipt_no"], data["phone_last4"])
            if online is not None:
                context["online"] = online
            elif application is None:
                context["error"] = NOT_FOUND_MESSAGE
            else:
                context["case"] = lookup_payload(application, request)
                context["rating_form"] = RatingForm(initial=data)
    elif form.is_bound:
        status = 400
    return render(request, "services/public/lookup.html", context, status=status)


@never_cache
@require_GET
def lookup_json(request: HttpRequest) -> JsonResponse:
    form = LookupForm(request.GET)
    if not form.is_valid():
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        return JsonResponse({"detail": "请求参数有误。", "errors": errors}, status=400)
    try:
        application = find_case(form.cleaned_data["receipt_no"], form.cleaned_data["phone_last4"])
    except Throttled:
        return JsonResponse({"detail": THROTTLED_MESSAGE}, status=429)
    if application is None:
        return JsonResponse({"detail": NOT_FOUND_MESSAGE}, status=404)
    return JsonResponse(_json_ready(lookup_payload(application, request)))


@never_cache
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    """好差评 for a finished case, proved with the same receipt number and phone digits."""
    form = RatingForm(request.POST)
    context: dict = {"rating_form": form}
    if not form.is_valid():
        return render(request, "services/public/rating.html", context, status=400)
    data = form.cleaned_data
    try:
        application = find_case(data["receipt_no"], data["phone_last4"])
    except Throttled:
        context["error"] = THROTTLED_MESSAGE
        return render(request, "services/public/rating.html", context, status=429)
    if application is None:
        context["error"] = NOT_FOUND_MESSAGE
        return render(request, "services/public/rating.html", context, status=404)
    try:
        rating = rating_submit(
            application=application, level=data["level"], comment=data["comment"]
        )
    except ValidationError as exc:
        context["error"] = "".join(exc.messages)
        return render(request, "services/public/rating.html", context, status=400)
    context.update(rating=rating, case=lookup_payload(application, request))
    return render(request, "services/public/rating.html", context)


# ---------------------------------------------------------------------------- 证件核验

VERIFY_NOT_FOUND_MESSAGE = "未找到该编号的证件,请核对证件上的编号后再试。"


class VerifyForm(StyledForm):
    no = forms.CharField(
        label="证件编号",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "证件编号:必填。", "max_length": "证件编号:格式不正确。"},
    )

    def clean_no(self) -> str:
        value = self.cleaned_data["no"].strip().upper()
        if not certificates.CERTIFICATE_NO_RE.match(value):
            raise ValidationError("证件编号:格式不正确,只含字母、数字和短横线。")
        return value


@never_cache
@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """本证凭编号核验真伪: the certificate a number belongs to, as the certificate shows it."""
    form = VerifyForm(request.GET if "no" in request.GET else None)
    context: dict = {"form": form}
    status = 200
    if form.is_bound and form.is_valid():
        if certificates.verify_throttled(current().ip):
            context["error"] = THROTTLED_MESSAGE
            status = 429
        elif (application := certificates.find_certificate(form.cleaned_data["no"])) is None:
            context["error"] = VERIFY_NOT_FOUND_MESSAGE
            status = 404
        else:
            context["certificate"] = certificates.public_certificate(application)
    elif form.is_bound:
        status = 400
    return render(request, "services/public/verify.html", context, status=status)


# ---------------------------------------------------------------------------- 挂牌上岗


@require_GET
def duty_board(request: HttpRequest) -> HttpResponse:
    """Today's roster, without anyone on recorded leave today."""
    today = timezone.localdate()
    on_leave = Leave.objects.filter(user=OuterRef("user"), start_on__lte=today, end_on__gte=today)
    entries = (
        DutyEntry.objects.filter(day=today, user__is_active=True)
        .filter(~Exists(on_leave))
        .select_related("user", "post", "post__org_unit")
        .order_by("post__org_unit__path", "post__window", "user__full_name")
    )
    cards = [
        {
            "hall": entry.post.org_unit.name,
            "name": entry.user.display_name,
            "post": entry.post.name,
            "window": entry.post.window,
            "staff_no": entry.user.staff_no,
            "photo_url": entry.user.photo.url if entry.user.photo else None,
        }
        for entry in entries
    ]
    return render(request, "services/public/duty.html", {"today": today, "cards": cards})


# ---------------------------------------------------------------------------- 办事公开


class DisclosureForm(StyledForm):
    """The month (current one when empty) and the hall (all when empty) of 办事公开."""

    small_widgets = True

    month = forms.CharField(label="月份", required=False, max_length=7, widget=MonthInput())
    hall = forms.CharField(label="服务大厅", required=False, max_length=30)

    def __init__(self, *args, halls=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if len(halls) > 1:
            choices = [("", "全部"), *((h.code, h.name) for h in halls)]
            self.fields["hall"].widget = forms.Select(
                choices=choices, attrs={"class": "form-select form-select-sm"}
            )
        else:
            self.fields["hall"].widget = forms.HiddenInput()

    def clean_month(self) -> datetime.date:
        try:
            return reports.parse_month(self.cleaned_data["month"] or None)
        except ValueError as exc:
            # The kit's message names the field already.
            raise ValidationError(str(exc).removeprefix("月份:")) from None


class DisclosureList(listing.ListPage):
    """办事公开, open to anyone: the month's figures per item under the published definitions,
    then the de-identified cases counted (masked names; no ID number, no phone)."""

    title = "办事公开"
    template_name = "services/public/disclosure.html"
    summary_template = "services/public/_disclosure_summary.html"
    filter_form = DisclosureForm
    ordering = ("received_at", "id")
    page_size = 50
    printable = False  # the page prints itself (the figures and the cases), see the template
    empty_text = "本月没有办件。"
    columns = (
        listing.Column("receipt_no", "受理编号", nowrap=True),
        listing.Column("item", "事项", "item.name"),
        listing.Column("applicant", "申请人", lambda case: mask_name_public(case.applicant.name)),
        listing.Column("status", "状态", "get_status_display"),
        listing.Column(
            "received_on", "收件日期", lambda case: _local_date(case.received_at), kind=listing.DATE
        ),
        listing.Column("due_on", "办结期限", kind=listing.DATE),
        listing.Column(
            "finished_on",
            "办结日期",
            lambda case: _local_date(case.finished_at),
            kind=listing.DATE,
        ),
    )
    report: reports.Disclosure | None = None
    hall: OrgUnit | None = None

    def get_form_kwargs(self) -> dict:
        self.halls = list(
            OrgUnit.objects.filter(
                kind=OrgUnit.Kind.TOWN, pk__in=Application.objects.values("org_unit")
            ).order_by("path")
        )
        return {"halls": self.halls}

    def get_queryset(self):
        if code := self.params().get("hall"):
            self.hall = next((h for h in self.halls if h.code == code), None)
            if self.hall is None:
                raise Http404("没有这个服务大厅。")
        if not self.form.is_valid():
            return Application.objects.none()
        self.report = reports.disclosure(month=self.form.cleaned_data["month"], hall=self.hall)
        return self.report.cases

    def get_context_data(self, queryset) -> dict:
        if self.report is None:
            return {"hall": self.hall}
        month = self.report.month
        previous = (month - datetime.timedelta(days=1)).replace(day=1)
        hall = f"&hall={self.hall.code}" if self.hall else ""
        ratings = reports.rating_report(month=month, hall=self.hall)
        return {
            "report": self.report,
            "rating_report": ratings,
            "rating_tables": reports.rating_tables(ratings),
            "rating_definitions": reports.RATING_DEFINITIONS,
            "month": month,
            "hall": self.hall,
            "previous_url": f"?month={previous:%Y-%m}{hall}",
            "next_url": f"?month={reports.next_month(month):%Y-%m}{hall}",
            "definitions": reports.DISCLOSURE_DEFINITIONS,
        }


disclosure = require_GET(DisclosureList.as_view())
