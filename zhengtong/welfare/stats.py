"""Welfare figures for the zone's work report: sums of rows, computed in the database."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import Assessment, Payment, PaymentCycle, ReliefBatch, ReliefGrant, WelfareStatus
from .selectors import eligible_people, rows_visible_to


def welfare_totals(user, *, start: datetime.date, end: datetime.date) -> dict:
    """The period's welfare figures as `user` may see them (a leader all, a clerk their office).

    - relief_households / relief_orphans / relief_total_yuan: grants of batches approved in
      [start, end];
    - assessed: distinct persons assessed in [start, end];
    - eligible: persons eligible for the nursing subsidy on `end`;
    - subsidy_paid_yuan: Σ payments of approved cycles whose month lies in [start, end].
    """
    batches = rows_visible_to(user, ReliefBatch.objects.all()).filter(
        status=ReliefBatch.Status.APPROVED, approved_on__gte=start, approved_on__lte=end
    )
    HOUSEHOLD, ORPHAN = ReliefGrant.RecipientKind.HOUSEHOLD, ReliefGrant.RecipientKind.ORPHAN
    relief = ReliefGrant.objects.filter(batch__in=batches).aggregate(
        households=Count("id", filter=Q(recipient_kind=HOUSEHOLD)),
        orphans=Count("id", filter=Q(recipient_kind=ORPHAN)),
        total=Sum("amount"),
    )
    assessed = (
        rows_visible_to(user, Assessment.objects.all())
        .filter(assessed_on__gte=start, assessed_on__lte=end)
        .values("person")
        .distinct()
        .count()
    )
    eligible = len(eligible_people(rows_visible_to(user, WelfareStatus.objects.all()), on=end))
    cycles = rows_visible_to(user, PaymentCycle.objects.all()).filter(
        status=PaymentCycle.Status.APPROVED,
        month__gte=start.replace(day=1),
        month__lte=end,
    )
    paid = Payment.objects.filter(cycle__in=cycles).aggregate(total=Sum("amount"))["total"]
    return {
        "relief_households": relief["households"],
        "relief_orphans": relief["orphans"],
        "relief_total_yuan": _yuan(relief["total"]),
        "assessed": assessed,
        "eligible": eligible,
        "subsidy_paid_yuan": _yuan(paid),
    }


def _yuan(value) -> Decimal:
    # SQLite sums decimals as floats; keep the cents exact on every backend.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def ledger_dates(user) -> list[tuple]:
    """The (rows, date field) pairs that place the welfare figures in a year."""
    return [
        (rows_visible_to(user, ReliefBatch.objects.all()), "approved_on"),
        (rows_visible_to(user, Assessment.objects.all()), "assessed_on"),
        (rows_visible_to(user, PaymentCycle.objects.all()), "month"),
    ]
