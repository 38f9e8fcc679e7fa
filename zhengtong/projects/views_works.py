"""City works (城建工程): physical targets, installed quantities and the lighting programme.

Everything is read through projects_visible_to(). The key-project office and the project's
liaison record quantities; leaders read.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.accounts.permissions import role_required
from zhengtong.lib import listing
from zhengtong.lib.forms import StyledForm, add_errors, mark_invalid
from zhengtong.lib.money import percent

from .actions.works import format_quantity, quantity_record
from .models import KeyProject, WorkQuantity, WorkTarget
from .selectors import VIEW_ROLES, can_report, get_project_for_user, projects_visible_to
from .views_funds import date_field

LAMPS = [WorkTarget.Measure.LAMP_NEW, WorkTarget.Measure.LAMP_RENOVATED]
QTY = DecimalField(max_digits=14, decimal_places=2)


def targets_with_installed(queryset):
    """Targets annotated with `installed`, the sum of their entries, in the database."""
    return queryset.annotate(
        installed=Coalesce(Sum("entries__quantity"), Value(Decimal("0")), output_field=QTY)
    )


def _decorate(target: WorkTarget) -> WorkTarget:
    target.progress_pct = percent(target.installed, target.planned_quantity)
    target.remaining = target.planned_quantity - target.installed
    target.planned_text = format_quantity(target.planned_quantity)
    target.installed_text = format_quantity(target.installed)
    target.remaining_text = format_quantity(target.remaining)
    return target


def lighting_programme(projects) -> dict:
    """路灯工程: planned = Σ(新增 + 改造) over the lighting projects; installed likewise (2 queries)."""
    lamp_targets = WorkTarget.objects.filter(project__in=projects, measure__in=LAMPS)
    planned = dict(
        lamp_targets.order_by().values_list("measure").annotate(total=Sum("planned_quantity"))
    )
    installed = dict(
        WorkQuantity.objects.filter(target__in=lamp_targets.values("pk"))
        .order_by()
        .values_list("target__measure")
        .annotate(total=Sum("quantity"))
    )
    rows = []
    for measure in LAMPS:
        p = planned.get(measure, Decimal("0"))
        i = installed.get(measure, Decimal("0"))
        rows.append(
            {
                "measure": measure,
                "label": WorkTarget.Measure(measure).label,
                "planned": format_quantity(p),
                "installed": format_quantity(i),
                "progress_pct": percent(i, p),
            }
        )
    total_planned = sum(planned.values(), Decimal("0"))
    total_installed = sum(installed.values(), Decimal("0"))
    return {
        "rows": rows,
        "planned": format_quantity(total_planned),
        "installed": format_quantity(total_installed),
        "progress_pct": percent(total_installed, total_planned),
        "exists": bool(total_planned),
    }


class QuantityForm(StyledForm):
    recorded_on = date_field(gettext_lazy("日期"))
    quantity = forms.DecimalField(
        label=gettext_lazy("完成量"),
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": gettext_lazy("请填写完成量。"),
            "invalid": gettext_lazy("完成量必须是数字。"),
            "max_digits": gettext_lazy("完成量过大。"),
            "max_whole_digits": gettext_lazy("完成量过大。"),
            "max_decimal_places": gettext_lazy("完成量最多保留两位小数。"),
        },
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


def _quantity(value) -> Decimal:
    """A quantity as people write it (1156, 3.5), still a number for the workbook."""
    return Decimal(format_quantity(value))


class WorksList(listing.ListPage):
    """Every target of the visible 城建 projects with its progress, and the lighting programme
    (新增 + 改造 路灯) over all of them."""

    title = "城建工程"
    template_name = "projects/works_list.html"
    summary_template = "projects/_lighting.html"
    search_fields = ("project__name", "project__code")
    search_placeholder = "工程名称或编号"
    ordering = ("project__code", "measure")
    export_name = "城建工程量"
    empty_text = "暂无设定工程量目标的城建项目。"
    columns = (
        listing.Column(
            "project",
            "工程",
            "project.name",
            sort="project__code",
            link=lambda t: reverse("projects:works_detail", args=[t.project_id]),
            template="projects/_work_name_cell.html",
        ),
        listing.Column("stage", "阶段", "project.get_stage_display", phone=False),
        listing.Column("measure", "指标", "get_measure_display", sort="measure", nowrap=True),
        listing.Column(
            "planned", "计划量", lambda t: _quantity(t.planned_quantity), kind=listing.NUMBER
        ),
        listing.Column(
            "installed", "已完成", lambda t: _quantity(t.installed), kind=listing.NUMBER
        ),
        listing.Column("unit", "单位", "unit"),
        listing.Column(
            "progress",
            "进度",
            lambda t: percent(t.installed, t.planned_quantity),
            kind=listing.PCT,
        ),
    )

    def projects(self):
        return projects_visible_to(self.request.user).filter(category=KeyProject.Category.URBAN)

    def get_queryset(self):
        visible = self.projects().order_by().values("pk")
        return targets_with_installed(
            WorkTarget.objects.filter(project__in=visible).select_related("project")
        )

    def get_context_data(self, queryset) -> dict:
        return {"lighting": lighting_programme(self.projects().order_by().values("pk"))}


works_list = role_required(*VIEW_ROLES)(WorksList.as_view())


class WorksDetail(listing.ListPage):
    """One city work: its targets with progress and the form to record more, then the entries."""

    template_name = "projects/works_detail.html"
    default_sort = "-recorded_on"
    tie_breaker = "-id"
    search_fields = ("note",)
    search_label = "说明"
    export_name = "完成工程量"
    empty_text = "尚无完成量记录。"
    columns = (
        listing.Column("recorded_on", "日期", kind=listing.DATE, sort="recorded_on"),
        listing.Column("measure", "指标", "target.get_measure_display", nowrap=True),
        listing.Column("quantity", "完成量", lambda e: _quantity(e.quantity), kind=listing.NUMBER),
        listing.Column("unit", "单位", "target.unit"),
        listing.Column("note", "说明"),
        listing.Column("created_by", "登记人", "created_by.display_name", phone=False),
    )

    project: KeyProject

    @property
    def title(self) -> str:  # type: ignore[override]
        return str(self.project.name)

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.project = get_project_for_user(request.user, kwargs["pk"])
        if self.project.category != KeyProject.Category.URBAN:
            raise Http404

    def get_queryset(self):
        return WorkQuantity.objects.filter(target__project=self.project).select_related(
            "target", "created_by"
        )

    def get_context_data(self, queryset) -> dict:
        targets = [
            _decorate(t)
            for t in targets_with_installed(
                WorkTarget.objects.filter(project=self.project)
            ).order_by("measure")
        ]
        allowed = can_report(self.request.user, self.project)
        for target in targets:
            target.form = QuantityForm(prefix=f"t{target.pk}") if allowed else None
        return {"project": self.project, "targets": targets, "can_record": allowed}


works_detail = login_required(WorksDetail.as_view())


@login_required
def quantity_create(request, pk: int):
    """Record an installed quantity against a target (the office or the project's liaison)."""
    visible = projects_visible_to(request.user).filter(category=KeyProject.Category.URBAN)
    target = get_object_or_404(
        targets_with_installed(
            WorkTarget.objects.filter(project__in=visible.order_by().values("pk"))
        ).select_related("project__org_unit"),
        pk=pk,
    )
    if not can_report(request.user, target.project):
        raise PermissionDenied
    _decorate(target)
    # The detail page prefixes each target's inline form; a direct form has no prefix.
    prefix = f"t{target.pk}" if f"t{target.pk}-quantity" in request.POST else None
    form = QuantityForm(request.POST or None, prefix=prefix)
    if request.method == "POST" and form.is_valid():
        try:
            entry = quantity_record(
                actor=request.user,
                target=target,
                recorded_on=form.cleaned_data["recorded_on"],
                quantity=form.cleaned_data["quantity"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_errors(form, error)
            mark_invalid(form)
        else:
            messages.success(
                request,
                _("已登记%(measure)s %(quantity)s%(unit)s。")
                % {
                    "measure": target.get_measure_display(),
                    "quantity": format_quantity(entry.quantity),
                    "unit": target.unit,
                },
            )
            return redirect("projects:works_detail", pk=target.project_id)
    return render(request, "projects/works_quantity_form.html", {"target": target, "form": form})
