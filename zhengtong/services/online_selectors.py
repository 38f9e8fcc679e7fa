"""Reads of 网上申请 for the hall: who sees a submission (the window clerks of its hall, through
the scope door), the access door that 404s the rest, and the 我的待办 source of the waiting ones.
"""

from django.db.models import F, QuerySet
from django.http import Http404

from zhengtong.accounts.scope import scope
from zhengtong.audit.reads import record_denied, record_read
from zhengtong.inbox.registry import InboxItem
from zhengtong.inbox.union import Source, text

from .models import OnlineApplication
from .selectors import CASE_ROLES

KIND_ONLINE = "网上申请"


def online_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Submissions to the halls under the user's window-clerk units; nothing for other roles."""
    if qs is None:
        qs = OnlineApplication.objects.all()
    return scope(qs, user, CASE_ROLES)


def get_online_for_user(user, pk: int, *, purpose: str = "详情") -> OnlineApplication:
    """The submission `pk`, its read audited; 404 (audited as denied) outside the user's halls."""
    submission = (
        online_visible_to(user)
        .select_related("item", "org_unit", "taken_by", "application")
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        record_denied(actor=user, model=OnlineApplication, pk=pk)
        raise Http404
    record_read(actor=user, target=submission, purpose=purpose)
    return submission


def waiting_for(user) -> QuerySet:
    return online_visible_to(user).filter(status=OnlineApplication.Status.WAITING)


def _build(rows) -> dict[int, InboxItem]:
    return {
        row.pk: InboxItem(
            kind=KIND_ONLINE,
            title=f"{row.receipt_no} {row.item.name}",
            url=row.get_absolute_url(),
            due_on=row.respond_by,
            subtitle=f"{row.name} · 待接件",
        )
        for row in rows.select_related("item")
    }


def online_sources(user, *, today) -> list[Source]:
    """我的待办: every waiting submission of the user's halls, due one working day after it
    was sent (any window clerk of the hall may take it)."""
    rows = waiting_for(user)
    return [
        Source(
            kind=KIND_ONLINE,
            rows=rows,
            due=F("respond_by"),
            title=text(F("receipt_no"), " ", F("item__name")),
            subtitle=text(F("name"), " · 待接件"),
            build=lambda pks: _build(rows.filter(pk__in=pks)),
        )
    ]
