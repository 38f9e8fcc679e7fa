"""Pages for 民政 clerks: assessments, eligibility, subsidy cycles and relief batches.

A 民政 clerk reads and changes the rows of their office; a 区领导 reads them all and changes
nothing (403 on every change); anyone else gets 403 on the pages and 404 on rows. Every list is
a page of the kit (`lib.listing`); the cycle and batch pages are the lists of their payments and
grants, with the cycle or batch above them.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.models import Membership, OrgUnit, User
from zhengtong.accounts.permissions import role_required
from zhengtong.lib import listing
from zhengtong.lib.encrypted import match
from zhengtong.lib.forms import add_errors
from zhengtong.lib.idcard import parse_id_number
from zhengtong.lib.idquery import ID_NUMBER_IN_URL_MESSAGE, id_number_in_query
from zhengtong.lib.listing import BOOL, COUNT, DATE, MONEY, Column
from zhengtong.people.actions import person_get_or_register
from zhengtong.people.models import Person

from . import actions, census, scales
from . import forms as f
from .models import (
    Assessment,
    CensusCampaign,
    Payment,
    PaymentCycle,
    ReliefBatch,
    ReliefGrant,
    WelfareStatus,
)
from .selectors import (
    SUBSIDY_LEVELS,
    active_scale,
    active_scales,
    can_edit_row,
    can_keep_welfare,
    can_view_welfare,
    eligibility,
    find_known_person_for_user,
    get_for_user,
    require_edit,
    require_keeping_unit,
    rows_visible_to,
    subsidy_rates,
)

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))
HOUSEHOLD, ORPHAN = ReliefGrant.RecipientKind.HOUSEHOLD, ReliefGrant.RecipientKind.ORPHAN

viewer_required = role_required(test=can_view_welfare)
keeper_required = role_required(test=can_keep_welfare)


def _person(actor, form):
    return person_get_or_register(
        actor=actor, id_number=form.cleaned_data["id_number"], name=form.cleaned_data["name"]
    )


def _ctx(request, **extra):
    extra.setdefault("can_edit", can_keep_welfare(request.user))
    extra.setdefault("today", timezone.localdate())
    return extra


def _level_text(row) -> str:
    text = f"{row.level} 级 {scales.LEVEL_LABELS.get(row.level, '')}".strip()
    if getattr(row, "level_changed_from", None) is not None:
        text += f"(重算前 {row.level_changed_from} 级)"
    return text


def _month_text(row) -> str:
    return f"{row.month:%Y年%m月}"


@viewer_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("welfare:assessment_list")


class WelfareList(listing.ListPage):
    """What every welfare list shows besides its rows: whether the user files welfare rows
    (the 新增 buttons) and today (overdue dates)."""

    def get_context_data(self, queryset: QuerySet) -> dict:
        return _ctx(self.request)


# ------------------------------------------------------------------------------- assessments


class AssessmentList(WelfareList):
    """老年人能力评估: searched by name, filtered by level and by whether the reassessment is
    overdue; each list view is an audited read (the rows are named elderly people)."""

    title = "老年人能力评估"
    template_name = "welfare/assessment_list.html"
    filter_form = f.AssessmentFilterForm
    search_fields = ("person__name",)
    search_label = "姓名"
    search_placeholder = "老人姓名"
    default_sort = "-assessed_on"
    export_name = "老年人能力评估"
    empty_text = "没有评估记录。"
    audit_model = Assessment
    columns = (
        Column(
            "assessed_on",
            "评估日期",
            kind=DATE,
            sort="assessed_on",
            link=listing.link("welfare:assessment_detail"),
        ),
        Column("name", "老人", "person.name"),
        Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        Column("level", "能力等级", _level_text, nowrap=True),
        Column(
            "reassess_due_on",
            "复评期限",
            kind=DATE,
            sort="reassess_due_on",
            template="welfare/_due_cell.html",
        ),
        Column("unit", "经办单位", "org_unit.name", wide_only=True),
    )

    def get_queryset(self) -> QuerySet:
        rows = rows_visible_to(self.request.user, Assessment.objects.all())
        return rows.select_related("person", "org_unit")

    def filter_queryset(self, queryset: QuerySet, data: dict) -> QuerySet:
        if data.get("level") is not None:
            queryset = queryset.filter(level=data["level"])
        today = timezone.localdate()
        if data.get("due") == "overdue":
            queryset = queryset.filter(reassess_due_on__lt=today)
        elif data.get("due") == "pending":
            queryset = queryset.filter(reassess_due_on__gte=today)
        if data.get("recomputed"):
            queryset = queryset.filter(level_changed_from__isnull=False)
        return queryset


assessment_list = viewer_required(AssessmentList.as_view())


def _assessors(unit):
    # Anyone holding a post in the office may sign as an assessor.
    ids = Membership.objects.filter(org_unit__path__startswith=unit.path).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username")


@keeper_required
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    scale = active_scale(request.POST.get("scale") or request.GET.get("scale"))
    form = f.AssessmentForm(
        request.POST or None,
        definition=scale.definition,
        assessors=_assessors(unit),
        initial={"assessed_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with_person = _person(request.user, form)
                assessment = actions.assessment_create(
                    actor=request.user,
                    person=with_person,
                    org_unit=unit,
                    scale=scale,
                    assessed_on=data["assessed_on"],
                    scores=form.scores(),
                    assessor_1=data["assessor_1"],
                    assessor_2=data["assessor_2"],
                    note=data["note"],
                    conditions=form.conditions(),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"评估已保存:{scales.LEVEL_LABELS[assessment.level]}。")
                return redirect("welfare:assessment_detail", assessment.pk)
        status = 400
    context = _ctx(request, form=form, scale=scale, scales=active_scales())
    return render(request, "welfare/assessment_form.html", context, status=status)


def _level_change(assessment: Assessment) -> str:
    """ "重算后由 1 级 轻度失能 改为 2 级 中度失能(…);护理补贴:等级由不符合变为符合。" """
    old = assessment.level_changed_from
    if old is None:
        return ""
    new = assessment.level

    def subsidy(level: int) -> str:
        return "符合" if level in SUBSIDY_LEVELS else "不符合"

    consequence = (
        f"护理补贴等级条件由{subsidy(old)}变为{subsidy(new)}。"
        if subsidy(old) != subsidy(new)
        else f"护理补贴等级条件仍{subsidy(new)}。"
    )
    return (
        f"按等级变更规则重算,由 {old} 级 {scales.LEVEL_LABELS[old]} 改为 {new} 级 "
        f"{scales.LEVEL_LABELS[new]}({assessment.level_change_reason});{consequence}"
    )


@viewer_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Assessment.objects.select_related(
        "person", "scale", "assessor_1", "assessor_2", "org_unit"
    )
    assessment = get_for_user(request.user, qs, pk)
    definition = assessment.scale.definition
    dimensions = []
    for dim in definition.get("dimensions", []):
        grade = assessment.grades.get(dim["code"], {})
        dimensions.append(
            {
                "name": dim["name"],
                "verified": dim.get("verified", True),
                "total": grade.get("total"),
                "grade": grade.get("grade"),
                "grade_label": scales.GRADE_LABELS.get(grade.get("grade"), ""),
                "items": [
                    (
                        item["name"],
                        assessment.scores.get(item["code"]),
                        scales.score_wording(definition, item, assessment.scores.get(item["code"])),
                    )
                    for item in dim["items"]
                ],
            }
        )
    context = _ctx(
        request,
        assessment=assessment,
        dimensions=dimensions,
        level_label=scales.LEVEL_LABELS.get(assessment.level, ""),
        adjusted=scales.adjusted_label(assessment.grades.get("adjusted_by", []), definition),
        total=assessment.grades.get("total"),
        total_kind=definition["level"]["kind"],
        level_change=_level_change(assessment),
    )
    return render(request, "welfare/assessment_detail.html", context)


# ------------------------------------------------------------------------------- status


class StatusList(WelfareList):
    """救助身份: the verified assistance category and care need of each person the office
    knows; searched by name, filtered by category and care need; an audited read."""

    title = "救助身份"
    template_name = "welfare/status_list.html"
    filter_form = f.StatusFilterForm
    search_fields = ("person__name",)
    search_label = "姓名"
    default_sort = "name"
    export_name = "救助身份"
    empty_text = "没有救助身份记录。"
    audit_model = WelfareStatus
    columns = (
        Column("name", "姓名", "person.name", sort="person__name"),
        Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        Column("category", "救助类别", "get_category_display"),
        Column("long_term_dependent", "长期不能自理", kind=BOOL),
        Column("in_institution", "入住机构", kind=BOOL),
        Column("verified_on", "核实日期", kind=DATE),
        Column("verified_by", "核实人", "verified_by.display_name", wide_only=True),
    )

    def get_queryset(self) -> QuerySet:
        rows = rows_visible_to(self.request.user, WelfareStatus.objects.all())
        return rows.select_related("person", "verified_by")

    def filter_queryset(self, queryset: QuerySet, data: dict) -> QuerySet:
        if data.get("category"):
            category = "" if data["category"] == "none" else data["category"]
            queryset = queryset.filter(category=category)
        if data.get("dependent"):
            queryset = queryset.filter(long_term_dependent=data["dependent"] == "1")
        return queryset


status_list = viewer_required(StatusList.as_view())


@keeper_required
@require_http_methods(["GET", "POST"])
def status_edit(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.WelfareStatusForm(request.POST or None, initial={"verified_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = _person(request.user, form)
                existing = WelfareStatus.objects.filter(person=person).first()
                if existing is not None:
                    # A row kept by another office is not this clerk's to change.
                    get_for_user(request.user, WelfareStatus.objects.all(), existing.pk)
                    require_edit(request.user, existing.org_unit)
                actions.welfare_status_set(
                    actor=request.user,
                    person=person,
                    org_unit=unit,
                    category=data["category"],
                    long_term_dependent=data["long_term_dependent"],
                    in_institution=data["in_institution"],
                    verified_on=data["verified_on"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"{person.name}的救助身份已保存。")
                return redirect("welfare:status_list")
        status = 400
    return render(request, "welfare/status_form.html", _ctx(request, form=form), status=status)


# ------------------------------------------------------------------------------- eligibility


@viewer_required
@require_http_methods(["GET", "POST"])
def eligibility_check(request: HttpRequest) -> HttpResponse:
    """核定 by ID number: the number comes in a POST body, never in the URL; a GET that carries
    one is refused (400). The person found is an audited read."""
    if request.method == "GET" and id_number_in_query(request.GET):
        context = _ctx(
            request, form=f.EligibilityForm(), result=None, error=ID_NUMBER_IN_URL_MESSAGE
        )
        return render(request, "welfare/eligibility.html", context, status=400)
    form = f.EligibilityForm(request.POST or None)
    result = None
    if form.is_valid():
        try:
            number = parse_id_number(form.cleaned_data["id_number"]).number
        except ValidationError as exc:
            form.add_error("id_number", exc.messages)
        else:
            # Only people this office knows: a welfare status or an assessment it keeps.
            person = find_known_person_for_user(request.user, number, purpose="护理补贴资格核定")
            if person is None:
                form.add_error("id_number", "本单位没有该人员的救助身份或能力评估记录。")
            else:
                on = form.cleaned_data["on"] or timezone.localdate()
                ok, reasons = eligibility(person, on)
                result = {"person": person, "on": on, "ok": ok, "reasons": reasons}
    context = _ctx(request, form=form, result=result)
    return render(request, "welfare/eligibility.html", context)


# ------------------------------------------------------------------------------- cycles


class CycleList(WelfareList):
    """护理补贴发放: the monthly cycles of one year with their head count and amount; the year's
    approved payments summed over the filtered cycles. A 民政 clerk makes a month's cycle here
    (POST); a bad month shows the list again with the form's error (400)."""

    title = "护理补贴发放"
    template_name = "welfare/cycle_list.html"
    summary_template = "welfare/_cycle_sums.html"
    filter_form = f.CycleFilterForm
    year_field = "month"
    default_sort = "-month"
    export_name = "护理补贴发放批次"
    empty_text = "本年度还没有发放批次。"
    columns = (
        Column(
            "month",
            "发放月份",
            _month_text,
            sort="month",
            link=listing.link("welfare:cycle_detail"),
            nowrap=True,
        ),
        Column("status", "状态", "get_status_display", nowrap=True),
        Column("n", "人数", kind=COUNT),
        Column("total", "金额", kind=MONEY),
        Column("approved_by", "审批人", "approved_by.display_name", wide_only=True),
    )
    create_form: f.CycleForm | None = None

    def get_queryset(self) -> QuerySet:
        rows = rows_visible_to(self.request.user, PaymentCycle.objects.all())
        return rows.select_related("org_unit", "approved_by")

    def filter_queryset(self, queryset: QuerySet, data: dict) -> QuerySet:
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset

    def order(self, queryset: QuerySet, sort: str) -> QuerySet:
        # The sums per row, added after the filters so the year's totals read plain rows.
        return super().order(
            queryset.annotate(n=Count("payments"), total=Coalesce(Sum("payments__amount"), ZERO)),
            sort,
        )

    def get_context_data(self, queryset: QuerySet) -> dict:
        approved = queryset.filter(status=PaymentCycle.Status.APPROVED)
        totals = Payment.objects.filter(cycle__in=approved).aggregate(
            n=Count("id"), total=Sum("amount")
        )
        return _ctx(
            self.request,
            totals=totals,
            rates=subsidy_rates(),
            create_form=self.create_form or f.CycleForm(),
        )

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        unit = require_keeping_unit(request.user)
        form = f.CycleForm(request.POST)
        if form.is_valid():
            try:
                cycle = actions.cycle_create(
                    actor=request.user, month=form.cleaned_data["month"], org_unit=unit
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已生成{cycle}发放名单。")
                return redirect("welfare:cycle_detail", cycle.pk)
        self.create_form = form
        response = self.get(request, *args, **kwargs)
        response.status_code = 400
        return response


cycle_list = viewer_required(CycleList.as_view())


class CyclePayments(WelfareList):
    """The page of one cycle: the cycle above, its payments listed (searched by name, by
    level). Shown through `_show_cycle()`, which picks the draft variant for a clerk who may
    still change the cycle."""

    title = "护理补贴发放名单"
    template_name = "welfare/cycle_detail.html"
    filter_form = f.PaymentFilterForm
    search_fields = ("person__name",)
    search_label = "姓名"
    ordering = ("person__name",)
    export_name = "护理补贴发放名单"
    empty_text = "没有符合条件的人员。"
    columns: ClassVar[Sequence[Column]] = (
        Column("name", "姓名", "person.name", sort="person__name"),
        Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        Column(
            "level",
            "能力等级",
            _level_text,
            sort="level",
            link=listing.link("welfare:assessment_detail", "assessment_id"),
            nowrap=True,
        ),
        Column("amount", "金额", kind=MONEY, sort="amount"),
    )
    cycle: PaymentCycle | None = None
    add_form: f.PaymentAddForm | None = None
    editable = False

    def get_queryset(self) -> QuerySet:
        assert self.cycle is not None
        return self.cycle.payments.select_related("person")

    def filter_queryset(self, queryset: QuerySet, data: dict) -> QuerySet:
        if data.get("level") is not None:
            queryset = queryset.filter(level=data["level"])
        return queryset

    def get_context_data(self, queryset: QuerySet) -> dict:
        assert self.cycle is not None
        return _ctx(
            self.request,
            title=str(self.cycle),
            cycle=self.cycle,
            editable=self.editable,
            totals=self.cycle.payments.aggregate(n=Count("id"), total=Sum("amount")),
            add_form=self.add_form or f.PaymentAddForm(),
        )


class DraftCyclePayments(CyclePayments):
    """A cycle its clerk may still change: each payment can be taken off the list."""

    editable = True
    columns = (
        *CyclePayments.columns,
        Column("remove", "移出名单", "pk", template="welfare/_payment_remove.html", export=False),
    )


def _get_cycle(request, pk):
    return get_for_user(request.user, PaymentCycle.objects.select_related("approved_by"), pk)


def _show_sheet(request, pages, sheet, *, add_form=None, status=200) -> HttpResponse:
    """A cycle's or batch's list page: `pages` is (read-only page, draft page, keyword); the
    draft page (rows can be taken off) while the sheet is a draft the user may edit."""
    read_only, draft, keyword = pages
    editable = sheet.status == sheet.Status.DRAFT and can_edit_row(request.user, sheet.org_unit)
    page = (draft if editable else read_only)(**{keyword: sheet}, add_form=add_form)
    page.setup(request)
    response = page.get(request)
    if status != 200:
        response.status_code = status
    return response


def _show_cycle(request, cycle, *, add_form=None, status=200) -> HttpResponse:
    pages = (CyclePayments, DraftCyclePayments, "cycle")
    return _show_sheet(request, pages, cycle, add_form=add_form, status=status)


@viewer_required
@require_GET
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _show_cycle(request, _get_cycle(request, pk))


@viewer_required
@require_POST
def cycle_approve(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _get_cycle(request, pk)
    require_edit(request.user, cycle.org_unit)
    try:
        actions.cycle_approve(actor=request.user, cycle=cycle)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, "发放名单已审批,不能再修改。")
    return redirect("welfare:cycle_detail", cycle.pk)


def _back_to(request: HttpRequest, url_name: str, pk: int) -> HttpResponse:
    """A GET of an add URL (a sort or page link of the page shown after a refused add) goes
    back to the list it came from, with the same query."""
    query = request.GET.urlencode()
    return redirect(reverse(url_name, args=[pk]) + (f"?{query}" if query else ""))


@viewer_required
@require_http_methods(["GET", "POST"])
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _back_to(request, "welfare:cycle_detail", pk)
    cycle = _get_cycle(request, pk)
    require_edit(request.user, cycle.org_unit)
    form = f.PaymentAddForm(request.POST)
    if form.is_valid():
        person = match(Person.objects.all(), "id_number", form.cleaned_data["id_number"]).first()
        if person is None:
            form.add_error("id_number", "没有该身份证号码的人员。")
        else:
            try:
                actions.payment_add(actor=request.user, cycle=cycle, person=person)
            except ValidationError as exc:
                # The action names the person; the form asks for the ID number.
                errors = exc.message_dict
                if "person" in errors:
                    form.add_error("id_number", errors.pop("person"))
                add_errors(form, ValidationError(errors))
            else:
                messages.success(request, f"已将{person.name}加入发放名单。")
                return redirect("welfare:cycle_detail", cycle.pk)
    return _show_cycle(request, cycle, add_form=form, status=400)


@viewer_required
@require_POST
def payment_remove(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
    cycle = _get_cycle(request, pk)
    require_edit(request.user, cycle.org_unit)
    payment = get_object_or_404(cycle.payments.select_related("person"), pk=payment_pk)
    form = f.ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": "请填写移出名单的原因。"})
        actions.payment_remove(
            actor=request.user, payment=payment, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, f"已将{payment.person.name}移出发放名单。")
    return redirect("welfare:cycle_detail", cycle.pk)


# ------------------------------------------------------------------------------- relief


class BatchList(WelfareList):
    """救助金: the batches approved in one year, and every batch still being drawn up (it has
    no approval date yet, so it is listed under every year); the year's approved grants summed
    over the filtered batches. A 民政 clerk opens a new batch here (POST)."""

    title = "救助金发放"
    template_name = "welfare/batch_list.html"
    summary_template = "welfare/_batch_sums.html"
    filter_form = f.BatchFilterForm
    search_fields = ("name",)
    search_label = "批次"
    search_placeholder = "批次名称"
    year_field = "approved_on"
    ordering = ("-id",)
    export_name = "救助金发放批次"
    empty_text = "本年度还没有救助批次。"
    columns = (
        Column("name", "批次", link=listing.link("welfare:batch_detail")),
        Column("status", "状态", "get_status_display", nowrap=True),
        Column("households", "困难家庭(户)", kind=COUNT),
        Column("orphans", "孤儿(名)", kind=COUNT),
        Column("total", "金额", kind=MONEY),
        Column("approved_on", "审批日期", kind=DATE, sort="approved_on", wide_only=True),
    )
    create_form: f.BatchForm | None = None

    def get_queryset(self) -> QuerySet:
        rows = rows_visible_to(self.request.user, ReliefBatch.objects.all())
        return rows.select_related("org_unit", "approved_by")

    def in_period(self, queryset: QuerySet) -> QuerySet:
        super().in_period(queryset)  # the picker, from the approval dates
        period = self.picker.period
        return queryset.filter(
            Q(approved_on__gte=period.start, approved_on__lte=period.end)
            | Q(status=ReliefBatch.Status.DRAFT)
        )

    def filter_queryset(self, queryset: QuerySet, data: dict) -> QuerySet:
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset

    def order(self, queryset: QuerySet, sort: str) -> QuerySet:
        # The sums per row, added after the filters so the year's totals read plain rows.
        return super().order(
            queryset.annotate(
                households=Count("grants", filter=Q(grants__recipient_kind=HOUSEHOLD)),
                orphans=Count("grants", filter=Q(grants__recipient_kind=ORPHAN)),
                total=Coalesce(Sum("grants__amount"), ZERO),
            ),
            sort,
        )

    def get_context_data(self, queryset: QuerySet) -> dict:
        approved = queryset.filter(status=ReliefBatch.Status.APPROVED)
        totals = ReliefGrant.objects.filter(batch__in=approved).aggregate(
            batches=Count("batch", distinct=True),
            households=Count("id", filter=Q(recipient_kind=HOUSEHOLD)),
            orphans=Count("id", filter=Q(recipient_kind=ORPHAN)),
            total=Sum("amount"),
        )
        return _ctx(self.request, totals=totals, create_form=self.create_form or f.BatchForm())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        unit = require_keeping_unit(request.user)
        form = f.BatchForm(request.POST)
        if form.is_valid():
            try:
                batch = actions.relief_batch_create(
                    actor=request.user, name=form.cleaned_data["name"], org_unit=unit
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("welfare:batch_detail", batch.pk)
        self.create_form = form
        response = self.get(request, *args, **kwargs)
        response.status_code = 400
        return response


batch_list = viewer_required(BatchList.as_view())


class BatchGrants(WelfareList):
    """The page of one relief batch: the batch above, its grants listed (searched by name, by
    recipient and reason). Shown through `_show_batch()`, which picks the draft variant for a
    clerk who may still change the batch."""

    title = "救助名单"
    template_name = "welfare/batch_detail.html"
    filter_form = f.GrantFilterForm
    search_fields = ("person__name",)
    search_label = "姓名"
    ordering = ("id",)
    export_name = "救助金名单"
    empty_text = "本批次还没有符合条件的救助记录。"
    columns: ClassVar[Sequence[Column]] = (
        Column("recipient_kind", "对象", "get_recipient_kind_display", nowrap=True),
        Column("name", "姓名", "person.name", sort="person__name"),
        Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        Column("reason", "原因", "get_reason_display"),
        Column("amount", "金额", kind=MONEY, sort="amount"),
        Column("address", "家庭住址", "household.address", wide_only=True),
    )
    batch: ReliefBatch | None = None
    add_form: f.GrantForm | None = None
    editable = False

    def get_queryset(self) -> QuerySet:
        assert self.batch is not None
        return self.batch.grants.select_related("person", "household")

    def filter_queryset(self, queryset: QuerySet, data: dict) -> QuerySet:
        for name in ("recipient_kind", "reason"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        return queryset

    def get_context_data(self, queryset: QuerySet) -> dict:
        assert self.batch is not None
        totals = self.batch.grants.aggregate(
            households=Count("id", filter=Q(recipient_kind=HOUSEHOLD)),
            orphans=Count("id", filter=Q(recipient_kind=ORPHAN)),
            total=Sum("amount"),
        )
        return _ctx(
            self.request,
            title=self.batch.name,
            batch=self.batch,
            editable=self.editable,
            totals=totals,
            add_form=self.add_form or f.GrantForm(),
        )


class DraftBatchGrants(BatchGrants):
    """A batch its clerk may still change: each grant can be deleted."""

    editable = True
    columns = (
        *BatchGrants.columns,
        Column("remove", "删除", "pk", template="welfare/_grant_remove.html", export=False),
    )


def _get_batch(request, pk):
    return get_for_user(request.user, ReliefBatch.objects.select_related("approved_by"), pk)


def _show_batch(request, batch, *, add_form=None, status=200) -> HttpResponse:
    pages = (BatchGrants, DraftBatchGrants, "batch")
    return _show_sheet(request, pages, batch, add_form=add_form, status=status)


@viewer_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _show_batch(request, _get_batch(request, pk))


@viewer_required
@require_http_methods(["GET", "POST"])
def grant_add(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _back_to(request, "welfare:batch_detail", pk)
    batch = _get_batch(request, pk)
    require_edit(request.user, batch.org_unit)
    form = f.GrantForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.relief_grant_add(actor=request.user, batch=batch, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记{data['name']}的救助。")
            return redirect("welfare:batch_detail", batch.pk)
    return _show_batch(request, batch, add_form=form, status=400)


@viewer_required
@require_POST
def grant_remove(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    batch = _get_batch(request, pk)
    require_edit(request.user, batch.org_unit)
    grant = get_object_or_404(batch.grants.select_related("person"), pk=grant_pk)
    form = f.ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": "请填写删除原因。"})
        actions.relief_grant_remove(
            actor=request.user, grant=grant, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, "已删除该救助记录。")
    return redirect("welfare:batch_detail", batch.pk)


@viewer_required
@require_POST
def batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(request, pk)
    require_edit(request.user, batch.org_unit)
    try:
        actions.relief_batch_approve(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, "救助批次已审批,不能再修改。")
    return redirect("welfare:batch_detail", batch.pk)


# ------------------------------------------------------------------------------- census


def _window_text(row) -> str:
    return f"{row.started_on:%Y-%m-%d} 至 {row.ends_on:%Y-%m-%d}"


class CensusList(WelfareList):
    """普查评估: the office's census campaigns, newest first; a clerk opens a new one above."""

    title = "普查评估"
    template_name = "welfare/census_list.html"
    search_fields = ("name",)
    search_label = "名称"
    default_sort = "-started_on"
    export_name = "普查评估"
    empty_text = "还没有普查评估。"
    columns = (
        Column("name", "名称", link=listing.link("welfare:census_detail")),
        Column("area", "普查范围", "area.name"),
        Column("started_on", "开始日期", kind=DATE, sort="started_on"),
        Column("ends_on", "截止日期", kind=DATE, sort="ends_on"),
        Column("created_by", "创建人", "created_by.display_name", wide_only=True),
    )
    create_form: f.CensusForm | None = None

    def get_queryset(self) -> QuerySet:
        rows = rows_visible_to(self.request.user, CensusCampaign.objects.all())
        return rows.select_related("area", "created_by")

    def get_context_data(self, queryset: QuerySet) -> dict:
        unit = (
            require_keeping_unit(self.request.user) if can_keep_welfare(self.request.user) else None
        )
        form = self.create_form
        if form is None and unit is not None:
            form = f.CensusForm(areas=actions.census_areas(unit))
        return _ctx(self.request, create_form=form)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        unit = require_keeping_unit(request.user)
        form = f.CensusForm(request.POST, areas=actions.census_areas(unit))
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = actions.census_campaign_create(
                    actor=request.user,
                    name=data["name"],
                    area=data["area"],
                    started_on=data["started_on"],
                    ends_on=data["ends_on"],
                    org_unit=unit,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已新建普查评估“{campaign.name}”。")
                return redirect("welfare:census_detail", campaign.pk)
        self.create_form = form
        response = self.get(request, *args, **kwargs)
        response.status_code = 400
        return response


census_list = viewer_required(CensusList.as_view())


def _age_text(row) -> str:
    return f"{parse_id_number(row.person.id_number).age_on(timezone.localdate())} 岁"


class CensusCandidates(WelfareList):
    """The page of one campaign: coverage per village as bars, then its candidates (searched by
    name, filtered by village and by whether assessed); an audited read of named people."""

    title = "普查评估"
    template_name = "welfare/census_detail.html"
    filter_form = f.CensusFilterForm
    search_fields = ("person__name",)
    search_label = "姓名"
    ordering = ("person__org_unit__path", "person__name")
    export_name = "普查评估候选人"
    empty_text = "没有符合条件的候选人。"
    audit_model = WelfareStatus
    audit_purpose = "普查评估"
    columns = (
        Column("name", "姓名", "person.name", sort="person__name"),
        Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        Column("village", "村(居)", "person.org_unit.name", sort="person__org_unit__path"),
        Column("age", "年龄", _age_text, nowrap=True, wide_only=True),
        Column("category", "救助类别", "get_category_display", wide_only=True),
        Column("assessed", "本次已评估", kind=BOOL),
    )
    campaign: CensusCampaign | None = None

    def get_form_kwargs(self) -> dict:
        assert self.campaign is not None
        villages = OrgUnit.objects.filter(path__startswith=self.campaign.area.path).filter(
            pk__in=census.candidates(self.campaign).values("person__org_unit")
        )
        return {"villages": villages.order_by("path")}

    def get_queryset(self) -> QuerySet:
        assert self.campaign is not None
        return census.candidates(self.campaign).select_related("person", "person__org_unit")

    def filter_queryset(self, queryset: QuerySet, data: dict) -> QuerySet:
        if data.get("state") == "pending":
            queryset = queryset.filter(assessed=False)
        elif data.get("state") == "done":
            queryset = queryset.filter(assessed=True)
        if data.get("village"):
            queryset = queryset.filter(person__org_unit=data["village"])
        return queryset

    def row_class(self, row) -> str:
        return "" if row.assessed else "table-warning"

    def get_context_data(self, queryset: QuerySet) -> dict:
        assert self.campaign is not None
        rows = census.coverage(self.campaign)
        return _ctx(
            self.request,
            title=self.campaign.name,
            campaign=self.campaign,
            coverage=rows,
            coverage_total=census.total(rows),
        )


@viewer_required
@require_GET
def census_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = CensusCampaign.objects.select_related("area", "org_unit", "created_by")
    campaign = get_for_user(request.user, qs, pk)
    page = CensusCandidates(campaign=campaign)
    page.setup(request)
    return page.get(request)
