"""How the service hall's open due dates follow a change of the working-day calendar.

Registered with `zhengtong.workdays.recompute` in ServicesConfig.ready(): running cases (with
their pauses) and open rectifications of bad ratings are recomputed from their start dates.
"""

from django.db.models import Q
from django.utils import timezone

from zhengtong.workdays.recompute import Recomputed, span_filter

from .actions.clock import set_due
from .actions.ratings import rectification_workdays
from .models import Application, Pause, Rectification

KIND_CASE = "办件"
KIND_RECTIFICATION = "差评整改"


def recompute_cases(calendar, years) -> list[Recomputed]:
    """Accepted and paused cases: closed pauses recounted, then acceptance + promised + paused."""
    years = set(years)
    qs = (
        Application.objects.select_for_update(of=("self",))
        .filter(status__in=[Application.Status.ACCEPTED, Application.Status.PAUSED])
        .filter(accepted_on__isnull=False)
        .filter(span_filter("accepted_on", "due_on", years) | Q(due_on__isnull=True))
        .select_related("item")
        .order_by("pk")
    )
    cases = list(qs)
    pauses: dict[int, list[Pause]] = {}
    for pause in Pause.objects.filter(application__in=cases, ended_on__isnull=False):
        pauses.setdefault(pause.application_id, []).append(pause)
    changed = []
    for case in cases:
        for pause in pauses.get(case.pk, []):
            counted = max(calendar.workdays_between(pause.started_on, pause.ended_on), 0)
            if counted != pause.workdays:
                case.paused_workdays += counted - pause.workdays
                pause.workdays = counted
                pause.save(update_fields=["workdays"])
        old_on, old_provisional = case.due_on, case.due_provisional
        set_due(case, calendar)
        if (old_on, old_provisional) == (case.due_on, case.due_provisional):
            continue
        case.save(
            update_fields=[
                "due_on",
                "due_provisional",
                "paused_workdays",
                "calendar_missing_year",
                "updated_at",
            ]
        )
        changed.append(
            Recomputed(
                kind=KIND_CASE,
                title=f"{case.receipt_no} {case.item.name}",
                url=case.get_absolute_url(),
                target=case,
                field="due_on",
                old_on=old_on,
                new_on=case.due_on,
                old_provisional=old_provisional,
                new_provisional=case.due_provisional,
                owner_id=case.handler_id,
            )
        )
    return changed


def recompute_rectifications(calendar, years) -> list[Recomputed]:
    """Open rectifications: the rating day + the configured working days."""
    qs = (
        Rectification.objects.select_for_update(of=("self",))
        .filter(done_at__isnull=True)
        .filter(Q(due_on__gte=f"{min(years)}-01-01") | Q(due_on__isnull=True))
        .select_related("rating__application__item")
        .order_by("pk")
    )
    changed = []
    n = rectification_workdays()
    for row in qs:
        start = timezone.localdate(row.rating.created_at)
        if start.year > max(years):
            continue
        new_on = calendar.add_workdays(start, n)
        new_provisional = calendar.spans_provisional(start, new_on)
        if (row.due_on, row.due_provisional) == (new_on, new_provisional):
            continue
        old_on, old_provisional = row.due_on, row.due_provisional
        row.due_on, row.due_provisional, row.calendar_missing_year = new_on, new_provisional, None
        row.save(update_fields=["due_on", "due_provisional", "calendar_missing_year"])
        application = row.rating.application
        changed.append(
            Recomputed(
                kind=KIND_RECTIFICATION,
                title=f"{application.receipt_no} {application.item.name}",
                url=application.get_absolute_url(),
                target=row,
                field="due_on",
                old_on=old_on,
                new_on=new_on,
                old_provisional=old_provisional,
                new_provisional=new_provisional,
                owner_id=row.owner_id,
            )
        )
    return changed
