"""Pages of the follow-up work: working lists, follow-up plans, the maternal schedule of a
pregnancy and contraception reports; and the fragment the person's page includes.

A row is reached through its person: `get_person_for_user()` answers 404 (audited) for a person
outside the user's villages, with the same page as for a row that does not exist. Reading a
detail page is audited as a read of the person's record.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import scope
from zhengtong.inbox.registry import deadline
from zhengtong.inbox.union import UnionRows
from zhengtong.lib import display, listing
from zhengtong.lib.forms import (
    DateInput,
    StyledForm,
    add_errors,
    mark_invalid,
    model_choice_field,
)
from zhengtong.people.models import Person
from zhengtong.workdays import WorkCalendar

from . import schedule
from .actions import followups as followup_actions
from .actions import maternal as maternal_actions
from .inbox import KINDS, area_sources
from .models import ContraceptionReport, FollowUp, FollowUpPlan, MaternalVisit, Pregnancy
from .selectors import (
    POPULATION_ROLES,
    can_write_person,
    get_person_for_user,
    read_cutoff_for,
    rows_visible_to,
)

WORKLISTS = {
    "week": "本周到期",
    "overdue": "已超期",
    "area": "我的片区",
}


# Helpers --------------------------------------------------------------------------------------


def _person_of_row(request, queryset, pk, person_of, *, for_write=False, purpose="人员档案"):
    """The row `pk` and its person, when the user may see (or change) that person.

    A missing row and another village's row give the same 404; the second is audited.
    """
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise Http404
    person = get_person_for_user(request.user, person_of(row), for_write=for_write, purpose=purpose)
    return row, person


def _calendar_for(days) -> WorkCalendar:
    """One calendar, with every year the page needs loaded in one query."""
    calendar = WorkCalendar()
    calendar.load({d.year for d in days if d is not None})
    return calendar


# Forms ----------------------------------------------------------------------------------------
# Text fields are optional here so the action's message, which names the field, is the one shown.


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}格式不正确。"},
        **kwargs,
    )


class FollowUpPlanForm(StyledForm):
    kind = forms.ChoiceField(label="方式", choices=FollowUpPlan.Kind.choices)
    interval_days = forms.IntegerField(
        label="间隔(天)",
        min_value=1,
        max_value=followup_actions.MAX_INTERVAL_DAYS,
        initial=90,
        help_text="按自然日计算,例如每季度一次填 90。",
    )
    purpose = forms.CharField(label="随访内容", max_length=200, required=False)
    owner = forms.ModelChoiceField(label="责任人", queryset=User.objects.none(), required=False)
    first_due_on = _date("首次随访日期", required=False, help_text="不填则为今天加间隔天数。")

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        # Village workers of the person's village or of a unit above it.
        unit = person.org_unit
        ancestors = [unit.path[:i] for i in range(1, len(unit.path) + 1)] if unit else []
        model_choice_field(self, "owner").queryset = (
            User.objects.filter(
                is_active=True,
                memberships__role__in=POPULATION_ROLES,
                memberships__org_unit__path__in=ancestors,
            )
            .distinct()
            .order_by("full_name", "username")
        )
        model_choice_field(self, "owner").empty_label = "本人"


class FollowUpCompleteForm(StyledForm):
    done_on = _date("随访日期")
    outcome = forms.CharField(
        label="随访情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpSkipForm(StyledForm):
    skip_reason = forms.CharField(label="跳过原因", max_length=200, required=False)


class PlanStopForm(StyledForm):
    reason = forms.CharField(label="停止原因", max_length=200, required=False)


class PregnancyForm(StyledForm):
    lmp = _date("末次月经")
    high_risk = forms.BooleanField(label="高危孕产妇", required=False)


class DeliveryForm(StyledForm):
    delivered_on = _date("分娩日期")
    discharged_on = _date("出院日期")


class ReferralForm(StyledForm):
    referred_on = _date("转诊日期")
    note = forms.CharField(
        label="转诊情况", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MaternalVisitField(forms.ModelChoiceField):
    """A visit of the schedule, shown by kind and window."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.get_kind_display()}({obj.window_start:%m-%d}~{obj.window_end:%m-%d})"


class VisitDoneForm(StyledForm):
    visit = MaternalVisitField(
        label="随访项目",
        queryset=MaternalVisit.objects.none(),
        error_messages={
            "required": "请选择随访项目。",
            "invalid_choice": "随访项目不存在或已完成。",
        },
    )
    done_on = _date("完成日期")
    note = forms.CharField(label="情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, pregnancy: Pregnancy, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "visit").queryset = pregnancy.visits.filter(done_on__isnull=True)


class ReceiveForm(StyledForm):
    received_on = _date("收到日期")
    method = forms.CharField(label="避孕节育措施", max_length=100, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)


class VerifyForm(StyledForm):
    verified_on = _date("落实日期")
    note = forms.CharField(label="落实情况", max_length=200, required=False)


class WorklistForm(forms.Form):  # a filter bar: styled by the page kit
    list = forms.ChoiceField(
        label="清单", choices=list(WORKLISTS.items()), required=False, widget=forms.HiddenInput
    )
    village = forms.ModelChoiceField(
        label="村", queryset=OrgUnit.objects.none(), required=False, empty_label="全部村"
    )
    kind = forms.ChoiceField(
        label="类别", choices=[("", "全部类别")] + [(k, k) for k in KINDS], required=False
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "village").queryset = villages


# Working lists --------------------------------------------------------------------------------


def _week_end(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=6 - today.weekday())


class Worklist(listing.ListPage):
    """本周到期 / 已超期 / 我的片区: every open item of the user's villages, overdue first, then by
    due date, then by priority.

    The items come from several tables (`inbox.area_sources`, one queryset per kind) combined
    in the database (`inbox.union.UnionRows`): the filters, the order, the page and the counts
    are SQL, and only the page's items are built. The methods of the kit that touch a queryset
    are given their union form here.
    """

    title = "随访工作清单"
    template_name = "population/worklist.html"
    summary_template = "population/_worklist_summary.html"
    filter_form = WorklistForm
    search_fields = ("title", "subtitle")  # searched in the list: see search()
    search_placeholder = "姓名或事项"
    empty_text = "没有待办事项。"
    columns = (
        listing.Column("kind", "类别", template="population/_kind_cell.html", nowrap=True),
        listing.Column(
            "title", "事项", link=lambda item: item.url, template="population/_work_item_cell.html"
        ),
        listing.Column("village", "村", nowrap=True),
        listing.Column(
            "due_on", "到期", kind=listing.DATE, template="population/_work_due_cell.html"
        ),
        listing.Column("priority", "优先级", "priority_label", nowrap=True),
    )

    tab = "week"

    def get_form_kwargs(self) -> dict:
        villages = scope(
            OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE),
            self.request.user,
            POPULATION_ROLES,
            via="",
        ).order_by("path")
        return {"villages": villages}

    def get_queryset(self):
        self.today = timezone.localdate()
        return area_sources(self.request.user, today=self.today)

    def filtered(self):
        sources = self.get_queryset()
        valid = self.form.is_valid()
        mark_invalid(self.form)
        if not valid:
            return UnionRows([], today=self.today)
        return self.filter_queryset(sources, self.form.cleaned_data)

    def filter_queryset(self, sources, data):
        self.tab = data.get("list") or "week"
        today = self.today
        village = data.get("village")
        return UnionRows(
            sources,
            today=today,
            order="work",
            until=_week_end(today) if self.tab == "week" else None,
            before=today if self.tab == "overdue" else None,
            village=village.pk if village else None,
            kind=data.get("kind") or None,
            q=(data.get("q") or "").strip(),
            prepare=self.prepare_items,
        )

    def prepare_items(self, items) -> None:
        """Each item's countdown on one calendar (one query)."""
        today = self.today
        calendar = _calendar_for([today, *(i.due_on for i in items)])
        for item in items:
            item.deadline = deadline(item.due_on, today=today, calendar=calendar)

    def order(self, rows, sort):
        """The fixed order of the lists, in the database (see `UnionRows`)."""
        return rows

    def get_context_data(self, rows):
        query = self.request.GET.copy()
        for name in ("list", "page", "export", "print"):
            query.pop(name, None)
        return {
            "tab": self.tab,
            "tab_label": WORKLISTS[self.tab],
            "tabs": WORKLISTS,
            "tab_query": f"{query.urlencode()}&" if query else "",
            "overdue_count": rows.counts().by_state["overdue"],
        }


worklist = role_required(*POPULATION_ROLES)(Worklist.as_view())


# Follow-up plans ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def followup_plan_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Start a repeatable phone follow-up or home visit for a person."""
    person = get_person_for_user(request.user, person_pk, for_write=True)
    form = FollowUpPlanForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = followup_actions.followup_plan_create(
                actor=request.user,
                person=person,
                kind=data["kind"],
                interval_days=data["interval_days"],
                purpose=data["purpose"],
                owner=data["owner"],
                first_due_on=data["first_due_on"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            first = plan.followups.get()
            messages.success(request, f"已建立随访计划,首次随访 {first.due_on:%Y-%m-%d}。")
            return redirect("population:followup_detail", first.pk)
    return render(request, "population/followup_form.html", {"form": form, "person": person})


def _followup_page(request, followup: FollowUp, person: Person, **forms_) -> HttpResponse:
    plan = followup.plan
    history = list(plan.followups.select_related("done_by").order_by("-due_on", "-id"))
    today = timezone.localdate()
    calendar = _calendar_for([today, followup.due_on])
    context = {
        "person": person,
        "plan": plan,
        "followup": followup,
        "history": history,
        "deadline": deadline(
            followup.due_on,
            done=followup.status != FollowUp.Status.SCHEDULED,
            today=today,
            calendar=calendar,
        ),
        "is_overdue": followup.status == FollowUp.Status.SCHEDULED and today > followup.due_on,
        "can_write": can_write_person(request.user, person),
        # Today is offered only for an item that is due: the next one, just scheduled, starts
        # empty so that nobody records a visit that has not happened.
        "complete_form": forms_.get("complete_form")
        or FollowUpCompleteForm(initial={"done_on": today} if followup.due_on <= today else None),
        "is_home": plan.kind == FollowUpPlan.Kind.HOME,
        "skip_form": forms_.get("skip_form") or FollowUpSkipForm(),
        "stop_form": forms_.get("stop_form") or PlanStopForm(),
    }
    status = 400 if forms_ else 200
    return render(request, "population/followup_detail.html", context, status=status)


FOLLOWUPS = FollowUp.objects.select_related("plan__person", "plan__org_unit", "plan__owner")


@login_required
@require_GET
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    followup, person = _person_of_row(
        request, FOLLOWUPS, pk, lambda f: f.plan.person_id, purpose="随访记录"
    )
    return _followup_page(request, followup, person)


@login_required
@require_POST
def followup_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the follow-up; the next one is scheduled at the done date + the interval."""
    followup, person = _person_of_row(
        request, FOLLOWUPS, pk, lambda f: f.plan.person_id, for_write=True
    )
    form = FollowUpCompleteForm(request.POST)
    if form.is_valid():
        try:
            following = followup_actions.followup_complete(
                actor=request.user,
                followup=followup,
                done_on=form.cleaned_data["done_on"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if following is None:
                messages.success(request, "已登记随访。")
                return redirect("population:followup_detail", followup.pk)
            messages.success(request, f"已登记随访,下次随访 {following.due_on:%Y-%m-%d}。")
            return redirect("population:followup_detail", following.pk)
    return _followup_page(request, followup, person, complete_form=form)


@login_required
@require_POST
def followup_skip(request: HttpRequest, pk: int) -> HttpResponse:
    followup, person = _person_of_row(
        request, FOLLOWUPS, pk, lambda f: f.plan.person_id, for_write=True
    )
    form = FollowUpSkipForm(request.POST)
    if form.is_valid():
        try:
            following = followup_actions.followup_skip(
                actor=request.user, followup=followup, reason=form.cleaned_data["skip_reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            target = following or followup
            messages.success(request, "已跳过本次随访。")
            return redirect("population:followup_detail", target.pk)
    return _followup_page(request, followup, person, skip_form=form)


@login_required
@require_POST
def followup_plan_stop(request: HttpRequest, pk: int) -> HttpResponse:
    followup, person = _person_of_row(
        request, FOLLOWUPS, pk, lambda f: f.plan.person_id, for_write=True
    )
    form = PlanStopForm(request.POST)
    if form.is_valid():
        try:
            followup_actions.followup_plan_stop(
                actor=request.user, plan=followup.plan, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已停止随访计划。")
            return redirect("population:followup_detail", followup.pk)
    return _followup_page(request, followup, person, stop_form=form)


# Maternal schedule ----------------------------------------------------------------------------


def visit_rows(visits, today: datetime.date) -> list[dict]:
    """Each visit window with its state: done / late / open / upcoming / overdue."""
    rows = []
    for visit in visits:
        state = schedule.window_state(visit.window_start, visit.window_end, visit.done_on, today)
        rows.append({"visit": visit, "state": state, "label": schedule.STATE_LABELS[state]})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def pregnancy_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Register a pregnancy from the LMP; the antenatal windows are generated."""
    person = get_person_for_user(request.user, person_pk, for_write=True)
    form = PregnancyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pregnancy = maternal_actions.pregnancy_register(
                actor=request.user,
                person=person,
                lmp=form.cleaned_data["lmp"],
                high_risk=form.cleaned_data["high_risk"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记孕产期,预产期 {pregnancy.edd:%Y-%m-%d}。")
            return redirect("population:pregnancy_detail", pregnancy.pk)
    return render(request, "population/maternal_form.html", {"form": form, "person": person})


PREGNANCIES = Pregnancy.objects.select_related(
    "person", "org_unit", "created_by", "preconception_check"
)


def _pregnancy_page(request, pregnancy: Pregnancy, person: Person, **forms_) -> HttpResponse:
    today = timezone.localdate()
    visits = list(pregnancy.visits.select_related("done_by").order_by("window_start", "id"))
    weeks, days = schedule.gestational_age(pregnancy.lmp, today)
    context = {
        "person": person,
        "pregnancy": pregnancy,
        "rows": visit_rows(visits, today),
        "gestation": None if pregnancy.delivered_on else f"孕 {weeks} 周 + {days} 天",
        "can_write": can_write_person(request.user, person),
        "delivery_form": forms_.get("delivery_form") or DeliveryForm(),
        "referral_form": forms_.get("referral_form")
        or ReferralForm(initial={"referred_on": today}),
        "visit_form": forms_.get("visit_form")
        or VisitDoneForm(pregnancy=pregnancy, initial={"done_on": today}),
        "rule": schedule.__doc__,
    }
    status = 400 if forms_ else 200
    return render(request, "population/maternal_detail.html", context, status=status)


@login_required
@require_GET
def pregnancy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pregnancy, person = _person_of_row(
        request, PREGNANCIES, pk, lambda p: p.person_id, purpose="孕产期随访"
    )
    return _pregnancy_page(request, pregnancy, person)


@login_required
@require_POST
def pregnancy_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    pregnancy, person = _person_of_row(
        request, PREGNANCIES, pk, lambda p: p.person_id, for_write=True
    )
    form = DeliveryForm(request.POST)
    if form.is_valid():
        try:
            maternal_actions.pregnancy_record_delivery(
                actor=request.user,
                pregnancy=pregnancy,
                delivered_on=form.cleaned_data["delivered_on"],
                discharged_on=form.cleaned_data["discharged_on"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已登记分娩,产后访视和产后 42 天检查已排期。")
            return redirect("population:pregnancy_detail", pregnancy.pk)
    return _pregnancy_page(request, pregnancy, person, delivery_form=form)


@login_required
@require_POST
def pregnancy_referral(request: HttpRequest, pk: int) -> HttpResponse:
    pregnancy, person = _person_of_row(
        request, PREGNANCIES, pk, lambda p: p.person_id, for_write=True
    )
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            visit = maternal_actions.high_risk_referral(
                actor=request.user,
                pregnancy=pregnancy,
                referred_on=form.cleaned_data["referred_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, f"已登记高危转诊,须在 {visit.window_end:%Y-%m-%d} 前随访结果。"
            )
            return redirect("population:pregnancy_detail", pregnancy.pk)
    return _pregnancy_page(request, pregnancy, person, referral_form=form)


@login_required
@require_POST
def maternal_visit_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit of the schedule; `pk` is the pregnancy, the visit comes from the form."""
    pregnancy, person = _person_of_row(
        request, PREGNANCIES, pk, lambda p: p.person_id, for_write=True
    )
    form = VisitDoneForm(request.POST, pregnancy=pregnancy)
    if form.is_valid():
        try:
            maternal_actions.maternal_visit_complete(
                actor=request.user,
                visit=form.cleaned_data["visit"],
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已登记随访完成。")
            return redirect("population:pregnancy_detail", pregnancy.pk)
    return _pregnancy_page(request, pregnancy, person, visit_form=form)


# Contraception reports ------------------------------------------------------------------------


class ContraceptionFilterForm(forms.Form):  # a filter bar: styled by the page kit
    status = forms.ChoiceField(
        label="状态",
        choices=[("", "全部状态"), *ContraceptionReport.Status.choices],
        required=False,
    )

    def filter(self, reports):
        if status := self.cleaned_data["status"]:
            reports = reports.filter(status=status)
        return reports


MISSING = "超期未寄回"


def report_missing(report: ContraceptionReport) -> bool:
    """Still expected after its period: the village chases it."""
    return (
        report.status == ContraceptionReport.Status.EXPECTED
        and report.period_end < timezone.localdate()
    )


class ContraceptionList(listing.ListPage):
    """Reports of the user's villages; a missing report after its period is marked 超期."""

    title = "避孕节育报告单"
    template_name = "population/contraception_list.html"
    filter_form = ContraceptionFilterForm
    search_fields = ("person__name",)
    search_placeholder = "姓名"
    ordering = ("status", "period_end", "org_unit__path", "person__name")
    export_name = "避孕节育报告单"
    empty_text = "没有报告单。"
    columns = (
        listing.Column(
            "name", "姓名", "person.name", link=listing.link("population:contraception_detail")
        ),
        listing.Column("masked_id", "公民身份号码", "person.masked_id", nowrap=True),
        listing.Column("unit", "村", "org_unit.name", nowrap=True),
        listing.Column(
            "period_end",
            "报告期",
            lambda r: f"{display.date_text(r.period_start)} ~ {display.date_text(r.period_end)}",
            sort="period_end",
            nowrap=True,
        ),
        listing.Column(
            "status",
            "状态",
            lambda r: (
                f"{r.get_status_display()}({MISSING})"
                if report_missing(r)
                else r.get_status_display()
            ),
            sort="status",
            template="population/_report_status_cell.html",
            nowrap=True,
        ),
        listing.Column("method", "措施"),
    )

    def get_queryset(self):
        reports = rows_visible_to(self.request.user, ContraceptionReport.objects.all())
        return reports.select_related("person", "org_unit")

    def get_context_data(self, queryset):
        return {"today": timezone.localdate()}


contraception_list = role_required(*POPULATION_ROLES)(ContraceptionList.as_view())


REPORTS = ContraceptionReport.objects.select_related("person", "org_unit", "verified_by")


def _report_page(request, report, person, **forms_) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "person": person,
        "report": report,
        "missing": report.status == ContraceptionReport.Status.EXPECTED
        and report.period_end < today,
        "can_write": can_write_person(request.user, person),
        "receive_form": forms_.get("receive_form") or ReceiveForm(initial={"received_on": today}),
        "verify_form": forms_.get("verify_form") or VerifyForm(initial={"verified_on": today}),
    }
    status = 400 if forms_ else 200
    return render(request, "population/contraception_detail.html", context, status=status)


@login_required
@require_GET
def contraception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report, person = _person_of_row(
        request, REPORTS, pk, lambda r: r.person_id, purpose="避孕节育情况报告单"
    )
    return _report_page(request, report, person)


@login_required
@require_POST
def contraception_receive(request: HttpRequest, pk: int) -> HttpResponse:
    report, person = _person_of_row(request, REPORTS, pk, lambda r: r.person_id, for_write=True)
    form = ReceiveForm(request.POST)
    if form.is_valid():
        try:
            followup_actions.contraception_report_receive(
                actor=request.user, report=report, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已登记收到报告单,待落实。")
            return redirect("population:contraception_detail", report.pk)
    return _report_page(request, report, person, receive_form=form)


@login_required
@require_POST
def contraception_verify(request: HttpRequest, pk: int) -> HttpResponse:
    report, person = _person_of_row(request, REPORTS, pk, lambda r: r.person_id, for_write=True)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            followup_actions.contraception_report_verify(
                actor=request.user, report=report, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "报告单已落实。")
            return redirect("population:contraception_detail", report.pk)
    return _report_page(request, report, person, verify_form=form)


# The person's page ----------------------------------------------------------------------------


def followup_context(person: Person, user) -> dict:
    """Context for `population/_person_followups.html` on the person's page: follow-up plans,
    pregnancies with their windows and contraception reports. Five queries whatever the rows.

    An old owner after a transfer sees what was recorded up to the transfer only.
    """
    today = timezone.localdate()
    cutoff = read_cutoff_for(user, person)
    plan_rows = FollowUpPlan.objects.filter(person=person).select_related("owner", "org_unit")
    pregnancy_rows = Pregnancy.objects.filter(person=person).select_related("org_unit")
    report_rows = ContraceptionReport.objects.filter(person=person).select_related("org_unit")
    if cutoff is not None:
        plan_rows = plan_rows.filter(created_at__lte=cutoff)
        pregnancy_rows = pregnancy_rows.filter(created_at__lte=cutoff)
        report_rows = report_rows.filter(period_start__lte=timezone.localdate(cutoff))
    plans = list(
        plan_rows.prefetch_related(
            Prefetch("followups", queryset=FollowUp.objects.order_by("-due_on", "-id"))
        ).order_by("-active", "-id")
    )
    pregnancies = list(
        pregnancy_rows.prefetch_related(
            Prefetch("visits", queryset=MaternalVisit.objects.order_by("window_start", "id"))
        ).order_by("-lmp", "-id")
    )
    reports = list(report_rows.order_by("-period_start", "-id")[:8])
    scheduled = [f for plan in plans for f in plan.followups.all() if f.status == "scheduled"]
    calendar = _calendar_for([today, *(f.due_on for f in scheduled)])
    for plan in plans:
        plan.open_followup = None
        for f in plan.followups.all():
            if f.status == FollowUp.Status.SCHEDULED:
                f.deadline = deadline(f.due_on, today=today, calendar=calendar)
                plan.open_followup = f
        plan.recent = [f for f in plan.followups.all() if f.status != "scheduled"][:3]
    for pregnancy in pregnancies:
        pregnancy.rows = visit_rows(pregnancy.visits.all(), today)
    return {
        "followup_plans": plans,
        "pregnancies": pregnancies,
        "contraception_reports": reports,
        "can_write_followups": cutoff is None and can_write_person(user, person),
        "followups_today": today,
    }
