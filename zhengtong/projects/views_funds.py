"""Guidance funds (引导资金): the funds, their allocations to projects and the disbursements.

Leaders and the key-project office see the funds; allocations and disbursements show only for
projects the user may see. Only the key-project office allocates and disburses.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, F, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import has_role, scope
from zhengtong.lib import listing
from zhengtong.lib.forms import DateInput, StyledForm, add_errors, mark_invalid
from zhengtong.lib.money import WAN, format_yuan, percent

from .actions.funds import allocation_create as allocation_create_action
from .actions.funds import disbursement_create as disbursement_create_action
from .models import Disbursement, Fund, FundAllocation, KeyProject
from .selectors import MANAGE_ROLES, can_manage_project, projects_visible_to

FUND_VIEW_ROLES = (Role.LEADER, Role.PROJECT_OFFICE)
MONEY_OUT = DecimalField(max_digits=18, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY_OUT)


def _sum_of(queryset, group: str, field: str):
    """A correlated subquery summing `field` of `queryset` per `group`, 0 when there is none."""
    inner = queryset.order_by().values(group).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(inner, output_field=MONEY_OUT), ZERO, output_field=MONEY_OUT)


def funds_with_totals(user):
    """Funds annotated in the database with what the user may see of them.

    `allocated` and `disbursed` sum the allocations and disbursements of projects visible to
    the user; `remaining` is the budget less every allocation of the fund, the figure
    allocation_create() checks against.
    """
    visible = projects_visible_to(user).order_by().values("pk")
    return Fund.objects.annotate(
        allocated=_sum_of(
            FundAllocation.objects.filter(fund=OuterRef("pk"), project__in=visible),
            "fund",
            "amount",
        ),
        disbursed=_sum_of(
            Disbursement.objects.filter(
                allocation__fund=OuterRef("pk"), allocation__project__in=visible
            ),
            "allocation__fund",
            "amount",
        ),
        allocated_all=_sum_of(FundAllocation.objects.filter(fund=OuterRef("pk")), "fund", "amount"),
    )


def _msg(template: str, label):
    return format_lazy(gettext_lazy(template), label=label)


class WanField(forms.DecimalField):
    """An amount typed in 万元 (as the ledgers are kept), cleaned to 元."""

    def __init__(self, *, label, **kwargs):
        super().__init__(
            label=label,
            max_digits=16,
            decimal_places=6,
            error_messages={
                "required": _msg("请填写{label}。", label),
                "invalid": _msg("{label}必须是数字。", label),
                "max_digits": _msg("{label}过大。", label),
                "max_whole_digits": _msg("{label}过大。", label),
                "max_decimal_places": _msg("{label}最多精确到分(万元后六位小数)。", label),
            },
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **kwargs,
        )

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else amount * WAN


def date_field(label):
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={
            "required": _msg("请填写{label}。", label),
            "invalid": _msg("{label}不是有效日期。", label),
        },
    )


class AllocationForm(StyledForm):
    project = forms.ModelChoiceField(
        label=gettext_lazy("项目"),
        queryset=KeyProject.objects.none(),
        error_messages={
            "required": gettext_lazy("请选择项目。"),
            "invalid_choice": gettext_lazy("项目:所选项目不存在或无权安排。"),
        },
    )
    amount = WanField(label=gettext_lazy("安排金额(万元)"))
    decided_on = date_field(gettext_lazy("安排日期"))
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only projects the user may manage, so a project out of sight cannot be chosen.
        self.fields["project"].queryset = scope(
            KeyProject.objects.only("pk", "code", "name"), user, MANAGE_ROLES
        )


class DisbursementForm(StyledForm):
    amount = WanField(label=gettext_lazy("拨付金额(万元)"))
    paid_on = date_field(gettext_lazy("拨付日期"))
    voucher_no = forms.CharField(label=gettext_lazy("凭证号"), max_length=40, required=False)


def _apply(form, action, **kwargs):
    """Run `action`; move its ValidationError onto the form. None when it was refused."""
    try:
        return action(**kwargs)
    except ValidationError as error:
        add_errors(form, error)
        mark_invalid(form)
        return None


def _disbursed_text(allocation) -> str:
    return ";".join(
        f"{d.paid_on:%Y-%m-%d} {format_yuan(d.amount, '万元')}"
        + (f" {d.voucher_no}" if d.voucher_no else "")
        for d in allocation.disbursements.all()
    )


class FundList(listing.ListPage):
    """Each fund with its budget, allocated, disbursed and remaining amounts, and the sums."""

    title = "引导资金"
    template_name = "projects/fund_list.html"
    summary_template = "projects/_fund_sums.html"
    search_fields = ("name", "code")
    search_placeholder = "基金名称或编码"
    # The fund codes (KJYF…) are internal keys, not shown: the funds keep their order by code.
    ordering = ("code",)
    export_name = "引导资金"
    empty_text = "尚未设立引导资金。"
    columns = (
        listing.Column(
            "name",
            "基金",
            sort="name",
            link=listing.link("projects:fund_detail"),
            template="projects/_example_name_cell.html",
        ),
        listing.Column("budget", "资金规模", kind=listing.MONEY, sort="budget"),
        listing.Column("allocated", "已安排", kind=listing.MONEY, sort="allocated"),
        listing.Column("disbursed", "已拨付", kind=listing.MONEY, sort="disbursed"),
        listing.Column("remaining", "剩余可安排", kind=listing.MONEY, sort="remaining"),
        listing.Column(
            "disbursed_pct",
            "拨付进度",
            lambda f: percent(f.disbursed, f.allocated),
            kind=listing.PCT,
        ),
    )

    def get_queryset(self):
        return funds_with_totals(self.request.user).annotate(
            remaining=F("budget") - F("allocated_all")
        )

    def get_context_data(self, queryset) -> dict:
        # Summed by the database from the base tables (a sum over the correlated subqueries
        # of funds_with_totals() is not reliable across backends): four queries, any rows.
        funds = queryset.order_by().values("pk")
        visible = projects_visible_to(self.request.user).order_by().values("pk")

        def total(rows, field: str) -> Decimal:
            return rows.aggregate(total=Sum(field))["total"] or Decimal("0")

        budget = total(Fund.objects.filter(pk__in=funds), "budget")
        allocations = FundAllocation.objects.filter(fund__in=funds)
        totals = {
            "budget": budget,
            "allocated": total(allocations.filter(project__in=visible), "amount"),
            "disbursed": total(
                Disbursement.objects.filter(
                    allocation__fund__in=funds, allocation__project__in=visible
                ),
                "amount",
            ),
            "remaining": budget - total(allocations, "amount"),
        }
        return {"totals": totals, "can_manage": has_role(self.request.user, *MANAGE_ROLES)}


fund_list = role_required(*FUND_VIEW_ROLES)(FundList.as_view())


class FundDetail(listing.ListPage):
    """A fund's allocations to the projects the user may see, each with its disbursements."""

    template_name = "projects/fund_detail.html"
    search_fields = ("project__name", "project__code", "note")
    search_placeholder = "项目名称或编号"
    default_sort = "project"
    empty_text = "尚无资金安排。"
    export_name = "资金安排与拨付"

    fund: Fund

    @property
    def title(self) -> str:  # type: ignore[override]
        return str(self.fund.name)

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.fund = get_object_or_404(
            funds_with_totals(request.user).annotate(remaining=F("budget") - F("allocated_all")),
            pk=kwargs["pk"],
        )
        self.can_manage = has_role(request.user, *MANAGE_ROLES)
        columns = [
            listing.Column(
                "project",
                "项目",
                "project.name",
                sort="project__code",
                link=lambda a: reverse("projects:project_detail", args=[a.project_id]),
                template="projects/_allocation_project_cell.html",
            ),
            listing.Column("decided_on", "安排日期", kind=listing.DATE, sort="decided_on"),
            listing.Column("amount", "安排金额", kind=listing.MONEY, sort="amount"),
            listing.Column("disbursed", "已拨付", kind=listing.MONEY, sort="disbursed"),
            listing.Column("undisbursed", "未拨付", kind=listing.MONEY, sort="undisbursed"),
            listing.Column(
                "payments", "拨付记录", _disbursed_text, template="projects/_payments_cell.html"
            ),
        ]
        if self.can_manage:
            columns.append(
                listing.Column(
                    "disburse", "操作", lambda a: "拨付", export=False,
                    template="projects/_disburse_cell.html",
                )
            )  # fmt: skip
        # Per request: the 拨付 column only for the office.
        self.page_columns = columns

    def get_queryset(self):
        visible = projects_visible_to(self.request.user).order_by().values("pk")
        return (
            FundAllocation.objects.filter(fund=self.fund, project__in=visible)
            .select_related("project")
            .annotate(
                disbursed=Coalesce(Sum("disbursements__amount"), ZERO, output_field=MONEY_OUT)
            )
            .annotate(undisbursed=F("amount") - F("disbursed"))
            .prefetch_related(
                Prefetch(
                    "disbursements",
                    queryset=Disbursement.objects.select_related("created_by").order_by(
                        "paid_on", "id"
                    ),
                )
            )
        )

    def get_context_data(self, queryset) -> dict:
        return {"fund": self.fund, "can_manage": self.can_manage}


fund_detail = role_required(*FUND_VIEW_ROLES)(FundDetail.as_view())


@login_required
@role_required(*MANAGE_ROLES)
def allocation_create(request, pk: int):
    """The key-project office grants an amount of the fund to a project."""
    fund = get_object_or_404(funds_with_totals(request.user), pk=pk)
    fund.remaining = fund.budget - fund.allocated_all
    form = AllocationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        allocation = _apply(
            form,
            allocation_create_action,
            actor=request.user,
            fund=fund,
            project=form.cleaned_data["project"],
            amount=form.cleaned_data["amount"],
            decided_on=form.cleaned_data["decided_on"],
            note=form.cleaned_data["note"],
        )
        if allocation is not None:
            messages.success(
                request,
                _("已为“%(project)s”安排%(fund)s %(amount)s。")
                % {
                    "project": allocation.project,
                    "fund": fund,
                    "amount": format_yuan(allocation.amount, "万元"),
                },
            )
            return redirect("projects:fund_detail", pk=fund.pk)
    return render(request, "projects/fund_allocation_form.html", {"fund": fund, "form": form})


@login_required
@role_required(*MANAGE_ROLES)
def disbursement_create(request, pk: int):
    """The key-project office pays an amount out of an allocation."""
    visible = projects_visible_to(request.user).order_by().values("pk")
    allocation = get_object_or_404(
        FundAllocation.objects.filter(project__in=visible)
        .select_related("fund", "project__org_unit")
        .annotate(disbursed=Coalesce(Sum("disbursements__amount"), ZERO, output_field=MONEY_OUT)),
        pk=pk,
    )
    if not can_manage_project(request.user, allocation.project):
        raise PermissionDenied
    form = DisbursementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        disbursement = _apply(
            form,
            disbursement_create_action,
            actor=request.user,
            allocation=allocation,
            amount=form.cleaned_data["amount"],
            paid_on=form.cleaned_data["paid_on"],
            voucher_no=form.cleaned_data["voucher_no"],
        )
        if disbursement is not None:
            messages.success(
                request,
                _("已向“%(project)s”拨付 %(amount)s。")
                % {
                    "project": allocation.project,
                    "amount": format_yuan(disbursement.amount, "万元"),
                },
            )
            return redirect("projects:fund_detail", pk=allocation.fund_id)
    context = {
        "allocation": allocation,
        # django-stubs keeps the annotation's name through get_object_or_404 but not its access.
        "remaining": allocation.amount - allocation.disbursed,  # type: ignore[attr-defined]
        "disbursements": allocation.disbursements.select_related("created_by").order_by(
            "paid_on", "id"
        ),
        "form": form,
    }
    return render(request, "projects/fund_disbursement_form.html", context)
