"""Pages of school safety and the unlicensed-kindergarten clean-up.

Rows are found through the livelihood scope (`get_row_for_user`): outside it a row is a 404.
Visible but not changeable (a 区领导 reads, a clerk of the department changes) is a 403. The
forms parse input only; the rules live in actions/schools.py.
"""

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.inbox.registry import deadline
from zhengtong.lib import periods
from zhengtong.lib.pdf import pdf_response, render_pdf
from zhengtong.workdays import WorkCalendar

from . import checklist, school_stats
from .actions import schools as actions
from .models import CleanupCampaign, Hazard, Inspection, School, UnlicensedKindergarten
from .selectors import (
    can_edit_row,
    can_view_livelihood,
    get_row_for_user,
    keeping_unit_for,
    livelihood_rows_visible_to,
    require_edit,
    require_keeping_unit,
)

PAGE_SIZE = 25
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# ---------------------------------------------------------------------------- shared


def _require_view(user) -> None:
    if not can_view_livelihood(user):
        raise PermissionDenied


def _page(request: HttpRequest, rows: QuerySet):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the fields it names (or on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class StyledForm(forms.Form):
    """Bootstrap classes on every widget and required/invalid messages that name the field."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            field.error_messages["required"] = f"{field.label}不能为空。"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"{field.label}不是有效的日期。"
            elif isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = f"{field.label}须为整数。"
                field.error_messages["min_value"] = f"{field.label}不能小于 %(limit_value)s。"
                field.error_messages["max_value"] = f"{field.label}不能大于 %(limit_value)s。"
            elif isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = f"请选择有效的{field.label}。"
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def _today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------- schools


class SchoolForm(StyledForm):
    name = forms.CharField(label="学校名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=School.Kind.choices)
    address = forms.CharField(label="地址", max_length=200, required=False)
    principal = forms.CharField(label="负责人", max_length=50, required=False)


class SchoolFilterForm(StyledForm):
    kind = forms.ChoiceField(
        label="类型", choices=[("", "全部类型"), *School.Kind.choices], required=False
    )
    q = forms.CharField(label="名称", max_length=50, required=False)


@login_required
@require_GET
def school_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    form = SchoolFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    # The register has no year; its figures do: the year of the inspections (`lib.periods`).
    picker = periods.choose_year(
        request.GET,
        data=periods.DataDates(
            livelihood_rows_visible_to(request.user, Inspection.objects.all()),
            "inspected_on",
        ),
    )
    year = picker.period.year
    start, end = picker.period.start, picker.period.end
    schools = livelihood_rows_visible_to(request.user, School.objects.all())
    if data.get("kind"):
        schools = schools.filter(kind=data["kind"])
    if data.get("q"):
        schools = schools.filter(name__contains=data["q"])
    schools = (
        schools.select_related("org_unit")
        .annotate(
            last_inspected_on=Max("inspections__inspected_on"),
            inspected_in_year=Count(
                "inspections", filter=Q(inspections__inspected_on__range=(start, end))
            ),
            open_inspections=Count(
                "inspections", filter=Q(inspections__status=Inspection.Status.OPEN)
            ),
        )
        .order_by("kind", "name")
    )
    totals = school_stats.school_totals(request.user, start=start, end=end)
    return render(
        request,
        "livelihood/school_list.html",
        {
            "form": form,
            "picker": picker,
            "page": _page(request, schools),
            "year": year,
            "totals": totals,
            "coverage": school_stats.coverage(totals),
            "can_add": keeping_unit_for(request.user) is not None,
        },
        status=picker.status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = SchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school = actions.school_create(actor=request.user, org_unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已登记{school.name}。")
            return redirect("livelihood:school_detail", pk=school.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "livelihood/school_form.html", {"form": form, "school": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    school = get_row_for_user(request.user, School.objects.select_related("org_unit"), pk)
    require_edit(request.user, school.org_unit)
    initial = {f: getattr(school, f) for f in actions.SCHOOL_FIELDS}
    form = SchoolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.school_update(actor=request.user, school=school, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "学校信息已保存。")
            return redirect("livelihood:school_detail", pk=school.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "livelihood/school_form.html", {"form": form, "school": school}, status=status
    )


@login_required
@require_GET
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    school = get_row_for_user(request.user, School.objects.select_related("org_unit"), pk)
    inspections = school.inspections.annotate(
        hazard_count=Count("hazards"),
        open_hazards=Count("hazards", filter=Q(hazards__verified_on__isnull=True)),
    ).order_by("-inspected_on", "-id")
    return render(
        request,
        "livelihood/school_detail.html",
        {
            "school": school,
            "inspections": inspections,
            "can_edit": can_edit_row(request.user, school.org_unit),
        },
    )


# ---------------------------------------------------------------------------- inspections


class InspectionForm(StyledForm):
    """The checklist: each item ok or hazard; a hazard needs its description and requirement."""

    inspected_on = forms.DateField(label="检查日期", widget=DATE)
    inspectors = forms.CharField(label="检查人员", max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = []
        for item in checklist.ITEMS:
            result = forms.ChoiceField(
                label=item.name,
                choices=list(checklist.RESULTS.items()),
                widget=forms.RadioSelect,
                help_text=item.points,
            )
            description = forms.CharField(label=f"{item.name}隐患", max_length=280, required=False)
            requirement = forms.CharField(label="整改要求", max_length=300, required=False)
            workdays = forms.IntegerField(
                label="整改时限(工作日)",
                min_value=1,
                max_value=actions.MAX_DEADLINE_WORKDAYS,
                initial=10,
                required=False,
            )
            item_fields: tuple[tuple[str, forms.Field], ...] = (
                ("result", result),
                ("description", description),
                ("requirement", requirement),
                ("workdays", workdays),
            )
            for suffix, item_field in item_fields:
                self.fields[f"{item.code}_{suffix}"] = item_field
        # Style again so the per-item fields get the same classes and messages.
        self.style()
        for name, field in self.fields.items():
            if name.endswith("_result"):
                field.error_messages["required"] = f"请填写“{field.label}”的检查结果。"
        for item in checklist.ITEMS:
            self.items.append(
                {
                    "item": item,
                    "result": self[f"{item.code}_result"],
                    "description": self[f"{item.code}_description"],
                    "requirement": self[f"{item.code}_requirement"],
                    "workdays": self[f"{item.code}_workdays"],
                }
            )

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        results = {item.code: data[f"{item.code}_result"] for item in checklist.ITEMS}
        hazards = [
            {
                "item": item.code,
                "description": data.get(f"{item.code}_description", ""),
                "requirement": data.get(f"{item.code}_requirement", ""),
                "deadline_workdays": data.get(f"{item.code}_workdays"),
            }
            for item in checklist.ITEMS
            if results[item.code] == checklist.HAZARD
        ]
        return {
            "inspected_on": data["inspected_on"],
            "inspectors": data["inspectors"],
            "results": results,
            "hazards": hazards,
        }


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    school = get_row_for_user(request.user, School.objects.select_related("org_unit"), pk)
    require_edit(request.user, school.org_unit)
    form = InspectionForm(request.POST or None, initial={"inspected_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            inspection = actions.inspection_record(
                actor=request.user, school=school, **form.action_kwargs()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            for warning in inspection.warnings:
                messages.warning(request, warning)
            if inspection.notice_no:
                messages.success(
                    request,
                    f"检查已录入,发现 {inspection.hazards.count()} 项隐患,"
                    f"通知书编号 {inspection.notice_no}。",
                )
            else:
                messages.success(request, "检查已录入,未发现隐患,检查已闭环。")
            return redirect("livelihood:inspection_detail", pk=inspection.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "livelihood/inspection_form.html",
        {"form": form, "school": school},
        status=status,
    )


class InspectionFilterForm(StyledForm):
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部状态"), *Inspection.Status.choices], required=False
    )
    q = forms.CharField(label="学校", max_length=50, required=False)


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    form = InspectionFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    inspections = livelihood_rows_visible_to(request.user, Inspection.objects.all())
    if data.get("status"):
        inspections = inspections.filter(status=data["status"])
    if data.get("q"):
        inspections = inspections.filter(school__name__contains=data["q"])
    inspections = (
        inspections.select_related("school")
        .annotate(
            hazard_count=Count("hazards"),
            open_hazards=Count("hazards", filter=Q(hazards__verified_on__isnull=True)),
        )
        .order_by("-inspected_on", "-id")
    )
    return render(
        request,
        "livelihood/inspection_list.html",
        {"form": form, "page": _page(request, inspections)},
    )


class RectifyForm(StyledForm):
    rectified_on = forms.DateField(label="整改完成日期", widget=DATE)
    rectification_note = forms.CharField(
        label="整改情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class VerifyForm(StyledForm):
    verified_on = forms.DateField(label="复查确认日期", widget=DATE)


class CloseForm(StyledForm):
    closed_on = forms.DateField(label="闭环日期", widget=DATE)


def _get_inspection(user, pk) -> Inspection:
    return get_row_for_user(user, Inspection.objects.select_related("school", "org_unit"), pk)


def _render_inspection(request, inspection: Inspection, *, bound=None, status=200):
    """The detail page; `bound` = (hazard pk or "close", bound form) after a refused POST."""
    can_edit = can_edit_row(request.user, inspection.org_unit)
    is_open = inspection.status == Inspection.Status.OPEN
    calendar = WorkCalendar()
    today = _today()
    rows: list[dict[str, Any]] = []
    for hazard in inspection.hazards.select_related("verified_by").order_by("id"):
        form = None
        if can_edit and is_open and not hazard.verified_on:
            if bound and bound[0] == hazard.pk:
                form = bound[1]
            elif hazard.rectified_on:
                form = VerifyForm(prefix=f"h{hazard.pk}", initial={"verified_on": today})
            else:
                form = RectifyForm(prefix=f"h{hazard.pk}", initial={"rectified_on": today})
        rows.append(
            {
                "hazard": hazard,
                "deadline": deadline(
                    hazard.due_on,
                    done=bool(hazard.verified_on),
                    today=today,
                    calendar=calendar,
                ),
                "form": form,
                "verify": isinstance(form, VerifyForm),
            }
        )
    close_form = None
    if can_edit and is_open:
        close_form = (
            bound[1] if bound and bound[0] == "close" else CloseForm(initial={"closed_on": today})
        )
    return render(
        request,
        "livelihood/inspection_detail.html",
        {
            "inspection": inspection,
            "checklist_rows": checklist.rows(inspection.checklist),
            "rows": rows,
            "close_form": close_form,
            "can_edit": can_edit,
            "missing_due": any(r["hazard"].due_on is None for r in rows),
        },
        status=status,
    )


@login_required
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    return _render_inspection(request, _get_inspection(request.user, pk))


def notice_context(inspection: Inspection) -> dict:
    hazards = list(inspection.hazards.order_by("id"))
    return {
        "inspection": inspection,
        "school": inspection.school,
        "organ": inspection.org_unit.name,
        "hazards": hazards,
        "checked_items": [row for row in checklist.rows(inspection.checklist) if row["result"]],
        "missing_due": any(h.due_on is None for h in hazards),
    }


@login_required
@require_GET
def inspection_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """《开发区学校安全隐患通知书》 of an inspection that found hazards, as a PDF."""
    _require_view(request.user)
    inspection = _get_inspection(request.user, pk)
    if not inspection.notice_no:
        raise Http404
    content = render_pdf("documents/hazard_notice.html", notice_context(inspection))
    return pdf_response(content, f"学校安全隐患通知书-{inspection.notice_no}.pdf")


def _get_hazard(user, pk) -> Hazard:
    return get_row_for_user(
        user,
        Hazard.objects.select_related("inspection__org_unit", "inspection__school"),
        pk,
        via="inspection__org_unit",
    )


@login_required
@require_POST
def hazard_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    hazard = _get_hazard(request.user, pk)
    inspection = hazard.inspection
    require_edit(request.user, inspection.org_unit)
    form = RectifyForm(request.POST, prefix=f"h{hazard.pk}")
    if form.is_valid():
        try:
            actions.hazard_report_rectified(
                actor=request.user,
                hazard=hazard,
                rectified_on=form.cleaned_data["rectified_on"],
                note=form.cleaned_data["rectification_note"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已录入整改情况,待复查确认。")
            return redirect("livelihood:inspection_detail", pk=inspection.pk)
    return _render_inspection(request, inspection, bound=(hazard.pk, form), status=400)


@login_required
@require_POST
def hazard_verify(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    hazard = _get_hazard(request.user, pk)
    inspection = hazard.inspection
    require_edit(request.user, inspection.org_unit)
    form = VerifyForm(request.POST, prefix=f"h{hazard.pk}")
    if form.is_valid():
        try:
            actions.hazard_verify(
                actor=request.user, hazard=hazard, verified_on=form.cleaned_data["verified_on"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "隐患已复查确认整改到位。")
            return redirect("livelihood:inspection_detail", pk=inspection.pk)
    if hazard.rectified_on is None:
        # Show the refusal next to the form the hazard actually needs.
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return _render_inspection(request, inspection, status=400)
    return _render_inspection(request, inspection, bound=(hazard.pk, form), status=400)


@login_required
@require_POST
def inspection_close(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    inspection = _get_inspection(request.user, pk)
    require_edit(request.user, inspection.org_unit)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            actions.inspection_close(
                actor=request.user, inspection=inspection, closed_on=form.cleaned_data["closed_on"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "检查已闭环。")
            return redirect("livelihood:inspection_detail", pk=inspection.pk)
    if inspection.status != Inspection.Status.OPEN:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return _render_inspection(request, inspection, status=400)
    return _render_inspection(request, inspection, bound=("close", form), status=400)


# ---------------------------------------------------------------------------- kindergartens


class CampaignForm(StyledForm):
    name = forms.CharField(label="名称", max_length=100)
    started_on = forms.DateField(label="开始日期", widget=DATE)
    due_on = forms.DateField(
        label="整治完成期限", widget=DATE, help_text="到期前,每一所待处置的幼儿园都列在我的待办中。"
    )


class KindergartenForm(StyledForm):
    name = forms.CharField(label="名称", max_length=100)
    operator = forms.CharField(label="举办者", max_length=50)
    address = forms.CharField(label="地址", max_length=200)
    children = forms.IntegerField(label="在园幼儿数", min_value=0, max_value=32767, initial=0)
    found_on = forms.DateField(label="摸排日期", widget=DATE)


OUTCOMES = [
    (value, label)
    for value, label in UnlicensedKindergarten.Outcome.choices
    if value != UnlicensedKindergarten.Outcome.PENDING
]


class DisposeForm(StyledForm):
    outcome = forms.ChoiceField(label="处置结果", choices=OUTCOMES)
    outcome_on = forms.DateField(label="处置日期", widget=DATE)
    note = forms.CharField(
        label="处置说明", max_length=200, required=False, help_text="合并的,写明并入哪所幼儿园。"
    )


class CampaignCloseForm(StyledForm):
    closed_on = forms.DateField(label="完成日期", widget=DATE)


@login_required
@require_GET
def kindergarten_campaign_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    campaigns = (
        livelihood_rows_visible_to(request.user, CleanupCampaign.objects.all())
        .select_related("org_unit")
        .annotate(
            total=Count("kindergartens"),
            pending=Count("kindergartens", filter=Q(kindergartens__outcome="")),
        )
        .order_by("-started_on", "-id")
    )
    return render(
        request,
        "livelihood/kindergarten_campaign_list.html",
        {
            "page": _page(request, campaigns),
            "can_add": keeping_unit_for(request.user) is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def kindergarten_campaign_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = CampaignForm(request.POST or None, initial={"started_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = actions.campaign_create(
                actor=request.user, org_unit=unit, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "清理整顿工作已建立。")
            return redirect("livelihood:kindergarten_campaign_detail", pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "livelihood/kindergarten_campaign_form.html", {"form": form}, status=status
    )


def _get_campaign(user, pk) -> CleanupCampaign:
    return get_row_for_user(user, CleanupCampaign.objects.select_related("org_unit"), pk)


def _render_campaign(request, campaign, *, bound=None, status=200):
    can_edit = can_edit_row(request.user, campaign.org_unit) and not campaign.closed_on
    today = _today()
    rows = []
    for kindergarten in campaign.kindergartens.order_by("name", "id"):
        form = None
        if can_edit and not kindergarten.outcome:
            if bound and bound[0] == kindergarten.pk:
                form = bound[1]
            else:
                form = DisposeForm(prefix=f"k{kindergarten.pk}", initial={"outcome_on": today})
        rows.append({"kindergarten": kindergarten, "form": form})
    add_form = close_form = None
    if can_edit:
        add_form = (
            bound[1]
            if bound and bound[0] == "add"
            else KindergartenForm(initial={"found_on": today})
        )
        close_form = (
            bound[1]
            if bound and bound[0] == "close"
            else CampaignCloseForm(initial={"closed_on": today})
        )
    return render(
        request,
        "livelihood/kindergarten_campaign_detail.html",
        {
            "campaign": campaign,
            "rows": rows,
            "pending": sum(1 for r in rows if not r["kindergarten"].outcome),
            "add_form": add_form,
            "close_form": close_form,
        },
        status=status,
    )


@login_required
@require_GET
def kindergarten_campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    return _render_campaign(request, _get_campaign(request.user, pk))


@login_required
@require_POST
def kindergarten_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    campaign = _get_campaign(request.user, pk)
    require_edit(request.user, campaign.org_unit)
    form = KindergartenForm(request.POST)
    if form.is_valid():
        try:
            actions.kindergarten_register(
                actor=request.user, campaign=campaign, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已登记无证幼儿园。")
            return redirect("livelihood:kindergarten_campaign_detail", pk=campaign.pk)
    if campaign.closed_on:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return _render_campaign(request, campaign, status=400)
    return _render_campaign(request, campaign, bound=("add", form), status=400)


@login_required
@require_POST
def kindergarten_dispose(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    kindergarten = get_row_for_user(
        request.user,
        UnlicensedKindergarten.objects.select_related("campaign__org_unit"),
        pk,
        via="campaign__org_unit",
    )
    campaign = kindergarten.campaign
    require_edit(request.user, campaign.org_unit)
    form = DisposeForm(request.POST, prefix=f"k{kindergarten.pk}")
    if form.is_valid():
        try:
            actions.kindergarten_dispose(
                actor=request.user, kindergarten=kindergarten, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{kindergarten.name}已处置。")
            return redirect("livelihood:kindergarten_campaign_detail", pk=campaign.pk)
    if campaign.closed_on or kindergarten.outcome:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return _render_campaign(request, campaign, status=400)
    return _render_campaign(request, campaign, bound=(kindergarten.pk, form), status=400)


@login_required
@require_POST
def kindergarten_campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    campaign = _get_campaign(request.user, pk)
    require_edit(request.user, campaign.org_unit)
    form = CampaignCloseForm(request.POST)
    if form.is_valid():
        try:
            actions.campaign_close(
                actor=request.user, campaign=campaign, closed_on=form.cleaned_data["closed_on"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "无证幼儿园清理整顿工作已完成。")
            return redirect("livelihood:kindergarten_campaign_detail", pk=campaign.pk)
    if campaign.closed_on:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return _render_campaign(request, campaign, status=400)
    return _render_campaign(request, campaign, bound=("close", form), status=400)
