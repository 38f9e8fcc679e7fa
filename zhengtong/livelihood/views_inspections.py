"""Pages of school safety inspections: the list (a kit page), recording an inspection against the
checklist, the inspection with its hazards (rectified → verified → closed) and the
《开发区学校安全隐患通知书》 as a PDF.

Rows are found through the livelihood scope (`get_row_for_user`): outside it a row is a 404;
visible but not changeable is a 403. The rules live in actions/schools.py.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.inbox.registry import deadline
from zhengtong.lib import listing
from zhengtong.lib.forms import add_errors
from zhengtong.lib.pdf import pdf_response, render_pdf
from zhengtong.workdays import WorkCalendar

from . import checklist
from . import forms as f
from .actions import schools as actions
from .models import Hazard, Inspection, School
from .selectors import (
    can_edit_row,
    can_view_livelihood,
    get_row_for_user,
    livelihood_rows_visible_to,
    require_edit,
)

viewer_required = role_required(test=can_view_livelihood)


class InspectionList(listing.ListPage):
    """学校安全检查: every inspection, by status, searched by school; the hazards found and those
    not yet verified."""

    title = "学校安全检查"
    template_name = "livelihood/inspection_list.html"
    filter_form = f.InspectionFilterForm
    search_fields = ("school__name",)
    search_label = "学校"
    search_placeholder = "学校名称"
    default_sort = "-inspected_on"
    tie_breaker = "-id"
    export_name = "学校安全检查"
    empty_text = "没有检查记录。"
    columns = (
        listing.Column(
            "school", "学校", "school.name", link=listing.link("livelihood:inspection_detail")
        ),
        listing.Column("inspected_on", "检查日期", kind=listing.DATE, sort="inspected_on"),
        listing.Column("notice_no", "通知书编号", wide_only=True, nowrap=True),
        listing.Column("hazard_count", "隐患", kind=listing.COUNT),
        listing.Column(
            "open_hazards",
            "未确认",
            kind=listing.COUNT,
            template="livelihood/_count_badge.html",
        ),
        listing.Column("status", "状态", "get_status_display", sort="status", nowrap=True),
    )

    def get_queryset(self):
        inspections = livelihood_rows_visible_to(self.request.user, Inspection.objects.all())
        return inspections.select_related("school").annotate(
            hazard_count=Count("hazards"),
            open_hazards=Count("hazards", filter=Q(hazards__verified_on__isnull=True)),
        )


inspection_list = viewer_required(InspectionList.as_view())


@viewer_required
@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_row_for_user(request.user, School.objects.select_related("org_unit"), pk)
    require_edit(request.user, school.org_unit)
    form = f.InspectionForm(request.POST or None, initial={"inspected_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            inspection = actions.inspection_record(
                actor=request.user, school=school, **form.action_kwargs()
            )
        except ValidationError as exc:
            add_errors(form, exc)
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


def _get_inspection(user, pk) -> Inspection:
    return get_row_for_user(user, Inspection.objects.select_related("school", "org_unit"), pk)


def _render_inspection(request, inspection: Inspection, *, bound=None, status=200):
    """The detail page; `bound` = (hazard pk or "close", bound form) after a refused POST."""
    can_edit = can_edit_row(request.user, inspection.org_unit)
    is_open = inspection.status == Inspection.Status.OPEN
    calendar = WorkCalendar()
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    for hazard in inspection.hazards.select_related("verified_by").order_by("id"):
        form = None
        if can_edit and is_open and not hazard.verified_on:
            if bound and bound[0] == hazard.pk:
                form = bound[1]
            elif hazard.rectified_on:
                form = f.VerifyForm(prefix=f"h{hazard.pk}", initial={"verified_on": today})
            else:
                form = f.RectifyForm(prefix=f"h{hazard.pk}", initial={"rectified_on": today})
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
                "verify": isinstance(form, f.VerifyForm),
            }
        )
    close_form = None
    if can_edit and is_open:
        close_form = (
            bound[1] if bound and bound[0] == "close" else f.CloseForm(initial={"closed_on": today})
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


@viewer_required
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
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


@viewer_required
@require_GET
def inspection_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """《开发区学校安全隐患通知书》 of an inspection that found hazards, as a PDF."""
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


def _refusal(form) -> str:
    return "; ".join(str(e) for errs in form.errors.values() for e in errs)


@viewer_required
@require_POST
def hazard_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _get_hazard(request.user, pk)
    inspection = hazard.inspection
    require_edit(request.user, inspection.org_unit)
    form = f.RectifyForm(request.POST, prefix=f"h{hazard.pk}")
    if form.is_valid():
        try:
            actions.hazard_report_rectified(
                actor=request.user,
                hazard=hazard,
                rectified_on=form.cleaned_data["rectified_on"],
                note=form.cleaned_data["rectification_note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已录入整改情况,待复查确认。")
            return redirect("livelihood:inspection_detail", pk=inspection.pk)
    return _render_inspection(request, inspection, bound=(hazard.pk, form), status=400)


@viewer_required
@require_POST
def hazard_verify(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _get_hazard(request.user, pk)
    inspection = hazard.inspection
    require_edit(request.user, inspection.org_unit)
    form = f.VerifyForm(request.POST, prefix=f"h{hazard.pk}")
    if form.is_valid():
        try:
            actions.hazard_verify(
                actor=request.user, hazard=hazard, verified_on=form.cleaned_data["verified_on"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "隐患已复查确认整改到位。")
            return redirect("livelihood:inspection_detail", pk=inspection.pk)
    if hazard.rectified_on is None:
        # Show the refusal next to the form the hazard actually needs.
        messages.error(request, _refusal(form))
        return _render_inspection(request, inspection, status=400)
    return _render_inspection(request, inspection, bound=(hazard.pk, form), status=400)


@viewer_required
@require_POST
def inspection_close(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _get_inspection(request.user, pk)
    require_edit(request.user, inspection.org_unit)
    form = f.CloseForm(request.POST)
    if form.is_valid():
        try:
            actions.inspection_close(
                actor=request.user, inspection=inspection, closed_on=form.cleaned_data["closed_on"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "检查已闭环。")
            return redirect("livelihood:inspection_detail", pk=inspection.pk)
    if inspection.status != Inspection.Status.OPEN:
        messages.error(request, _refusal(form))
        return _render_inspection(request, inspection, status=400)
    return _render_inspection(request, inspection, bound=("close", form), status=400)
