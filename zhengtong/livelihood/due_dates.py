"""How the open hazards and loan steps follow a change of the working-day calendar."""

from django.urls import reverse

from zhengtong.workdays.recompute import Recomputed, recompute_rows, span_filter

from .actions.loans import APPROVE_WITHIN_WORKDAYS, DISBURSE_WITHIN_WORKDAYS
from .models import Hazard, Loan


def recompute_hazards(calendar, years) -> list[Recomputed]:
    """Hazards not yet verified: the inspection day + deadline_workdays."""
    rows = (
        Hazard.objects.select_for_update(of=("self",))
        .filter(verified_on__isnull=True)
        .filter(span_filter("inspection__inspected_on", "due_on", years))
        .select_related("inspection__school")
        .order_by("pk")
    )
    return recompute_rows(
        calendar,
        rows,
        kind="安全隐患",
        compute=lambda h: (
            h.inspection.inspected_on,
            calendar.add_workdays(h.inspection.inspected_on, h.deadline_workdays),
        ),
        title=lambda h: f"{h.inspection.school.name} {h.description}",
        url=lambda h: reverse("livelihood:inspection_detail", args=[h.inspection_id]),
    )


def recompute_loans(calendar, years) -> list[Recomputed]:
    """The decision (from the application) and the disbursement (from approval) of a loan.

    The maturity counts calendar months and does not depend on the calendar.
    """
    start_of = {
        Loan.Status.SUBMITTED: ("submitted_on", APPROVE_WITHIN_WORKDAYS),
        Loan.Status.APPROVED: ("approved_on", DISBURSE_WITHIN_WORKDAYS),
    }
    rows = (
        Loan.objects.select_for_update(of=("self",))
        .filter(status__in=list(start_of), next_step_due_on__isnull=False)
        .filter(span_filter("submitted_on", "next_step_due_on", years))
        .select_related("borrower")
        .order_by("pk")
    )

    def compute(loan):
        field, n = start_of[loan.status]
        start = getattr(loan, field)
        return (start, calendar.add_workdays(start, n)) if start else None

    return recompute_rows(
        calendar,
        rows,
        kind="创业担保贷款",
        compute=compute,
        title=lambda loan: f"{loan.borrower.name} {loan.business}",
        owner_id=lambda loan: loan.created_by_id,
        url=lambda loan: reverse("livelihood:loan_detail", args=[loan.pk]),
        due_field="next_step_due_on",
        provisional_field="next_step_due_provisional",
    )
