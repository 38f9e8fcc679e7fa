"""Who sees and who changes the livelihood ledgers: the one door for every livelihood view.

Rows carry `org_unit` = the department that keeps them (社会事业局). A 部门经办 sees and changes
the rows of their own department; a 区领导 reads everything below the zone and changes nothing.
Not visible → 404; visible but not allowed to change → 403. The doors to rows about a named
resident (employment, loan, training class and its trainees) audit each read and each miss.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from zhengtong.accounts.models import Membership, OrgUnit, Role
from zhengtong.accounts.scope import can_act_in, has_role, scope
from zhengtong.audit.reads import record_denied, record_read

VIEW_ROLES = [Role.DEPT_CLERK, Role.LEADER]
EDIT_ROLES = [Role.DEPT_CLERK]

# The departments that keep the livelihood ledgers. A 民政局 clerk is a 部门经办 too, but keeps
# welfare, not these; creating a livelihood row needs a clerk's post in one of these units.
KEEPER_UNIT_CODES = tuple(getattr(settings, "LIVELIHOOD_KEEPER_UNIT_CODES", ("ZONE-SHSY",)))


def livelihood_rows_visible_to(user, qs: QuerySet, *, via: str = "org_unit") -> QuerySet:
    """`qs` narrowed to the rows `user` may read (own department, or the zone for a leader)."""
    return scope(qs, user, VIEW_ROLES, via=via)


def can_view_livelihood(user) -> bool:
    return has_role(user, *VIEW_ROLES)


def can_edit_row(user, org_unit) -> bool:
    """Change a row kept by `org_unit`: a clerk of that department (or a unit above it)."""
    return can_act_in(user, org_unit, EDIT_ROLES)


def require_edit(user, org_unit) -> None:
    if not can_edit_row(user, org_unit):
        raise PermissionDenied


def keeping_unit_for(user) -> OrgUnit | None:
    """The department where `user` files new livelihood rows, or None when they may not."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = (
        Membership.objects.filter(
            user=user, role=Role.DEPT_CLERK, org_unit__code__in=KEEPER_UNIT_CODES
        )
        .select_related("org_unit")
        .order_by("org_unit__path")
        .first()
    )
    return membership.org_unit if membership else None


def require_keeping_unit(user) -> OrgUnit:
    """The unit new rows go to; 403 for anyone who does not keep the livelihood ledgers."""
    unit = keeping_unit_for(user)
    if unit is None:
        raise PermissionDenied
    return unit


def _get(user, qs: QuerySet, pk, *, via: str = "org_unit", purpose: str | None = None):
    """The row `pk` in the user's scope, or 404. With `purpose` the row holds a resident's
    personal data: the read is audited, and so is a miss (as denied)."""
    try:
        row = livelihood_rows_visible_to(user, qs, via=via).get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        if purpose is not None:
            record_denied(actor=user, model=qs.model, pk=pk)
        raise Http404 from None
    if purpose is not None:
        record_read(actor=user, target=row, purpose=purpose, org_unit=_unit(row, via))
    return row


def _unit(row, via: str):
    for name in via.split("__"):
        row = getattr(row, name)
    return row


def get_employment_for_user(user, pk, *, purpose: str = "详情"):
    from .models import EmploymentRecord

    return _get(
        user, EmploymentRecord.objects.select_related("person", "org_unit"), pk, purpose=purpose
    )


def get_unemployment_figure_for_user(user, pk):
    from .models import UnemploymentFigure

    return _get(user, UnemploymentFigure.objects.select_related("org_unit"), pk)


def get_loan_for_user(user, pk, *, purpose: str = "详情"):
    from .models import Loan

    return _get(user, Loan.objects.select_related("borrower", "org_unit"), pk, purpose=purpose)


def get_internship_base_for_user(user, pk):
    from .models import InternshipBase

    return _get(user, InternshipBase.objects.select_related("org_unit"), pk)


def get_training_class_for_user(user, pk, *, purpose: str = "详情"):
    from .models import TrainingClass

    return _get(user, TrainingClass.objects.select_related("org_unit"), pk, purpose=purpose)


def get_trainee_for_user(user, pk, *, purpose: str = "详情"):
    from .models import Trainee

    return _get(
        user,
        Trainee.objects.select_related("person", "training_class__org_unit"),
        pk,
        via="training_class__org_unit",
        purpose=purpose,
    )


def get_row_for_user(user, qs: QuerySet, pk, *, via: str = "org_unit"):
    """Any livelihood row by pk through `via`, 404 when `user` may not see it (for schools etc.)."""
    return _get(user, qs, pk, via=via)
