"""我的待办 entries of the service hall: running cases and open rectifications of bad ratings."""

import datetime

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.inbox.registry import InboxItem, row_item
from zhengtong.inbox.union import Source, choice_label, items_of, text, year_start

from .models import Application, Rating
from .selectors import calendar_gap_message, queue_for, rectifications_open_for

KIND_CASE = "办件"
KIND_RECTIFICATION = "差评整改"
# A year that stands for the missing one while the gap message is split around it.
YEAR_MARK = 9999


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


def _due_or_year_start():
    """`_due_or_gap` in SQL: the due date, else 1 January of the missing calendar year."""
    return Coalesce(F("due_on"), year_start(F("calendar_missing_year")))


def case_sources(user, *, today) -> list[Source]:
    """`case_items` for the database's sort: the cases with a due date, and those waiting for
    a calendar year (due "1 January" of that year)."""
    cases = (
        queue_for(user)
        .filter(status=Application.Status.ACCEPTED)
        .filter(Q(due_on__isnull=False) | Q(calendar_missing_year__isnull=False))
    )
    return [
        Source(
            kind=KIND_CASE,
            rows=cases,
            due=_due_or_year_start(),
            title=text(F("receipt_no"), " ", F("item__name")),
            build=lambda pks: _case_build(cases.filter(pk__in=pks)),
        )
    ]


def rectification_sources(user, *, today) -> list[Source]:
    """Open rectifications of bad ratings the user owns, due on their date or, waiting for a
    calendar year, on 1 January of that year (the gap named in the subtitle)."""
    before, after = calendar_gap_message(YEAR_MARK).split(str(YEAR_MARK))
    gap = Case(
        When(
            due_on__isnull=True,
            then=text(" · ", before, Cast(F("calendar_missing_year"), CharField()), after),
        ),
        default=Value(""),
        output_field=CharField(),
    )
    return [
        Source(
            kind=KIND_RECTIFICATION,
            rows=rectifications_open_for(user).filter(
                Q(due_on__isnull=False) | Q(calendar_missing_year__isnull=False)
            ),
            due=_due_or_year_start(),
            title=text(
                F("rating__application__receipt_no"), " ", F("rating__application__item__name")
            ),
            subtitle=text(choice_label("rating__level", Rating.Level), gap),
            fields={
                "i_receipt_no": F("rating__application__receipt_no"),
                "i_provisional": F("due_provisional"),
            },
            item=row_item(
                KIND_RECTIFICATION,
                lambda row: reverse("services:application_detail", args=[row["i_receipt_no"]]),
                provisional=lambda row: row["i_provisional"],
            ),
        )
    ]


def rectification_items(user, *, today=None) -> list[InboxItem]:
    """The items of `rectification_sources`, in the inbox's order. Two queries."""
    today = today or timezone.localdate()
    return items_of(rectification_sources(user, today=today), today=today)
