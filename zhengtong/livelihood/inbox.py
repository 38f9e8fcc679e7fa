"""我的待办 entries of the livelihood ledgers: the next step of each running loan and every
school-safety hazard still waiting for its verified rectification.

Only clerks of the keeping department own these (a leader reads the ledgers, owns no step).
Welfare reassessments come from the welfare app's own provider.
"""

from django.urls import reverse

from zhengtong.accounts.scope import scope
from zhengtong.inbox.registry import InboxItem

from .models import Hazard, Loan
from .selectors import EDIT_ROLES

KIND_LOAN = "创业担保贷款"
KIND_HAZARD = "学校安全隐患"

S = Loan.Status
NEXT_STEP = {
    S.SUBMITTED: "待审批",
    S.APPROVED: "待放款",
    S.DISBURSED: "到期还款",
    S.REPAID: "待结清",
}


def loan_items(user) -> list[InboxItem]:
    """Running loans with a due next step. One query (plus the cached membership lookup)."""
    loans = (
        scope(Loan.objects.all(), user, EDIT_ROLES)
        .filter(status__in=list(NEXT_STEP), next_step_due_on__isnull=False)
        .select_related("borrower")
        .order_by("next_step_due_on", "pk")
    )
    return [
        InboxItem(
            kind=KIND_LOAN,
            title=f"{loan.borrower.name} · {loan.business}",
            url=reverse("livelihood:loan_detail", args=[loan.pk]),
            due_on=loan.next_step_due_on,
            provisional=loan.next_step_due_provisional,
            subtitle=NEXT_STEP[loan.status],
        )
        for loan in loans
    ]


def hazard_items(user) -> list[InboxItem]:
    """Hazards with a rectification deadline that nobody has verified yet. One query."""
    hazards = (
        scope(Hazard.objects.all(), user, EDIT_ROLES, via="inspection__org_unit")
        .filter(verified_on__isnull=True, due_on__isnull=False)
        .select_related("inspection__school")
        .order_by("due_on", "pk")
    )
    return [
        InboxItem(
            kind=KIND_HAZARD,
            title=f"{hazard.inspection.school.name} · {hazard.description}",
            url=reverse("livelihood:inspection_detail", args=[hazard.inspection_id]),
            due_on=hazard.due_on,
            provisional=hazard.due_provisional,
            subtitle="待复查确认" if hazard.rectified_on else "待整改",
        )
        for hazard in hazards
    ]
