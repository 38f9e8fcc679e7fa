"""Staff pages of the hall: the queue, intake, the case with its actions, leave, duty roster,
rectifications, and the printed documents (PDF)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import has_role, scope
from zhengtong.audit.reads import record_list_read
from zhengtong.lib.http import AuthenticatedHttpRequest, HtmxHttpRequest
from zhengtong.lib.pdf import pdf_response, render_pdf
from zhengtong.workdays import WorkCalendar

from . import documents
from .actions import decisions, duty, handling, intake, leave, ratings
from .forms import (
    ApplicationFilterForm,
    ApproveForm,
    DutyForm,
    HandoverForm,
    IntakeForm,
    LeaveForm,
    MaterialsForm,
    ReasonForm,
    RectificationCloseForm,
    add_errors,
    hall_clerks,
    situation_of,
)
from .models import Application, DutyEntry, Leave, Material, Notice, Post, Rectification
from .selectors import (
    CASE_ROLES,
    QUEUE_ORDER,
    acting_as,
    active_items,
    application_timeline,
    applications_overdue,
    applications_visible_to,
    due_state,
    get_application_for_user,
    queue_for,
    required_materials,
)

PAGE_SIZE = 25

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
}


def _require_clerk(user) -> None:
    """Only window clerks work in the hall's pages; anyone else gets 403."""
    if not has_role(user, *CASE_ROLES):
        raise PermissionDenied


def _set_due_states(applications, *, today: datetime.date) -> None:
    """Attach `deadline` to each case, sharing one calendar so the page asks a fixed number
    of queries whatever the row count."""
    calendar = WorkCalendar()
    for application in applications:
        application.deadline = due_state(application, calendar, today=today)


@login_required
@require_GET
@role_required(*CASE_ROLES)
def application_list(request: HtmxHttpRequest) -> HttpResponse:
    """My queue (with the cases of an absent A clerk, marked B 代 A) or the hall's cases;
    filters, countdown badges, and the overdue counts per window and per clerk."""
    today = timezone.localdate()
    form = ApplicationFilterForm(request.GET, user=request.user)
    mine = not (form.is_valid() and form.cleaned_data.get("scope") == "all")
    if mine:
        base = queue_for(request.user, today=today)
    else:
        base = (
            applications_visible_to(request.user)
            .annotate(for_absent_a=Q(pk__in=[]))
            .select_related("item", "applicant", "first_responder", "handler")
            .order_by(*QUEUE_ORDER)
        )
    rows = form.filter(base, today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _set_due_states(page.object_list, today=today)
    record_list_read(
        actor=request.user,
        model=Application,
        count=len(page.object_list),
        purpose="我的待办" if mine else "全部办件",
        filters=form.cleaned_data if form.is_valid() else None,
    )
    overdue = applications_overdue(applications_visible_to(request.user), today)
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
    context = {
        "form": form,
        "page": page,
        "mine": mine,
        "today": today,
        "overdue_by_window": list(by_window),
        "overdue_by_clerk": list(by_clerk),
    }
    template = "services/application_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


def _intake_materials(items, code: str, situation: dict) -> tuple[object, list[Material]]:
    item = next((i for i in items if i.code == code), None)
    return item, (required_materials(item, situation) if item is not None else [])


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
def application_create(request: HtmxHttpRequest) -> HttpResponse:
    """收件登记. An htmx GET (item or situation changed) returns the material list only."""
    items = list(active_items())
    if request.method == "POST":
        data = request.POST
    else:
        # A GET only fills the form in (htmx refresh, or a link): no errors for fields not
        # typed yet.
        data = request.GET
    item, materials = _intake_materials(items, data.get("item", ""), situation_of(data))
    if request.method == "POST":
        form = IntakeForm(data, items=items, materials=materials)
    else:
        initial = {**data.dict(), "materials": data.getlist("materials")}
        form = IntakeForm(initial=initial, items=items, materials=materials)
    if request.method == "POST" and form.is_valid():
        try:
            application = intake.application_intake(
                actor=request.user,
                item_code=form.cleaned_data["item"],
                applicant=form.applicant(),
                materials=form.cleaned_data["materials"],
                situation=situation_of(form.cleaned_data),
                channel=form.cleaned_data["channel"],
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
    context = {"form": form, "item": item, "materials": materials}
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
        event.label = EVENT_LABELS.get(event.action, event.action)
        changes = event.changes or {}
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
        "forms": forms,
    }
    return render(request, "services/application_detail.html", context, status=status)


@login_required
@require_GET
def application_detail(request: HttpRequest, receipt_no: str) -> HttpResponse:
    application = get_application_for_user(request.user, receipt_no)
    return _render_detail(request, application)


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
def service_notice_preview_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """《办证服务告知书》 before any case exists (上门告知): item, situation and name from the
    intake form; the clerk printing it is the contact."""
    _require_clerk(request.user)
    items = list(active_items())
    item = next((i for i in items if i.code == request.GET.get("item")), None)
    if item is None:
        raise Http404("未知的事项。")
    unit = scope(Post.objects.all(), request.user, CASE_ROLES).select_related("org_unit").first()
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
    pdf = render_pdf("documents/receipt.html", context, request=request)
    return pdf_response(pdf, f"{context['title']}-{application.receipt_no}.pdf")


# Leave, duty roster, rectifications ---------------------------------------------------------


@login_required
@require_GET
@role_required(*CASE_ROLES)
def leave_list(request: HttpRequest) -> HttpResponse:
    """Recorded leave of the hall's clerks, current and future first."""
    today = timezone.localdate()
    leaves = (
        Leave.objects.filter(user__in=hall_clerks(request.user))
        .select_related("user", "created_by")
        .order_by("-end_on", "-start_on", "-pk")
    )
    page = Paginator(leaves, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.current = row.start_on <= today <= row.end_on
    posts = list(
        scope(Post.objects.all(), request.user, CASE_ROLES)
        .select_related("a_user", "b_user")
        .order_by("window")
    )
    return render(request, "services/leave_list.html", {"page": page, "posts": posts})


@login_required
@require_http_methods(["GET", "POST"])
def leave_create(request: HttpRequest) -> HttpResponse:
    _require_clerk(request.user)
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


def _hall_posts(user):
    return scope(Post.objects.all(), user, CASE_ROLES)


def _roster_url(day: datetime.date) -> str:
    return f"{reverse('services:duty_roster')}?day={day.isoformat()}"


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
def duty_roster(request: HttpRequest) -> HttpResponse:
    """挂牌上岗: the hall's roster of today (or ?day=YYYY-MM-DD); a POST puts a clerk on duty.

    A post of another hall is refused by the action (403); a clerk who already holds a post
    that day gets the Chinese message on the form (400) and nothing is saved.
    """
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = today
    status = 200
    if request.method == "POST":
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
        status = 400
        day = form.cleaned_data.get("day") or day
    else:
        form = DutyForm(initial={"day": max(day, today)}, user=request.user)
    entries = list(
        DutyEntry.objects.filter(day=day)
        .filter(post__in=_hall_posts(request.user))
        .select_related("user", "post")
        .order_by("post__window", "user__username")
    )
    editable = day >= today
    context = {
        "entries": entries,
        "day": day,
        "form": form,
        "editable": editable,
        # A refused POST shows its form with the message, even for a day that has passed.
        "show_form": editable or form.is_bound,
    }
    return render(request, "services/duty_roster.html", context, status=status)


@login_required
@require_POST
def duty_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a clerk off a day's roster; 404 for an entry of another hall."""
    _require_clerk(request.user)
    entry = get_object_or_404(
        DutyEntry.objects.filter(post__in=_hall_posts(request.user)).select_related("user"),
        pk=pk,
    )
    try:
        duty.duty_remove(actor=request.user, entry=entry)
    except ValidationError as exc:
        messages.error(request, "".join(exc.messages))
    else:
        messages.success(request, f"已取消 {entry.user.display_name} {entry.day:%Y-%m-%d} 的值班。")
    return redirect(_roster_url(entry.day))


def _rectifications_visible_to(user):
    cases = applications_visible_to(user)
    return Rectification.objects.filter(rating__application__in=cases)


@login_required
@require_GET
@role_required(*CASE_ROLES)
def rectification_list(request: HttpRequest) -> HttpResponse:
    """差评整改: bad ratings to call back, open ones first by due date."""
    today = timezone.localdate()
    show_done = request.GET.get("done") == "1"
    rows = _rectifications_visible_to(request.user).filter(done_at__isnull=not show_done)
    rows = rows.select_related(
        "owner", "done_by", "rating__application__item", "rating__application__applicant"
    ).order_by("due_on", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    calendar = WorkCalendar()
    from zhengtong.inbox.registry import deadline

    for row in page.object_list:
        row.deadline = deadline(
            row.due_on, done=row.done_at is not None, today=today, calendar=calendar
        )
    return render(
        request, "services/rectification_list.html", {"page": page, "show_done": show_done}
    )


@login_required
@require_http_methods(["GET", "POST"])
def rectification_close(request: HttpRequest, pk: int) -> HttpResponse:
    _require_clerk(request.user)
    rectification = get_object_or_404(
        _rectifications_visible_to(request.user).select_related(
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
