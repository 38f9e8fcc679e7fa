"""Pages of the key-project register: list, my projects, detail, edits, reports, problems."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from zhengtong.accounts.permissions import may_open, role_required
from zhengtong.audit.history import change_rows
from zhengtong.audit.labels import action_label, actor_label
from zhengtong.audit.models import Event
from zhengtong.inbox.registry import deadline
from zhengtong.lib import listing, periods
from zhengtong.lib.display import show
from zhengtong.lib.forms import add_errors
from zhengtong.workdays import WorkCalendar

from . import actions, progress
from .due_dates import report_month
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
from .lists import ListChoice, choose_list
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
    problems_overdue_for_leader,
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


def _leader_names(project) -> str:
    return "、".join(str(link.user) for link in project.leader_links.all()) or "未指定"


def _completion(project):
    return progress.completion_pct(project.ytd_investment, project.annual_plan)


def _flag_label(project) -> str:
    return progress.FLAG_LABELS[project.flag]


PROJECT_NAME = listing.Column("name", "项目名称", sort="name", link=lambda p: p.get_absolute_url())
PROJECT_STAGE = listing.Column(
    "stage", "阶段", "get_stage_display", sort="stage", template="projects/_stage_cell.html"
)
ANNUAL_PLAN = listing.Column("annual_plan", "年度计划", kind=listing.MONEY, sort="annual_plan")
YTD = listing.Column("ytd_investment", "累计完成", kind=listing.MONEY, sort="ytd_investment")
COMPLETION = listing.Column("completion", "完成率", _completion, kind=listing.PCT)
FLAG = listing.Column("flag", "进度", _flag_label, template="projects/_flag_cell.html")


class YearListPage(listing.ListPage):
    """A list of projects of one approved yearly list (`?year=`, lists.choose_list), each
    with its YTD, completion and 超进度/正常/滞后 flag read at the list's as-of month."""

    choice: ListChoice
    year: int
    month: int

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        today = timezone.localdate()
        self.choice = choose_list(request.GET.get("year"), today=today)
        self.year, self.month = as_of_for_year(self.choice.year, today)

    def projects(self):
        raise NotImplementedError

    def get_queryset(self):
        rows = with_flag(self.projects().on_list(self.year), year=self.year, month=self.month)
        return rows.select_related("sector", "org_unit").prefetch_related(_leaders_prefetch())

    def get_context_data(self, queryset) -> dict:
        return {
            "choice": self.choice,
            "year": self.year,
            "month": self.month,
            "rule_text": progress.rule_text(),
        }


class ProjectList(YearListPage):
    """The register: class counts, filters, totals computed in the database, 25 rows a page,
    and the filtered rows as a workbook (not the ledger import format: that is 导出台账)."""

    title = "重点项目"
    template_name = "projects/project_list.html"
    summary_template = "projects/_project_sums.html"
    filter_form = ProjectFilterForm
    search_fields = ("name", "code")
    search_placeholder = "项目名称或编号"
    default_sort = "code"
    export_name = "重点项目"
    empty_text = "没有符合条件的项目。"
    columns = (
        listing.Column("code", "编号", sort="code", nowrap=True, phone=False),
        PROJECT_NAME,
        PROJECT_STAGE,
        listing.Column("sector", "产业板块", "sector.name", phone=False),
        listing.Column("org_unit", "项目单位", "org_unit.name", phone=False),
        listing.Column("leaders", "帮包领导", _leader_names, phone=False),
        listing.Column(
            "total_investment", "总投资", kind=listing.MONEY, sort="total_investment", phone=False
        ),
        ANNUAL_PLAN,
        YTD,
        COMPLETION,
        FLAG,
    )

    def projects(self):
        return projects_visible_to(self.request.user)

    def get_form_kwargs(self) -> dict:
        return {"user": self.request.user, "choice": self.choice}

    def filter_queryset(self, queryset, data):
        queryset = self.form.filter(queryset)  # type: ignore[attr-defined]
        # The class pills count every class of the otherwise filtered rows.
        self.unclassed = queryset
        if stage_class := data.get("stage_class"):
            queryset = queryset.filter(stage__in=_stages_of(stage_class))
        return queryset

    def get_context_data(self, queryset) -> dict:
        context = super().get_context_data(queryset)
        unclassed = getattr(self, "unclassed", queryset)
        stage_class = self.form.cleaned_data.get("stage_class", "") if self.form.is_valid() else ""
        class_q = Q(stage__in=_stages_of(stage_class)) if stage_class else None
        figures = unclassed.order_by().aggregate(
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
        params = self.request.GET.copy()
        for name in ("stage_class", "page", "export", "print"):
            params.pop(name, None)
        base = params.urlencode()
        classes = [
            {
                "value": value,
                "label": label,
                "count": figures[f"count_{value}"],
                "url": "?" + "&".join(p for p in (base, f"stage_class={value}") if p),
            }
            for value, label in CLASS_CHOICES
        ]
        context.update(
            figures=figures,
            classes=classes,
            stage_class=stage_class,
            all_url=f"?{base}",
            can_manage=can_manage_projects(self.request.user),
        )
        return context


project_list = role_required(*VIEW_ROLES)(ProjectList.as_view())


class MyProjects(YearListPage):
    """A leader's 帮包 projects with their flags, and their overdue or escalated problems."""

    title = "我帮包的项目"
    template_name = "projects/my_projects.html"
    default_sort = "code"
    empty_text = "您目前没有帮包的项目。"
    export_name = "我帮包的项目"
    columns = (
        PROJECT_NAME,
        PROJECT_STAGE,
        listing.Column("org_unit", "项目单位", "org_unit.name", phone=False),
        ANNUAL_PLAN,
        YTD,
        COMPLETION,
        FLAG,
        listing.Column("code", "编号", sort="code", wide_only=True),
    )

    def projects(self):
        return projects_led_by(self.request.user)

    def get_context_data(self, queryset) -> dict:
        context = super().get_context_data(queryset)
        today = timezone.localdate()
        problems = list(problems_overdue_for_leader(self.request.user, today=today))
        _set_deadlines(problems, today=today)
        context["problems"] = problems
        return context


my_projects = role_required("leader")(MyProjects.as_view())


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
    reports = list(
        project.reports.select_related("submitted_by", "checked_by")
        .prefetch_related("photos")
        .order_by("month")
    )
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


def _change_rows(event) -> list[tuple]:
    return [
        (row["label"], row["old"], row["new"])
        for row in change_rows(event)
        if row["old"] is not None or row["new"] is not None
    ]


def _change_text(event) -> str:
    """The changes in one line (the workbook's text); kept on the event as rows too, for the
    cell template."""
    event.change_rows = _change_rows(event)
    return ";".join(f"{label}:{show(old)} → {show(new)}" for label, old, new in event.change_rows)


class ProjectHistory(listing.ListPage):
    """The change history of a project, read from the audit log (there is no second table)."""

    template_name = "projects/project_history.html"
    default_sort = "-created_at"
    tie_breaker = "-id"
    search_fields = ("reason",)
    search_label = "理由"
    empty_text = "暂无变更记录。"
    export_name = "项目变更历史"
    columns = (
        listing.Column("created_at", "时间", kind=listing.DATETIME, sort="created_at"),
        listing.Column("action", "变更", lambda e: action_label(e.action), nowrap=True),
        listing.Column("actor", "操作人", actor_label),
        listing.Column("reason", "理由"),
        listing.Column(
            "changes", "原值 → 新值", _change_text, template="projects/_changes_cell.html"
        ),
    )

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"变更历史:{self.project.name}"

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.project = get_project_for_user(request.user, kwargs["pk"])

    def get_queryset(self):
        return Event.objects.filter(
            target_type=KeyProject._meta.label_lower, target_id=str(self.project.pk)
        ).select_related("actor")

    def get_context_data(self, queryset) -> dict:
        return {"project": self.project}


project_history = login_required(ProjectHistory.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    if not can_report(request.user, project):
        raise PermissionDenied
    # The month owed (December's in January), which the liaison's 我的待办 links here for.
    form = ReportForm(request.POST or None, initial={"month": _asked_month(request)})
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


def _asked_month(request: HttpRequest):
    """The month 我的待办 links for (?month=2026-11), else the month owed today."""
    owed = report_month(timezone.localdate())
    try:
        period = periods.parse_month(request.GET.get("month"))
    except periods.PeriodError:
        return owed
    if period is None or period.start > timezone.localdate().replace(day=1):
        return owed
    return period.start


@login_required
@require_POST
def report_check(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """The office marks one filed report as checked, with an optional note (审核意见)."""
    project = get_project_for_user(request.user, pk)
    report = get_object_or_404(project.reports, pk=report_pk)
    try:
        actions.report_check(actor=request.user, report=report, note=request.POST.get("note", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{report.month.year}年{report.month.month}月月报已审核。")
    return redirect(project.get_absolute_url() + "#reports")


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


class ProblemList(listing.ListPage):
    """The 问题台账 across the projects (and owning units) the user can see, each with the
    inbox's countdown."""

    title = "问题台账"
    template_name = "projects/problem_list.html"
    filter_form = ProblemFilterForm
    search_fields = ("title", "project__name")
    search_placeholder = "问题或项目名称"
    ordering = ("status", "due_on")
    export_name = "问题台账"
    empty_text = "没有符合条件的问题。"

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        # One calendar and one today for the page: the holidays load once, whatever the rows.
        today = timezone.localdate()
        calendar = WorkCalendar()

        def countdown(problem) -> str:
            # Kept on the row too: the cell template draws the badge from it.
            problem.deadline = deadline(
                problem.due_on, done=not problem.is_open, today=today, calendar=calendar
            )
            return _deadline_text(problem.deadline)

        self.today = today
        # This page's columns count down on one request's calendar, so they are made per request.
        self.page_columns = (
            listing.Column(
                "title", "问题", link=lambda p: p.get_absolute_url(),
                template="projects/_problem_title_cell.html",
            ),
            listing.Column("project", "项目", "project.name"),
            listing.Column("owning_unit", "责任单位", "owning_unit.name", phone=False),
            listing.Column("raised_on", "提出日期", kind=listing.DATE, sort="raised_on", phone=False),
            listing.Column(
                "due_on", "办结期限", kind=listing.DATE, sort="due_on",
                template="projects/_due_cell.html",
            ),
            listing.Column("deadline", "剩余", countdown, template="projects/_deadline_cell.html"),
            listing.Column("status", "状态", "get_status_display", sort="status"),
        )  # fmt: skip

    def get_form_kwargs(self) -> dict:
        user = self.request.user
        return {"problems": problems_visible_to(user), "projects": projects_visible_to(user)}

    def get_queryset(self):
        return problems_visible_to(self.request.user).select_related("project", "owning_unit")

    def filter_queryset(self, queryset, data):
        return self.form.filter(queryset, today=self.today)  # type: ignore[attr-defined]


def _deadline_text(countdown) -> str:
    if countdown.state == "done":
        return "已办结"
    if countdown.state == "unknown":
        return countdown.message
    if countdown.state == "overdue":
        return f"超期 {countdown.days} 个工作日"
    return f"剩 {countdown.days} 个工作日"


problem_list = role_required(*VIEW_ROLES, *MEMBER_ROLES)(ProblemList.as_view())


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
