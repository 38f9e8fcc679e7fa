"""The hall's 网上申请 queue, for its window clerks: /services/online/…

The queue lists the submissions to the clerk's halls (waiting first, by the day they should be
answered); a submission's page shows what the resident sent, the material photos (served by
the stored-files door, audited), and the two actions: 接件 (a case is opened with the same
receipt number, the clerk its first responder; missing materials give the one-time notice) and
退回 with a reason the resident reads.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import can_act_in
from zhengtong.lib import listing
from zhengtong.lib.forms import StyledForm, add_errors, choice_field

from .actions.online import online_decline, online_take
from .models import OnlineApplication
from .online_public import situation_keys
from .online_selectors import get_online_for_user, online_visible_to
from .public_views import condition_text
from .selectors import CASE_ROLES, required_materials


class QueueFilterForm(StyledForm):
    small_widgets = True

    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *OnlineApplication.Status.choices],
    )


class OnlineQueue(listing.ListPage):
    """网上申请 of the clerk's halls: waiting first, then by the day they are due."""

    title = "网上申请"
    template_name = "services/online/queue.html"
    filter_form = QueueFilterForm
    search_fields = ("receipt_no", "name")
    search_placeholder = "受理编号或姓名"
    ordering = ("waiting_first", "respond_by", "submitted_at")
    empty_text = "没有网上申请。"
    audit_model = OnlineApplication
    columns = (
        listing.Column(
            "receipt_no", "受理编号", link=listing.link("services:online_detail"), nowrap=True
        ),
        listing.Column("status", "状态", "get_status_display"),
        listing.Column("item", "事项", "item.name"),
        listing.Column("name", "申请人"),
        listing.Column("submitted_at", "提交时间", kind=listing.DATETIME),
        listing.Column("respond_by", "接件期限", kind=listing.DATE),
        listing.Column("hall", "服务大厅", "org_unit.name", phone=False),
        listing.Column("taken_by", "接件人", "taken_by.display_name", phone=False),
    )

    def get_queryset(self):
        waiting = When(status=OnlineApplication.Status.WAITING, then=Value(0))
        return (
            online_visible_to(self.request.user)
            .select_related("item", "org_unit", "taken_by")
            .annotate(waiting_first=Case(waiting, default=Value(1), output_field=IntegerField()))
        )

    def filter_queryset(self, queryset, data):
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset


online_queue = role_required(*CASE_ROLES)(OnlineQueue.as_view())


class TakeForm(StyledForm):
    materials = forms.MultipleChoiceField(
        label="合格的材料",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="勾选照片清晰、符合要求的材料;未勾选的必需材料写入一次性告知书,办件为待补正。",
    )

    def __init__(self, *args, materials, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "materials").choices = [(m.code, m.name) for m in materials]


class DeclineForm(StyledForm):
    reason = forms.CharField(
        label="退回理由",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="申请人在进度查询页面和短信中看到这段说明。",
        error_messages={
            "required": "请填写退回理由,申请人会看到这段说明。",
            "max_length": "退回理由不能超过 300 个字。",
        },
    )


def _detail(request, submission, *, take_form=None, decline_form=None, status=200):
    item = submission.item
    materials = list(item.materials.order_by("sort_order", "code"))
    photos = list(submission.photos.select_related("material"))
    by_material = {m.pk: [p for p in photos if p.material_id == m.pk] for m in materials}
    required = {m.pk for m in required_materials(item, submission.situation)}
    rows = [
        {
            "material": m,
            "condition": condition_text(m.condition),
            "required": m.pk in required,
            "photos": by_material[m.pk],
        }
        for m in materials
    ]
    with_photos = [m.code for m in materials if by_material[m.pk]]
    may_act = submission.status == OnlineApplication.Status.WAITING and can_act_in(
        request.user, submission.org_unit, CASE_ROLES
    )
    situation_labels = {
        "hukou": "户籍",
        "marital_status": "婚姻状况",
        "child_order": "申请孩次",
    }
    context = {
        "submission": submission,
        "rows": rows,
        "situation": [
            (situation_labels[k], _situation_value(k, submission.situation.get(k)))
            for k in situation_keys(item)
        ],
        "may_act": may_act,
        "take_form": take_form or TakeForm(materials=materials, initial={"materials": with_photos}),
        "decline_form": decline_form or DeclineForm(),
    }
    return render(request, "services/online/detail.html", context, status=status)


def _situation_value(key: str, value) -> str:
    from zhengtong.people.models import Person

    from .forms import CHILD_ORDER_CHOICES, HUKOU_CHOICES

    if value in (None, ""):
        return "—"
    choices: list[tuple[str, str]] = {
        "hukou": HUKOU_CHOICES,
        "marital_status": [(str(c), str(n)) for c, n in Person.MaritalStatus.choices],
        "child_order": CHILD_ORDER_CHOICES,
    }[key]
    labels = {str(code): str(label) for code, label in choices}
    return str(labels.get(str(value), value))


@role_required(*CASE_ROLES)
@require_GET
def online_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_online_for_user(request.user, pk))


@role_required(*CASE_ROLES)
@require_POST
def online_take_view(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_online_for_user(request.user, pk, purpose="接件")
    if not can_act_in(request.user, submission.org_unit, CASE_ROLES):
        raise PermissionDenied
    materials = list(submission.item.materials.order_by("sort_order", "code"))
    form = TakeForm(request.POST, materials=materials)
    if form.is_valid():
        try:
            application = online_take(
                actor=request.user, submission=submission, materials=form.cleaned_data["materials"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if application.status == application.Status.ACCEPTED:
                messages.success(request, f"已接件并受理,办件 {application.receipt_no}。")
            else:
                messages.success(
                    request,
                    f"已接件,办件 {application.receipt_no} 材料不齐,已出具一次性告知书(待补正)。",
                )
            return redirect(application)
    submission.refresh_from_db()
    return _detail(request, submission, take_form=form, status=400)


@role_required(*CASE_ROLES)
@require_POST
def online_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_online_for_user(request.user, pk, purpose="退回")
    if not can_act_in(request.user, submission.org_unit, CASE_ROLES):
        raise PermissionDenied
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            online_decline(
                actor=request.user, submission=submission, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已退回网上申请 {submission.receipt_no},并短信告知申请人。")
            return redirect("services:online_detail", pk=submission.pk)
    submission.refresh_from_db()
    return _detail(request, submission, decline_form=form, status=400)
