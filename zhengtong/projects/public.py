"""The public progress page of the key projects (KP15): what residents may read, nothing more.

Only the fields in PUBLIC_FIELDS leave the building. Annual plans, monthly investment, funds,
problems and the people behind a project are internal and never reach these pages.
"""

from django import forms
from django.db.models import Count, OuterRef, Subquery, Sum
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from zhengtong.lib import listing
from zhengtong.lib.forms import StyledForm

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


class PublicFilterForm(StyledForm):
    """The year's list (read by lists.choose_list, which falls back on a bad year) and the
    stage; never a field that is not public."""

    year = forms.CharField(label="年度清单", required=False, widget=forms.Select)
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部"), *Stage.choices])

    def __init__(self, *args, choice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.choices = [
            (pl.year, f"{pl.year} 年") for pl in choice.lists
        ] or [("", "暂无")]
        if self.data.get("year") != str(choice.year):
            self.data = self.data.copy()
            self.data["year"] = str(choice.year)


def _progress_month(project) -> str | None:
    month = project.progress_month
    return f"{month.year}年{month.month}月" if month else None


class PublicProjectList(listing.ListPage):
    """The projects of one approved yearly list (`?year=`; see lists.choose_list), for anyone:
    only the columns of PUBLIC_FIELDS, no export (print only), no audit of a reader."""

    template_name = "projects/public_list.html"
    summary_template = "projects/_public_sums.html"
    filter_form = PublicFilterForm
    search_fields = ("name", "code")
    search_placeholder = "项目名称"
    default_sort = "code"
    empty_text = "该年度没有公开的重点项目。"
    columns = (
        listing.Column(
            "name",
            "项目名称",
            sort="name",
            link=lambda p: reverse("public_projects:project_detail", args=[p.code]),
            template="projects/_example_name_cell.html",
        ),
        listing.Column("stage", "阶段", "get_stage_display", sort="stage", nowrap=True),
        listing.Column("sector", "产业板块", "sector.name", phone=False),
        listing.Column("category", "类别", "get_category_display", phone=False),
        listing.Column("total_investment", "总投资", kind=listing.MONEY, sort="total_investment"),
        listing.Column(
            "physical_progress",
            "形象进度",
            kind=listing.PCT,
            template="projects/_public_progress_cell.html",
        ),
        listing.Column("progress_month", "进度截至", _progress_month, nowrap=True),
    )

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.choice = choose_list(request.GET.get("year"))

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"{self.choice.year} 年重点项目建设进展"

    def get_form_kwargs(self) -> dict:
        return {"choice": self.choice}

    def get_queryset(self):
        return public_projects().on_list(self.choice.year)

    def filter_queryset(self, queryset, data):
        if data.get("stage"):
            queryset = queryset.filter(stage=data["stage"])
        return queryset

    def get_context_data(self, queryset) -> dict:
        sums = queryset.order_by().aggregate(count=Count("pk"), total=Sum("total_investment"))
        return {"choice": self.choice, "year": self.choice.year, "sums": sums}


project_public_list = PublicProjectList.as_view()


def project_public_detail(request, code: str):
    project = get_object_or_404(public_projects(), code=code)
    milestones = Milestone.objects.filter(project=project).order_by("due_on")
    return render(
        request,
        "projects/public_detail.html",
        {"row": public_row(project), "milestones": milestones},
    )
