"""入户走访: home visits with their photos, and the referrals a visit opens (医疗 · 民政 · 低保)."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.reads import record_read
from zhengtong.inbox.registry import Deadline, deadline
from zhengtong.lib import listing
from zhengtong.lib.files import serve_row_file
from zhengtong.lib.forms import add_errors
from zhengtong.people.models import Person
from zhengtong.workdays import WorkCalendar

from .. import forms_care as f
from ..actions import care
from ..models import FollowUp, FollowUpPlan, HomeVisit, Referral, VisitPhoto
from ..selectors import POPULATION_ROLES, rows_visible_to
from .common import (
    denied,
    get_row,
    person_from_query,
    population_required,
    referral_required,
    referrals_visible_to,
)

# ---------------------------------------------------------------------------- home visits


class VisitList(listing.ListPage):
    """The visits of the user's villages, newest first; searched by name or place, between two
    days."""

    title = "入户走访"
    template_name = "population/visit_list.html"
    filter_form = f.VisitFilterForm
    search_fields = ("person__name", "place")
    search_label = "姓名或地点"
    default_sort = "-visited_on"
    export_name = "入户走访"
    empty_text = "没有走访记录。"
    columns = (
        listing.Column(
            "visited_on",
            "走访日期",
            kind=listing.DATE,
            sort="visited_on",
            link=listing.link("population:visit_detail"),
        ),
        listing.Column("name", "对象", "person.name"),
        listing.Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        listing.Column("village", "村", "org_unit.name"),
        listing.Column("place", "地点"),
        listing.Column("visited_by", "走访人", "visited_by.display_name", phone=False),
        listing.Column("photos", "照片", "photo_count", kind=listing.COUNT),
    )

    def get_queryset(self):
        visits = rows_visible_to(self.request.user, HomeVisit.objects.all())
        return visits.select_related("person", "org_unit", "visited_by").annotate(
            photo_count=Count("photos", distinct=True)
        )


visit_list = population_required(VisitList.as_view())


class VisitPersonPicker(listing.ListPage):
    """Whom is the visit for: the residents of the worker's own villages, found by name or
    address, each with a button that opens the visit form for them (never by ID number)."""

    title = "登记入户走访:选择走访对象"
    template_name = "population/visit_pick.html"
    search_fields = ("name", "current_address")
    search_label = "姓名或住址"
    ordering = ("name", "id")
    printable = False
    empty_text = "没有找到符合条件的本辖区居民。"
    audit_model = Person
    audit_purpose = "选择走访对象"
    columns = (
        listing.Column("name", "姓名"),
        # Sex and the masked number tell two namesakes apart; the page never asks for a number.
        listing.Column("about", "基本信息", lambda p: f"{p.get_sex_display()} · {p.masked_id}"),
        listing.Column("village", "村", "org_unit.name"),
        listing.Column("address", "现居住地", "current_address"),
        listing.Column(
            "visit",
            "操作",
            lambda row: None,
            template="population/_visit_pick_button.html",
            css="d-print-none",
        ),
    )

    def get_queryset(self):
        # Only the worker's own residents: a person transferred away is history, not a visit.
        persons = rows_visible_to(
            self.request.user, Person.objects.filter(merged_into__isnull=True)
        )
        return persons.select_related("org_unit")


@population_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest) -> HttpResponseBase:
    """Log a visit from a phone: GPS from the browser when allowed, photos from the camera. The
    form carries a fresh client_uuid, so sending it twice stores one visit.

    The visit is started from the person's page or from a due 上门随访 (`?person=`, and
    `?followup=` for the due item); opened without a person, the page asks whom the visit is
    for by name, never by ID number. The visit closes the due 上门随访 it answers.
    """
    person = person_from_query(request)
    if person is None and request.method == "GET":
        return VisitPersonPicker.as_view()(request)
    followup = _followup_from_query(request, person)
    initial = {"visited_on": timezone.localdate(), "client_uuid": uuid.uuid4()}
    if person is not None:
        initial["place"] = person.current_address
    form = f.VisitForm(request.POST or None, user=request.user, person=person, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit, created = care.home_visit_record(
                    actor=request.user,
                    person=form.person,
                    visited_on=data["visited_on"],
                    place=data["place"],
                    outcome=data["outcome"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    photos=request.FILES.getlist("photos"),
                    client_uuid=data["client_uuid"],
                    followup=followup,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                if not created:
                    messages.info(request, "这条走访已经保存过,未重复记录。")
                else:
                    closed = visit.followups.count()
                    messages.success(
                        request,
                        f"走访记录已保存,同时完成上门随访 {closed} 项。"
                        if closed
                        else "走访记录已保存。",
                    )
                return redirect("population:visit_detail", pk=visit.pk)
        status = 400
    context = {"form": form, "person": person, "followup": followup}
    return render(request, "population/visit_form.html", context, status=status)


def _followup_from_query(request: HttpRequest, person: Person | None) -> FollowUp | None:
    """The due 上门随访 a visit was started from; only one of the chosen person's."""
    raw = request.GET.get("followup") or request.POST.get("followup")
    if not raw or person is None:
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    followup = (
        FollowUp.objects.filter(pk=pk, plan__person=person, plan__kind=FollowUpPlan.Kind.HOME)
        .select_related("plan")
        .first()
    )
    if followup is None:
        raise Http404
    return followup


def _countdown(referral: Referral, calendar: WorkCalendar | None = None) -> Deadline:
    return deadline(
        referral.due_on, done=referral.status == Referral.Status.DONE, calendar=calendar
    )


def _render_visit(request, visit: HomeVisit, *, referral_form=None, status=200) -> HttpResponse:
    referrals = list(visit.referrals.select_related("to_unit").order_by("-id"))
    calendar = WorkCalendar()
    for referral in referrals:
        referral.deadline = _countdown(referral, calendar)
    context = {
        "visit": visit,
        "photos": list(visit.photos.all()),
        "referrals": referrals,
        "referral_form": referral_form or f.ReferralForm(),
        "can_refer": can_act_in(request.user, visit.org_unit, POPULATION_ROLES),
        # 转窗口办理 / 上门受理: for a window clerk of the hall the visit's village lies under.
        "can_take_in": can_act_in(request.user, visit.org_unit, [Role.WINDOW_CLERK]),
    }
    return render(request, "population/visit_detail.html", context, status=status)


def _get_visit(user, pk, *, purpose: str = "详情") -> HomeVisit:
    qs = rows_visible_to(user, HomeVisit.objects.select_related("person", "org_unit", "visited_by"))
    return get_row(user, qs, pk, purpose=purpose, action="home_visit_viewed")


@population_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get_visit(request.user, pk)
    return _render_visit(request, visit)


@population_required
@require_GET
def visit_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse | FileResponse:
    """A visit photo of a visit the user may see, served (and audited) by the stored-file door."""
    visit = _get_visit(request.user, pk, purpose="走访照片")
    photo = VisitPhoto.objects.filter(visit=visit, pk=photo_pk).first()
    if photo is None:
        raise Http404
    return serve_row_file(request, photo, "image")


# ---------------------------------------------------------------------------- referrals


@population_required
@require_POST
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get_visit(request.user, pk)
    form = f.ReferralForm(request.POST)
    if form.is_valid():
        try:
            referral = care.referral_open(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if referral.due_on is None:
                messages.warning(
                    request,
                    f"已转介至{referral.to_unit.name};缺少节假日数据,暂无法计算办理期限。",
                )
            else:
                messages.success(
                    request,
                    f"已转介至{referral.to_unit.name},办理期限 {referral.due_on:%Y-%m-%d}。",
                )
            return redirect("population:visit_detail", pk=visit.pk)
    return _render_visit(request, visit, referral_form=form, status=400)


REFERRAL_COLUMNS: tuple[listing.Column, ...] = (
    listing.Column(
        "name", "对象", "visit.person.name", link=listing.link("population:referral_detail")
    ),
    listing.Column("village", "村", "visit.org_unit.name"),
    listing.Column("kind", "类别", "get_kind_display", nowrap=True),
    listing.Column("to_unit", "承办单位", "to_unit.name"),
    listing.Column(
        "due_on",
        "办理期限",
        kind=listing.DATE,
        sort="due_on",
        template="population/_referral_due.html",
    ),
    listing.Column("status", "状态", "get_status_display", nowrap=True),
)


class ReferralList(listing.ListPage):
    """Referrals from the user's villages and those sent to the user's office; open first, the
    nearest due date first, each with its countdown in working days."""

    title = "走访转介(医疗 · 民政 · 低保)"
    template_name = "population/referral_list.html"
    filter_form = f.ReferralFilterForm
    search_fields = ("visit__person__name",)
    search_label = "姓名"
    ordering = ("-status", "due_on", "id")  # "open" after "done" in the alphabet: open first
    export_name = "走访转介"
    empty_text = "没有转介。"
    columns = REFERRAL_COLUMNS

    def setup(self, request: HttpRequest, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        # One calendar for the page, so the rows' countdowns share its holiday lookups: the
        # countdown column is made per request around it (the kit has no per-page row hook).
        calendar = WorkCalendar()
        countdown = listing.Column(
            "countdown",
            "剩余期限",
            lambda row: _countdown(row, calendar),
            template="population/_referral_countdown.html",
            export=False,
            nowrap=True,
        )
        self.page_columns = (*REFERRAL_COLUMNS[:5], countdown, *REFERRAL_COLUMNS[5:])

    def get_queryset(self):
        referrals = referrals_visible_to(self.request.user)
        return referrals.select_related("visit__person", "visit__org_unit", "to_unit")


referral_list = referral_required(ReferralList.as_view())


def _render_referral(request, referral: Referral, *, form=None, status=200) -> HttpResponse:
    can_close = referral.status == Referral.Status.OPEN and care.can_close_referral(
        request.user, referral
    )
    if can_close and form is None:
        form = f.ReferralCloseForm(initial={"closed_on": timezone.localdate()})
    context = {
        "referral": referral,
        "deadline": _countdown(referral),
        "form": form if can_close else None,
    }
    return render(request, "population/referral_detail.html", context, status=status)


def _get_referral(user, pk) -> Referral:
    qs = referrals_visible_to(
        user, Referral.objects.select_related("visit__person", "visit__org_unit", "to_unit")
    )
    row = qs.filter(pk=pk).first()
    if row is None:
        raise denied(user, qs.model, pk)
    record_read(actor=user, target=row, action="referral_viewed", org_unit=row.visit.org_unit)
    return row


@referral_required
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _get_referral(request.user, pk)
    return _render_referral(request, referral)


@referral_required
@require_POST
def referral_close(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _get_referral(request.user, pk)
    if not care.can_close_referral(request.user, referral):
        raise PermissionDenied
    form = f.ReferralCloseForm(request.POST)
    if form.is_valid():
        try:
            care.referral_close(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "转介已办结。")
            return redirect("population:referral_detail", pk=referral.pk)
    return _render_referral(request, referral, form=form, status=400)
