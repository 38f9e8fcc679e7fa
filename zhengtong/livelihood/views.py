"""Pages of the livelihood ledgers: employment, unemployment rate, loans, internship bases and
training. Every row goes through selectors (not visible → 404, visible but read-only → 403);
every figure on a page is a sum computed by the database. Each ledger shows one year, chosen
with the period picker of `lib.periods`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.audit.reads import record_list_read
from zhengtong.lib import listing, periods

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

PAGE_SIZE = 25
ZERO = Value(0, output_field=DecimalField(max_digits=16, decimal_places=2))


def _require_viewer(user) -> None:
    if not can_view_livelihood(user):
        raise PermissionDenied


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _year(request: HttpRequest, rows, field: str) -> periods.PeriodChoice:
    """The year the ledger shows: the one asked for, else this year, or the last year with rows
    while this year has none (the page says so). Rows stay where they are: only the view moves."""
    return periods.choose_year(request.GET, data=periods.DataDates(rows, field))


def _in_year(rows, field: str, picker: periods.PeriodChoice):
    period = picker.period
    return rows.filter(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _filters(request, status_choices=()) -> f.FilterForm:
    form = f.FilterForm(request.GET or None, status_choices=status_choices)
    form.is_valid()
    return form


def _form_page(request, form, *, title: str, back: str, submit: str = "保存") -> HttpResponse:
    return render(
        request,
        "livelihood/form.html",
        {"form": form, "title": title, "back": back, "submit": submit},
    )


def _run(form, action, **kwargs):
    """Call `action`; on a refusal put its Chinese message on the form and return None."""
    try:
        return action(**kwargs)
    except ValidationError as exc:
        f.add_errors(form, exc)
        return None


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


class EmploymentList(listing.ListPage):
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
        return {"sums": sums, "can_create": keeping_unit_for(self.request.user) is not None}


employment_list = role_required(test=can_view_livelihood)(EmploymentList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def employment_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.EmploymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = _run(
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
    return _form_page(request, form, title="就业登记", back=reverse("livelihood:employment_list"))


@login_required
def employment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_employment_for_user(request.user, pk)
    return render(request, "livelihood/employment_detail.html", {"record": record})


# ---- Registered unemployment -----------------------------------------------------------------


@login_required
def unemployment_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request.user)
    figures = livelihood_rows_visible_to(request.user, UnemploymentFigure.objects.all())
    picker = _year(request, figures, "period")
    figures = _in_year(figures, "period", picker)
    # One row per month: the sums over the departments the user sees.
    months = (
        figures.values("period")
        .annotate(unemployed=Sum("registered_unemployed"), labour_force=Sum("labour_force"))
        .order_by("-period")
    )
    page = _page(request, months)
    for row in page:
        row["rate"] = employment_actions.unemployment_rate(row["unemployed"], row["labour_force"])
        row["over_target"] = employment_actions.exceeds_target(row["rate"])
    return render(
        request,
        "livelihood/unemployment_list.html",
        {
            "picker": picker,
            "page": page,
            "target": employment_actions.UNEMPLOYMENT_TARGET,
            "can_create": keeping_unit_for(request.user) is not None,
        },
        status=picker.status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unemployment_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.UnemploymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        figure = _run(
            form,
            employment_actions.unemployment_figure_record,
            actor=request.user,
            org_unit=unit,
            **form.cleaned_data,
        )
        if figure is not None:
            messages.success(request, f"已保存 {figure.period:%Y年%m月} 的登记失业数据。")
            return redirect("livelihood:unemployment_list")
    return _form_page(
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


@login_required
def loan_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request.user)
    form = _filters(request, Loan.Status.choices)
    loans = livelihood_rows_visible_to(request.user, Loan.objects.all())
    picker = _year(request, loans, "submitted_on")
    loans = _in_year(loans, "submitted_on", picker)
    if status := form.value("status"):
        loans = loans.filter(status=status)
    if q := form.value("q"):
        loans = loans.filter(Q(borrower__name__contains=q) | Q(business__contains=q))
    sums = loans.aggregate(
        count=Count("id"),
        requested=Coalesce(Sum("amount_requested"), ZERO),
        approved=Coalesce(Sum("amount_approved"), ZERO),
    )
    sums["disbursed"] = LoanDisbursement.objects.filter(loan__in=loans).aggregate(
        s=Coalesce(Sum("amount"), ZERO)
    )["s"]
    loans = (
        loans.select_related("borrower")
        .annotate(disbursed=_disbursed_subquery())
        .order_by("-submitted_on", "-id")
    )
    page = _page(request, loans)
    record_list_read(
        actor=request.user,
        model=Loan,
        count=len(page.object_list),
        filters={**(form.cleaned_data if form.is_valid() else {}), "year": picker.period.year},
    )
    return render(
        request,
        "livelihood/loan_list.html",
        {
            "form": form,
            "picker": picker,
            "sums": sums,
            "page": page,
            "can_create": keeping_unit_for(request.user) is not None,
        },
        status=picker.status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.LoanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        loan = _run(
            form, loan_actions.loan_submit, actor=request.user, org_unit=unit, **form.cleaned_data
        )
        if loan is not None:
            messages.success(request, "已登记贷款申请。")
            return redirect("livelihood:loan_detail", loan.pk)
    return _form_page(request, form, title="创业担保贷款申请", back=reverse("livelihood:loan_list"))


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
            f.add_errors(form, exc)
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


@login_required
def internship_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request.user)
    form = _filters(request, InternshipBase.Status.choices)
    visible = livelihood_rows_visible_to(request.user, InternshipBase.objects.all())
    picker = _year(request, visible, "applied_on")
    year = picker.period.year
    S = InternshipBase.Status
    year_counts = visible.aggregate(
        applied=Count("id", filter=Q(applied_on__year=year)),
        approved=Count("id", filter=Q(status=S.APPROVED, decided_on__year=year)),
        positions=Coalesce(Sum("positions", filter=Q(status=S.APPROVED)), 0),
    )
    bases = _in_year(visible, "applied_on", picker)
    if status := form.value("status"):
        bases = bases.filter(status=status)
    if q := form.value("q"):
        bases = bases.filter(Q(name__contains=q) | Q(employer__contains=q))
    return render(
        request,
        "livelihood/internship_list.html",
        {
            "form": form,
            "picker": picker,
            "year": year,
            "year_counts": year_counts,
            "page": _page(request, bases.order_by("-applied_on", "id")),
            "can_create": keeping_unit_for(request.user) is not None,
        },
        status=picker.status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def internship_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.InternshipBaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        base = _run(
            form,
            internship_actions.internship_base_apply,
            actor=request.user,
            org_unit=unit,
            **form.cleaned_data,
        )
        if base is not None:
            messages.success(request, "已登记见习基地申报。")
            return redirect("livelihood:internship_detail", base.pk)
    return _form_page(
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
            done = _run(
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


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request.user)
    form = _filters(request, TrainingClass.Kind.choices)
    classes = livelihood_rows_visible_to(request.user, TrainingClass.objects.all())
    picker = _year(request, classes, "start_on")
    classes = _in_year(classes, "start_on", picker)
    if kind := form.value("status"):
        classes = classes.filter(kind=kind)
    if q := form.value("q"):
        classes = classes.filter(name__contains=q)
    sums = {
        "classes": classes.count(),
        **Trainee.objects.filter(training_class__in=classes).aggregate(
            trainees=Count("id"), completed=Count("id", filter=Q(completed=True))
        ),
    }
    classes = classes.annotate(
        trainee_count=Count("trainees"),
        completed_count=Count("trainees", filter=Q(trainees__completed=True)),
    ).order_by("-start_on", "id")
    return render(
        request,
        "livelihood/training_list.html",
        {
            "form": form,
            "picker": picker,
            "sums": sums,
            "page": _page(request, classes),
            "can_create": keeping_unit_for(request.user) is not None,
        },
        status=picker.status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.TrainingClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        training_class = _run(
            form,
            training_actions.training_class_create,
            actor=request.user,
            org_unit=unit,
            **form.cleaned_data,
        )
        if training_class is not None:
            messages.success(request, "已开设培训班。")
            return redirect("livelihood:training_detail", training_class.pk)
    return _form_page(request, form, title="开设培训班", back=reverse("livelihood:training_list"))


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
        done = _run(
            form,
            training_actions.training_class_update,
            actor=request.user,
            training_class=training_class,
            **form.cleaned_data,
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("livelihood:training_detail", training_class.pk)
    return _form_page(
        request,
        form,
        title=f"修改培训班:{training_class.name}",
        back=reverse("livelihood:training_detail", args=[training_class.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The class with its trainees; a clerk enrols a trainee here (POST)."""
    training_class = get_training_class_for_user(request.user, pk, purpose="学员名单")
    can_edit = can_edit_row(request.user, training_class.org_unit)
    form = f.TraineeForm() if can_edit else None
    status = 200
    if request.method == "POST":
        require_edit(request.user, training_class.org_unit)
        form = f.TraineeForm(request.POST)
        if form.is_valid():
            trainee = _run(
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
    trainees = training_class.trainees.select_related("person").order_by("id")
    sums = trainees.aggregate(total=Count("id"), completed=Count("id", filter=Q(completed=True)))
    return render(
        request,
        "livelihood/training_detail.html",
        {
            "training_class": training_class,
            "page": _page(request, trainees),
            "sums": sums,
            "form": form,
            "can_edit": can_edit,
            "threshold": training_actions.completion_threshold(training_class.sessions),
        },
        status=status,
    )


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
        done = _run(
            form,
            training_actions.trainee_update,
            actor=request.user,
            trainee=trainee,
            **form.cleaned_data,
        )
        if done is not None:
            messages.success(request, f"已保存 {trainee.person.name} 的出勤与结业情况。")
            return redirect("livelihood:training_detail", training_class.pk)
    return _form_page(
        request,
        form,
        title=f"{training_class.name} · {trainee.person.name}(共 {training_class.sessions} 次课)",
        back=reverse("livelihood:training_detail", args=[training_class.pk]),
    )
