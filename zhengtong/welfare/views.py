"""Pages for 民政 clerks: assessments, eligibility, subsidy cycles and relief batches.

A 民政 clerk reads and changes the rows of their office; a 区领导 reads them all and changes
nothing (403 on every change); anyone else gets 403 on the pages and 404 on rows.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.models import Membership, User
from zhengtong.accounts.permissions import role_required
from zhengtong.audit.reads import record_list_read
from zhengtong.lib import periods
from zhengtong.lib.idcard import parse_id_number
from zhengtong.lib.idquery import ID_NUMBER_IN_URL_MESSAGE, id_number_in_query
from zhengtong.people.actions import person_get_or_register
from zhengtong.people.models import Person

from . import actions, scales
from .forms import (
    AssessmentForm,
    BatchForm,
    CycleForm,
    EligibilityForm,
    GrantForm,
    PaymentAddForm,
    ReasonForm,
    SearchForm,
    WelfareStatusForm,
)
from .models import Assessment, Payment, PaymentCycle, ReliefBatch, ReliefGrant, WelfareStatus
from .selectors import (
    active_scale,
    can_view_welfare,
    eligibility,
    find_known_person_for_user,
    get_for_user,
    keeping_unit_for,
    require_edit,
    require_keeping_unit,
    require_view,
    rows_visible_to,
    subsidy_rates,
)

PER_PAGE = 20


def _page(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _person(actor, form):
    return person_get_or_register(
        actor=actor, id_number=form.cleaned_data["id_number"], name=form.cleaned_data["name"]
    )


def _ctx(request, **extra):
    extra.setdefault("can_edit", keeping_unit_for(request.user) is not None)
    extra.setdefault("today", timezone.localdate())
    return extra


@login_required
@require_GET
@role_required(test=can_view_welfare)
def index(request: HttpRequest) -> HttpResponse:
    return redirect("welfare:assessment_list")


# ------------------------------------------------------------------------------- assessments


@login_required
@require_GET
@role_required(test=can_view_welfare)
def assessment_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    rows = rows_visible_to(request.user, Assessment.objects.all())
    if form.is_valid() and form.cleaned_data["q"]:
        rows = rows.filter(person__name__contains=form.cleaned_data["q"].strip())
    rows = rows.select_related("person", "org_unit").order_by("-assessed_on", "-id")
    page = _page(request, rows)
    record_list_read(actor=request.user, model=Assessment, count=len(page.object_list))
    context = _ctx(request, form=form, page=page, levels=scales.LEVEL_LABELS)
    return render(request, "welfare/assessment_list.html", context)


def _assessors(unit):
    # Anyone holding a post in the office may sign as an assessor.
    ids = Membership.objects.filter(org_unit__path__startswith=unit.path).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username")


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    unit = require_keeping_unit(request.user)
    scale = active_scale()
    form = AssessmentForm(
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
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"评估已保存:{scales.LEVEL_LABELS[assessment.level]}。")
                return redirect("welfare:assessment_detail", assessment.pk)
        status = 400
    context = _ctx(request, form=form, scale=scale)
    return render(request, "welfare/assessment_form.html", context, status=status)


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request.user)
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
                    (item["name"], assessment.scores.get(item["code"])) for item in dim["items"]
                ],
            }
        )
    context = _ctx(
        request,
        assessment=assessment,
        dimensions=dimensions,
        level_label=scales.LEVEL_LABELS.get(assessment.level, ""),
    )
    return render(request, "welfare/assessment_detail.html", context)


# ------------------------------------------------------------------------------- status


@login_required
@require_GET
def status_list(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    form = SearchForm(request.GET or None)
    rows = rows_visible_to(request.user, WelfareStatus.objects.all())
    if form.is_valid() and form.cleaned_data["q"]:
        rows = rows.filter(person__name__contains=form.cleaned_data["q"].strip())
    rows = rows.select_related("person", "verified_by").order_by("person__name", "id")
    return render(
        request, "welfare/status_list.html", _ctx(request, form=form, page=_page(request, rows))
    )


@login_required
@require_http_methods(["GET", "POST"])
def status_edit(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    unit = require_keeping_unit(request.user)
    form = WelfareStatusForm(request.POST or None, initial={"verified_on": timezone.localdate()})
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
                    verified_on=data["verified_on"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"{person.name}的救助身份已保存。")
                return redirect("welfare:status_list")
        status = 400
    return render(request, "welfare/status_form.html", _ctx(request, form=form), status=status)


# ------------------------------------------------------------------------------- eligibility


@login_required
@require_http_methods(["GET", "POST"])
def eligibility_check(request: HttpRequest) -> HttpResponse:
    """核定 by ID number: the number comes in a POST body, never in the URL; a GET that carries
    one is refused (400). The person found is an audited read."""
    require_view(request.user)
    if request.method == "GET" and id_number_in_query(request.GET):
        context = _ctx(request, form=EligibilityForm(), result=None, error=ID_NUMBER_IN_URL_MESSAGE)
        return render(request, "welfare/eligibility.html", context, status=400)
    form = EligibilityForm(request.POST or None)
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


@login_required
@require_http_methods(["GET", "POST"])
def cycle_list(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    form = CycleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        unit = require_keeping_unit(request.user)
        if form.is_valid():
            try:
                cycle = actions.cycle_create(
                    actor=request.user, month=form.cleaned_data["month"], org_unit=unit
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"已生成{cycle}发放名单。")
                return redirect("welfare:cycle_detail", cycle.pk)
        status = 400
    cycles = rows_visible_to(request.user, PaymentCycle.objects.all())
    picker = periods.choose_year(request.GET, data=periods.DataDates(cycles, "month"))
    year = picker.period
    cycles = cycles.filter(month__gte=year.start, month__lte=year.end)
    totals = Payment.objects.filter(
        cycle__in=cycles.filter(status=PaymentCycle.Status.APPROVED)
    ).aggregate(n=Count("id"), total=Sum("amount"))
    rows = (
        cycles.select_related("org_unit", "approved_by")
        .annotate(n=Count("payments"), total=Sum("payments__amount"))
        .order_by("-month", "-id")
    )
    context = _ctx(
        request,
        form=form,
        picker=picker,
        totals=totals,
        page=_page(request, rows),
        rates=subsidy_rates(),
    )
    if status == 200:
        status = picker.status
    return render(request, "welfare/cycle_list.html", context, status=status)


def _cycle_page(request, cycle, *, add_form=None, status=200):
    payments = cycle.payments.select_related("person", "assessment").order_by("person__name", "id")
    totals = cycle.payments.aggregate(n=Count("id"), total=Sum("amount"))
    context = _ctx(
        request,
        cycle=cycle,
        page=_page(request, payments),
        totals=totals,
        add_form=add_form or PaymentAddForm(),
        reason_form=ReasonForm(),
    )
    return render(request, "welfare/cycle_detail.html", context, status=status)


def _get_cycle(request, pk):
    return get_for_user(request.user, PaymentCycle.objects.select_related("approved_by"), pk)


@login_required
@require_GET
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request.user)
    return _cycle_page(request, _get_cycle(request, pk))


@login_required
@require_POST
def cycle_approve(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request.user)
    cycle = _get_cycle(request, pk)
    require_edit(request.user, cycle.org_unit)
    try:
        actions.cycle_approve(actor=request.user, cycle=cycle)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, "发放名单已审批,不能再修改。")
    return redirect("welfare:cycle_detail", cycle.pk)


@login_required
@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request.user)
    cycle = _get_cycle(request, pk)
    require_edit(request.user, cycle.org_unit)
    form = PaymentAddForm(request.POST)
    if form.is_valid():
        person = Person.objects.filter(
            id_number=form.cleaned_data["id_number"].strip().upper()
        ).first()
        if person is None:
            form.add_error("id_number", "没有该身份证号码的人员。")
        else:
            try:
                actions.payment_add(actor=request.user, cycle=cycle, person=person)
            except ValidationError as exc:
                _add_errors(form, exc)
                if "person" in exc.message_dict:
                    form.add_error("id_number", exc.message_dict["person"])
                if "cycle" in exc.message_dict:
                    form.add_error(None, exc.message_dict["cycle"])
            else:
                messages.success(request, f"已将{person.name}加入发放名单。")
                return redirect("welfare:cycle_detail", cycle.pk)
    return _cycle_page(request, cycle, add_form=form, status=400)


@login_required
@require_POST
def payment_remove(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
    require_view(request.user)
    cycle = _get_cycle(request, pk)
    require_edit(request.user, cycle.org_unit)
    payment = get_object_or_404(cycle.payments.select_related("person"), pk=payment_pk)
    form = ReasonForm(request.POST)
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


@login_required
@require_http_methods(["GET", "POST"])
def batch_list(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    form = BatchForm(request.POST or None)
    status = 200
    if request.method == "POST":
        unit = require_keeping_unit(request.user)
        if form.is_valid():
            try:
                batch = actions.relief_batch_create(
                    actor=request.user, name=form.cleaned_data["name"], org_unit=unit
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                return redirect("welfare:batch_detail", batch.pk)
        status = 400
    HOUSEHOLD, ORPHAN = ReliefGrant.RecipientKind.HOUSEHOLD, ReliefGrant.RecipientKind.ORPHAN
    batches = rows_visible_to(request.user, ReliefBatch.objects.all())
    picker = periods.choose_year(request.GET, data=periods.DataDates(batches, "approved_on"))
    year = picker.period
    approved = batches.filter(approved_on__gte=year.start, approved_on__lte=year.end)
    totals = ReliefGrant.objects.filter(batch__in=approved).aggregate(
        batches=Count("batch", distinct=True),
        households=Count("id", filter=Q(recipient_kind=HOUSEHOLD)),
        orphans=Count("id", filter=Q(recipient_kind=ORPHAN)),
        total=Sum("amount"),
    )
    # A batch being drawn up has no approval date yet: it is listed under every year.
    rows = (
        batches.filter(
            Q(approved_on__gte=year.start, approved_on__lte=year.end)
            | Q(status=ReliefBatch.Status.DRAFT)
        )
        .select_related("org_unit", "approved_by")
        .annotate(
            households=Count("grants", filter=Q(grants__recipient_kind=HOUSEHOLD)),
            orphans=Count("grants", filter=Q(grants__recipient_kind=ORPHAN)),
            total=Sum("grants__amount"),
        )
        .order_by("-id")
    )
    context = _ctx(request, form=form, picker=picker, totals=totals, page=_page(request, rows))
    if status == 200:
        status = picker.status
    return render(request, "welfare/batch_list.html", context, status=status)


def _get_batch(request, pk):
    return get_for_user(request.user, ReliefBatch.objects.select_related("approved_by"), pk)


def _batch_page(request, batch, *, add_form=None, status=200):
    grants = batch.grants.select_related("person", "household").order_by("id")
    HOUSEHOLD, ORPHAN = ReliefGrant.RecipientKind.HOUSEHOLD, ReliefGrant.RecipientKind.ORPHAN
    totals = batch.grants.aggregate(
        households=Count("id", filter=Q(recipient_kind=HOUSEHOLD)),
        orphans=Count("id", filter=Q(recipient_kind=ORPHAN)),
        total=Sum("amount"),
    )
    context = _ctx(
        request,
        batch=batch,
        page=_page(request, grants),
        totals=totals,
        add_form=add_form or GrantForm(),
        reason_form=ReasonForm(),
    )
    return render(request, "welfare/batch_detail.html", context, status=status)


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request.user)
    return _batch_page(request, _get_batch(request, pk))


@login_required
@require_POST
def grant_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request.user)
    batch = _get_batch(request, pk)
    require_edit(request.user, batch.org_unit)
    form = GrantForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.relief_grant_add(actor=request.user, batch=batch, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
            if "batch" in exc.message_dict:
                form.add_error(None, exc.message_dict["batch"])
        else:
            messages.success(request, f"已登记{data['name']}的救助。")
            return redirect("welfare:batch_detail", batch.pk)
    return _batch_page(request, batch, add_form=form, status=400)


@login_required
@require_POST
def grant_remove(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    require_view(request.user)
    batch = _get_batch(request, pk)
    require_edit(request.user, batch.org_unit)
    grant = get_object_or_404(batch.grants.select_related("person"), pk=grant_pk)
    form = ReasonForm(request.POST)
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


@login_required
@require_POST
def batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request.user)
    batch = _get_batch(request, pk)
    require_edit(request.user, batch.org_unit)
    try:
        actions.relief_batch_approve(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, "救助批次已审批,不能再修改。")
    return redirect("welfare:batch_detail", batch.pk)
