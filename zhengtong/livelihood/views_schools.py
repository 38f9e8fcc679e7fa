"""Pages of the school register: the list (a kit page whose year is the year of the inspections),
a school with its inspections, and the register's forms.

Rows are found through the livelihood scope (`get_row_for_user`): outside it a row is a 404.
Visible but not changeable (a 区领导 reads, a clerk of the department changes) is a 403. The
forms parse input only; the rules live in actions/schools.py. Inspections and hazards are in
views_inspections.py, the kindergarten clean-up in views_kindergartens.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhengtong.accounts.permissions import role_required
from zhengtong.lib import listing, periods
from zhengtong.lib.forms import add_errors

from . import forms as f
from . import school_stats
from .actions import schools as actions
from .models import Inspection, School
from .selectors import (
    can_edit_row,
    can_view_livelihood,
    get_row_for_user,
    keeping_unit_for,
    livelihood_rows_visible_to,
    require_edit,
    require_keeping_unit,
)

viewer_required = role_required(test=can_view_livelihood)


class SchoolList(listing.ListPage):
    """学校名册: every school of the register, by type, searched by name. The register has no
    year; its figures do: the year of the inspections (`lib.periods`), which the coverage tiles
    and the 当年 column count."""

    title = "学校和幼儿园"
    template_name = "livelihood/school_list.html"
    filter_form = f.KindFilterForm
    search_fields = ("name",)
    search_label = "名称"
    search_placeholder = "学校名称"
    ordering = ("kind", "name")
    export_name = "学校名册"
    empty_text = "没有学校。"
    columns = (
        listing.Column(
            "name",
            "学校名称",
            link=listing.link("livelihood:school_detail"),
            template="livelihood/_school_name.html",
            sort="name",
        ),
        listing.Column("kind", "类型", "get_kind_display", sort="kind", nowrap=True),
        listing.Column("principal", "负责人", wide_only=True),
        listing.Column(
            "last_inspected_on",
            "最近检查",
            kind=listing.DATE,
            template="livelihood/_school_last_inspected.html",
        ),
        listing.Column(
            "inspected_in_year",
            "当年检查",
            lambda s: bool(s.inspected_in_year),
            kind=listing.BOOL,
            template="livelihood/_school_inspected.html",
        ),
        listing.Column(
            "open_inspections",
            "整改中",
            kind=listing.COUNT,
            template="livelihood/_count_badge.html",
        ),
    )

    def get_queryset(self):
        return livelihood_rows_visible_to(self.request.user, School.objects.all()).select_related(
            "org_unit"
        )

    def in_period(self, queryset):
        """The year of the figures, from the inspections; the schools stay all listed."""
        inspections = livelihood_rows_visible_to(self.request.user, Inspection.objects.all())
        self.picker = periods.choose_year(
            self.params(), data=periods.DataDates(inspections, "inspected_on")
        )
        start, end = self.picker.period.start, self.picker.period.end
        return queryset.annotate(
            last_inspected_on=Max("inspections__inspected_on"),
            inspected_in_year=Count(
                "inspections", filter=Q(inspections__inspected_on__range=(start, end))
            ),
            open_inspections=Count(
                "inspections", filter=Q(inspections__status=Inspection.Status.OPEN)
            ),
        )

    def get_context_data(self, queryset) -> dict:
        period = self.picker.period
        totals = school_stats.school_totals(self.request.user, start=period.start, end=period.end)
        return {
            "year": period.year,
            "totals": totals,
            "coverage": school_stats.coverage(totals),
            "rooms": school_stats.recording_rooms(self.request.user, on=timezone.localdate()),
            "can_add": keeping_unit_for(self.request.user) is not None,
        }


school_list = viewer_required(SchoolList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def school_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.SchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school = actions.school_create(actor=request.user, org_unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记{school.name}。")
            return redirect("livelihood:school_detail", pk=school.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "livelihood/school_form.html", {"form": form, "school": None}, status=status
    )


@viewer_required
@require_http_methods(["GET", "POST"])
def school_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_row_for_user(
        request.user, School.objects.select_related("org_unit", "contact_user"), pk
    )
    require_edit(request.user, school.org_unit)
    initial = {name: getattr(school, name) for name in actions.SCHOOL_FIELDS}
    initial["contact_user"] = school.contact_user.username if school.contact_user else ""
    form = f.SchoolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.school_update(actor=request.user, school=school, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "学校信息已保存。")
            return redirect("livelihood:school_detail", pk=school.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "livelihood/school_form.html", {"form": form, "school": school}, status=status
    )


@viewer_required
@require_GET
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_row_for_user(
        request.user, School.objects.select_related("org_unit", "contact_user"), pk
    )
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
