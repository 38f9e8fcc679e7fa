"""City works (城建工程): physical targets, installed quantities and the lighting programme.

Everything is read through projects_visible_to(). The key-project office and the project's
liaison record quantities; leaders read.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import DecimalField, Exists, OuterRef, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.accounts.permissions import role_required
from zhengtong.lib.forms import StyledForm, add_errors, mark_invalid
from zhengtong.lib.money import percent

from .actions.works import format_quantity, quantity_record
from .models import KeyProject, WorkQuantity, WorkTarget
from .selectors import VIEW_ROLES, can_report, get_project_for_user, projects_visible_to
from .views_funds import date_field

LAMPS = [WorkTarget.Measure.LAMP_NEW, WorkTarget.Measure.LAMP_RENOVATED]
QTY = DecimalField(max_digits=14, decimal_places=2)
PER_PAGE = 50


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


@login_required
@role_required(*VIEW_ROLES)
def works_list(request):
    """Every visible 城建 project with targets, their progress, and the lighting programme."""
    projects = projects_visible_to(request.user).filter(category=KeyProject.Category.URBAN)
    with_targets = projects.filter(Exists(WorkTarget.objects.filter(project=OuterRef("pk"))))
    page = Paginator(with_targets.order_by("code"), PER_PAGE).get_page(request.GET.get("page"))
    by_project: dict[int, list] = {p.pk: [] for p in page}
    targets = targets_with_installed(WorkTarget.objects.filter(project__in=list(by_project)))
    for target in targets.order_by("project", "measure"):
        by_project[target.project_id].append(_decorate(target))
    for project in page:
        project.target_rows = by_project[project.pk]
    context = {
        "page": page,
        "lighting": lighting_programme(projects.order_by().values("pk")),
    }
    return render(request, "projects/works_list.html", context)


@login_required
def works_detail(request, pk: int):
    """One city work: its targets with progress, the entries, and the form to record more."""
    project = get_project_for_user(request.user, pk)
    if project.category != KeyProject.Category.URBAN:
        raise Http404
    targets = [
        _decorate(t)
        for t in targets_with_installed(WorkTarget.objects.filter(project=project)).order_by(
            "measure"
        )
    ]
    entries = (
        WorkQuantity.objects.filter(target__project=project)
        .select_related("target", "created_by")
        .order_by("-recorded_on", "-id")
    )
    allowed = can_report(request.user, project)
    for target in targets:
        target.form = QuantityForm(prefix=f"t{target.pk}") if allowed else None
    context = {
        "project": project,
        "targets": targets,
        "page": Paginator(entries, PER_PAGE).get_page(request.GET.get("page")),
        "can_record": allowed,
    }
    return render(request, "projects/works_detail.html", context)


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
