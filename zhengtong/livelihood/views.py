"""Pages of the livelihood ledgers: employment, unemployment rate, loans, internship bases and
training. Every list is a page of the kit (`lib.listing`); every row goes through selectors
(not visible → 404, visible but read-only → 403); every figure on a page is a sum computed by the
database. Each ledger shows one year, chosen with the period picker of `lib.periods`."""

from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.lib import listing, periods
from zhengtong.lib.forms import add_errors

from . import forms as f
from .actions import employment as employment_actions
from .actions import internships as internship_actions
from .actions import loans as loan_actions
from .actions import training as training_actions
from .models import (
    EmploymentRecord,
    InternshipBase,
    Loan,
    LoanDisbursement,
    Trainee,
    TrainingClass,
    UnemploymentFigure,
)
from .selectors import (
    can_edit_row,
    can_view_livelihood,
    get_employment_for_user,
    get_internship_base_for_user,
    get_loan_for_user,
    get_trainee_for_user,
    get_training_class_for_user,
    keeping_unit_for,
    livelihood_rows_visible_to,
    require_edit,
    require_keeping_unit,
)
from .stats import employment_totals, ledger_dates

ZERO = Value(0, output_field=DecimalField(max_digits=16, decimal_places=2))
viewer_required = role_required(test=can_view_livelihood)


def form_page(request, form, *, title: str, back: str, submit: str = "保存") -> HttpResponse:
    return render(
        request,
        "livelihood/form.html",
        {"form": form, "title": title, "back": back, "submit": submit},
    )


def run_action(form, action, **kwargs):
    """Call `action`; on a refusal put its Chinese message on the form and return None."""
    try:
        return action(**kwargs)
    except ValidationError as exc:
        add_errors(form, exc)
        return None


class LedgerList(listing.ListPage):
    """A livelihood ledger list: the 登记 button for the clerks who keep the ledgers."""

    def get_context_data(self, queryset) -> dict:
        return {"can_create": keeping_unit_for(self.request.user) is not None}


class NoFilters(forms.Form):
    """A list without a search box or filters (the year picker only)."""


# ---- Overview --------------------------------------------------------------------------------


@login_required
@role_required(test=can_view_livelihood)
def index(request: HttpRequest) -> HttpResponse:
    picker = periods.choose_year(
        request.GET, data=periods.DataDates.union(ledger_dates(request.user))
    )
    year = picker.period.year
    totals = employment_totals(request.user, start=picker.period.start, end=picker.period.end)
    return render(
        request,
        "livelihood/index.html",
        {
            "picker": picker,
            "year": year,
            "totals": totals,
            "over_target": employment_actions.exceeds_target(totals["unemployment_rate"]),
            "target": employment_actions.UNEMPLOYMENT_TARGET,
            "can_create": keeping_unit_for(request.user) is not None,
        },
        status=picker.status,
    )


# ---- Employment ------------------------------------------------------------------------------


class EmploymentList(LedgerList):
    """就业登记: one year at a time, by kind, searched by name or employer; the sums of the kinds
    over the filtered rows."""

    title = "就业登记"
    template_name = "livelihood/employment_list.html"
    summary_template = "livelihood/_employment_sums.html"
    filter_form = f.StatusFilterForm
    search_fields = ("person__name", "employer")
    search_placeholder = "姓名或就业单位"
    year_field = "employed_on"
    default_sort = "-employed_on"
    export_name = "就业登记"
    empty_text = "暂无就业登记。"
    columns = (
        listing.Column("employed_on", "就业日期", kind=listing.DATE, sort="employed_on"),
        listing.Column(
            "name", "姓名", "person.name", link=listing.link("livelihood:employment_detail")
        ),
        listing.Column("kind", "类别", "get_kind_display", sort="kind", nowrap=True),
        listing.Column("employer", "就业单位/转移去向"),
        listing.Column("unit", "经办单位", "org_unit.name", phone=False),
    )

    def get_form_kwargs(self) -> dict:
        return {"choices": EmploymentRecord.Kind.choices, "label": "类别"}

    def get_queryset(self):
        records = livelihood_rows_visible_to(self.request.user, EmploymentRecord.objects.all())
        return records.select_related("person", "org_unit")

    def filter_queryset(self, queryset, data):
        if data.get("status"):
            queryset = queryset.filter(kind=data["status"])
        return queryset

    def get_context_data(self, queryset):
        K = EmploymentRecord.Kind
        sums = queryset.aggregate(
            total=Count("id"),
            new_urban=Count("id", filter=Q(kind=K.NEW_URBAN)),
            reemployed=Count("id", filter=Q(kind=K.REEMPLOYED)),
            rural_transfer=Count("id", filter=Q(kind=K.RURAL_TRANSFER)),
        )
        return {**super().get_context_data(queryset), "sums": sums}


employment_list = viewer_required(EmploymentList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def employment_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.EmploymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = run_action(
            form,
            employment_actions.employment_record_create,
            actor=request.user,
            org_unit=unit,
            **form.cleaned_data,
        )
        if record is not None:
            messages.success(
                request, f"已登记 {record.person.name} 的{record.get_kind_display()}。"
            )
            return redirect("livelihood:employment_detail", record.pk)
    return form_page(request, form, title="就业登记", back=reverse("livelihood:employment_list"))


@login_required
def employment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_employment_for_user(request.user, pk)
    return render(request, "livelihood/employment_detail.html", {"record": record})


# ---- Registered unemployment -----------------------------------------------------------------


def _month(row) -> str:
    return f"{row['period'].year}年{row['period'].month}月"


def _rate(row) -> Decimal | None:
    return employment_actions.unemployment_rate(row["unemployed"], row["labour_force"])


class UnemploymentList(LedgerList):
    """登记失业率: one row per month of the year, the sums over the departments the user sees;
    the rate computed from them (two decimals, as the target is set), red above the target."""

    title = "城镇登记失业率"
    template_name = "livelihood/unemployment_list.html"
    filter_form = NoFilters
    year_field = "period"
    default_sort = "-period"
    # One row per month: the month is the key, a tie-breaker would split the sums.
    tie_breaker = ""
    export_name = "城镇登记失业率"
    empty_text = "暂无数据。"
    columns = (
        listing.Column("period", "统计期", _month, sort="period", nowrap=True),
        # As the figures are reported (the monthly return has no thousands separators).
        listing.Column("unemployed", "登记失业人数", kind=listing.NUMBER),
        listing.Column("labour_force", "从业及登记失业人数", kind=listing.NUMBER),
        listing.Column(
            "rate",
            "失业率(%)",
            _rate,
            kind=listing.NUMBER,
            template="livelihood/_unemployment_rate.html",
        ),
    )

    def get_queryset(self):
        figures = livelihood_rows_visible_to(self.request.user, UnemploymentFigure.objects.all())
        return figures.values("period").annotate(
            unemployed=Sum("registered_unemployed"), labour_force=Sum("labour_force")
        )

    def get_context_data(self, queryset) -> dict:
        return {
            **super().get_context_data(queryset),
            "target": employment_actions.UNEMPLOYMENT_TARGET,
        }


unemployment_list = viewer_required(UnemploymentList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def unemployment_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.UnemploymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        figure = run_action(
            form,
            employment_actions.unemployment_figure_record,
            actor=request.user,
            org_unit=unit,
            **form.cleaned_data,
        )
        if figure is not None:
            messages.success(request, f"已保存 {figure.period:%Y年%m月} 的登记失业数据。")
            return redirect("livelihood:unemployment_list")
    return form_page(
        request, form, title="登记失业率", back=reverse("livelihood:unemployment_list")
    )


# ---- Guaranteed loans ------------------------------------------------------------------------


def _disbursed_subquery():
    return Coalesce(
        Subquery(
            LoanDisbursement.objects.filter(loan=OuterRef("pk"))
            .values("loan")
            .annotate(s=Sum("amount"))
            .values("s")[:1]
        ),
        ZERO,
    )


class LoanList(LedgerList):
    """创业担保贷款: one year of applications, by status, searched by borrower or business; the
    sums (requested, approved, disbursed) over the filtered rows."""

    title = "创业担保贷款"
    template_name = "livelihood/loan_list.html"
    summary_template = "livelihood/_loan_sums.html"
    filter_form = f.StatusFilterForm
    search_fields = ("borrower__name", "business")
    search_placeholder = "借款人或创业项目"
    year_field = "submitted_on"
    default_sort = "-submitted_on"
    export_name = "创业担保贷款"
    empty_text = "暂无贷款记录。"
    audit_model = Loan
    columns = (
        listing.Column("submitted_on", "申请日期", kind=listing.DATE, sort="submitted_on"),
        listing.Column(
            "borrower", "借款人", "borrower.name", link=listing.link("livelihood:loan_detail")
        ),
        listing.Column("business", "创业项目", wide_only=True),
        listing.Column(
            "requested", "申请", "amount_requested", kind=listing.MONEY, sort="amount_requested"
        ),
        listing.Column("approved", "核准", "amount_approved", kind=listing.MONEY),
        listing.Column("disbursed", "已放款", kind=listing.MONEY),
        listing.Column("status", "状态", "get_status_display", sort="status", nowrap=True),
        listing.Column(
            "next_due",
            "下一步期限",
            "next_step_due_on",
            kind=listing.DATE,
            sort="next_step_due_on",
            template="livelihood/_loan_due.html",
            wide_only=True,
        ),
    )

    def get_form_kwargs(self) -> dict:
        return {"choices": Loan.Status.choices, "label": "状态"}

    def get_queryset(self):
        loans = livelihood_rows_visible_to(self.request.user, Loan.objects.all())
        return loans.select_related("borrower").annotate(disbursed=_disbursed_subquery())

    def filter_queryset(self, queryset, data):
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset

    def get_context_data(self, queryset) -> dict:
        sums = queryset.aggregate(
            count=Count("id"),
            requested=Coalesce(Sum("amount_requested"), ZERO),
            approved=Coalesce(Sum("amount_approved"), ZERO),
        )
        sums["disbursed"] = LoanDisbursement.objects.filter(
            loan__in=queryset.values("pk")
        ).aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
        return {**super().get_context_data(queryset), "sums": sums}


loan_list = viewer_required(LoanList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def loan_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.LoanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        loan = run_action(
            form, loan_actions.loan_submit, actor=request.user, org_unit=unit, **form.cleaned_data
        )
        if loan is not None:
            messages.success(request, "已登记贷款申请。")
            return redirect("livelihood:loan_detail", loan.pk)
    return form_page(request, form, title="创业担保贷款申请", back=reverse("livelihood:loan_list"))


def _loan_page(request, loan, **forms_) -> HttpResponse:
    from zhengtong.inbox.registry import deadline

    can_edit = can_edit_row(request.user, loan.org_unit)
    disbursements = list(loan.disbursements.all())
    S = Loan.Status
    context = {
        "loan": loan,
        "disbursements": disbursements,
        "disbursed": sum((d.amount for d in disbursements), start=ZERO.value),
        "can_edit": can_edit,
        "deadline": deadline(loan.next_step_due_on)
        if loan.status in (S.SUBMITTED, S.APPROVED, S.DISBURSED, S.REPAID)
        else None,
        "rules": {
            "approve": loan_actions.APPROVE_WITHIN_WORKDAYS,
            "disburse": loan_actions.DISBURSE_WITHIN_WORKDAYS,
            "close": loan_actions.CLOSE_WITHIN_WORKDAYS,
        },
    }
    if can_edit:
        context.update(
            approve_form=forms_.get("approve_form")
            or f.LoanApproveForm(initial={"amount_approved": loan.amount_requested}),
            reject_form=forms_.get("reject_form") or f.LoanRejectForm(),
            disburse_form=forms_.get("disburse_form") or f.LoanDisburseForm(),
            repay_form=forms_.get("repay_form") or f.LoanRepayForm(),
        )
    status = 200 if not forms_ else 400
    return render(request, "livelihood/loan_detail.html", context, status=status)


@login_required
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _loan_page(request, get_loan_for_user(request.user, pk))


def _loan_step(request, pk, form_class, form_name, action, message, **extra):
    loan = get_loan_for_user(request.user, pk, purpose="办理")
    require_edit(request.user, loan.org_unit)
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        data = form.cleaned_data if form else {}
        try:
            action(actor=request.user, loan=loan, **data, **extra)
        except ValidationError as exc:
            if form is None:
                messages.error(request, "".join(exc.messages))
                return redirect("livelihood:loan_detail", loan.pk)
            add_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect("livelihood:loan_detail", loan.pk)
    return _loan_page(request, loan, **{form_name: form})


@login_required
@require_POST
def loan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _loan_step(
        request, pk, f.LoanApproveForm, "approve_form", loan_actions.loan_approve, "已审批。"
    )


@login_required
@require_POST
def loan_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _loan_step(
        request,
        pk,
        f.LoanRejectForm,
        "reject_form",
        loan_actions.loan_reject,
        "已作出不予批准决定。",
    )


@login_required
@require_POST
def loan_disburse(request: HttpRequest, pk: int) -> HttpResponse:
    return _loan_step(
        request, pk, f.LoanDisburseForm, "disburse_form", loan_actions.loan_disburse, "已登记放款。"
    )


@login_required
@require_POST
def loan_repay(request: HttpRequest, pk: int) -> HttpResponse:
    return _loan_step(
        request, pk, f.LoanRepayForm, "repay_form", loan_actions.loan_repay, "已登记还清。"
    )


@login_required
@require_POST
def loan_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _loan_step(request, pk, None, "", loan_actions.loan_close, "贷款已结清。")


# ---- Internship bases ------------------------------------------------------------------------


class InternshipList(LedgerList):
    """就业见习基地: the bases applied for in the year, by status, searched by name or employer;
    the year's figures (applied, approved in the year, positions of the approved bases)."""

    title = "就业见习基地"
    template_name = "livelihood/internship_list.html"
    summary_template = "livelihood/_internship_sums.html"
    filter_form = f.StatusFilterForm
    search_fields = ("name", "employer")
    search_placeholder = "基地名称或依托单位"
    year_field = "applied_on"
    default_sort = "-applied_on"
    export_name = "就业见习基地"
    empty_text = "暂无见习基地。"
    columns = (
        listing.Column("applied_on", "申报日期", kind=listing.DATE, sort="applied_on"),
        listing.Column("name", "基地名称", link=listing.link("livelihood:internship_detail")),
        listing.Column("employer", "依托单位", wide_only=True),
        listing.Column("level", "级别", nowrap=True),
        listing.Column("positions", "岗位", kind=listing.COUNT, sort="positions"),
        listing.Column("status", "状态", "get_status_display", sort="status", nowrap=True),
    )

    def get_form_kwargs(self) -> dict:
        return {"choices": InternshipBase.Status.choices, "label": "状态"}

    def get_queryset(self):
        return livelihood_rows_visible_to(self.request.user, InternshipBase.objects.all())

    def filter_queryset(self, queryset, data):
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset

    def get_context_data(self, queryset) -> dict:
        # The year's figures: an approval counts in the year it was decided, whatever the year
        # of the application, so they are counted over every visible base, not the listed ones.
        year = self.picker.period.year
        S = InternshipBase.Status
        year_counts = self.get_queryset().aggregate(
            applied=Count("id", filter=Q(applied_on__year=year)),
            approved=Count("id", filter=Q(status=S.APPROVED, decided_on__year=year)),
            positions=Coalesce(Sum("positions", filter=Q(status=S.APPROVED)), 0),
        )
        return {**super().get_context_data(queryset), "year": year, "year_counts": year_counts}


internship_list = viewer_required(InternshipList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def internship_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.InternshipBaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        base = run_action(
            form,
            internship_actions.internship_base_apply,
            actor=request.user,
            org_unit=unit,
            **form.cleaned_data,
        )
        if base is not None:
            messages.success(request, "已登记见习基地申报。")
            return redirect("livelihood:internship_detail", base.pk)
    return form_page(
        request, form, title="就业见习基地申报", back=reverse("livelihood:internship_list")
    )


@login_required
@require_http_methods(["GET", "POST"])
def internship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_internship_base_for_user(request.user, pk)
    can_edit = can_edit_row(request.user, base.org_unit)
    form = None
    status = 200
    if request.method == "POST":
        require_edit(request.user, base.org_unit)
        form = f.InternshipDecideForm(request.POST)
        if form.is_valid():
            done = run_action(
                form,
                internship_actions.internship_base_decide,
                actor=request.user,
                base=base,
                **form.cleaned_data,
            )
            if done is not None:
                messages.success(request, "已登记认定结果。")
                return redirect("livelihood:internship_detail", base.pk)
        status = 400
    if can_edit and base.status == InternshipBase.Status.APPLIED and form is None:
        form = f.InternshipDecideForm()
    return render(
        request,
        "livelihood/internship_detail.html",
        {"base": base, "form": form, "can_edit": can_edit},
        status=status,
    )


# ---- Training --------------------------------------------------------------------------------


class TrainingList(LedgerList):
    """培训班: the classes started in the year, by type, searched by name; the classes, trainees
    and completions over the filtered classes."""

    title = "培训班"
    template_name = "livelihood/training_list.html"
    summary_template = "livelihood/_training_sums.html"
    filter_form = f.StatusFilterForm
    search_fields = ("name",)
    search_placeholder = "班次名称"
    year_field = "start_on"
    default_sort = "-start_on"
    export_name = "培训班"
    empty_text = "暂无培训班。"
    columns = (
        listing.Column("name", "班次", link=listing.link("livelihood:training_detail")),
        listing.Column("kind", "类型", "get_kind_display", sort="kind", nowrap=True),
        listing.Column("start_on", "开班日期", kind=listing.DATE, sort="start_on"),
        listing.Column("end_on", "结业日期", kind=listing.DATE, sort="end_on"),
        listing.Column("sessions", "课时", kind=listing.COUNT, wide_only=True),
        listing.Column("trainees", "学员", "trainee_count", kind=listing.COUNT),
        listing.Column("completed", "结业", "completed_count", kind=listing.COUNT),
    )

    def get_form_kwargs(self) -> dict:
        return {"choices": TrainingClass.Kind.choices, "label": "类型"}

    def get_queryset(self):
        classes = livelihood_rows_visible_to(self.request.user, TrainingClass.objects.all())
        return classes.annotate(
            trainee_count=Count("trainees"),
            completed_count=Count("trainees", filter=Q(trainees__completed=True)),
        )

    def filter_queryset(self, queryset, data):
        if data.get("status"):
            queryset = queryset.filter(kind=data["status"])
        return queryset

    def get_context_data(self, queryset) -> dict:
        sums = Trainee.objects.filter(training_class__in=queryset.values("pk")).aggregate(
            trainees=Count("id"), completed=Count("id", filter=Q(completed=True))
        )
        sums["classes"] = queryset.count()
        return {**super().get_context_data(queryset), "sums": sums}


training_list = viewer_required(TrainingList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.TrainingClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        training_class = run_action(
            form,
            training_actions.training_class_create,
            actor=request.user,
            org_unit=unit,
            **form.cleaned_data,
        )
        if training_class is not None:
            messages.success(request, "已开设培训班。")
            return redirect("livelihood:training_detail", training_class.pk)
    return form_page(request, form, title="开设培训班", back=reverse("livelihood:training_list"))


@login_required
@require_http_methods(["GET", "POST"])
def training_update(request: HttpRequest, pk: int) -> HttpResponse:
    training_class = get_training_class_for_user(request.user, pk)
    require_edit(request.user, training_class.org_unit)
    fields = ["name", "kind", "start_on", "end_on", "sessions"]
    form = f.TrainingClassForm(
        request.POST or None, initial={n: getattr(training_class, n) for n in fields}
    )
    if request.method == "POST" and form.is_valid():
        done = run_action(
            form,
            training_actions.training_class_update,
            actor=request.user,
            training_class=training_class,
            **form.cleaned_data,
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("livelihood:training_detail", training_class.pk)
    return form_page(
        request,
        form,
        title=f"修改培训班:{training_class.name}",
        back=reverse("livelihood:training_detail", args=[training_class.pk]),
    )


def _attendance(trainee) -> str:
    return f"{trainee.attended_sessions} / {trainee.training_class.sessions}"


class TrainingRoll(listing.ListPage):
    """The trainees of a class (a kit list, searched by name) on the class page; the page view
    (`training_detail`) finds the class and handles the enrolment, this class shows the roll."""

    template_name = "livelihood/training_detail.html"
    search_fields = ("person__name",)
    search_placeholder = "学员姓名"
    ordering = ("id",)
    export_name = "培训班学员名单"
    empty_text = "暂无学员。"
    columns: ClassVar[Sequence[listing.Column]] = (
        listing.Column("name", "姓名", "person.name"),
        listing.Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        listing.Column("attended", "出勤", _attendance, sort="attended_sessions", nowrap=True),
        listing.Column(
            "completed", "结业", kind=listing.BOOL, template="livelihood/_trainee_completed.html"
        ),
    )
    # Given by `training_detail` (as_view keyword arguments).
    training_class: TrainingClass | None = None
    can_edit = False
    enrol_form: f.TraineeForm | None = None

    def get_queryset(self):
        assert self.training_class is not None
        return self.training_class.trainees.select_related("person")

    def base_context(self) -> dict:
        assert self.training_class is not None
        return {**super().base_context(), "title": self.training_class.name}

    def get_context_data(self, queryset) -> dict:
        assert self.training_class is not None
        trainees = self.training_class.trainees.all()
        sums = trainees.aggregate(
            total=Count("id"), completed=Count("id", filter=Q(completed=True))
        )
        return {
            "training_class": self.training_class,
            "sums": sums,
            "enrol_form": self.enrol_form,
            "can_edit": self.can_edit,
            "threshold": training_actions.completion_threshold(self.training_class.sessions),
        }

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """A refused enrolment: the page again, with the form's errors."""
        return self.get(request, *args, **kwargs)


class EditableTrainingRoll(TrainingRoll):
    """The roll as the keeping clerk sees it: each trainee's attendance can be changed."""

    columns = (
        *TrainingRoll.columns,
        listing.Column(
            "edit", "操作", "pk", template="livelihood/_trainee_edit.html", export=False
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The class with its trainees; a clerk enrols a trainee here (POST). Every view of the
    roll is an audited read."""
    training_class = get_training_class_for_user(request.user, pk, purpose="学员名单")
    can_edit = can_edit_row(request.user, training_class.org_unit)
    form = f.TraineeForm() if can_edit else None
    status = 200
    if request.method == "POST":
        require_edit(request.user, training_class.org_unit)
        form = f.TraineeForm(request.POST)
        if form.is_valid():
            trainee = run_action(
                form,
                training_actions.trainee_enrol,
                actor=request.user,
                training_class=training_class,
                **form.cleaned_data,
            )
            if trainee is not None:
                messages.success(request, f"{trainee.person.name} 已报名。")
                return redirect("livelihood:training_detail", training_class.pk)
        status = 400
    roll = EditableTrainingRoll if can_edit else TrainingRoll
    view = roll.as_view(training_class=training_class, can_edit=can_edit, enrol_form=form)
    response = view(request)
    if status != 200 and response.status_code == 200:
        response.status_code = status
    return response


@login_required
@require_http_methods(["GET", "POST"])
def trainee_update(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = get_trainee_for_user(request.user, pk)
    training_class = trainee.training_class
    require_edit(request.user, training_class.org_unit)
    form = f.TraineeUpdateForm(
        request.POST or None,
        initial={"attended_sessions": trainee.attended_sessions, "completed": trainee.completed},
    )
    if request.method == "POST" and form.is_valid():
        done = run_action(
            form,
            training_actions.trainee_update,
            actor=request.user,
            trainee=trainee,
            **form.cleaned_data,
        )
        if done is not None:
            messages.success(request, f"已保存 {trainee.person.name} 的出勤与结业情况。")
            return redirect("livelihood:training_detail", training_class.pk)
    return form_page(
        request,
        form,
        title=f"{training_class.name} · {trainee.person.name}(共 {training_class.sessions} 次课)",
        back=reverse("livelihood:training_detail", args=[training_class.pk]),
    )
