"""What the care pages share: the gates, the scoped row door and the person of a form."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import scope_q
from zhengtong.audit.reads import record_denied, record_read
from zhengtong.people.models import Person

from ..actions import care
from ..models import Referral
from ..selectors import POPULATION_ROLES, get_person_for_user

REFERRAL_ROLES = [*POPULATION_ROLES, Role.DEPT_CLERK]

# The village workers' pages; the referral pages also open to the offices referrals go to.
population_required = role_required(*POPULATION_ROLES)
referral_required = role_required(*REFERRAL_ROLES)


def denied(user, model, pk) -> Http404:
    """Audit an attempt on a row outside the user's villages; the caller raises the 404."""
    record_denied(actor=user, model=model, pk=pk, action="population_access_denied")
    return Http404()


def get_row(user, qs: QuerySet, pk: int, *, purpose: str = "详情", action: str = "", org_unit=None):
    """The row `pk` of the scoped `qs`, its read audited; 404 (audited as denied) outside it."""
    row = qs.filter(pk=pk).first()
    if row is None:
        raise denied(user, qs.model, pk)
    record_read(actor=user, target=row, purpose=purpose, action=action, org_unit=org_unit)
    return row


def referrals_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Referrals of visits in the user's villages, and those sent to the user's office."""
    if qs is None:
        qs = Referral.objects.all()
    return qs.filter(
        scope_q(user, POPULATION_ROLES, via="visit__org_unit")
        | scope_q(user, care.REFERRAL_OFFICE_ROLES, via="to_unit")
    )


def person_from_query(request: HttpRequest) -> Person | None:
    """The person a form is about when opened from their page (`?person=`), for writing."""
    pk = request.GET.get("person") or request.POST.get("person")
    if not pk:
        return None
    return get_person_for_user(request.user, pk, for_write=True)
