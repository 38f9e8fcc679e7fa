"""Pages of the care work: check-up campaigns, home visits and referrals, 计生助福, 1+1 pairings.

Every row is found through the village scope (`rows_visible_to`); a row outside it is a 404 that
looks like any missing page, and the attempt is audited. The forms parse input only; the rules
live in actions/care.py.
"""

import datetime
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.accounts.scope import can_act_in, has_role, scope, scope_q
from zhengtong.audit.actions import record_event
from zhengtong.audit.models import Event
from zhengtong.audit.reads import record_list_read, record_read
from zhengtong.inbox.registry import deadline
from zhengtong.lib.files import serve_row_file
from zhengtong.lib.forms import model_choice_field
from zhengtong.people.models import Person
from zhengtong.workdays import WorkCalendar

from . import campaigns as coverage_report
from .actions import care
from .models import (
    Assistance,
    Campaign,
    CampaignTarget,
    FollowUp,
    FollowUpPlan,
    HomeVisit,
    Pairing,
    Referral,
    VisitPhoto,
)
from .selectors import (
    POPULATION_ROLES,
    can_write_person,
    get_person_for_user,
    persons_visible_to,
    rows_visible_to,
)

PAGE_SIZE = 25
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REFERRAL_ROLES = [*POPULATION_ROLES, Role.DEPT_CLERK]


# ---------------------------------------------------------------------------- shared


def _require_population(user) -> None:
    if not has_role(user, *POPULATION_ROLES):
        raise PermissionDenied


def _page(request: HttpRequest, rows: QuerySet):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _denied(user, model, pk) -> Http404:
    """Audit an attempt on a row outside the user's villages; the caller raises the 404."""
    record_event(
        actor=user,
        action="population_access_denied",
        kind=Event.Kind.DENIED,
        target_type=model._meta.label_lower,
        target_id=str(pk),
        target_repr="",
    )
    return Http404()


def _get_row(
    user, qs: QuerySet, pk: int, *, purpose: str = "详情", action: str = "", org_unit=None
):
    """The row `pk` of the scoped `qs`, its read audited; 404 (audited as denied) outside it."""
    row = qs.filter(pk=pk).first()
    if row is None:
        raise _denied(user, qs.model, pk)
    record_read(actor=user, target=row, purpose=purpose, action=action, org_unit=org_unit)
    return row


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the fields it names (or on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def referrals_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Referrals of visits in the user's villages, and those sent to the user's office."""
    if qs is None:
        qs = Referral.objects.all()
    return qs.filter(
        scope_q(user, POPULATION_ROLES, via="visit__org_unit")
        | scope_q(user, care.REFERRAL_OFFICE_ROLES, via="to_unit")
    )


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, so templates render `{{ field }}` plainly."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Messages that name the field, so a phone user sees which one to fix.
            field.error_messages["required"] = f"{field.label}不能为空。"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"{field.label}不是有效的日期。"
            elif isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = f"{field.label}须为整数。"
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class PersonForm(StyledForm):
    """A form about one person: chosen by ID number, or fixed by `?person=` from their page."""

    id_number = forms.CharField(label="公民身份号码", max_length=18, required=False)

    def __init__(self, *args, user, person: Person | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.person = person
        if person is not None:
            del self.fields["id_number"]

    def clean(self):
        data = super().clean()
        if self.person is None:
            number = (data.get("id_number") or "").strip().upper()
            if not number:
                self.add_error("id_number", "公民身份号码不能为空。")
                return data
            # The same words whether the number is unknown or belongs to another village.
            person = persons_visible_to(self.user).filter(id_number=number).first()
            if person is None or not can_write_person(self.user, person):
                self.add_error("id_number", "公民身份号码:本辖区未登记该人员,请先登记人员信息。")
                return data
            self.person = person
        return data


def _person_from_query(request: HttpRequest) -> Person | None:
    pk = request.GET.get("person") or request.POST.get("person")
    if not pk:
        return None
    return get_person_for_user(request.user, pk, for_write=True)


# ---------------------------------------------------------------------------- campaigns


class CampaignForm(StyledForm):
    org_unit = forms.ModelChoiceField(label="组织单位", queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label="类别", choices=Campaign.Kind.choices)
    name = forms.CharField(
        label="名称", max_length=100, required=False, help_text="不填则按单位、季度和类别生成。"
    )
    start_on = forms.DateField(label="开始日期", widget=DATE)
    end_on = forms.DateField(label="结束日期", widget=DATE)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = scope(OrgUnit.objects.all(), user, POPULATION_ROLES, via="").filter(
            kind__in=[OrgUnit.Kind.TOWN, OrgUnit.Kind.VILLAGE]
        )
        model_choice_field(self, "org_unit").queryset = units.order_by("path")


class AttendanceForm(StyledForm):
    attended_on = forms.DateField(label="到检日期", widget=DATE)
    result = forms.CharField(label="结果", max_length=200, required=False)


class TargetFilterForm(StyledForm):
    STATUS_CHOICES = [("", "全部"), ("todo", "未检"), ("done", "已检")]
    village = forms.ModelChoiceField(
        label="村", queryset=OrgUnit.objects.none(), required=False, empty_label="全部"
    )
    status = forms.ChoiceField(label="到检", choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, villages, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "village").queryset = villages


def _get_campaign(user, pk) -> Campaign:
    qs = coverage_report.campaigns_visible_to(user, Campaign.objects.select_related("org_unit"))
    return _get_row(user, qs, pk)


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Check-up campaigns of the user's villages, newest first."""
    _require_population(request.user)
    campaigns = (
        coverage_report.campaigns_visible_to(request.user)
        .select_related("org_unit")
        .order_by("-start_on", "-id")
    )
    return render(request, "population/campaign_list.html", {"page": _page(request, campaigns)})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    _require_population(request.user)
    form = CampaignForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = care.campaign_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                count = campaign.targets.count()
                messages.success(request, f"已建立查体活动,生成查体对象 {count} 人。")
                return redirect("population:campaign_detail", pk=campaign.pk)
        status = 400
    context = {"form": form, "rule": care.TARGET_RULE}
    return render(request, "population/campaign_form.html", context, status=status)


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Coverage per village on a day (default the campaign's last day), with the definitions."""
    _require_population(request.user)
    campaign = _get_campaign(request.user, pk)
    as_of, error = None, ""
    if request.GET.get("as_of"):
        try:
            as_of = datetime.date.fromisoformat(request.GET["as_of"])
        except ValueError:
            error = "统计日:日期格式应为 YYYY-MM-DD。"
    report = coverage_report.coverage(campaign, user=request.user, as_of=as_of)
    context = {
        "campaign": campaign,
        "report": report,
        "as_of_error": error,
        "definitions": coverage_report.COVERAGE_DEFINITIONS,
        "rule": care.TARGET_RULE,
        "can_sync": can_act_in(request.user, campaign.org_unit, POPULATION_ROLES)
        and campaign.end_on >= timezone.localdate(),
    }
    return render(request, "population/campaign_detail.html", context, status=400 if error else 200)


@login_required
@require_GET
def campaign_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """The target list of the user's villages, with attendance; masked ID numbers."""
    _require_population(request.user)
    campaign = _get_campaign(request.user, pk)
    targets = coverage_report.targets_visible_to(request.user, campaign)
    villages = OrgUnit.objects.filter(pk__in=targets.values("org_unit_id")).order_by("code")
    form = TargetFilterForm(request.GET or None, villages=villages)
    if form.is_valid():
        if form.cleaned_data["village"]:
            targets = targets.filter(org_unit=form.cleaned_data["village"])
        if form.cleaned_data["status"] == "todo":
            targets = targets.filter(attended_on__isnull=True)
        elif form.cleaned_data["status"] == "done":
            targets = targets.filter(attended_on__isnull=False)
    targets = targets.select_related("person", "org_unit").order_by(
        "org_unit__code", "person__name", "id"
    )
    context = {"campaign": campaign, "form": form, "page": _page(request, targets)}
    return render(request, "population/campaign_targets.html", context)


@login_required
@require_POST
def campaign_sync(request: HttpRequest, pk: int) -> HttpResponse:
    _require_population(request.user)
    campaign = _get_campaign(request.user, pk)
    try:
        added = care.campaign_sync_targets(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已补充查体对象 {added} 人。")
    return redirect("population:campaign_detail", pk=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_attend(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one woman's attendance (a small form that fits a phone at the check-up site)."""
    _require_population(request.user)
    qs = rows_visible_to(
        request.user, CampaignTarget.objects.select_related("campaign", "person", "org_unit")
    )
    target = _get_row(request.user, qs, pk)
    initial = {"attended_on": target.attended_on or timezone.localdate(), "result": target.result}
    form = AttendanceForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                care.campaign_record_attendance(
                    actor=request.user, target=target, **form.cleaned_data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"已登记 {target.person.name} 到检。")
                url = reverse("population:campaign_targets", args=[target.campaign_id])
                return redirect(f"{url}?village={target.org_unit_id}&status=todo")
        status = 400
    context = {"target": target, "form": form}
    return render(request, "population/campaign_attend.html", context, status=status)


# ---------------------------------------------------------------------------- home visits


class VisitForm(PersonForm):
    visited_on = forms.DateField(label="走访日期", widget=DATE)
    place = forms.CharField(label="地点", max_length=200)
    outcome = forms.CharField(label="走访情况", widget=forms.Textarea(attrs={"rows": 4}))
    latitude = forms.CharField(label="纬度", required=False, max_length=20)
    longitude = forms.CharField(label="经度", required=False, max_length=20)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)


class ReferralForm(StyledForm):
    kind = forms.ChoiceField(label="转介类别", choices=Referral.Kind.choices)
    note = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 3}))


class VisitFilterForm(StyledForm):
    q = forms.CharField(label="姓名", required=False, max_length=50)
    start = forms.DateField(label="走访日期起", required=False, widget=DATE)
    end = forms.DateField(label="走访日期止", required=False, widget=DATE)


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    _require_population(request.user)
    visits = rows_visible_to(request.user, HomeVisit.objects.all())
    form = VisitFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            visits = visits.filter(person__name__contains=data["q"].strip())
        if data["start"]:
            visits = visits.filter(visited_on__gte=data["start"])
        if data["end"]:
            visits = visits.filter(visited_on__lte=data["end"])
    visits = (
        visits.select_related("person", "org_unit", "visited_by")
        .annotate(photo_count=Count("photos", distinct=True))
        .order_by("-visited_on", "-id")
    )
    context = {"form": form, "page": _page(request, visits)}
    return render(request, "population/visit_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest) -> HttpResponse:
    """Log a visit from a phone: GPS from the browser when allowed, photos from the camera. The
    form carries a fresh client_uuid, so sending it twice stores one visit.

    The visit is started from the person's page or from a due 上门随访 (`?person=`, and
    `?followup=` for the due item); opened without a person, the page asks whom the visit is
    for by name, never by ID number. The visit closes the due 上门随访 it answers.
    """
    _require_population(request.user)
    person = _person_from_query(request)
    if person is None and request.method == "GET":
        return _visit_person_picker(request)
    followup = _followup_from_query(request, person)
    initial = {"visited_on": timezone.localdate(), "client_uuid": uuid.uuid4()}
    if person is not None:
        initial["place"] = person.current_address
    form = VisitForm(request.POST or None, user=request.user, person=person, initial=initial)
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
                _add_errors(form, exc)
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


class VisitPersonSearchForm(StyledForm):
    q = forms.CharField(label="姓名或住址", required=False, max_length=50)


def _visit_person_picker(request: HttpRequest) -> HttpResponse:
    """Whom is the visit for: the residents of the worker's own villages, found by name or
    address, each with a button that opens the visit form for them."""
    form = VisitPersonSearchForm(request.GET or None)
    # Only the worker's own residents: a person transferred away is history, not a visit.
    persons = (
        rows_visible_to(request.user, Person.objects.filter(merged_into__isnull=True))
        .select_related("org_unit")
        .order_by("name", "id")
    )
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if q:
        persons = persons.filter(Q(name__contains=q) | Q(current_address__contains=q))
    page = _page(request, persons)
    record_list_read(
        actor=request.user,
        model=Person,
        count=len(page.object_list),
        purpose="选择走访对象",
        filters={"q": q} if q else None,
    )
    return render(request, "population/visit_pick.html", {"form": form, "page": page, "q": q})


def _render_visit(request, visit: HomeVisit, *, referral_form=None, status=200) -> HttpResponse:
    referrals = list(visit.referrals.select_related("to_unit").order_by("-id"))
    calendar = WorkCalendar()
    for referral in referrals:
        referral.deadline = deadline(
            referral.due_on, done=referral.status == Referral.Status.DONE, calendar=calendar
        )
    context = {
        "visit": visit,
        "photos": list(visit.photos.all()),
        "referrals": referrals,
        "referral_form": referral_form or ReferralForm(),
        "can_refer": can_act_in(request.user, visit.org_unit, POPULATION_ROLES),
    }
    return render(request, "population/visit_detail.html", context, status=status)


def _get_visit(user, pk, *, purpose: str = "详情") -> HomeVisit:
    qs = rows_visible_to(user, HomeVisit.objects.select_related("person", "org_unit", "visited_by"))
    return _get_row(user, qs, pk, purpose=purpose, action="home_visit_viewed")


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_population(request.user)
    visit = _get_visit(request.user, pk)
    return _render_visit(request, visit)


@login_required
@require_GET
def visit_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse | FileResponse:
    """A visit photo of a visit the user may see, served (and audited) by the stored-file door."""
    _require_population(request.user)
    visit = _get_visit(request.user, pk, purpose="走访照片")
    photo = VisitPhoto.objects.filter(visit=visit, pk=photo_pk).first()
    if photo is None:
        raise Http404
    return serve_row_file(request, photo, "image")


@login_required
@require_POST
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_population(request.user)
    visit = _get_visit(request.user, pk)
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            referral = care.referral_open(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
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


class ReferralCloseForm(StyledForm):
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))
    closed_on = forms.DateField(label="办结日期", widget=DATE)


class ReferralFilterForm(StyledForm):
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部"), *Referral.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label="类别", choices=[("", "全部"), *Referral.Kind.choices], required=False
    )


def _require_referral_role(user) -> None:
    if not has_role(user, *REFERRAL_ROLES):
        raise PermissionDenied


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals from the user's villages and those sent to the user's office; open first."""
    _require_referral_role(request.user)
    referrals = referrals_visible_to(request.user)
    form = ReferralFilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["status"]:
            referrals = referrals.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            referrals = referrals.filter(kind=form.cleaned_data["kind"])
    referrals = referrals.select_related("visit__person", "visit__org_unit", "to_unit").order_by(
        "status", "due_on", "id"
    )
    page = _page(request, referrals)
    calendar = WorkCalendar()
    for referral in page.object_list:
        referral.deadline = deadline(
            referral.due_on, done=referral.status == Referral.Status.DONE, calendar=calendar
        )
    return render(request, "population/referral_list.html", {"form": form, "page": page})


def _render_referral(request, referral: Referral, *, form=None, status=200) -> HttpResponse:
    can_close = referral.status == Referral.Status.OPEN and care.can_close_referral(
        request.user, referral
    )
    if can_close and form is None:
        form = ReferralCloseForm(initial={"closed_on": timezone.localdate()})
    context = {
        "referral": referral,
        "deadline": deadline(referral.due_on, done=referral.status == Referral.Status.DONE),
        "form": form if can_close else None,
    }
    return render(request, "population/referral_detail.html", context, status=status)


def _get_referral(user, pk) -> Referral:
    qs = referrals_visible_to(
        user, Referral.objects.select_related("visit__person", "visit__org_unit", "to_unit")
    )
    row = qs.filter(pk=pk).first()
    if row is None:
        raise _denied(user, qs.model, pk)
    record_read(actor=user, target=row, action="referral_viewed", org_unit=row.visit.org_unit)
    return row


@login_required
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_referral_role(request.user)
    referral = _get_referral(request.user, pk)
    return _render_referral(request, referral)


@login_required
@require_POST
def referral_close(request: HttpRequest, pk: int) -> HttpResponse:
    _require_referral_role(request.user)
    referral = _get_referral(request.user, pk)
    if not care.can_close_referral(request.user, referral):
        raise PermissionDenied
    form = ReferralCloseForm(request.POST)
    if form.is_valid():
        try:
            care.referral_close(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "转介已办结。")
            return redirect("population:referral_detail", pk=referral.pk)
    return _render_referral(request, referral, form=form, status=400)


# ---------------------------------------------------------------------------- 计生助福


class AssistanceForm(PersonForm):
    category = forms.ChoiceField(label="类别", choices=Assistance.Category.choices)
    program = forms.CharField(label="项目", max_length=100)
    content = forms.CharField(label="内容", max_length=200)
    amount = forms.CharField(
        label="金额(元)", required=False, max_length=20, help_text="资金类必填,以元为单位。"
    )
    given_on = forms.DateField(label="发放日期", widget=DATE)


class AssistanceFilterForm(StyledForm):
    category = forms.ChoiceField(
        label="类别", choices=[("", "全部"), *Assistance.Category.choices], required=False
    )
    q = forms.CharField(label="姓名", required=False, max_length=50)


@login_required
@require_GET
def assistance_list(request: HttpRequest) -> HttpResponse:
    _require_population(request.user)
    rows = rows_visible_to(request.user, Assistance.objects.all())
    form = AssistanceFilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["category"]:
            rows = rows.filter(category=form.cleaned_data["category"])
        if form.cleaned_data["q"]:
            rows = rows.filter(person__name__contains=form.cleaned_data["q"].strip())
    rows = rows.select_related("person", "org_unit", "given_by").order_by("-given_on", "-id")
    context = {"form": form, "page": _page(request, rows), "rule": care.ASSISTANCE_RULE}
    return render(request, "population/assistance_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assistance_create(request: HttpRequest) -> HttpResponse:
    _require_population(request.user)
    person = _person_from_query(request)
    form = AssistanceForm(
        request.POST or None,
        user=request.user,
        person=person,
        initial={"given_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "id_number"}
            try:
                care.assistance_record(actor=request.user, person=form.person, **data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "帮扶记录已保存。")
                return redirect("population:assistance_list")
        status = 400
    context = {"form": form, "person": person, "rule": care.ASSISTANCE_RULE}
    return render(request, "population/assistance_form.html", context, status=status)


# ---------------------------------------------------------------------------- 1+1 pairings


class PairingForm(PersonForm):
    volunteer_name = forms.CharField(label="志愿者", max_length=50)
    volunteer_phone = forms.CharField(label="志愿者电话", max_length=20)
    cadence_days = forms.IntegerField(label="走访周期(天)", initial=30)
    started_on = forms.DateField(label="结对日期", widget=DATE)


class PairingVisitForm(StyledForm):
    visited_on = forms.DateField(label="走访日期", widget=DATE)
    note = forms.CharField(label="情况", widget=forms.Textarea(attrs={"rows": 3}))


class PairingEndForm(StyledForm):
    reason = forms.CharField(label="结束原因", max_length=200)


class PairingFilterForm(StyledForm):
    status = forms.ChoiceField(
        label="状态",
        choices=[("", "有效"), ("overdue", "走访已逾期"), ("ended", "已结束")],
        required=False,
    )


@login_required
@require_GET
def pairing_list(request: HttpRequest) -> HttpResponse:
    """Active pairings by next due date; a missed visit (today past the due date) is marked."""
    _require_population(request.user)
    today = timezone.localdate()
    rows = rows_visible_to(request.user, Pairing.objects.all())
    form = PairingFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if status == "ended":
        rows = rows.filter(active=False)
    else:
        rows = rows.filter(active=True)
        if status == "overdue":
            rows = rows.filter(next_due_on__lt=today)
    rows = rows.select_related("person", "org_unit").order_by("next_due_on", "id")
    context = {"form": form, "page": _page(request, rows), "today": today}
    return render(request, "population/pairing_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pairing_create(request: HttpRequest) -> HttpResponse:
    _require_population(request.user)
    person = _person_from_query(request)
    form = PairingForm(
        request.POST or None,
        user=request.user,
        person=person,
        initial={"started_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "id_number"}
            try:
                pairing = care.pairing_create(actor=request.user, person=form.person, **data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"已结对,首次走访期限 {pairing.next_due_on:%Y-%m-%d}。")
                return redirect("population:pairing_detail", pk=pairing.pk)
        status = 400
    context = {"form": form, "person": person}
    return render(request, "population/pairing_form.html", context, status=status)


def _get_pairing(user, pk) -> Pairing:
    return _get_row(
        user, rows_visible_to(user, Pairing.objects.select_related("person", "org_unit")), pk
    )


def _render_pairing(request, pairing: Pairing, *, bound=None, status=200) -> HttpResponse:
    forms_ = {}
    if pairing.active:
        forms_ = {
            "visit": PairingVisitForm(initial={"visited_on": timezone.localdate()}),
            "end": PairingEndForm(),
        }
        forms_.update(bound or {})
    context = {
        "pairing": pairing,
        "visits": list(pairing.visits.select_related("recorded_by").order_by("-visited_on")),
        "overdue": pairing.active and pairing.next_due_on < timezone.localdate(),
        "forms": forms_,
    }
    return render(request, "population/pairing_detail.html", context, status=status)


@login_required
@require_GET
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_population(request.user)
    return _render_pairing(request, _get_pairing(request.user, pk))


@login_required
@require_POST
def pairing_visit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_population(request.user)
    pairing = _get_pairing(request.user, pk)
    form = PairingVisitForm(request.POST)
    if form.is_valid():
        try:
            care.pairing_record_visit(actor=request.user, pairing=pairing, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            pairing.refresh_from_db()
            messages.success(request, f"已登记走访,下次走访期限 {pairing.next_due_on:%Y-%m-%d}。")
            return redirect("population:pairing_detail", pk=pairing.pk)
    return _render_pairing(request, pairing, bound={"visit": form}, status=400)


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    _require_population(request.user)
    pairing = _get_pairing(request.user, pk)
    form = PairingEndForm(request.POST)
    if form.is_valid():
        try:
            care.pairing_end(actor=request.user, pairing=pairing, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "结对已结束。")
            return redirect("population:pairing_detail", pk=pairing.pk)
    return _render_pairing(request, pairing, bound={"end": form}, status=400)
