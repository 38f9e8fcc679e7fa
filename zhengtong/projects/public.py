"""The public progress page of the key projects (KP15): what residents may read, nothing more.

Only the fields in PUBLIC_FIELDS leave the building. Annual plans, monthly investment, funds,
problems and the people behind a project are internal and never reach these pages.
"""

from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, render

from .lists import choose_list
from .models import KeyProject, Milestone, ProgressReport, Stage

# The exact fields a resident sees of a project, in display order.
PUBLIC_FIELDS = (
    "code",
    "name",
    "sector",
    "category",
    "stage",
    "location",
    "description",
    "total_investment",
    "planned_start_on",
    "planned_finish_on",
    "actual_start_on",
    "actual_finish_on",
    "physical_progress",
    "progress_month",
    "is_example",
)


def public_projects():
    """Every project of the register except cancelled ones, with its latest 形象进度."""
    latest = ProgressReport.objects.filter(project=OuterRef("pk")).order_by("-month")
    return (
        KeyProject.objects.exclude(stage=Stage.CANCELLED)
        .select_related("sector")
        .annotate(
            physical_progress=Subquery(latest.values("physical_progress")[:1]),
            progress_month=Subquery(latest.values("month")[:1]),
        )
        .only(
            *[f for f in PUBLIC_FIELDS if f not in ("physical_progress", "progress_month")],
            "sector__name",
            "year",
        )
    )


def public_row(project: KeyProject) -> dict:
    """The public fields of one project as plain values (the page and its test share this)."""
    return {
        "code": project.code,
        "name": project.name,
        "sector": project.sector.name,
        "category": project.get_category_display(),
        "stage": project.get_stage_display(),
        "location": project.location,
        "description": project.description,
        "total_investment": project.total_investment,
        "planned_start_on": project.planned_start_on,
        "planned_finish_on": project.planned_finish_on,
        "actual_start_on": project.actual_start_on,
        "actual_finish_on": project.actual_finish_on,
        "physical_progress": project.physical_progress,
        "progress_month": project.progress_month,
        "is_example": project.is_example,
    }


def project_public_list(request):
    """The projects of one approved yearly list (`?year=`; see lists.choose_list)."""
    choice = choose_list(request.GET.get("year"))
    year = choice.year
    projects = public_projects().on_list(year).order_by("code")
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        projects = projects.filter(stage=stage)
    page = Paginator(projects, 25).get_page(request.GET.get("page"))
    rows = [public_row(p) | {"pk": p.pk} for p in page]
    return render(
        request,
        "projects/public_list.html",
        {
            "page": page,
            "rows": rows,
            "year": year,
            "choice": choice,
            "stage": stage,
            "stages": Stage.choices,
        },
    )


def project_public_detail(request, code: str):
    project = get_object_or_404(public_projects(), code=code)
    milestones = Milestone.objects.filter(project=project).order_by("due_on")
    return render(
        request,
        "projects/public_detail.html",
        {"row": public_row(project), "milestones": milestones},
    )
