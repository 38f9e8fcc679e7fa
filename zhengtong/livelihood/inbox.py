"""我的待办 entries of the livelihood ledgers: the next step of each running loan, every
school-safety hazard still waiting for its verified rectification, and every unlicensed
kindergarten of an open clean-up campaign still waiting for its outcome.

Only clerks of the keeping department own these (a leader reads the ledgers, owns no step).
Welfare reassessments come from the welfare app's own provider.
"""

from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.scope import scope
from zhengtong.inbox.registry import InboxItem, row_item
from zhengtong.inbox.union import Source, add_days, items_of, text

from .models import Hazard, Loan, UnlicensedKindergarten
from .selectors import EDIT_ROLES

KIND_LOAN = "创业担保贷款"
KIND_HAZARD = "学校安全隐患"
KIND_KINDERGARTEN = "无证幼儿园待处置"
# A campaign opened without a 整治完成期限 gives each kindergarten this long from its 摸排日期.
KINDERGARTEN_DEFAULT_DAYS = 30

S = Loan.Status
NEXT_STEP: dict[str, str] = {
    S.SUBMITTED: "待审批",
    S.APPROVED: "待放款",
    S.DISBURSED: "到期还款",
    S.REPAID: "待结清",
}


def _loans(user):
    return scope(Loan.objects.all(), user, EDIT_ROLES).filter(
        status__in=list(NEXT_STEP), next_step_due_on__isnull=False
    )


def _loan_build(loans) -> dict[int, InboxItem]:
    return {
        loan.pk: InboxItem(
            kind=KIND_LOAN,
            title=f"{loan.borrower.name} · {loan.business}",
            url=reverse("livelihood:loan_detail", args=[loan.pk]),
            due_on=loan.next_step_due_on,
            provisional=loan.next_step_due_provisional,
            subtitle=NEXT_STEP[loan.status],
        )
        for loan in loans.select_related("borrower").order_by("next_step_due_on", "pk")
        if loan.next_step_due_on is not None  # filtered in the query; narrows the type
    }


def loan_items(user) -> list[InboxItem]:
    """Running loans with a due next step. One query (plus the cached membership lookup)."""
    return list(_loan_build(_loans(user)).values())


def _hazards(user):
    return scope(Hazard.objects.all(), user, EDIT_ROLES, via="inspection__org_unit").filter(
        verified_on__isnull=True, due_on__isnull=False
    )


def _hazard_build(hazards) -> dict[int, InboxItem]:
    return {
        hazard.pk: InboxItem(
            kind=KIND_HAZARD,
            title=f"{hazard.inspection.school.name} · {hazard.description}",
            url=reverse("livelihood:inspection_detail", args=[hazard.inspection_id]),
            due_on=hazard.due_on,
            provisional=hazard.due_provisional,
            subtitle="待复查确认" if hazard.rectified_on else "待整改",
        )
        for hazard in hazards.select_related("inspection__school").order_by("due_on", "pk")
        if hazard.due_on is not None  # filtered in the query; narrows the type
    }


def hazard_items(user) -> list[InboxItem]:
    """Hazards with a rectification deadline that nobody has verified yet. One query."""
    return list(_hazard_build(_hazards(user)).values())


def loan_sources(user, *, today) -> list[Source]:
    """`loan_items` for the database's sort."""
    loans = _loans(user)
    return [
        Source(
            kind=KIND_LOAN,
            rows=loans,
            due=F("next_step_due_on"),
            title=text(F("borrower__name"), " · ", F("business")),
            build=lambda pks: _loan_build(loans.filter(pk__in=pks)),
        )
    ]


def hazard_sources(user, *, today) -> list[Source]:
    """`hazard_items` for the database's sort."""
    hazards = _hazards(user)
    return [
        Source(
            kind=KIND_HAZARD,
            rows=hazards,
            due=F("due_on"),
            title=text(F("inspection__school__name"), " · ", F("description")),
            build=lambda pks: _hazard_build(hazards.filter(pk__in=pks)),
        )
    ]


def _pending_kindergartens(user):
    return scope(
        UnlicensedKindergarten.objects.all(), user, EDIT_ROLES, via="campaign__org_unit"
    ).filter(outcome="", campaign__closed_on__isnull=True)


def kindergarten_sources(user, *, today) -> list[Source]:
    """Kindergartens of open campaigns still 待处置, due at the campaign's 整治完成期限 (or
    KINDERGARTEN_DEFAULT_DAYS after they were found, for a campaign without one)."""
    return [
        Source(
            kind=KIND_KINDERGARTEN,
            rows=_pending_kindergartens(user),
            due=Coalesce(F("campaign__due_on"), add_days(F("found_on"), KINDERGARTEN_DEFAULT_DAYS)),
            title=text(F("name"), " · ", F("address")),
            subtitle=text(F("campaign__name"), ":待处置(取缔、整改后办证或合并)"),
            fields={"i_campaign": F("campaign_id")},
            item=row_item(
                KIND_KINDERGARTEN,
                lambda row: reverse(
                    "livelihood:kindergarten_campaign_detail", args=[row["i_campaign"]]
                ),
            ),
        )
    ]


def kindergarten_items(user, *, today=None) -> list[InboxItem]:
    """The items of `kindergarten_sources`, in the inbox's order."""
    today = today or timezone.localdate()
    return items_of(kindergarten_sources(user, today=today), today=today)
