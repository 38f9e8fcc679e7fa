"""我的待办 entries of the service hall: running cases and open rectifications of bad ratings."""

import datetime

from django.db.models import F, Q
from django.utils.translation import gettext as _

from zhengtong.inbox.registry import InboxItem
from zhengtong.inbox.union import ListSource, Source, text

from .models import Application
from .selectors import calendar_gap_message, queue_for, rectifications_open_for

KIND_CASE = "办件"
KIND_RECTIFICATION = "差评整改"


def _due_or_gap(due_on, missing_year) -> tuple[datetime.date, str]:
    """The due date, or for a calendar gap the earliest day it can fall on (1 January of the
    missing year): the inbox then shows the "unknown" colour naming that year."""
    if due_on is not None:
        return due_on, ""
    return datetime.date(missing_year, 1, 1), calendar_gap_message(missing_year)


def _case_build(cases) -> dict[int, InboxItem]:
    items = {}
    for case in cases:
        due_on, gap = _due_or_gap(case.due_on, case.calendar_missing_year)
        parts = [case.applicant.name]
        if case.for_absent_a:
            parts.append(_("B 代 A:%(name)s") % {"name": case.handler.display_name})
        if gap:
            parts.append(gap)
        items[case.pk] = InboxItem(
            kind=KIND_CASE,
            title=f"{case.receipt_no} {case.item.name}",
            url=case.get_absolute_url(),
            due_on=due_on,
            subtitle=" · ".join(parts),
            provisional=case.due_provisional,
        )
    return items


def case_items(user) -> list[InboxItem]:
    """Cases whose clock runs and that the user handles, or handles as B for an absent A.

    Pending and paused cases wait for the applicant and have no running deadline; they stay in
    the queue page. Two queries at most, whatever the number of cases.
    """
    cases = (
        queue_for(user)
        .filter(status=Application.Status.ACCEPTED)
        .filter(Q(due_on__isnull=False) | Q(calendar_missing_year__isnull=False))
    )
    return list(_case_build(cases).values())


def case_sources(user, *, today) -> list:
    """`case_items` for the database's sort: the cases with a due date as a queryset, the few
    waiting for a calendar year (due "1 January" of that year) as literal rows."""
    cases = queue_for(user).filter(status=Application.Status.ACCEPTED)
    dated = cases.filter(due_on__isnull=False)
    gaps = cases.filter(due_on__isnull=True, calendar_missing_year__isnull=False)
    return [
        Source(
            kind=KIND_CASE,
            rows=dated,
            due=F("due_on"),
            title=text(F("receipt_no"), " ", F("item__name")),
            build=lambda pks: _case_build(dated.filter(pk__in=pks)),
        ),
        ListSource(list(_case_build(gaps).values())),
    ]


def rectification_items(user) -> list[InboxItem]:
    """Open rectifications of bad ratings the user owns. One query."""
    items = []
    for rectification in rectifications_open_for(user):
        application = rectification.rating.application
        due_on, gap = _due_or_gap(rectification.due_on, rectification.calendar_missing_year)
        subtitle = rectification.rating.get_level_display()
        items.append(
            InboxItem(
                kind=KIND_RECTIFICATION,
                title=f"{application.receipt_no} {application.item.name}",
                url=application.get_absolute_url(),
                due_on=due_on,
                subtitle=" · ".join(p for p in (subtitle, gap) if p),
                provisional=rectification.due_provisional,
            )
        )
    return items
