"""Pages of the resident registry: persons with their health-record timeline, households and
their flags, floating-population records with the 婚育证明 overdue list, transfers and merges.

Every person and row goes through the selectors: out of area → 404 (audited), every read of a
person's page audited. Lists show masked ID numbers and phones.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.lib import listing
from zhengtong.lib.encrypted import match
from zhengtong.lib.forms import add_errors
from zhengtong.lib.http import HtmxHttpRequest
from zhengtong.lib.idcard import parse_id_number
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
    household_flags_of,
    households_visible_to,
    households_with_away,
    persons_visible_to,
    read_cutoff_for,
    record_person_denied,
    rows_visible_to,
    transfers_visible_to,
)
from .timeline import person_timeline
from .views_followups import followup_context

# The registry pages are for village workers (村专干, 镇计生办); anyone else gets 403.
worker_required = role_required(*POPULATION_ROLES)


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


class PersonList(listing.ListPage):
    """The register, searched by name (GET) or by full ID number (POST: the number stays out of
    the URL and the access log); one audited read per page view, naming how many were shown."""

    title = "人员"
    template_name = "population/person_list.html"
    filter_form = f.PersonFilterForm
    search_fields = ("name",)
    search_label = "姓名或公民身份号码"
    search_placeholder = "姓名,或完整的公民身份号码"
    id_search = True
    audit_model = Person
    audit_purpose = "人员列表"
    default_sort = "name"
    export_name = "人员名册"
    empty_text = "没有符合条件的人员。"
    columns = (
        listing.Column(
            "name", "姓名", link=listing.link("population:person_detail"), sort="name", nowrap=True
        ),
        listing.Column("masked_id", "公民身份号码", nowrap=True),
        listing.Column("sex", "性别", "get_sex_display", wide_only=True),
        listing.Column("birth_date", "出生日期", kind=listing.DATE, wide_only=True),
        listing.Column("masked_phone", "联系电话", nowrap=True),
        listing.Column("unit", "所属村/镇", "org_unit.name", phone=False),
    )

    def get_form_kwargs(self) -> dict:
        return {"user": self.request.user}

    def get_queryset(self):
        return persons_visible_to(self.request.user).select_related("org_unit")

    def search_by_id_number(self, queryset, number):
        return match(queryset, "id_number", number)


person_list = worker_required(PersonList.as_view())


@worker_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    form = f.PersonForm(request.POST or None, user=request.user)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            person = person_register(actor=request.user, **form.cleaned_data)
        except DuplicatePerson as exc:
            duplicate = _duplicate_message(request, exc)
            add_errors(form, exc)
        except ValidationError as exc:
            add_errors(form, exc)
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
            add_errors(form, exc)
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
            duplicate = match(persons_visible_to(request.user), "id_number", number).first()
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
                    add_errors(form, exc)
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
            add_errors(form, exc)
        else:
            messages.success(
                request, f"{person.name} 的档案已转移至 {form.cleaned_data['to_unit']}。"
            )
            return redirect("population:transfer_list")
    return render(request, "population/transfer_form.html", {"form": form, "person": person})


class TransferList(listing.ListPage):
    """Transfers into and out of the user's area."""

    title = "属地转移"
    template_name = "population/transfer_list.html"
    search_fields = ("person__name", "reason")
    search_placeholder = "姓名或转移原因"
    default_sort = "-transferred_at"
    tie_breaker = "-pk"
    export_name = "属地转移"
    empty_text = "暂无转移记录。"
    columns = (
        listing.Column(
            "transferred_at",
            "时间",
            lambda t: timezone.localdate(t.transferred_at),
            kind=listing.DATE,
            sort="transferred_at",
        ),
        listing.Column(
            "name",
            "姓名",
            "person.name",
            link=listing.link("population:person_detail", "person_id"),
        ),
        listing.Column("masked_id", "公民身份号码", "person.masked_id", nowrap=True),
        listing.Column("from_unit", "转出", "from_unit.name"),
        listing.Column("to_unit", "转入", "to_unit.name"),
        listing.Column("reason", "原因", wide_only=True),
    )

    def get_queryset(self):
        return transfers_visible_to(self.request.user).select_related(
            "person", "from_unit", "to_unit"
        )


transfer_list = worker_required(TransferList.as_view())


# ---- Households ------------------------------------------------------------------------------


def _head_of(household: Household) -> str | None:
    R = HouseholdMember.Relation
    return next((m.person.name for m in household.members.all() if m.relation == R.HEAD), None)


class HouseholdList(listing.ListPage):
    """Households with their flags (留守老人/儿童, 单亲, 计生特殊家庭), derived from the members of
    the rows shown in a fixed number of queries."""

    title = "家庭户"
    template_name = "population/household_list.html"
    filter_form = f.HouseholdFilterForm
    search_fields = ("address",)
    search_placeholder = "住址或成员姓名"
    ordering = ("org_unit__path", "address")
    export_name = "家庭户"
    empty_text = "暂无家庭户。"
    columns = (
        listing.Column(
            "address", "住址", link=listing.link("population:household_detail"), sort="address"
        ),
        listing.Column("unit", "村", "org_unit.name"),
        listing.Column("head", "户主", _head_of),
        listing.Column("size", "人数", lambda h: len(h.members.all()), kind=listing.COUNT),
        listing.Column(
            "flags",
            "标记",
            lambda h: household_flags_of(h, timezone.localdate()),
            template="population/_flags_cell.html",
        ),
    )

    def get_form_kwargs(self) -> dict:
        return {"user": self.request.user}

    def get_queryset(self):
        return households_with_away(households_visible_to(self.request.user), timezone.localdate())

    def search(self, queryset, q):
        """By address or by a member's name."""
        if not q:
            return queryset
        members = HouseholdMember.objects.filter(person__name__icontains=q).values("household_id")
        return queryset.filter(Q(address__icontains=q) | Q(pk__in=members))


household_list = worker_required(HouseholdList.as_view())


@worker_required
@require_http_methods(["GET", "POST"])
def household_create_view(request: HttpRequest) -> HttpResponse:
    form = f.HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            household = household_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
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
            add_errors(form, exc)
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
            person = match(persons_visible_to(request.user), "id_number", number).first()
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
                    add_errors(form, exc)
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


OVERDUE = "超期未交验"


def certificate_state(record: FloatingRecord) -> str | None:
    """The 婚育证明 of a record in a word: 已登记, 超期未交验, or 待交验 with its last day."""
    certificate = getattr(record, "certificate", None)
    if certificate is None:
        return None
    if certificate.presented_on or record.direction == FloatingRecord.Direction.OUT:
        return "已登记"
    if certificate.due_on and certificate.due_on < timezone.localdate():
        return OVERDUE
    return f"待交验(至 {certificate.due_on:%m-%d})" if certificate.due_on else "待交验"


class FloatingList(listing.ListPage):
    title = "流动人口"
    template_name = "population/floating_list.html"
    filter_form = f.FloatingFilterForm
    search_fields = ("person__name", "place", "employer")
    search_placeholder = "姓名、流入地/流出地或务工单位"
    default_sort = "-started_on"
    tie_breaker = "-pk"
    export_name = "流动人口"
    columns = (
        listing.Column(
            "name", "姓名", "person.name", link=listing.link("population:floating_detail")
        ),
        listing.Column("masked_id", "公民身份号码", "person.masked_id", nowrap=True),
        listing.Column("direction", "流向", "get_direction_display", nowrap=True),
        listing.Column("place", "流入地/流出地"),
        listing.Column("started_on", "流出/流入日期", kind=listing.DATE, sort="started_on"),
        listing.Column("ended_on", "返回/离开日期", kind=listing.DATE, phone=False),
        listing.Column("masked_phone", "联系电话", "person.masked_phone", nowrap=True),
        listing.Column(
            "certificate",
            "婚育证明",
            certificate_state,
            template="population/_certificate_cell.html",
            nowrap=True,
        ),
    )

    def get_queryset(self):
        records = rows_visible_to(self.request.user, FloatingRecord.objects.all())
        return records.select_related("person", "org_unit", "certificate")


floating_list = worker_required(FloatingList.as_view())


class FloatingOverdue(listing.ListPage):
    """婚育证明 not presented within 30 days of arrival."""

    title = "婚育证明超期未交验"
    template_name = "population/floating_overdue.html"
    search_fields = ("record__person__name",)
    search_placeholder = "姓名"
    default_sort = "due_on"
    export_name = "婚育证明超期未交验"
    empty_text = "没有超期未交验的婚育证明。"
    columns = (
        listing.Column(
            "name",
            "姓名",
            "record.person.name",
            link=listing.link("population:floating_detail", "record_id"),
        ),
        listing.Column("masked_id", "公民身份号码", "record.person.masked_id", nowrap=True),
        listing.Column("unit", "村", "record.org_unit.name"),
        listing.Column("started_on", "流入日期", "record.started_on", kind=listing.DATE),
        listing.Column(
            "due_on",
            "交验期限",
            kind=listing.DATE,
            sort="due_on",
            template="population/_due_cell.html",
        ),
        listing.Column(
            "days_overdue",
            "超期天数",
            lambda c: (timezone.localdate() - c.due_on).days,
            kind=listing.COUNT,
            template="population/_days_overdue_cell.html",
        ),
    )

    def get_queryset(self):
        return certificates_overdue(self.request.user, timezone.localdate())


floating_overdue = worker_required(FloatingOverdue.as_view())


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
            add_errors(form, exc)
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


@worker_required
@require_POST
def person_call(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Show a resident's whole phone number to call it; showing it is an audited read."""
    person = get_person_for_user(request.user, pk, purpose=CALL_PURPOSE)
    back = reverse("population:person_detail", args=[person.pk])
    return _call(request, name=person.name, number=person.phone, back=back)


@worker_required
@require_POST
def floating_call(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The same for the contact number of a floating-population record."""
    record = get_row_for_user(
        request.user, FloatingRecord.objects.select_related("person"), pk, purpose=CALL_PURPOSE
    )
    back = reverse("population:floating_detail", args=[record.pk])
    return _call(request, name=record.person.name, number=record.contact_phone, back=back)
