"""Guidance funds (引导资金): allocations to projects and disbursements out of them.

Two sums are guarded here: the allocations of a fund never exceed its budget, and the
disbursements of an allocation never exceed the allocation. Each check locks the row whose
sum it guards, so two concurrent requests cannot both pass it. Views decide who may call.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.audit.actions import record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.money import format_excess, format_yuan, parse_amount

from ..models import Disbursement, Fund, FundAllocation, KeyProject


def clean_amount(value, *, field: str, label: str) -> Decimal:
    """A positive amount of 元 with at most two decimal places, or a ValidationError on `field`."""
    return parse_amount(value, field=field, label=str(label))


def clean_past_date(value, *, field: str, label: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValidationError({field: _("%(label)s必须是日期。") % {"label": label}})
    if value > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})
    return value


def wan(value: Decimal) -> str:
    return format_yuan(value, "万元")


@audited_atomic
def allocation_create(
    *,
    actor,
    fund: Fund,
    project: KeyProject,
    amount,
    decided_on: datetime.date,
    note: str = "",
) -> FundAllocation:
    """Grant `amount` 元 of `fund` to `project`; the fund's allocations stay within its budget."""
    amount = clean_amount(amount, field="amount", label=_("安排金额"))
    decided_on = clean_past_date(decided_on, field="decided_on", label=_("安排日期"))
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("备注不能超过 200 个字。")})
    # Lock the fund so two allocations decided at the same moment see each other's amount.
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if FundAllocation.objects.filter(fund=fund, project=project).exists():
        raise ValidationError(
            {
                "project": _("项目“%(project)s”已有%(fund)s的资金安排,不能重复安排。")
                % {"project": project, "fund": fund}
            }
        )
    allocated = fund.allocations.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    remaining = fund.budget - allocated
    if amount > remaining:
        raise ValidationError(
            {
                "amount": _(
                    "安排金额 %(amount)s 超过%(fund)s剩余可安排额度 %(remaining)s,超出 %(excess)s。"
                )
                % {
                    "amount": wan(amount),
                    "fund": fund,
                    "remaining": wan(remaining),
                    "excess": format_excess(amount - remaining),
                }
            }
        )
    allocation = FundAllocation.objects.create(
        fund=fund, project=project, amount=amount, decided_on=decided_on, note=note
    )
    record_event(
        actor=actor,
        action="fund_allocation_created",
        target=allocation,
        kind=Event.Kind.CREATE,
        changes={k: [None, v] for k, v in snapshot(allocation).items()},
        org_unit=project.org_unit,
    )
    return allocation


@audited_atomic
def disbursement_create(
    *,
    actor,
    allocation: FundAllocation,
    amount,
    paid_on: datetime.date,
    voucher_no: str = "",
) -> Disbursement:
    """Pay `amount` 元 out of `allocation`; the disbursements stay within the allocation."""
    amount = clean_amount(amount, field="amount", label=_("拨付金额"))
    paid_on = clean_past_date(paid_on, field="paid_on", label=_("拨付日期"))
    voucher_no = (voucher_no or "").strip()
    if len(voucher_no) > 40:
        raise ValidationError({"voucher_no": _("凭证号不能超过 40 个字符。")})
    # Lock the allocation so two concurrent disbursements cannot both pass the check below.
    allocation = (
        FundAllocation.objects.select_for_update()
        .select_related("fund", "project__org_unit")
        .get(pk=allocation.pk)
    )
    if paid_on < allocation.decided_on:
        raise ValidationError(
            {"paid_on": _("拨付日期不能早于安排日期 %(day)s。") % {"day": allocation.decided_on}}
        )
    disbursed = allocation.disbursements.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    after = disbursed + amount
    if after > allocation.amount:
        raise ValidationError(
            {
                "amount": _("拨付后累计 %(after)s,超过安排金额 %(allocated)s,超出 %(excess)s。")
                % {
                    "after": wan(after),
                    "allocated": wan(allocation.amount),
                    "excess": format_excess(after - allocation.amount),
                }
            }
        )
    disbursement = Disbursement.objects.create(
        allocation=allocation,
        amount=amount,
        paid_on=paid_on,
        voucher_no=voucher_no,
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="fund_disbursement_created",
        target=disbursement,
        kind=Event.Kind.CREATE,
        changes={
            **{
                k: [None, v]
                for k, v in snapshot(
                    disbursement, ["allocation", "amount", "paid_on", "voucher_no"]
                ).items()
            },
            "disbursed_total": [str(disbursed), str(after)],
        },
        org_unit=allocation.project.org_unit,
    )
    return disbursement
