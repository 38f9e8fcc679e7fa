"""Pages of the key-project register: list, my projects, detail, edits, reports, problems."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhengtong.accounts.permissions import may_open, role_required
from zhengtong.audit.history import change_rows
from zhengtong.audit.labels import action_label
from zhengtong.audit.models import Event
from zhengtong.inbox.registry import deadline
from zhengtong.lib.forms import add_errors
from zhengtong.lib.http import AuthenticatedHttpRequest, HtmxHttpRequest
from zhengtong.workdays import WorkCalendar

from . import actions, progress
from .forms import (
    CLASS_CHOICES,
    LeadersForm,
    MilestoneForm,
    ProblemFilterForm,
    ProblemForm,
    ProjectFilterForm,
    ProjectForm,
    ReportForm,
    ResolveForm,
    StageForm,
)
from .lists import choose_list
from .models import STAGE_CLASS, KeyProject, Milestone, Problem, ProjectLeader, Stage
from .selectors import (
    MANAGE_ROLES,
    MEMBER_ROLES,
    VIEW_ROLES,
    as_of_for_year,
    can_manage_project,
    can_manage_projects,
    can_report,
    can_resolve_problem,
    get_problem_for_user,
    get_project_for_user,
    is_project_leader,
    problems_visible_to,
    projects_led_by,
    projects_visible_to,
    with_flag,
)

PAGE_SIZE = 25


def _set_deadlines(problems, *, today) -> None:
    """Attach `deadline` (the inbox's one countdown rule) to each problem.

    One calendar for the page, so the holidays are loaded once whatever the row count.
    """
    calendar = WorkCalendar()
    for problem in problems:
        problem.deadline = deadline(
            problem.due_on, done=not problem.is_open, today=today, calendar=calendar
        )


def _leaders_prefetch() -> Prefetch:
    return Prefetch(
        "leader_links",
        queryset=ProjectLeader.objects.select_related("user").order_by("user__username"),
    )


def _stages_of(stage_class: str) -> list[str]:
    return [s.value for s, c in STAGE_CLASS.items() if c == stage_class]


def _decorate(projects) -> None:
    """Completion % and flag label on rows annotated by selectors.with_flag()."""
    for project in projects:
        project.completion = progress.completion_pct(project.ytd_investment, project.annual_plan)
        project.flag_label = progress.FLAG_LABELS[project.flag]


@login_required
@role_required(*VIEW_ROLES)
def project_list(request: HtmxHttpRequest) -> HttpResponse:
    """The register: class counts, filters, totals computed in the database, 25 rows a page."""
    today = timezone.localdate()
    choice = choose_list(request.GET.get("year"), today=today)
    form = ProjectFilterForm(request.GET, user=request.user, choice=choice)
    data = form.cleaned_data if form.is_valid() else {}
    year, month = as_of_for_year(choice.year, today)
    projects = form.filter(
        with_flag(projects_visible_to(request.user).on_list(year), year=year, month=month)
    )
    stage_class = data.get("stage_class") or ""
    class_q = Q(stage__in=_stages_of(stage_class)) if stage_class else None
    figures = projects.aggregate(
        **{
            f"count_{value}": Count("pk", filter=Q(stage__in=_stages_of(value)))
            for value, _ in CLASS_CHOICES
        },
        count_all=Count("pk"),
        # Aliases differ from the annotations: an aggregate named like one would shadow it.
        sum_total=Sum("total_investment", filter=class_q),
        sum_plan=Sum("annual_plan", filter=class_q),
        sum_ytd=Sum("ytd_investment", filter=class_q),
    )
    if class_q is not None:
        projects = projects.filter(class_q)
    rows = projects.select_related("sector", "org_unit").prefetch_related(_leaders_prefetch())
    page = Paginator(rows.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate(page.object_list)
    classes = [
        {"value": value, "label": label, "count": figures[f"count_{value}"]}
        for value, label in CLASS_CHOICES
    ]
    context = {
        "form": form,
        "page": page,
        "year": year,
        "month": month,
        "choice": choice,
        "classes": classes,
        "stage_class": stage_class,
        "figures": figures,
        "rule_text": progress.rule_text(),
        "can_manage": can_manage_projects(request.user),
    }
    template = "projects/project_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
@role_required("leader")
def my_projects(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A leader's 帮包 projects with their flags, and their overdue or escalated problems."""
    today = timezone.localdate()
    choice = choose_list(request.GET.get("year"), today=today)
    year, month = as_of_for_year(choice.year, today)
    projects = list(
        with_flag(projects_led_by(request.user).on_list(year), year=year, month=month)
        .select_related("sector", "org_unit")
        .order_by("code")
    )
    _decorate(projects)
    problems = list(
        Problem.objects.filter(project__leader_links__user=request.user, status=Problem.Status.OPEN)
        .filter(Q(due_on__lt=today) | Q(escalated_at__isnull=False))
        .select_related("project", "owning_unit")
        .order_by("due_on", "pk")
    )
    _set_deadlines(problems, today=today)
    context = {
        "projects": projects,
        "problems": problems,
        "year": year,
        "month": month,
        "choice": choice,
        "rule_text": progress.rule_text(),
    }
    return render(request, "projects/my_projects.html", context)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, latest_entry=True)
    today = timezone.localdate()
    year, month = as_of_for_year(project.list_year or project.year, today)
    figures = None
    if project.annual_plan is not None:
        figures = progress.progress_of(project, year=year, month=month)
    entries = list(
        project.list_entries.select_related("project_list").order_by("-project_list__year")
    )
    leaders = list(project.leader_links.select_related("user").order_by("user__username"))
    reports = list(project.reports.prefetch_related("photos").order_by("month"))
    running: dict[int, Decimal] = {}
    for report in reports:
        # YTD is derived: the running sum of the monthly figures within each year.
        running[report.month.year] = running.get(report.month.year, Decimal(0)) + report.investment
        report.ytd = running[report.month.year]
    reports.reverse()
    problems = list(
        project.problems.filter(status=Problem.Status.OPEN)
        .select_related("owning_unit")
        .order_by("due_on", "pk")
    )
    _set_deadlines(problems, today=today)
    allocations = list(
        project.fund_allocations.select_related("fund").annotate(
            disbursed=Sum("disbursements__amount")
        )
    )
    targets = list(project.targets.annotate(done=Sum("entries__quantity")))
    context = {
        "project": project,
        "entries": entries,
        "figures": figures,
        "rule_text": progress.rule_text(),
        "leaders": leaders,
        "reports": reports,
        "milestones": list(project.milestones.order_by("due_on")),
        "problems": problems,
        "allocations": allocations,
        # A liaison sees what the project was given, not the fund's other projects.
        "can_open_funds": may_open(request.user, "projects:fund_list"),
        "targets": targets,
        "can_manage": can_manage_project(request.user, project),
        "can_report": can_report(request.user, project) and project.stage != Stage.CANCELLED,
    }
    return render(request, "projects/project_detail.html", context)


def _managed_project(request: HttpRequest, pk: int) -> KeyProject:
    project = get_project_for_user(request.user, pk)
    if not can_manage_project(request.user, project):
        raise PermissionDenied
    return project


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.changed_register_fields()
        try:
            project = actions.project_create(
                actor=request.user, stage=form.cleaned_data["stage"], **fields
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记项目“{project.name}”。")
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    form = ProjectForm(request.POST or None, user=request.user, instance=project)
    if request.method == "POST" and form.is_valid():
        changed = form.changed_register_fields()
        try:
            actions.project_update(
                actor=request.user,
                project=project,
                reason=form.cleaned_data.get("reason", ""),
                **changed,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if changed:
                messages.success(request, "项目信息已保存,变更已记入历史。")
            else:
                messages.info(request, "没有需要保存的修改。")
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
@require_http_methods(["GET", "POST"])
def project_stage(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    form = StageForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.project_set_stage(
                actor=request.user,
                project=project,
                stage=form.cleaned_data["stage"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"项目阶段已变更为“{project.get_stage_display()}”。")
            return redirect(project)
    return render(request, "projects/project_stage.html", {"form": form, "project": project})


@login_required
@require_http_methods(["GET", "POST"])
def project_leaders(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    form = LeadersForm(request.POST or None, project=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.project_set_leaders(
                actor=request.user,
                project=project,
                leaders=list(form.cleaned_data["leaders"]),
                responsible_unit=form.cleaned_data["responsible_unit"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "帮包领导已保存。")
            return redirect(project)
    return render(request, "projects/project_leaders.html", {"form": form, "project": project})


@login_required
def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The change history of a project, read from the audit log (there is no second table)."""
    project = get_project_for_user(request.user, pk)
    events = Event.objects.filter(
        target_type=KeyProject._meta.label_lower, target_id=str(project.pk)
    ).order_by("-created_at", "-id")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.label = action_label(event.action)
        event.rows = [
            (row["label"], row["old"], row["new"])
            for row in change_rows(event)
            if row["old"] is not None or row["new"] is not None
        ]
    return render(request, "projects/project_history.html", {"project": project, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    if not can_report(request.user, project):
        raise PermissionDenied
    year, month = progress.default_as_of()
    form = ReportForm(request.POST or None, initial={"month": progress.month_start(year, month)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.report_submit(
                actor=request.user,
                project=project,
                photos=request.FILES.getlist("photos"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "月报已提交。")
            return redirect(project)
    photo_errors = form.errors.get("__all__") if form.errors else None
    context = {"form": form, "project": project, "photo_errors": photo_errors}
    return render(request, "projects/report_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    milestones = {m.code: m for m in project.milestones.all()}
    code = request.POST.get("code") or request.GET.get("code") or Milestone.Code.APPROVAL
    existing = milestones.get(code)
    initial: dict[str, Any] = {"code": code}
    if existing:
        initial.update(due_on=existing.due_on, met_on=existing.met_on, note=existing.note)
    form = MilestoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            milestone = actions.milestone_set(
                actor=request.user, project=project, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"节点“{milestone.get_code_display()}”已保存。")
            return redirect(project)
    context = {
        "form": form,
        "project": project,
        "milestones": sorted(milestones.values(), key=lambda m: m.due_on),
    }
    return render(request, "projects/milestone_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def problem_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    if not can_report(request.user, project):
        raise PermissionDenied
    form = ProblemForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            problem = actions.problem_raise(
                actor=request.user, project=project, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"问题已登记,办结期限 {problem.due_on:%Y-%m-%d}。")
            return redirect(problem)
    return render(request, "projects/problem_form.html", {"form": form, "project": project})


@login_required
@role_required(*VIEW_ROLES, *MEMBER_ROLES)
def problem_list(request: HtmxHttpRequest) -> HttpResponse:
    """The 问题台账 across the projects (and owning units) the user can see."""
    today = timezone.localdate()
    visible = problems_visible_to(request.user)
    form = ProblemFilterForm(
        request.GET, problems=visible, projects=projects_visible_to(request.user)
    )
    problems = form.filter(visible, today=today).select_related("project", "owning_unit")
    page = Paginator(problems.order_by("status", "due_on", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _set_deadlines(page.object_list, today=today)
    template = "projects/problem_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"form": form, "page": page})


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request.user, pk)
    _set_deadlines([problem], today=timezone.localdate())
    may_resolve = problem.is_open and can_resolve_problem(request.user, problem)
    context = {
        "problem": problem,
        "form": ResolveForm() if may_resolve else None,
        "is_leader": is_project_leader(request.user, problem.project),
        # A department asked to solve a problem sees the problem, not always its project.
        "can_see_project": projects_visible_to(request.user).filter(pk=problem.project_id).exists(),
    }
    return render(request, "projects/problem_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def problem_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request.user, pk)
    if not can_resolve_problem(request.user, problem):
        raise PermissionDenied
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.problem_resolve(
                actor=request.user,
                problem=problem,
                resolution_note=form.cleaned_data["resolution_note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "问题已办结。")
            return redirect(problem)
    _set_deadlines([problem], today=timezone.localdate())
    return render(
        request,
        "projects/problem_detail.html",
        {"problem": problem, "form": form, "is_leader": False},
    )
