"""Pages of the resident registry: persons with their health-record timeline, households and
their flags, floating-population records with the 婚育证明 overdue list, transfers and merges.

Every person and row goes through the selectors: out of area → 404 (audited), every read of a
person's page audited. Lists show masked ID numbers and phones.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import has_role
from zhengtong.audit.reads import record_list_read
from zhengtong.lib.http import HtmxHttpRequest
from zhengtong.lib.idcard import parse_id_number
from zhengtong.lib.idquery import ID_NUMBER_IN_URL_MESSAGE, id_number_in_query, looks_like_id_number
from zhengtong.lib.masking import mask_phone_internal
from zhengtong.people.actions import (
    DuplicatePerson,
    person_register,
    person_update,
    persons_merge,
)
from zhengtong.people.models import Household, HouseholdMember, Person

from . import forms as f
from .actions.floating import certificate_present, floating_record_create, floating_record_end
from .actions.registry import (
    household_create,
    household_member_add,
    household_member_remove,
    household_update,
)
from .actions.transfers import person_transfer
from .models import FloatingRecord, MarriageCertificate, Transfer
from .selectors import (
    POPULATION_ROLES,
    away_person_ids,
    can_write_person,
    certificates_overdue,
    get_person_for_user,
    get_row_for_user,
    household_flags,
    households_visible_to,
    households_with_flags,
    persons_visible_to,
    read_cutoff_for,
    record_person_denied,
    rows_visible_to,
)
from .timeline import person_timeline
from .views_followups import followup_context

PAGE_SIZE = 25


def _require_worker(user) -> None:
    """The registry pages are for village workers (村专干, 镇计生办); anyone else gets 403."""
    if not has_role(user, *POPULATION_ROLES):
        raise PermissionDenied


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _duplicate_message(request, exc: DuplicatePerson) -> dict:
    """The existing record, linked when the user may open it (it never names someone the user
    may not see)."""
    visible = persons_visible_to(request.user).filter(pk=exc.existing.pk).exists()
    return {
        "url": reverse("population:person_detail", args=[exc.existing.pk]) if visible else "",
        "name": exc.existing.name if visible else "",
    }


def _require_write(user, person) -> None:
    """The old owner of a transferred person reads the history but changes nothing (403)."""
    if not can_write_person(user, person):
        record_person_denied(user, person.pk, write=True)
        raise PermissionDenied


# ---- Persons ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*POPULATION_ROLES)
def person_list(request: HttpRequest) -> HttpResponse:
    """The register, searched by name (GET) or by full ID number (POST: the number stays out of
    the URL and the access log); one audited read per page view, naming how many were shown."""
    if request.method == "GET" and id_number_in_query(request.GET):
        form = f.PersonFilterForm(None, user=request.user)
        context = {"form": form, "page": _page(request, Person.objects.none())}
        context["error"] = ID_NUMBER_IN_URL_MESSAGE
        return render(request, "population/person_list.html", context, status=400)
    data = request.POST if request.method == "POST" else request.GET
    form = f.PersonFilterForm(data or None, user=request.user)
    persons = persons_visible_to(request.user).select_related("org_unit").order_by("name", "id")
    by_number = False
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if looks_like_id_number(q):
            by_number = True
            persons = persons.filter(id_number=q.upper())
        elif q:
            persons = persons.filter(name__contains=q)
        if form.cleaned_data["unit"]:
            persons = persons.filter(org_unit__path__startswith=form.cleaned_data["unit"].path)
    page = _page(request, persons)
    record_list_read(
        actor=request.user,
        model=Person,
        count=len(page.object_list),
        purpose="按身份证号查找" if by_number else "人员列表",
        filters=form.cleaned_data if form.is_valid() else None,
    )
    return render(request, "population/person_list.html", {"form": form, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    _require_worker(request.user)
    form = f.PersonForm(request.POST or None, user=request.user)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            person = person_register(actor=request.user, **form.cleaned_data)
        except DuplicatePerson as exc:
            duplicate = _duplicate_message(request, exc)
            f.add_errors(form, exc)
        except ValidationError as exc:
            f.add_errors(form, exc)
        else:
            messages.success(request, f"已登记 {person.name}。")
            return redirect("population:person_detail", person.pk)
    return render(
        request,
        "population/person_form.html",
        {"form": form, "duplicate": duplicate, "person": None},
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    membership = (
        HouseholdMember.objects.filter(person=person).select_related("household__org_unit").first()
    )
    flags = []
    if membership is not None:
        household = (
            Household.objects.filter(pk=membership.household_id)
            .prefetch_related(
                Prefetch("members", queryset=HouseholdMember.objects.select_related("person"))
            )
            .get()
        )
        ids = [m.person_id for m in household.members.all()]
        flags = household_flags(
            household, timezone.localdate(), away_person_ids(ids, timezone.localdate())
        )
    cutoff = read_cutoff_for(request.user, person)
    floating = FloatingRecord.objects.filter(person=person).select_related(
        "org_unit", "certificate"
    )
    if cutoff is not None:
        floating = floating.filter(created_at__lte=cutoff)
    timeline = person_timeline(person, request.user)
    today = timezone.localdate()
    return render(
        request,
        "population/person_detail.html",
        followup_context(person, request.user)
        | {
            "person": person,
            "age": today.year
            - person.birth_date.year
            - ((today.month, today.day) < (person.birth_date.month, person.birth_date.day)),
            "membership": membership,
            "flags": flags,
            "floating": floating,
            "transfers": Transfer.objects.filter(person=person).select_related(
                "from_unit", "to_unit"
            ),
            "timeline": [e for e in timeline if not e.pending],
            "upcoming": [e for e in timeline if e.pending],
            "can_write": can_write_person(request.user, person),
            "read_only_since": cutoff,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, for_write=True)
    initial = {
        k: getattr(person, k)
        for k in [
            "name",
            "phone",
            "org_unit",
            "hukou_type",
            "hukou_address",
            "current_address",
            "marital_status",
        ]
    }
    form = f.PersonForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person_update(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            f.add_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("population:person_detail", person.pk)
    return render(request, "population/person_form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    keep = get_person_for_user(request.user, pk, for_write=True)
    form = f.MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            number = parse_id_number(form.cleaned_data["duplicate_id_number"]).number
        except ValidationError as exc:
            form.add_error("duplicate_id_number", exc.messages)
        else:
            duplicate = persons_visible_to(request.user).filter(id_number=number).first()
            if duplicate is None:
                form.add_error("duplicate_id_number", "在您的辖区内没有找到该身份证号码的记录。")
            else:
                try:
                    persons_merge(
                        actor=request.user,
                        keep=keep,
                        duplicate=duplicate,
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as exc:
                    f.add_errors(form, exc)
                else:
                    messages.success(request, f"已将重复记录并入 {keep.name} 的档案。")
                    return redirect("population:person_detail", keep.pk)
    return render(request, "population/person_merge.html", {"form": form, "person": keep})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, for_write=True)
    form = f.TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_transfer(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            f.add_errors(form, exc)
        else:
            messages.success(
                request, f"{person.name} 的档案已转移至 {form.cleaned_data['to_unit']}。"
            )
            return redirect("population:transfer_list")
    return render(request, "population/transfer_form.html", {"form": form, "person": person})


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    """Transfers into and out of the user's area."""
    _require_worker(request.user)
    from zhengtong.accounts.scope import scope_q

    q = scope_q(request.user, POPULATION_ROLES, via="from_unit") | scope_q(
        request.user, POPULATION_ROLES, via="to_unit"
    )
    transfers = (
        Transfer.objects.filter(q)
        .select_related("person", "from_unit", "to_unit", "transferred_by")
        .order_by("-transferred_at", "-id")
    )
    return render(request, "population/transfer_list.html", {"page": _page(request, transfers)})


# ---- Households ------------------------------------------------------------------------------


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    _require_worker(request.user)
    page = _page(request, households_visible_to(request.user))
    page.object_list = households_with_flags(page.object_list, timezone.localdate())
    return render(request, "population/household_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def household_create_view(request: HttpRequest) -> HttpResponse:
    _require_worker(request.user)
    form = f.HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            household = household_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            f.add_errors(form, exc)
        else:
            return redirect("population:household_detail", household.pk)
    return render(request, "population/household_form.html", {"form": form, "household": None})


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_row_for_user(request.user, households_visible_to(request.user), pk)
    today = timezone.localdate()
    ids = [m.person_id for m in household.members.all()]
    away = away_person_ids(ids, today)
    flags = household_flags(household, today, away)
    return render(
        request,
        "population/household_detail.html",
        {"household": household, "flags": flags, "away": away, "form": f.MemberForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_row_for_user(request.user, Household.objects.all(), pk)
    form = f.HouseholdForm(
        request.POST or None,
        user=request.user,
        initial={
            "org_unit": household.org_unit,
            "address": household.address,
            "special_family": household.special_family,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            household_update(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            f.add_errors(form, exc)
        else:
            return redirect("population:household_detail", household.pk)
    return render(request, "population/household_form.html", {"form": form, "household": household})


@login_required
@require_POST
def household_member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_row_for_user(request.user, households_visible_to(request.user), pk)
    form = f.MemberForm(request.POST)
    if form.is_valid():
        try:
            number = parse_id_number(form.cleaned_data["id_number"]).number
        except ValidationError as exc:
            form.add_error("id_number", exc.messages)
        else:
            person = persons_visible_to(request.user).filter(id_number=number).first()
            if person is None:
                form.add_error("id_number", "在您的辖区内没有找到该身份证号码的人员,请先登记。")
            else:
                try:
                    household_member_add(
                        actor=request.user,
                        household=household,
                        person=person,
                        relation=form.cleaned_data["relation"],
                    )
                except ValidationError as exc:
                    f.add_errors(form, exc)
                else:
                    return redirect("population:household_detail", household.pk)
    today = timezone.localdate()
    away = away_person_ids([m.person_id for m in household.members.all()], today)
    return render(
        request,
        "population/household_detail.html",
        {
            "household": household,
            "flags": household_flags(household, today, away),
            "away": away,
            "form": form,
        },
        status=400,
    )


@login_required
@require_POST
def household_member_remove_view(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    household = get_row_for_user(request.user, Household.objects.all(), pk)
    member = (
        HouseholdMember.objects.filter(household=household, pk=member_pk)
        .select_related("person")
        .first()
    )
    if member is not None:
        try:
            household_member_remove(actor=request.user, member=member)
        except ValidationError as exc:
            messages.error(request, "".join(exc.messages))
    return redirect("population:household_detail", household.pk)


# ---- Floating population ---------------------------------------------------------------------


@login_required
def floating_list(request: HttpRequest) -> HttpResponse:
    _require_worker(request.user)
    form = f.FloatingFilterForm(request.GET or None)
    records = rows_visible_to(request.user, FloatingRecord.objects.all()).select_related(
        "person", "org_unit", "certificate"
    )
    state = "open"
    if form.is_valid():
        if form.cleaned_data["direction"]:
            records = records.filter(direction=form.cleaned_data["direction"])
        state = form.cleaned_data["state"] or "open"
    if state == "open":
        records = records.filter(ended_on__isnull=True)
    return render(
        request,
        "population/floating_list.html",
        {
            "form": form,
            "page": _page(request, records.order_by("-started_on", "-id")),
            "today": timezone.localdate(),
        },
    )


@login_required
def floating_overdue(request: HttpRequest) -> HttpResponse:
    """婚育证明 not presented within 30 days of arrival."""
    _require_worker(request.user)
    today = timezone.localdate()
    certificates = certificates_overdue(request.user, today)
    page = _page(request, certificates)
    for certificate in page.object_list:
        certificate.days_overdue = (today - certificate.due_on).days
    return render(request, "population/floating_overdue.html", {"page": page, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def floating_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, for_write=True)
    form = f.FloatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {
            k: form.cleaned_data[k]
            for k in ["direction", "place", "started_on", "contact_phone", "employer"]
        }
        try:
            record = floating_record_create(
                actor=request.user, person=person, certificate=form.certificate(), **data
            )
        except ValidationError as exc:
            f.certificate_errors(form, exc)
        else:
            messages.success(request, "已登记流动信息。")
            return redirect("population:floating_detail", record.pk)
    return render(request, "population/floating_form.html", {"form": form, "person": person})


@login_required
def floating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_row_for_user(
        request.user,
        FloatingRecord.objects.select_related("person", "org_unit", "created_by"),
        pk,
        purpose="流动人口记录",
    )
    certificate = MarriageCertificate.objects.filter(record=record).first()
    can_write = can_write_person(request.user, record.person)
    cert_form = end_form = None
    if can_write:
        if certificate is not None and certificate.presented_on is None:
            cert_form = f.CertificateForm(
                initial={
                    "name": certificate.name,
                    "age": certificate.age,
                    "cert_id_number": certificate.id_number,
                    "presented_on": timezone.localdate(),
                }
            )
        if record.ended_on is None:
            end_form = f.EndForm(initial={"ended_on": timezone.localdate()})
    return render(
        request,
        "population/floating_detail.html",
        {
            "record": record,
            "certificate": certificate,
            "cert_form": cert_form,
            "end_form": end_form,
            "can_write": can_write,
            "today": timezone.localdate(),
            "masked_contact_phone": mask_phone_internal(record.contact_phone),
        },
    )


@login_required
@require_POST
def floating_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_row_for_user(request.user, FloatingRecord.objects.select_related("person"), pk)
    _require_write(request.user, record.person)
    certificate = MarriageCertificate.objects.filter(record=record).first()
    if certificate is None:
        messages.error(request, "该人员无需交验婚育证明。")
        return redirect("population:floating_detail", record.pk)
    form = f.CertificateForm(request.POST)
    if form.is_valid():
        try:
            certificate_present(
                actor=request.user,
                certificate=certificate,
                presented_on=form.cleaned_data["presented_on"],
                **form.certificate(),
            )
        except ValidationError as exc:
            f.certificate_errors(form, exc)
        else:
            messages.success(request, "已登记婚育证明交验。")
            return redirect("population:floating_detail", record.pk)
    return render(
        request,
        "population/floating_detail.html",
        {
            "record": record,
            "certificate": certificate,
            "cert_form": form,
            "end_form": None,
            "can_write": can_write_person(request.user, record.person),
            "today": timezone.localdate(),
        },
        status=400,
    )


@login_required
@require_POST
def floating_end(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_row_for_user(request.user, FloatingRecord.objects.select_related("person"), pk)
    _require_write(request.user, record.person)
    form = f.EndForm(request.POST)
    if form.is_valid():
        try:
            floating_record_end(
                actor=request.user, record=record, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as exc:
            f.add_errors(form, exc)
        else:
            messages.success(request, "已登记返回/离开。")
            return redirect("population:floating_detail", record.pk)
    return render(
        request,
        "population/floating_detail.html",
        {
            "record": record,
            "certificate": MarriageCertificate.objects.filter(record=record).first(),
            "cert_form": None,
            "end_form": form,
            "can_write": can_write_person(request.user, record.person),
            "today": timezone.localdate(),
        },
        status=400,
    )


# Calling a resident --------------------------------------------------------------------------

CALL_PURPOSE = "拨打电话(显示完整号码)"


def _call(request: HtmxHttpRequest, *, name: str, number: str, back: str) -> HttpResponse:
    """The whole number as a tel: link: in place on the page (htmx), or as a page of its own."""
    if not number:
        raise Http404
    context = {"name": name, "number": number, "back": back}
    if request.htmx:
        return render(request, "population/_call_revealed.html", context)
    return render(request, "population/call.html", context)


@login_required
@require_POST
def person_call(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Show a resident's whole phone number to call it; showing it is an audited read."""
    _require_worker(request.user)
    person = get_person_for_user(request.user, pk, purpose=CALL_PURPOSE)
    back = reverse("population:person_detail", args=[person.pk])
    return _call(request, name=person.name, number=person.phone, back=back)


@login_required
@require_POST
def floating_call(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The same for the contact number of a floating-population record."""
    _require_worker(request.user)
    record = get_row_for_user(
        request.user, FloatingRecord.objects.select_related("person"), pk, purpose=CALL_PURPOSE
    )
    back = reverse("population:floating_detail", args=[record.pk])
    return _call(request, name=record.person.name, number=record.contact_phone, back=back)
