"""Staff pages of the hall: the queue, intake, the case with its actions, leave, duty roster,
rectifications, and the printed documents (PDF)."""

import datetime
import re
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.labels import action_label
from zhengtong.audit.reads import record_denied, record_read
from zhengtong.inbox.registry import deadline
from zhengtong.lib import listing
from zhengtong.lib.encrypted import index_lookup
from zhengtong.lib.forms import add_errors
from zhengtong.lib.http import AuthenticatedHttpRequest, HtmxHttpRequest
from zhengtong.lib.idquery import looks_like_id_number
from zhengtong.lib.pdf import pdf_response, render_pdf
from zhengtong.people.models import Person
from zhengtong.workdays import WorkCalendar

from . import certificates, documents
from .actions import decisions, duty, handling, home, intake, leave, ratings
from .forms import (
    ApplicationFilterForm,
    ApproveForm,
    DutyDayForm,
    DutyForm,
    HandoverForm,
    IntakeForm,
    LeaveFilterForm,
    LeaveForm,
    MaterialsForm,
    NoticeDeliveryForm,
    ReasonForm,
    RectificationCloseForm,
    RectificationFilterForm,
    situation_of,
)
from .models import Application, Material, Notice

if TYPE_CHECKING:
    from zhengtong.population.models import HomeVisit

from .selectors import (
    CASE_ROLES,
    QUEUE_ORDER,
    acting_as,
    active_items,
    application_timeline,
    applications_overdue,
    applications_visible_to,
    due_state,
    duty_entries_visible_to,
    get_application_for_user,
    hall_posts,
    leaves_visible_to,
    phone_ends_with,
    queue_for,
    rectifications_visible_to,
    required_materials,
)

MESSAGE_ACTIONS = ("message_sent", "message_delivered", "message_undelivered")
EVENT_LABELS = {
    "application_received": "收件登记",
    "notice_issued": "一次性告知",
    "notice_outside_first": "告知超出首次告知范围(警示)",
    "application_accepted": "受理",
    "application_paused": "补正告知,暂停计时",
    "application_resumed": "补正完成,恢复计时",
    "materials_supplemented": "补交材料",
    "leave_recorded": "登记请假",
    "application_handed_over": "移交承办",
    "application_approved": "办结(准予)",
    "application_refused": "不予办理",
    "application_withdrawn": "撤回",
    "rating_submitted": "群众评价",
    "rectification_closed": "差评整改回访",
    "service_notice_delivered": "上门告知",
}


class NullsLastOrder:
    """Sorting of lists whose date column may be empty (a case without a due date): empty dates
    after the others in both directions, on SQLite and PostgreSQL alike; `queue_order` when no
    column is chosen. (The kit's `ordering` takes field names only.)"""

    queue_order: tuple = ("pk",)

    def order(self, queryset, sort: str):
        field = self.sort_keys().get(sort.lstrip("-"))  # type: ignore[attr-defined]
        if field is None:
            return queryset.order_by(*self.queue_order)
        if sort.startswith("-"):
            return queryset.order_by(F(field).desc(nulls_last=True), "-pk")
        return queryset.order_by(F(field).asc(nulls_last=True), "pk")


class ApplicationList(NullsLastOrder, listing.ListPage):
    """我的办件 (the clerk's open cases, with those of an absent A clerk marked B 代 A) or
    本大厅全部, with the filters, countdown badges and the overdue counts per window and clerk.

    The one search box finds a case in all the hall's cases (whatever the 范围) by receipt
    number (exact or prefix), applicant name (contains), phone (the stored number, spaces and
    hyphens ignored, at least its last 4 digits) or full ID number; a search by ID number is
    POSTed (the kit's `id_search`), so the number never appears in a URL.
    """

    title = "我的办件"
    template_name = "services/application_list.html"
    filter_form = ApplicationFilterForm
    search_label = "查找办件"
    search_placeholder = "受理编号、姓名、电话或身份证号"
    id_search = True
    audit_model = Application
    queue_order = QUEUE_ORDER
    export_name = "办件"
    empty_text = "没有符合条件的办件。"

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.today = timezone.localdate()
        calendar = WorkCalendar()  # one calendar for every row: a fixed number of queries
        # Per request: the countdown column reads today's calendar. The kit declares columns
        # once per class and has no hook to prepare the rows of a page.
        self.page_columns = (
            listing.Column(
                "receipt_no",
                "受理编号",
                sort="receipt_no",
                template="services/_cell_receipt.html",
                nowrap=True,
            ),
            listing.Column("item", "事项", "item.name"),
            listing.Column("applicant", "申请人", "applicant.name"),
            listing.Column(
                "status", "状态", "get_status_display", template="services/_cell_status.html"
            ),
            listing.Column(
                "due_on",
                "办结期限",
                kind=listing.DATE,
                sort="due_on",
                template="services/_cell_due.html",
            ),
            listing.Column(
                "deadline",
                "期限提醒",
                lambda case: due_state(case, calendar, today=self.today),
                template="services/_cell_deadline.html",
                export=False,
            ),
            listing.Column(
                "handler", "承办人", "handler.display_name", template="services/_cell_handler.html"
            ),
            listing.Column("window", "窗口", "item.window", phone=False),
        )

    def get_form_kwargs(self) -> dict:
        return {"user": self.request.user}

    def get_queryset(self):
        data = self.form.cleaned_data if self.form.is_valid() else {}
        self.searching = bool((data.get("q") or "").strip())
        # A search looks through the whole hall: the case may be a colleague's or finished.
        self.mine = data.get("scope") != "all" and not self.searching
        self.audit_purpose = "我的待办" if self.mine else "全部办件"
        if self.mine:
            return queue_for(self.request.user, today=self.today)
        return (
            applications_visible_to(self.request.user)
            .annotate(for_absent_a=Q(pk__in=[]))
            .select_related("item", "applicant", "first_responder", "handler")
        )

    def search(self, queryset, q: str):
        if not q or looks_like_id_number(q):
            return super().search(queryset, q)
        condition = Q(receipt_no__istartswith=q) | Q(applicant__name__icontains=q)
        digits = re.sub(r"[\s-]", "", q)
        if digits.isdigit() and len(digits) >= 4:
            condition |= phone_ends_with(queryset, digits)
        return queryset.filter(condition)

    def search_by_id_number(self, queryset, number: str):
        index = index_lookup(Person, "id_number", number)["id_number_index"]
        return queryset.filter(applicant__id_number_index=index) if index else queryset.none()

    def filter_queryset(self, queryset, data):
        return self.form.filter(queryset, today=self.today)

    def get_context_data(self, queryset) -> dict:
        overdue = applications_overdue(applications_visible_to(self.request.user), self.today)
        by_window = (
            overdue.values("item__window")
            .annotate(count=Count("pk"))
            .order_by("-count", "item__window")
        )
        by_clerk = (
            overdue.values("handler_id", "handler__full_name", "handler__username")
            .annotate(count=Count("pk"))
            .order_by("-count", "handler__username")
        )
        return {
            "title": "我的办件" if self.mine else "本大厅办件",
            "mine": self.mine,
            "searching": self.searching,
            "today": self.today,
            "overdue_by_window": list(by_window),
            "overdue_by_clerk": list(by_clerk),
        }


application_list = role_required(*CASE_ROLES)(ApplicationList.as_view())


def _intake_materials(items, code: str, situation: dict) -> tuple[object, list[Material]]:
    item = next((i for i in items if i.code == code), None)
    return item, (required_materials(item, situation) if item is not None else [])


def _visit_for_intake(request: HttpRequest, raw) -> "HomeVisit | None":
    """The village home visit a 上门受理 starts from (`?visit=` or the form's hidden field):
    only one in the subtree of a hall where the user takes in cases (404 otherwise, audited
    as denied); its read is audited, since the intake shows the person's ID number."""
    from zhengtong.population.models import HomeVisit

    if raw in (None, ""):
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    visit = (
        HomeVisit.objects.select_related("person", "org_unit", "visited_by").filter(pk=pk).first()
    )
    if visit is None or not can_act_in(request.user, visit.org_unit, CASE_ROLES):
        record_denied(actor=request.user, model=HomeVisit, pk=pk)
        raise Http404
    record_read(actor=request.user, target=visit, purpose="上门受理")
    return visit


def _visit_initial(visit) -> dict:
    person = visit.person
    initial = {
        "channel": Application.Channel.HOME_VISIT,
        "name": person.name,
        "id_number": person.id_number,
        "phone": person.phone or "",
        "visit": visit.pk,
        "visit_photos": [photo.pk for photo in visit.photos.all()],
    }
    if person.marital_status:
        initial["marital_status"] = person.marital_status
    if visit.latitude is not None and visit.longitude is not None:
        initial["latitude"] = str(visit.latitude)
        initial["longitude"] = str(visit.longitude)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
def application_create(request: HtmxHttpRequest) -> HttpResponse:
    """收件登记. An htmx GET (item or situation changed) returns the material list only.

    `?visit=<pk>` opens it from a village home visit (上门受理): the applicant, channel 上门服务
    and the visit's position filled in, and the visit's photos offered."""
    items = list(active_items())
    if request.method == "POST":
        data = request.POST
    else:
        # A GET only fills the form in (htmx refresh, or a link): no errors for fields not
        # typed yet.
        data = request.GET
    visit = _visit_for_intake(request, data.get("visit"))
    visit_photos = list(visit.photos.all()) if visit is not None else []
    item, materials = _intake_materials(items, data.get("item", ""), situation_of(data))
    kwargs = {"items": items, "materials": materials, "visit_photos": visit_photos}
    if request.method == "POST":
        form = IntakeForm(data, request.FILES, **kwargs)
    else:
        initial = {**data.dict(), "materials": data.getlist("materials")}
        if visit is not None and "name" not in data:
            initial = {**_visit_initial(visit), **initial}
        form = IntakeForm(initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["visit_photos"])
        try:
            application = intake.application_intake(
                actor=request.user,
                item_code=form.cleaned_data["item"],
                applicant=form.applicant(),
                materials=form.cleaned_data["materials"],
                situation=situation_of(form.cleaned_data),
                channel=form.cleaned_data["channel"],
                latitude=form.cleaned_data["latitude"],
                longitude=form.cleaned_data["longitude"],
                photos=request.FILES.getlist("photos"),
                home_visit=visit,
                visit_photos=[photo for photo in visit_photos if photo.pk in chosen],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if application.status == Application.Status.PENDING:
                messages.warning(
                    request,
                    f"已收件,编号 {application.receipt_no}。材料不齐,已出具一次性告知书。",
                )
            else:
                messages.success(request, f"已受理,编号 {application.receipt_no},办结期限见下方。")
            return redirect(application)
    context = {
        "form": form,
        "item": item,
        "materials": materials,
        "visit": visit,
        "visit_photos": visit_photos,
    }
    template = "services/application_form.html"
    if request.htmx and request.method == "GET":
        template += "#materials"
    return render(request, template, context)


def _material_choices(application: Application, received_codes: set[str]) -> list[Material]:
    """Materials still to hand in: required and not received, plus those of the last notice."""
    wanted = [
        m
        for m in required_materials(application.item, application.situation)
        if m.code not in received_codes
    ]
    last = application.notices.order_by("-issued_at", "-id").first()
    if last is not None:
        cited = [row.material for row in last.items.select_related("material")]
        wanted += [m for m in cited if m.code not in {w.code for w in wanted}]
    return sorted(wanted, key=lambda m: (m.sort_order, m.code))


def _action_forms(request: HttpRequest, application: Application, received_codes: set[str]):
    """The forms of the actions the case's status allows, unbound."""
    status = application.status
    Status = Application.Status
    forms: dict[str, BaseForm] = {}
    if status in (Status.PENDING, Status.PAUSED):
        forms["supplement"] = MaterialsForm(
            materials=_material_choices(application, received_codes), prefix="supplement"
        )
    if status == Status.ACCEPTED:
        forms["correction"] = MaterialsForm(
            materials=required_materials(application.item, application.situation),
            with_note=True,
            prefix="correction",
        )
        forms["approve"] = ApproveForm(prefix="approve")
        forms["refuse"] = ReasonForm(prefix="refuse")
    if application.is_open:
        forms["handover"] = HandoverForm(
            user=request.user, application=application, prefix="handover"
        )
        forms["withdraw"] = ReasonForm(prefix="withdraw")
    return forms


def _timeline(application: Application) -> list:
    events = list(application_timeline(application).select_related("actor"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action) or action_label(event.action)
        changes = event.changes or {}
        if event.action in MESSAGE_ACTIONS:
            # 发送消息 · 办件受理; 短信送达失败(原因) with the carrier's reason in the label.
            sent = changes.get("event")
            if isinstance(sent, list) and sent[-1]:
                event.label = f"{event.label}:{sent[-1]}"
            if event.action == "message_undelivered" and event.reason:
                event.label = f"{event.label}({event.reason})"
                event.reason = ""
        on_behalf = changes.get("on_behalf_of")
        event.on_behalf_of = on_behalf[1] if isinstance(on_behalf, list) else on_behalf
    return events


def _render_detail(
    request: HttpRequest, application: Application, *, bound: dict | None = None, status=200
) -> HttpResponse:
    today = timezone.localdate()
    acting = acting_as(request.user, application, today=today)
    received = list(
        application.received_materials.select_related("material").order_by(
            "material__sort_order", "material__code"
        )
    )
    received_codes = {r.material.code for r in received}
    notices = list(
        application.notices.select_related("issued_by")
        .prefetch_related("items__material")
        .order_by("issued_at", "id")
    )
    forms = _action_forms(request, application, received_codes) if acting else {}
    forms.update(bound or {})
    rating = getattr(application, "rating", None) if not application.is_open else None
    rectification = getattr(rating, "rectification", None) if rating else None
    context = {
        "application": application,
        "deadline": due_state(application, WorkCalendar(), today=today),
        "situation_text": documents.situation_text(application.situation),
        "acting": acting,
        "received": received,
        "missing": [
            m
            for m in required_materials(application.item, application.situation)
            if m.code not in received_codes
        ],
        "notices": notices,
        "pauses": list(application.pauses.order_by("started_on", "id")),
        "timeline": _timeline(application),
        "rating": rating,
        "rectification": rectification,
        "home_photos": list(application.home_photos.all()),
        "home_visit": application.home_visit,
        "deliveries": list(
            application.deliveries.select_related("delivered_by").order_by("delivered_on", "id")
        ),
        "can_deliver": can_act_in(request.user, application.org_unit, CASE_ROLES),
        "forms": forms,
        "sms": _sms_state(request.user, application),
    }
    return render(request, "services/application_detail.html", context, status=status)


def _sms_state(user, application: Application) -> dict:
    """Whether the applicant's phone takes SMS, and whether this user may record 退订."""
    from zhengtong.notify.optout import MOBILE_RE, is_opted_out

    phone = re.sub(r"\D", "", application.applicant_phone or "")
    return {
        "mobile": bool(MOBILE_RE.match(phone)),
        "opted_out": is_opted_out(phone),
        "can_record": can_act_in(user, application.org_unit, CASE_ROLES),
    }


@login_required
@require_GET
def application_detail(request: HttpRequest, receipt_no: str) -> HttpResponse:
    application = get_application_for_user(request.user, receipt_no)
    return _render_detail(request, application)


@login_required
@require_http_methods(["GET", "POST"])
def notice_delivery_create(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """上门告知: record the 《办证服务告知书》 handed over at the applicant's home, signed on
    the phone's screen or photographed. Any window clerk of the case's hall records it."""
    application = get_application_for_user(request.user, receipt_no, purpose="上门告知")
    if not can_act_in(request.user, application.org_unit, CASE_ROLES):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = NoticeDeliveryForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                home.notice_delivery_record(
                    actor=request.user,
                    application=application,
                    delivered_on=data["delivered_on"],
                    delivered_by=data["delivered_by"],
                    place=data["place"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    signature=data["signature"],
                    photo=data["photo"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "上门告知已登记。")
                return redirect(application)
        status = 400
    else:
        form = NoticeDeliveryForm(
            initial={"delivered_on": timezone.localdate(), "delivered_by": request.user.pk},
            user=request.user,
        )
    context = {"application": application, "form": form}
    return render(request, "services/notice_delivery_form.html", context, status=status)


def _act(request: HttpRequest, receipt_no: str, name: str, make_form, call) -> HttpResponse:
    """Run one case action: 404 outside scope, 403 when the user may not act, the Chinese
    message on the form (and nothing saved) when the input or the action says no."""
    application = get_application_for_user(request.user, receipt_no, purpose="办理")
    if acting_as(request.user, application) is None:
        raise PermissionDenied
    form = make_form(application)
    if form.is_valid():
        try:
            done = call(application, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(application)
    application.refresh_from_db()
    return _render_detail(request, application, bound={name: form}, status=400)


@login_required
@require_POST
def application_supplement(request: HttpRequest, receipt_no: str) -> HttpResponse:
    def make(application):
        received = set(application.received_materials.values_list("material__code", flat=True))
        return MaterialsForm(
            request.POST, materials=_material_choices(application, received), prefix="supplement"
        )

    def call(application, data):
        application = handling.application_supplement(
            actor=request.user, application=application, materials=data["materials"]
        )
        if application.status == Application.Status.ACCEPTED:
            return "材料已补齐,办件已受理(恢复计时)。"
        return "已收取补交的材料,仍有材料待补正。"

    return _act(request, receipt_no, "supplement", make, call)


@login_required
@require_POST
def application_request_correction(request: HttpRequest, receipt_no: str) -> HttpResponse:
    def make(application):
        materials = required_materials(application.item, application.situation)
        return MaterialsForm(request.POST, materials=materials, with_note=True, prefix="correction")

    def call(application, data):
        notice = handling.application_request_correction(
            actor=request.user,
            application=application,
            materials=data["materials"],
            note=data.get("note", ""),
        )
        if not notice.within_first_notice:
            messages.warning(request, "本次告知包含首次告知以外的材料,已记录备查。")
        return "已出具补正告知书,暂停计时。"

    return _act(request, receipt_no, "correction", make, call)


@login_required
@require_POST
def application_handover(request: HttpRequest, receipt_no: str) -> HttpResponse:
    def make(application):
        return HandoverForm(
            request.POST, user=request.user, application=application, prefix="handover"
        )

    def call(application, data):
        handling.application_handover(
            actor=request.user,
            application=application,
            to_user=data["to_user"],
            reason=data["reason"],
        )
        return f"已移交给 {data['to_user'].display_name} 承办,首问责任人不变。"

    return _act(request, receipt_no, "handover", make, call)


@login_required
@require_POST
def application_approve(request: HttpRequest, receipt_no: str) -> HttpResponse:
    def call(application, data):
        application = decisions.application_approve(
            actor=request.user, application=application, note=data.get("note", "")
        )
        if application.certificate_no:
            return f"已办结,证件编号 {application.certificate_no}。"
        return "已办结。"

    return _act(
        request, receipt_no, "approve", lambda a: ApproveForm(request.POST, prefix="approve"), call
    )


@login_required
@require_POST
def application_refuse(request: HttpRequest, receipt_no: str) -> HttpResponse:
    def call(application, data):
        decisions.application_refuse(
            actor=request.user, application=application, reason=data["reason"]
        )
        return "已作出不予办理决定。"

    return _act(
        request, receipt_no, "refuse", lambda a: ReasonForm(request.POST, prefix="refuse"), call
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, receipt_no: str) -> HttpResponse:
    def call(application, data):
        decisions.application_withdraw(
            actor=request.user, application=application, reason=data["reason"]
        )
        return "申请已撤回。"

    return _act(
        request, receipt_no, "withdraw", lambda a: ReasonForm(request.POST, prefix="withdraw"), call
    )


@login_required
@require_POST
def application_sms_optout(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """The applicant asks at the window to stop non-essential SMS (退订), or to have them back.
    Any window clerk of the case's hall may record it; the case notices still go."""
    from zhengtong.notify.models import OptOut
    from zhengtong.notify.optout import optout_set

    application = get_application_for_user(request.user, receipt_no, purpose="登记短信退订")
    if not can_act_in(request.user, application.org_unit, CASE_ROLES):
        raise PermissionDenied
    opted_out = request.POST.get("opted_out") != "0"
    try:
        row = optout_set(
            phone=application.applicant_phone,
            opted_out=opted_out,
            source=OptOut.Source.HALL,
            actor=request.user,
            application=application,
        )
    except ValidationError:
        messages.error(request, "申请人登记的联系电话不是手机号码,不发送短信,无需退订。")
    else:
        if row.opted_out:
            messages.success(request, f"已登记:{row.phone_mask} 退订非必要短信,办件通知仍会发送。")
        else:
            messages.success(request, f"已登记:{row.phone_mask} 恢复接收全部短信。")
    return redirect(application)


# Documents ---------------------------------------------------------------------------------


@login_required
@require_GET
def notice_pdf(request: HttpRequest, receipt_no: str, pk: int) -> HttpResponse:
    """一次性告知书 of the case."""
    application = get_application_for_user(request.user, receipt_no, purpose="一次性告知书 PDF")
    notice = get_object_or_404(
        Notice.objects.select_related("issued_by"), pk=pk, application=application
    )
    notice.application = application
    pdf = render_pdf("documents/notice.html", documents.notice_context(notice), request=request)
    return pdf_response(pdf, f"一次性告知书-{application.receipt_no}.pdf")


@login_required
@require_GET
def service_notice_pdf(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """The personalised 《办证服务告知书》 of the case's applicant and situation."""
    application = get_application_for_user(request.user, receipt_no, purpose="办证服务告知书 PDF")
    context = documents.service_notice_for_application(application)
    pdf = render_pdf("documents/service_notice.html", context, request=request)
    return pdf_response(pdf, f"办证服务告知书-{application.receipt_no}.pdf")


@login_required
@require_GET
@role_required(*CASE_ROLES)
def service_notice_preview_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """《办证服务告知书》 before any case exists (上门告知): item, situation and name from the
    intake form; the clerk printing it is the contact."""
    items = list(active_items())
    item = next((i for i in items if i.code == request.GET.get("item")), None)
    if item is None:
        raise Http404("未知的事项。")
    unit = hall_posts(request.user).select_related("org_unit").first()
    hall = unit.org_unit if unit else None
    if hall is None:
        membership = request.user.memberships.filter(role=Role.WINDOW_CLERK).first()
        hall = membership.org_unit if membership else None
    context = documents.service_notice_context(
        item=item,
        situation=situation_of(request.GET),
        applicant_name=(request.GET.get("name") or "").strip()[:50] or "申请人",
        clerk=request.user,
        org_unit=hall,
    )
    pdf = render_pdf("documents/service_notice.html", context, request=request)
    return pdf_response(pdf, f"办证服务告知书-{item.name}.pdf")


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """The certificate of an approved case; other cases have none (404)."""
    application = get_application_for_user(request.user, receipt_no, purpose="证件 PDF")
    if application.status != Application.Status.APPROVED or not application.certificate_no:
        raise Http404("该办件没有证件。")
    context = documents.certificate_context(application)
    verify_url = request.build_absolute_uri(certificates.verify_path(application.certificate_no))
    context.update(verify_url=verify_url, qr=certificates.qr_data_uri(verify_url))
    pdf = render_pdf("documents/certificate.html", context, request=request)
    return pdf_response(pdf, f"{context['certificate_name']}-{application.certificate_no}.pdf")


@login_required
@require_GET
def receipt_pdf(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """受理回执 (收件回执 while the case waits for 补正)."""
    application = get_application_for_user(request.user, receipt_no, purpose="受理回执 PDF")
    state = due_state(application, WorkCalendar())
    due_unknown = state.message if state.state == "unknown" and application.accepted_on else ""
    context = documents.receipt_context(application, due_unknown=due_unknown)
    lookup_url = request.build_absolute_uri(certificates.lookup_path(application.receipt_no))
    context.update(lookup_url=lookup_url, qr=certificates.qr_data_uri(lookup_url))
    pdf = render_pdf("documents/receipt.html", context, request=request)
    return pdf_response(pdf, f"{context['title']}-{application.receipt_no}.pdf")


# Leave, duty roster, rectifications ---------------------------------------------------------


class LeaveList(listing.ListPage):
    """Recorded leave of the hall's clerks, latest end first, under the hall's A/B posts."""

    title = "请假与 AB 角"
    template_name = "services/leave_list.html"
    filter_form = LeaveFilterForm
    search_fields = ("user__full_name", "user__username", "reason")
    search_placeholder = "请假人或事由"
    default_sort = "-end_on"
    export_name = "请假记录"
    empty_text = "没有请假记录。"
    columns = (
        listing.Column(
            "user", "请假人", "user.display_name", template="services/_cell_leave_user.html"
        ),
        listing.Column("start_on", "开始日期", kind=listing.DATE, sort="start_on"),
        listing.Column("end_on", "结束日期", kind=listing.DATE, sort="end_on"),
        listing.Column("reason", "事由"),
        listing.Column("created_by", "登记人", "created_by.display_name", phone=False),
    )

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.today = timezone.localdate()

    def get_queryset(self):
        return leaves_visible_to(self.request.user).select_related("user", "created_by")

    def filter_queryset(self, queryset, data):
        return self.form.filter(queryset, today=self.today)

    def get_context_data(self, queryset) -> dict:
        posts = hall_posts(self.request.user).select_related("a_user", "b_user").order_by("window")
        return {"today": self.today, "posts": list(posts)}


leave_list = role_required(*CASE_ROLES)(LeaveList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
def leave_create(request: HttpRequest) -> HttpResponse:
    form = LeaveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            record = leave.leave_record(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                f"已登记 {record.user.display_name} {record.start_on:%m-%d}~{record.end_on:%m-%d} "
                "请假,期间由 B 角代办。",
            )
            return redirect("services:leave_list")
    return render(request, "services/leave_form.html", {"form": form})


def _roster_url(day: datetime.date) -> str:
    return f"{reverse('services:duty_roster')}?day={day.isoformat()}"


class DutyRoster(listing.ListPage):
    """挂牌上岗: the hall's roster of today (or ?day=YYYY-MM-DD); a POST puts a clerk on duty.

    A post of another hall is refused by the action (403); a clerk who already holds a post
    that day gets the Chinese message on the form (400) and nothing is saved.
    """

    title = "挂牌上岗"
    template_name = "services/duty_roster.html"
    filter_form = DutyDayForm
    ordering = ("post__window", "user__username")
    export_name = "挂牌上岗"
    empty_text = "当天没有排班。"
    columns = (
        listing.Column("window", "窗口", "post.window"),
        listing.Column("post", "岗位", "post.name"),
        listing.Column("user", "工作人员", "user.display_name"),
        listing.Column("staff_no", "工号", "user.staff_no"),
        listing.Column(
            "remove",
            "操作",
            lambda entry: None,
            template="services/_cell_duty_remove.html",
            export=False,
        ),
    )
    duty_form: DutyForm | None = None

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.today = timezone.localdate()

    def get_form_kwargs(self) -> dict:
        return {"auto_id": "roster_%s"}  # the assign form below has its own "day"

    def params(self):
        params = super().params()
        if not params.get("day"):  # today's roster, its date shown in the picker
            params = params.copy()
            params["day"] = self.today.isoformat()
        return params

    def day(self) -> datetime.date:
        if self.form.is_valid() and self.form.cleaned_data.get("day"):
            return self.form.cleaned_data["day"]
        return self.today

    def get_queryset(self):
        return duty_entries_visible_to(self.request.user).select_related("user", "post")

    def filter_queryset(self, queryset, data):
        return queryset.filter(day=self.day())

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = DutyForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                entry = duty.duty_assign(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"已安排 {entry.user.display_name} {entry.day:%Y-%m-%d} 在"
                    f"{entry.post.window} {entry.post.name}上岗。",
                )
                return redirect(_roster_url(entry.day))
        self.duty_form = form
        return self.get(request, *args, **kwargs)

    def status(self) -> int:
        return 400 if self.duty_form is not None else super().status()

    def get_context_data(self, queryset) -> dict:
        day = self.day()
        editable = day >= self.today
        form = self.duty_form or DutyForm(
            initial={"day": max(day, self.today)}, user=self.request.user
        )
        return {
            "title": f"挂牌上岗 · {day:%Y-%m-%d}",
            "day": day,
            "editable": editable,
            "duty_form": form,
            # A refused POST shows its form with the message, even for a day that has passed.
            "show_form": editable or form.is_bound,
        }


duty_roster = role_required(*CASE_ROLES)(DutyRoster.as_view())


@login_required
@require_POST
@role_required(*CASE_ROLES)
def duty_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a clerk off a day's roster; 404 for an entry of another hall."""
    entry = get_object_or_404(
        duty_entries_visible_to(request.user).select_related("user"),
        pk=pk,
    )
    try:
        duty.duty_remove(actor=request.user, entry=entry)
    except ValidationError as exc:
        messages.error(request, "".join(exc.messages))
    else:
        messages.success(request, f"已取消 {entry.user.display_name} {entry.day:%Y-%m-%d} 的值班。")
    return redirect(_roster_url(entry.day))


class RectificationList(NullsLastOrder, listing.ListPage):
    """差评整改: bad ratings to call back, open ones first by due date."""

    title = "差评整改"
    template_name = "services/rectification_list.html"
    filter_form = RectificationFilterForm
    search_fields = (
        "rating__application__receipt_no",
        "rating__application__applicant__name",
        "owner__full_name",
    )
    search_placeholder = "受理编号、申请人或责任人"
    queue_order = (F("due_on").asc(nulls_last=True), "pk")
    export_name = "差评整改"
    empty_text = "没有差评整改任务。"

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        today = timezone.localdate()
        calendar = WorkCalendar()  # one calendar for every row: a fixed number of queries

        def countdown(row):
            return deadline(
                row.due_on, done=row.done_at is not None, today=today, calendar=calendar
            )

        # Per request, as on the case list (the countdown reads today's calendar).
        self.page_columns = (
            listing.Column(
                "receipt_no",
                "办件",
                "rating.application.receipt_no",
                link=lambda row: row.rating.application.get_absolute_url(),
                nowrap=True,
            ),
            listing.Column("item", "事项", "rating.application.item.name"),
            listing.Column("applicant", "申请人", "rating.application.applicant.name"),
            listing.Column("level", "评价", "rating.get_level_display"),
            listing.Column(
                "comment", "评价意见", "rating.comment", template="services/_cell_comment.html"
            ),
            listing.Column("owner", "责任人", "owner.display_name"),
            listing.Column(
                "due_on",
                "整改期限",
                kind=listing.DATE,
                sort="due_on",
                template="services/_cell_due.html",
            ),
            listing.Column(
                "deadline",
                "期限提醒",
                countdown,
                template="services/_cell_deadline.html",
                export=False,
            ),
            listing.Column(
                "done_at",
                "回访",
                kind=listing.DATE,
                template="services/_cell_rectification_done.html",
            ),
        )

    def get_queryset(self):
        return rectifications_visible_to(self.request.user).select_related(
            "owner", "rating__application__item", "rating__application__applicant"
        )


rectification_list = role_required(*CASE_ROLES)(RectificationList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
def rectification_close(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = get_object_or_404(
        rectifications_visible_to(request.user).select_related(
            "owner", "rating__application__item", "rating__application__applicant"
        ),
        pk=pk,
    )
    form = RectificationCloseForm(request.POST or None)
    if request.method == "POST" and rectification.done_at is None and form.is_valid():
        try:
            ratings.rectification_close(
                actor=request.user, rectification=rectification, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "回访及整改情况已记录。")
            return redirect("services:rectification_list")
    context = {"form": form, "rectification": rectification}
    return render(request, "services/rectification_form.html", context)
