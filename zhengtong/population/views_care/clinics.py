"""健康义诊: the township's clinics for the floating population, their attendees and findings,
and the year's figures (which townships held one, coverage per village)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import can_act_in, scope
from zhengtong.lib import listing
from zhengtong.lib.encrypted import match
from zhengtong.lib.forms import add_errors
from zhengtong.people.models import Person

from .. import clinics as reads
from .. import forms_care as f
from ..actions import clinics as actions
from ..models import Clinic, ClinicAttendance, FloatingRecord
from ..selectors import POPULATION_ROLES, get_row_for_user, rows_visible_to
from .common import get_row, population_required


def _get_clinic(user, pk) -> Clinic:
    qs = reads.clinics_visible_to(user, Clinic.objects.select_related("org_unit"))
    return get_row(user, qs, pk)


class ClinicList(listing.ListPage):
    """The clinics of the user's townships and villages in a year, newest first, with the year's
    figures: whether each township has held its clinic, and the coverage per village."""

    title = "健康义诊"
    template_name = "population/clinic_list.html"
    summary_template = "population/_clinic_year.html"
    filter_form = f.ClinicFilterForm
    search_fields = ("place",)
    search_label = "义诊地点"
    year_field = "held_on"
    ordering = ("-held_on", "-id")
    tie_breaker = "-id"
    export_name = "健康义诊"
    empty_text = "这一年还没有健康义诊。"
    columns = (
        listing.Column(
            "held_on", "义诊日期", kind=listing.DATE, link=listing.link("population:clinic_detail")
        ),
        listing.Column("town", "镇(街道)", "org_unit.name"),
        listing.Column("villages", "下村", "village_names"),
        listing.Column("place", "义诊地点"),
        listing.Column("organisers", "组织单位", phone=False),
        listing.Column("status", "状态", "get_status_display", nowrap=True),
        listing.Column("attendees", "参诊人数", "attendee_count", kind=listing.COUNT),
    )

    def get_queryset(self):
        return (
            reads.clinics_visible_to(self.request.user)
            .select_related("org_unit")
            .prefetch_related("villages")
            .annotate(attendee_count=Count("attendances", distinct=True))
        )

    def prepare_rows(self, rows: list) -> None:
        for row in rows:
            names = sorted(row.villages.all(), key=lambda v: v.path)
            row.village_names = "、".join(v.name for v in names)

    def get_context_data(self, queryset) -> dict:
        year = self.picker.period.start.year if self.picker else timezone.localdate().year
        return {
            "year": year,
            "towns": reads.townships_year(self.request.user, year),
            "coverage": reads.coverage(self.request.user, year, today=timezone.localdate()),
            "definitions": reads.COVERAGE_DEFINITIONS,
            # Only the township's 计生办 plans; a village worker sees the clinics.
            "can_plan": scope(
                OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWN),
                self.request.user,
                POPULATION_ROLES,
                via="",
            ).exists(),
        }


clinic_list = population_required(ClinicList.as_view())


@population_required
@require_http_methods(["GET", "POST"])
def clinic_create(request: HttpRequest) -> HttpResponse:
    form = f.ClinicForm(
        request.POST or None,
        user=request.user,
        initial={"organisers": actions.DEFAULT_ORGANISERS},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                clinic = actions.clinic_plan(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已建立健康义诊计划。")
                return redirect("population:clinic_detail", pk=clinic.pk)
        status = 400
    return render(request, "population/clinic_form.html", {"form": form}, status=status)


class AttendeeFilterForm(f.forms.Form):
    village = f.forms.ModelChoiceField(
        label="村", queryset=OrgUnit.objects.none(), required=False, empty_label="全部"
    )
    women_check = f.forms.ChoiceField(
        label="免费健康检查",
        choices=[("", "全部"), ("yes", "是"), ("no", "否")],
        required=False,
    )

    def __init__(self, *args, villages, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        f.model_choice_field(self, "village").queryset = villages
        self.fields["village"].error_messages["invalid_choice"] = "村:不在本次义诊的参诊范围内。"
        self.fields["women_check"].error_messages["invalid_choice"] = "免费健康检查:选项不存在。"

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("village"):
            queryset = queryset.filter(org_unit=data["village"])
        if data.get("women_check"):
            queryset = queryset.filter(women_check=data["women_check"] == "yes")
        return queryset


class ClinicDetail(listing.ListPage):
    """One clinic with its attendees in the user's villages and their findings; masked ID
    numbers. The clinic itself is an audited read (404 outside the user's area)."""

    title = "健康义诊"
    template_name = "population/clinic_detail.html"
    filter_form = AttendeeFilterForm
    search_fields = ("person__name",)
    search_label = "姓名"
    ordering = ("org_unit__code", "person__name", "id")
    export_name = "义诊参诊人员"
    empty_text = "没有参诊人员。"
    audit_model = Person
    audit_purpose = "义诊参诊人员"
    columns = (
        listing.Column("name", "姓名", "person.name", nowrap=True),
        listing.Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        listing.Column("village", "村", "org_unit.name"),
        listing.Column("items", "检查项目"),
        listing.Column("result", "结果"),
        listing.Column("advice", "建议/转诊"),
        listing.Column("women_check", "免费健康检查", kind=listing.BOOL),
    )

    clinic: Clinic

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.clinic = _get_clinic(request.user, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def attendees(self):
        return reads.attendances_visible_to(self.request.user, self.clinic)

    def get_form_kwargs(self) -> dict:
        villages = OrgUnit.objects.filter(pk__in=self.attendees().values("org_unit_id"))
        return {"villages": villages.order_by("code")}

    def get_queryset(self):
        return self.attendees().select_related("person", "org_unit")

    def get_context_data(self, queryset) -> dict:
        user, clinic = self.request.user, self.clinic
        held = clinic.status == Clinic.Status.HELD
        return {
            "clinic": clinic,
            "villages": "、".join(v.name for v in clinic.villages.order_by("path")),
            "can_mark_held": not held and can_act_in(user, clinic.org_unit, POPULATION_ROLES),
            "can_add": held,
            "held_form": f.ClinicHeldForm(initial={"held_on": timezone.localdate()}),
            "rule": actions.ATTENDEE_RULE,
        }

    def base_context(self) -> dict:
        title = f"{self.clinic.org_unit.name} {self.clinic.held_on:%Y-%m-%d} 健康义诊"
        return {**super().base_context(), "title": title}


clinic_detail = population_required(ClinicDetail.as_view())


@population_required
@require_POST
def clinic_held(request: HttpRequest, pk: int) -> HttpResponse:
    clinic = _get_clinic(request.user, pk)
    form = f.ClinicHeldForm(request.POST)
    if form.is_valid():
        try:
            actions.clinic_mark_held(
                actor=request.user, clinic=clinic, held_on=form.cleaned_data["held_on"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "已标记为已举办,可以登记参诊人员。")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("population:clinic_detail", pk=clinic.pk)


class AttendeePicker(listing.ListPage):
    """Who came: the floating people who had arrived in the clinic's township by its day and had
    not left, in the user's villages, found by name or by full ID number (POSTed, never in the
    address), each with a button that opens the findings form."""

    title = "登记参诊人员:选择流入人员"
    template_name = "population/clinic_pick.html"
    search_fields = ("person__name",)
    search_label = "姓名或公民身份号码"
    search_placeholder = "姓名,或完整的公民身份号码"
    id_search = True
    ordering = ("org_unit__code", "person__name", "id")
    printable = False
    empty_text = "没有找到符合条件的流入人员。"
    audit_model = Person
    audit_purpose = "选择义诊参诊人员"
    columns = (
        listing.Column("name", "姓名", "person.name", nowrap=True),
        listing.Column(
            "about", "基本信息", lambda r: f"{r.person.get_sex_display()} · {r.person.masked_id}"
        ),
        listing.Column("village", "村", "org_unit.name"),
        listing.Column("place", "流入前住址", phone=False),
        listing.Column("started_on", "流入日期", kind=listing.DATE, phone=False),
        listing.Column(
            "pick",
            "操作",
            lambda row: None,
            template="population/_clinic_pick_button.html",
            export=False,
            css="d-print-none",
        ),
    )

    clinic: Clinic

    def arrivals(self):
        arrivals = actions.arrivals_on(self.clinic.org_unit, self.clinic.held_on)
        return rows_visible_to(self.request.user, arrivals)

    def get_queryset(self):
        attended = ClinicAttendance.objects.filter(clinic=self.clinic).values("person_id")
        return (
            self.arrivals()
            .exclude(person_id__in=attended)
            .select_related("person", "org_unit")
            .order_by()
        )

    def search_by_id_number(self, queryset, number):
        return queryset.filter(person__in=match(Person.objects.all(), "id_number", number))

    def get_context_data(self, queryset) -> dict:
        return {"clinic": self.clinic}


@population_required
@require_http_methods(["GET", "POST"])
def clinic_attendee_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Pick a floating person (`?record=` names their 流入 record), then record the findings."""
    clinic = _get_clinic(request.user, pk)
    if clinic.status != Clinic.Status.HELD:
        messages.error(request, "义诊尚未标记为已举办,不能登记参诊人员。")
        return redirect("population:clinic_detail", pk=clinic.pk)
    record_pk = request.GET.get("record") or request.POST.get("record")
    if not record_pk:
        return _pick(request, clinic)
    record = get_row_for_user(
        request.user,
        FloatingRecord.objects.select_related("person", "org_unit"),
        record_pk,
        purpose="义诊参诊登记",
    )
    form = f.ClinicAttendanceForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.clinic_attendance_record(
                    actor=request.user, clinic=clinic, record=record, **form.cleaned_data
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已登记 {record.person.name} 的义诊结果。")
                return redirect(reverse("population:clinic_attendee_add", args=[clinic.pk]))
        status = 400
    context = {"clinic": clinic, "record": record, "form": form}
    return render(request, "population/clinic_attend.html", context, status=status)


def _pick(request: HttpRequest, clinic: Clinic) -> HttpResponseBase:
    view = AttendeePicker()
    view.setup(request)
    view.clinic = clinic
    return view.dispatch(request)
