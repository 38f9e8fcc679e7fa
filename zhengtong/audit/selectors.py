"""Who may read which audit events: the one door for the audit pages and the admin."""

from django.db.models import Q, QuerySet

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import has_role, scope_q

from .models import Event


def can_read_audit_log(user) -> bool:
    """Only auditors read the log; a system administrator configures, and does not audit."""
    return has_role(user, Role.AUDITOR)


def events_visible_to(user) -> QuerySet[Event]:
    """Events of org units within the auditor's subtrees, plus events of no unit (sign-ins,
    system jobs). Nothing for users without the auditor role."""
    if not can_read_audit_log(user):
        return Event.objects.none()
    q = scope_q(user, [Role.AUDITOR]) | Q(org_unit__isnull=True)
    return Event.objects.filter(q).select_related("org_unit", "actor")
