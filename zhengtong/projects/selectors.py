"""Reads of key projects shared by several views, and the access checks that guard them."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Round
from django.http import Http404
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import can_act_in, has_role, scope, scope_q

from . import progress

_QS = TypeVar("_QS", bound=QuerySet[Any, Any])

if TYPE_CHECKING:
    from .models import KeyProject, KeyProjectQuerySet, Problem

VIEW_ROLES = [Role.LEADER, Role.PROJECT_OFFICE, Role.LIAISON]
MANAGE_ROLES = [Role.PROJECT_OFFICE]
# Who files monthly reports and raises problems: the office, or the project unit's liaison.
REPORT_ROLES = [Role.LIAISON, Role.PROJECT_OFFICE]
# Roles that make a user "a member" of a problem's owning unit. Leaders are not: a zone leader
# owns a problem only as a 帮包 leader of its project; the office has its own rule; auditors
# and admins never own one.
MEMBER_ROLES = [
    Role.LIAISON,
    Role.DEPT_CLERK,
    Role.WINDOW_CLERK,
    Role.VILLAGE_WORKER,
]


def projects_visible_to(user, queryset: "KeyProjectQuerySet | None" = None) -> "KeyProjectQuerySet":
    """Leaders and the key-project office see their zone; a liaison sees their unit's projects."""
    from .models import KeyProject

    qs = queryset if queryset is not None else KeyProject.objects.all()
    return scope(qs, user, VIEW_ROLES)


def get_project_for_user(user, pk, *, latest_entry: bool = False) -> "KeyProject":
    """The project if `user` may see it; 404 otherwise, whether it exists or not.

    `latest_entry` annotates the plan and year of the latest approved list it is on.
    """
    from .models import KeyProject

    qs = KeyProject.objects.with_latest_entry() if latest_entry else None
    try:
        return projects_visible_to(user, qs).get(pk=pk)
    except (KeyProject.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_manage_projects(user) -> bool:
    return has_role(user, *MANAGE_ROLES)


def can_manage_project(user, project) -> bool:
    """Edit the register, stage, leaders and milestones of this project: the office over it."""
    return can_act_in(user, project.org_unit, MANAGE_ROLES)


def can_report(user, project) -> bool:
    """File a monthly report or raise a problem: the office, or the project unit's liaison."""
    return can_act_in(user, project.org_unit, REPORT_ROLES)


def is_project_leader(user, project) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return project.leader_links.filter(user=user).exists()


def can_resolve_problem(user, problem) -> bool:
    """The office, a 帮包 leader of the project, or a member of the owning unit."""
    project = problem.project
    return (
        can_act_in(user, project.org_unit, MANAGE_ROLES)
        or can_act_in(user, problem.owning_unit, MEMBER_ROLES)
        or is_project_leader(user, project)
    )


def leader_candidates(org_unit) -> QuerySet:
    """Users who hold 区领导 in `org_unit` or a unit above it: who may lead its projects."""
    from zhengtong.accounts.models import User

    parts = [p for p in org_unit.path.split("/") if p]
    prefixes = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.LEADER,
            memberships__org_unit__path__in=prefixes,
        )
        .distinct()
        .order_by("username")
    )


def leaders_of_visible(user) -> QuerySet:
    """The 帮包 leaders of the projects `user` can see (choices of the list filter)."""
    from zhengtong.accounts.models import User

    return (
        User.objects.filter(led_projects__in=projects_visible_to(user))
        .distinct()
        .order_by("username")
    )


def projects_led_by(user) -> "KeyProjectQuerySet":
    """Exactly the projects `user` is a 帮包 leader of."""
    from .models import KeyProject

    return KeyProject.objects.filter(leader_links__user=user)


def as_of_for_year(year: int, today=None) -> tuple[int, int]:
    """The month the figures of a `year` plan are read at: December of a past year, January of
    a year not begun, else the due month (`progress.default_as_of`) — and December once a
    December report of the year's list is in.

    Reports for month M are filed early in month M+1, so a report filed early for the current
    month waits until it is due. December is the exception: the office files December's
    reports before the year closes, and on 31 December the due month is still November. Such a
    report is read at once, as the public page shows it (one query, in December only).
    """
    from .models import ProgressReport, ProjectList

    today = today or timezone.localdate()
    due_year, due_month = progress.default_as_of(today)
    if year < due_year:
        return year, 12
    if year > due_year:
        return year, 1
    if today.month == 12 and today.year == year:
        december = ProgressReport.objects.filter(
            month=progress.month_start(year, 12),
            project__list_entries__project_list__year=year,
            project__list_entries__project_list__status=ProjectList.Status.APPROVED,
        )
        if december.exists():
            return year, 12
    return due_year, due_month


def with_flag(queryset: _QS, *, year: int, month: int) -> _QS:
    """Annotate `ytd_investment`, `cumulative_plan` and `flag` (ahead/on_track/behind) in the DB.

    The same rule as progress.flag(): the plan to month m is annual plan × m / 12 rounded to the
    fen, ahead when actual ≥ plan, behind when actual < plan × (1 − tolerance).
    """
    money = progress.MONEY_OUT
    keep = Value(Decimal(1) - progress.tolerance(), output_field=money)
    qs = progress.with_ytd(queryset, year=year, month=month).annotate(
        cumulative_plan=Round(F("annual_plan") * Value(month) / Value(12), 2, output_field=money)
    )
    return qs.annotate(
        flag=Case(
            When(ytd_investment__gte=F("cumulative_plan"), then=Value(progress.AHEAD)),
            When(
                ytd_investment__lt=F("cumulative_plan") * keep,
                then=Value(progress.BEHIND),
            ),
            default=Value(progress.ON_TRACK),
            output_field=CharField(),
        )
    )


def problems_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Problems of the projects `user` can see, plus those owned by the user's own units."""
    from .models import Problem

    qs = queryset if queryset is not None else Problem.objects.all()
    return qs.filter(
        scope_q(user, VIEW_ROLES, via="project__org_unit")
        | scope_q(user, MEMBER_ROLES, via="owning_unit")
    )


def get_problem_for_user(user, pk) -> "Problem":
    from .models import Problem

    try:
        return problems_visible_to(user).select_related("project", "owning_unit").get(pk=pk)
    except (ValueError, TypeError, Problem.DoesNotExist):
        raise Http404 from None


def problems_overdue_for_leader(user, *, today) -> QuerySet:
    """Open problems of the projects `user` leads that are overdue or escalated (my projects)."""
    from .models import Problem

    return (
        Problem.objects.filter(project__leader_links__user=user, status=Problem.Status.OPEN)
        .filter(Q(due_on__lt=today) | Q(escalated_at__isnull=False))
        .select_related("project", "owning_unit")
        .order_by("due_on", "pk")
    )


def problems_for_inbox(user) -> QuerySet:
    """Open problems `user` owns: as a 帮包 leader, as the office over the project, or as a
    member of the owning unit."""
    from .models import Problem

    if not getattr(user, "is_authenticated", False):
        return Problem.objects.none()
    return (
        Problem.objects.filter(status=Problem.Status.OPEN)
        .filter(
            Q(project__leader_links__user=user)
            | scope_q(user, MANAGE_ROLES, via="project__org_unit")
            | scope_q(user, MEMBER_ROLES, via="owning_unit")
        )
        .select_related("project")
        .distinct()
        .order_by("due_on", "pk")
    )


def reports_owed_by(user, month) -> "KeyProjectQuerySet":
    """The projects whose report for `month` the user owes as their unit's liaison and has not
    filed: those on the approved list of the month's year that are neither completed nor
    cancelled (one query). The office may file too, but owes none: the liaison does."""
    from .models import KeyProject, ProgressReport, Stage

    if not getattr(user, "is_authenticated", False):
        return KeyProject.objects.none()
    filed = ProgressReport.objects.filter(project=OuterRef("pk"), month=month)
    return (
        scope(KeyProject.objects.on_list(month.year), user, [Role.LIAISON])
        .exclude(stage__in=[Stage.COMPLETED, Stage.CANCELLED])
        .exclude(Exists(filed))
        .order_by("code")
    )


def reports_to_check(user):
    """Filed reports of the projects the user's office manages that nobody has checked yet,
    oldest first (one query)."""
    from .models import KeyProject, ProgressReport

    if not getattr(user, "is_authenticated", False):
        return ProgressReport.objects.none()
    managed = scope(KeyProject.objects.all(), user, MANAGE_ROLES).order_by().values("pk")
    return (
        ProgressReport.objects.filter(checked_at__isnull=True, project__in=managed)
        .select_related("project")
        .order_by("created_at", "pk")
    )


# Approving a yearly list is the key-project office's decision, not system configuration: the
# system administrator, who by design sees no business data, has no part in it.
LIST_ROLES = [Role.PROJECT_OFFICE]


def can_manage_lists(user) -> bool:
    """Propose, edit and approve the yearly lists: the key-project office."""
    return has_role(user, *LIST_ROLES)


def projects_for_lists(user) -> "KeyProjectQuerySet":
    """The projects a list manager works with: those of the office's zone."""
    return projects_visible_to(user)


def programmes_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Relocation programmes kept by the units the user sees key projects of."""
    from .models import RelocationProgramme

    qs = queryset if queryset is not None else RelocationProgramme.objects.all()
    return scope(qs, user, VIEW_ROLES)


def get_programme_for_user(user, pk) -> Any:
    """The relocation programme if `user` may see it; 404 otherwise, whether it exists or not."""
    from .models import RelocationProgramme

    try:
        return programmes_visible_to(user).select_related("org_unit", "project").get(pk=pk)
    except (RelocationProgramme.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_record_relocation(user, programme) -> bool:
    """Record or correct progress: the office, or a liaison of the keeping unit."""
    return can_act_in(user, programme.org_unit, REPORT_ROLES)


# 招商引资: the zone's leaders and the key-project office see the leads; the office keeps them.
LEAD_VIEW_ROLES = [Role.LEADER, Role.PROJECT_OFFICE]
LEAD_MANAGE_ROLES = [Role.PROJECT_OFFICE]
# Who may be a lead's 招商责任人: a leader, the office or a department official of the zone.
LEAD_OWNER_ROLES = [Role.LEADER, Role.PROJECT_OFFICE, Role.DEPT_CLERK]


def leads_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    from .models import InvestmentLead

    qs = queryset if queryset is not None else InvestmentLead.objects.all()
    return scope(qs, user, LEAD_VIEW_ROLES)


def get_lead_for_user(user, pk):
    """The lead if `user` may see it; 404 otherwise, whether it exists or not."""
    from .models import InvestmentLead

    try:
        return (
            leads_visible_to(user)
            .select_related("sector", "owner", "org_unit", "project", "created_by")
            .get(pk=pk)
        )
    except (InvestmentLead.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_manage_leads(user) -> bool:
    return has_role(user, *LEAD_MANAGE_ROLES)


def can_manage_lead(user, lead) -> bool:
    return can_act_in(user, lead.org_unit, LEAD_MANAGE_ROLES)


def lead_owner_candidates(org_unit) -> QuerySet:
    """Users who may answer for a lead kept by `org_unit`: its leaders, office and department
    officials, in the unit, under it, or in a unit above it."""
    from zhengtong.accounts.models import User

    parts = [p for p in org_unit.path.split("/") if p]
    above = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return (
        User.objects.filter(is_active=True, memberships__role__in=LEAD_OWNER_ROLES)
        .filter(
            Q(memberships__org_unit__path__in=above)
            | Q(memberships__org_unit__path__startswith=org_unit.path)
        )
        .distinct()
        .order_by("username")
    )


def project_fund_support(project) -> QuerySet:
    """The guidance-fund allocations of `project`, each with `disbursed` (Σ its disbursements,
    0 when none) and its disbursements prefetched: what the project received from the funds."""
    from django.db.models import DecimalField, Prefetch, Sum
    from django.db.models.functions import Coalesce

    from .models import Disbursement, FundAllocation

    money = DecimalField(max_digits=18, decimal_places=2)
    return (
        FundAllocation.objects.filter(project=project)
        .select_related("fund")
        .annotate(
            disbursed=Coalesce(
                Sum("disbursements__amount"),
                Value(Decimal("0"), output_field=money),
                output_field=money,
            )
        )
        .prefetch_related(
            Prefetch("disbursements", queryset=Disbursement.objects.order_by("paid_on", "id"))
        )
        .order_by("fund__code")
    )


def lead_totals(queryset) -> dict:
    """Count and Σ intended investment (元) per current stage of `queryset`, and how many
    leads ever reached 签约, 落地 and 转为重点项目 (the funnel): one query of the database."""
    from django.db.models import Aggregate, Count, Sum

    from .models import LeadStage

    aggregates: dict[str, Aggregate] = {}
    for stage in LeadStage:
        aggregates[f"{stage.value}_count"] = Count("pk", filter=Q(stage=stage))
        aggregates[f"{stage.value}_amount"] = Sum("intended_investment", filter=Q(stage=stage))
    aggregates["total_count"] = Count("pk")
    aggregates["total_amount"] = Sum("intended_investment")
    aggregates["reached_signed"] = Count("pk", filter=Q(signed_on__isnull=False))
    aggregates["reached_landed"] = Count("pk", filter=Q(landed_on__isnull=False))
    aggregates["reached_converted"] = Count("pk", filter=Q(project__isnull=False))
    row = queryset.order_by().aggregate(**aggregates)
    return {k: (v if v is not None else Decimal("0")) for k, v in row.items()}
