"""创业担保贷款: submitted → approved → disbursed → repaid → closed, or rejected.

`next_step_due_on` is the date the next step falls due, shown in 我的待办:
- submitted: the decision, within APPROVE_WITHIN_WORKDAYS working days of the application;
- approved: the (first) disbursement, within DISBURSE_WITHIN_WORKDAYS working days of approval;
- disbursed: repayment of the principal at maturity, term_months after the first disbursement
  (interest is discounted by the treasury, so the borrower's one due date is maturity);
- repaid: closing the account (releasing the guarantee) within CLOSE_WITHIN_WORKDAYS;
- rejected, closed: nothing further (None).
A working-day deadline in a year without the State Council's arrangement is counted on the
provisional calendar and stored as 暂定 (`next_step_due_provisional`); it is recomputed when the
year is entered (livelihood/due_dates.py).
"""

import calendar
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum

from zhengtong.audit.actions import record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.people.actions import person_get_or_register
from zhengtong.workdays import HolidayDataMissing, add_workdays, spans_provisional

from ..models import Loan, LoanDisbursement
from ._common import acting_unit, money, past_date, require_edit, text

APPROVE_WITHIN_WORKDAYS = 10
DISBURSE_WITHIN_WORKDAYS = 10
CLOSE_WITHIN_WORKDAYS = 5
# 创业担保贷款: individuals up to 30万元, small and micro firms up to 500万元; more is a typo.
MAX_LOAN_YUAN = Decimal("5000000")
MAX_TERM_MONTHS = 36  # The policy's longest term is three years.

S = Loan.Status


def _workdays_after(day: datetime.date, n: int) -> datetime.date | None:
    try:
        return add_workdays(day, n)
    except HolidayDataMissing:
        return None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def disbursed_total(loan: Loan) -> Decimal:
    return loan.disbursements.aggregate(s=Sum("amount"))["s"] or Decimal("0")


def _set_status(
    loan: Loan,
    status: str,
    due_on,
    *,
    actor,
    action: str,
    changes: dict,
    reason="",
    counted_from: datetime.date | None = None,
):
    old, old_due = loan.status, loan.next_step_due_on
    loan.status = status
    loan.next_step_due_on = due_on
    loan.next_step_due_provisional = spans_provisional(counted_from, due_on)
    loan.save(
        update_fields=[
            "status",
            "next_step_due_on",
            "next_step_due_provisional",
            *changes.keys(),
        ]
    )
    payload = {
        "status": [old, status],
        "next_step_due_on": [
            old_due.isoformat() if old_due else None,
            due_on.isoformat() if due_on else None,
        ],
    }
    payload.update(changes)
    record_event(actor=actor, action=action, target=loan, changes=payload, reason=reason)
    return loan


def _locked(loan: Loan) -> Loan:
    """The loan row locked for this transaction, freshly read: concurrent steps serialize."""
    return Loan.objects.select_for_update().select_related("borrower", "org_unit").get(pk=loan.pk)


@audited_atomic
def loan_submit(
    *,
    actor,
    id_number: str,
    name: str,
    business: str,
    amount_requested,
    guarantor: str,
    submitted_on: datetime.date,
    bank: str = "",
    term_months: int = 24,
    phone: str = "",
    org_unit=None,
) -> Loan:
    """File an application; the decision falls due 10 working days later."""
    org_unit = acting_unit(actor, org_unit)
    business = text(business, field="business", label="创业项目", max_length=200)
    amount = money(
        amount_requested, field="amount_requested", label="申请金额", maximum=MAX_LOAN_YUAN
    )
    guarantor = text(guarantor, field="guarantor", label="担保机构/担保人", max_length=100)
    bank = text(bank, field="bank", label="贷款银行", max_length=100, required=False)
    past_date(submitted_on, field="submitted_on", label="申请日期")
    if not isinstance(term_months, int) or not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ValidationError({"term_months": f"贷款期限应为 1 至 {MAX_TERM_MONTHS} 个月。"})
    borrower = person_get_or_register(actor=actor, id_number=id_number, name=name, phone=phone)
    due_on = _workdays_after(submitted_on, APPROVE_WITHIN_WORKDAYS)
    loan = Loan.objects.create(
        borrower=borrower,
        org_unit=org_unit,
        business=business,
        amount_requested=amount,
        guarantor=guarantor,
        bank=bank,
        submitted_on=submitted_on,
        term_months=term_months,
        next_step_due_on=due_on,
        next_step_due_provisional=spans_provisional(submitted_on, due_on),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="loan_submitted",
        kind=Event.Kind.CREATE,
        target=loan,
        changes=snapshot(
            loan,
            [
                "borrower",
                "business",
                "amount_requested",
                "guarantor",
                "bank",
                "submitted_on",
                "term_months",
                "next_step_due_on",
            ],
        ),
    )
    return loan


@audited_atomic
def loan_approve(*, actor, loan: Loan, amount_approved, approved_on: datetime.date) -> Loan:
    """Approve at most the requested amount; disbursement falls due 10 working days later."""
    loan = _locked(loan)
    require_edit(actor, loan.org_unit)
    if loan.status != S.SUBMITTED:
        raise ValidationError({"status": "只能审批“已申请”状态的贷款。"})
    amount = money(
        amount_approved, field="amount_approved", label="核准金额", maximum=MAX_LOAN_YUAN
    )
    if amount > loan.amount_requested:
        raise ValidationError(
            {"amount_approved": f"核准金额不能超过申请金额 {loan.amount_requested:,.2f} 元。"}
        )
    past_date(approved_on, field="approved_on", label="审批日期", not_before=loan.submitted_on)
    loan.amount_approved = amount
    loan.approved_on = approved_on
    return _set_status(
        loan,
        S.APPROVED,
        _workdays_after(approved_on, DISBURSE_WITHIN_WORKDAYS),
        actor=actor,
        action="loan_approved",
        counted_from=approved_on,
        changes={
            "amount_approved": [None, str(amount)],
            "approved_on": [None, approved_on.isoformat()],
        },
    )


@audited_atomic
def loan_reject(*, actor, loan: Loan, reason: str) -> Loan:
    loan = _locked(loan)
    require_edit(actor, loan.org_unit)
    if loan.status != S.SUBMITTED:
        raise ValidationError({"status": "只能对“已申请”状态的贷款作出不予批准的决定。"})
    reason = text(reason, field="reason", label="不予批准的理由", max_length=300)
    return _set_status(
        loan, S.REJECTED, None, actor=actor, action="loan_rejected", changes={}, reason=reason
    )


@audited_atomic
def loan_disburse(*, actor, loan: Loan, amount, paid_on: datetime.date) -> LoanDisbursement:
    """Pay out part or all of the approved amount; never more in total than approved.

    The loan row is locked first, so two clerks paying at once cannot both pass the check.
    """
    loan = _locked(loan)
    require_edit(actor, loan.org_unit)
    if loan.status not in (S.APPROVED, S.DISBURSED):
        raise ValidationError({"status": "只有已审批的贷款可以放款。"})
    amount = money(amount, field="amount", label="放款金额", maximum=MAX_LOAN_YUAN)
    past_date(paid_on, field="paid_on", label="放款日期", not_before=loan.approved_on)
    paid = disbursed_total(loan)
    approved = loan.amount_approved
    assert approved is not None, "an approved loan has an approved amount"
    if paid + amount > approved:
        left = approved - paid
        raise ValidationError(
            {
                "amount": (
                    f"累计放款不能超过核准金额 {loan.amount_approved:,.2f} 元,"
                    f"已放款 {paid:,.2f} 元,最多还可放款 {left:,.2f} 元。"
                )
            }
        )
    disbursement = LoanDisbursement.objects.create(
        loan=loan, amount=amount, paid_on=paid_on, created_by=actor
    )
    first = loan.disbursements.order_by("paid_on", "id").values_list("paid_on", flat=True)[0]
    maturity = add_months(first, loan.term_months)
    old_status, old_due = loan.status, loan.next_step_due_on
    loan.status = S.DISBURSED
    loan.next_step_due_on = maturity
    loan.next_step_due_provisional = False  # maturity counts calendar months, not working days
    loan.save(update_fields=["status", "next_step_due_on", "next_step_due_provisional"])
    record_event(
        actor=actor,
        action="loan_disbursed",
        target=loan,
        changes={
            "status": [old_status, loan.status],
            "disbursement": [None, {"amount": str(amount), "paid_on": paid_on.isoformat()}],
            "disbursed_total": [str(paid), str(paid + amount)],
            "next_step_due_on": [
                old_due.isoformat() if old_due else None,
                maturity.isoformat(),
            ],
        },
    )
    return disbursement


@audited_atomic
def loan_repay(*, actor, loan: Loan, repaid_on: datetime.date) -> Loan:
    """The borrower has repaid the principal; closing the account falls due 5 working days later."""
    loan = _locked(loan)
    require_edit(actor, loan.org_unit)
    if loan.status != S.DISBURSED:
        raise ValidationError({"status": "只有已放款的贷款可以登记还清。"})
    last_paid = loan.disbursements.order_by("-paid_on").values_list("paid_on", flat=True)[0]
    past_date(repaid_on, field="repaid_on", label="还清日期", not_before=last_paid)
    return _set_status(
        loan,
        S.REPAID,
        _workdays_after(repaid_on, CLOSE_WITHIN_WORKDAYS),
        actor=actor,
        action="loan_repaid",
        counted_from=repaid_on,
        changes={},
        reason=f"还清日期 {repaid_on.isoformat()}",
    )


@audited_atomic
def loan_close(*, actor, loan: Loan) -> Loan:
    """Close a repaid loan: the guarantee is released and nothing is due any more."""
    loan = _locked(loan)
    require_edit(actor, loan.org_unit)
    if loan.status != S.REPAID:
        raise ValidationError({"status": "只有已还清的贷款可以结清。"})
    return _set_status(loan, S.CLOSED, None, actor=actor, action="loan_closed", changes={})
