"""招商引资 pipeline: the leads by stage (counts, Σ intended investment, the funnel), a lead's
history and fund support, and the forms that move it on.

The zone's leaders and the key-project office see the leads of their zone; the office keeps
them. The rules of each move live in actions/leads.py.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.accounts.permissions import may_open, role_required
from zhengtong.lib import listing
from zhengtong.lib.forms import DateInput, StyledForm, add_errors, mark_invalid, model_choice_field
from zhengtong.lib.money import format_yuan, percent

from .actions import leads as actions
from .forms import units_for
from .models import LEAD_PLATES, InvestmentLead, KeyProject, LeadStage, Sector
from .selectors import (
    LEAD_MANAGE_ROLES,
    LEAD_VIEW_ROLES,
    can_manage_lead,
    can_manage_leads,
    get_lead_for_user,
    lead_owner_candidates,
    lead_totals,
    leads_visible_to,
    project_fund_support,
    projects_visible_to,
)
from .views_funds import WanField, date_field

FUNNEL = (LeadStage.NEGOTIATING, LeadStage.SIGNED, LeadStage.LANDED, LeadStage.CONVERTED)
FUNNEL_KEYS = {
    LeadStage.NEGOTIATING: "total_count",
    LeadStage.SIGNED: "reached_signed",
    LeadStage.LANDED: "reached_landed",
    LeadStage.CONVERTED: "reached_converted",
}


# The date each stage was reached on, for ?reached=signed&since=…&until=….
REACHED_FIELDS = {"signed": "signed_on", "landed": "landed_on", "converted": "converted_on"}
REACHED_LABELS = {"signed": "签约", "landed": "落地", "converted": "转为重点项目"}


def _sectors():
    return Sector.objects.filter(plate__in=LEAD_PLATES).order_by("sort_order", "code")


# ---------------------------------------------------------------------------- forms


class LeadFilterForm(StyledForm):
    stage = forms.ChoiceField(
        label="阶段", required=False, choices=[("", "全部"), *LeadStage.choices]
    )
    sector = forms.ModelChoiceField(
        label="主导产业",
        required=False,
        queryset=Sector.objects.none(),
        empty_label="全部",
        to_field_name="code",
    )
    owner: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label="招商责任人", required=False, queryset=User.objects.none(), empty_label="全部"
    )
    # The work report's figures open the leads that reached a stage within its period.
    reached = forms.ChoiceField(
        label="期间到达", required=False, choices=[("", "不限"), *REACHED_LABELS.items()]
    )
    since = forms.DateField(
        label="自", required=False, widget=DateInput(),
        error_messages={"invalid": "起始日期不是有效日期。"},
    )  # fmt: skip
    until = forms.DateField(
        label="至", required=False, widget=DateInput(),
        error_messages={"invalid": "截止日期不是有效日期。"},
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "sector").queryset = _sectors()
        owners = User.objects.filter(investment_leads__in=leads_visible_to(user).values("pk"))
        model_choice_field(self, "owner").queryset = owners.distinct().order_by("username")

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("stage"):
            queryset = queryset.filter(stage=data["stage"])
        if data.get("sector"):
            queryset = queryset.filter(sector=data["sector"])
        if data.get("owner"):
            queryset = queryset.filter(owner=data["owner"])
        if data.get("reached"):
            field = REACHED_FIELDS[data["reached"]]
            queryset = queryset.filter(**{f"{field}__isnull": False})
            if data.get("since"):
                queryset = queryset.filter(**{f"{field}__gte": data["since"]})
            if data.get("until"):
                queryset = queryset.filter(**{f"{field}__lte": data["until"]})
        return queryset

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "截止日期不能早于起始日期。")
        return cleaned


class LeadForm(StyledForm):
    company = forms.CharField(
        label="企业名称",
        max_length=100,
        error_messages={
            "required": "请填写企业名称。",
            "max_length": "企业名称不能超过 100 个字。",
        },
    )
    sector = forms.ModelChoiceField(
        label="主导产业",
        queryset=Sector.objects.none(),
        empty_label="请选择",
        error_messages={"required": "请选择主导产业。", "invalid_choice": "请选择主导产业。"},
    )
    intended_investment = WanField(label="意向投资(万元)")
    source = forms.ChoiceField(
        label="线索来源",
        choices=InvestmentLead.Source.choices,
        error_messages={"required": "请选择线索来源。", "invalid_choice": "请选择线索来源。"},
    )
    org_unit: "forms.ModelChoiceField[OrgUnit]" = forms.ModelChoiceField(
        label="招商单位",
        queryset=None,
        empty_label="请选择",
        error_messages={"required": "请选择招商单位。", "invalid_choice": "请选择招商单位。"},
    )
    owner: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label="招商责任人",
        queryset=User.objects.none(),
        empty_label="请选择",
        error_messages={
            "required": "请选择招商责任人。",
            "invalid_choice": "招商责任人须是本区的领导或工作人员。",
        },
    )
    contacted_on = date_field("首次洽谈日期")
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "sector").queryset = _sectors()
        # A lead is kept by the zone or one of its departments, not by a company or a village.
        kinds = (OrgUnit.Kind.ZONE, OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.COUNTY)
        units = units_for(user, LEAD_MANAGE_ROLES).filter(kind__in=kinds)
        model_choice_field(self, "org_unit").queryset = units
        first = units.first()
        if first is not None:
            self.fields["org_unit"].initial = first.pk
            # Anyone who may answer for a lead of the user's units; the action checks the unit.
            model_choice_field(self, "owner").queryset = lead_owner_candidates(first)
        self.fields["contacted_on"].initial = timezone.localdate()


class SignForm(StyledForm):
    contract_amount = WanField(label="协议投资(万元)")
    signed_on = date_field("签约日期")
    note = forms.CharField(label="说明", required=False, max_length=300)


class LandForm(StyledForm):
    registered_company = forms.CharField(
        label="注册企业名称",
        max_length=100,
        error_messages={"required": "请填写注册企业名称。"},
        help_text="在开发区注册的项目公司。",
    )
    land = forms.CharField(
        label="项目用地",
        max_length=200,
        error_messages={"required": "请填写项目用地。"},
        help_text="地块位置和面积,如“黄河路以南地块 200 亩”。",
    )
    landed_on = date_field("落地日期")
    note = forms.CharField(label="说明", required=False, max_length=300)


class ConvertForm(StyledForm):
    """Link a project on the register, or fill in a new one (created by project_create())."""

    converted_on = date_field("转为重点项目日期")
    project = forms.ModelChoiceField(
        label="关联已登记的重点项目",
        required=False,
        queryset=KeyProject.objects.none(),
        empty_label="(新登记项目,填写下方信息)",
        error_messages={"invalid_choice": "所选项目不存在、无权管理或已由其他线索转入。"},
    )
    code = forms.CharField(label="新项目编号", required=False, max_length=30)
    name = forms.CharField(label="新项目名称", required=False, max_length=100)
    org_unit: "forms.ModelChoiceField[OrgUnit]" = forms.ModelChoiceField(
        label="项目单位",
        required=False,
        queryset=None,
        error_messages={"invalid_choice": "请选择项目单位。"},
    )
    category = forms.ChoiceField(label="类别", required=False, choices=KeyProject.Category.choices)
    total_investment = WanField(label="总投资(万元)", required=False)
    annual_plan = WanField(label="年度计划投资(万元)", required=False)

    NEW_FIELDS = ("code", "name", "org_unit", "total_investment", "annual_plan")

    def __init__(self, *args, user, lead: InvestmentLead, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "project").queryset = (
            projects_visible_to(user)
            .filter(investment_lead__isnull=True)
            .only("pk", "code", "name")
            .order_by("code")
        )
        model_choice_field(self, "org_unit").queryset = units_for(user, LEAD_MANAGE_ROLES)
        self.fields["converted_on"].initial = timezone.localdate()
        self.fields["name"].initial = lead.company
        if lead.contract_amount is not None:
            self.fields["total_investment"].initial = lead.contract_amount / 10_000

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("project") is None:
            labels = {"code": "新项目编号", "name": "新项目名称", "org_unit": "项目单位",
                      "total_investment": "总投资", "annual_plan": "年度计划投资"}  # fmt: skip
            for name in self.NEW_FIELDS:
                if cleaned.get(name) in (None, ""):
                    self.add_error(name, f"新登记项目须填写{labels[name]}。")
        return cleaned

    def new_project(self) -> dict | None:
        data = self.cleaned_data
        if data.get("project") is not None:
            return None
        return {
            "code": data["code"],
            "name": data["name"],
            "year": data["converted_on"].year,
            "category": data["category"] or KeyProject.Category.INDUSTRY,
            "org_unit": data["org_unit"],
            "total_investment": data["total_investment"],
            "annual_plan": data["annual_plan"],
        }


class TerminateForm(StyledForm):
    terminated_on = date_field("终止日期")
    reason = forms.CharField(
        label="终止原因",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写终止原因。"},
    )


# ---------------------------------------------------------------------------- list


def _funnel(totals: dict) -> list[dict]:
    """The funnel's bars: how many leads reached each stage, widths relative to the first."""
    top = totals["total_count"] or 0
    bars = []
    for index, stage in enumerate(FUNNEL):
        count = totals[FUNNEL_KEYS[stage]]
        width = 100 if not top else max(8, round(100 * count / top))
        bars.append(
            {
                "label": stage.label,
                "count": count,
                "width": width,
                "x": (100 - width) / 2,
                "y": index * 34,
                "share": percent(count, top) if index else None,
            }
        )
    return bars


class LeadList(listing.ListPage):
    """The 招商线索 of the user's zone, with the counts and sums per stage over the filter."""

    title = "招商引资"
    template_name = "projects/lead_list.html"
    summary_template = "projects/_lead_pipeline.html"
    filter_form = LeadFilterForm
    search_fields = ("company", "registered_company")
    search_placeholder = "企业名称"
    default_sort = "-contacted_on"
    export_name = "招商线索"
    empty_text = "没有符合条件的招商线索。"
    columns = (
        listing.Column(
            "company", "企业", sort="company", link=lambda lead: lead.get_absolute_url(),
            template="projects/_example_name_cell.html",
        ),
        listing.Column("sector", "主导产业", "sector.name", sort="sector"),
        listing.Column("intended_investment", "意向投资", kind=listing.MONEY,
                       sort="intended_investment"),
        listing.Column("contract_amount", "协议投资", kind=listing.MONEY, wide_only=True),
        listing.Column("source", "来源", "get_source_display", wide_only=True),
        listing.Column("owner", "招商责任人", "owner"),
        listing.Column("stage", "阶段", "get_stage_display", sort="stage"),
        listing.Column("contacted_on", "首次洽谈", kind=listing.DATE, sort="contacted_on",
                       nowrap=True, phone=False),
    )  # fmt: skip

    def get_form_kwargs(self) -> dict:
        return {"user": self.request.user}

    def get_queryset(self):
        return leads_visible_to(self.request.user).select_related("sector", "owner")

    def get_context_data(self, queryset) -> dict:
        totals = lead_totals(queryset)
        stages = [
            {
                "value": stage.value,
                "label": stage.label,
                "count": totals[f"{stage.value}_count"],
                "amount": totals[f"{stage.value}_amount"],
            }
            for stage in LeadStage
        ]
        return {
            "totals": totals,
            "stages": stages,
            "funnel": _funnel(totals),
            "can_manage": can_manage_leads(self.request.user),
        }


lead_list = role_required(*LEAD_VIEW_ROLES)(LeadList.as_view())


# ---------------------------------------------------------------------------- detail and moves


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    steps = list(lead.steps.select_related("recorded_by").order_by("happened_on", "id"))
    allocations = []
    can_see_project = False
    if lead.project_id is not None:
        allocations = list(project_fund_support(lead.project))
        can_see_project = projects_visible_to(request.user).filter(pk=lead.project_id).exists()
    support = {
        "allocated": sum((a.amount for a in allocations), 0),
        "disbursed": sum((a.disbursed for a in allocations), 0),
    }
    may_manage = can_manage_lead(request.user, lead)
    context = {
        "lead": lead,
        "steps": steps,
        "allocations": allocations,
        "support": support,
        "can_see_project": can_see_project,
        "can_open_funds": may_open(request.user, "projects:fund_list"),
        "can_advance": may_manage and lead.next_stage is not None,
        "can_terminate": may_manage and lead.is_open,
        "next_label": LeadStage(lead.next_stage).label if lead.next_stage else "",
    }
    return render(request, "projects/lead_detail.html", context)


def _form_page(request, form, *, title: str, lead=None, submit: str = "保存") -> HttpResponse:
    return render(
        request,
        "projects/lead_form.html",
        {"form": form, "title": title, "lead": lead, "submit": submit},
    )


def _apply(form, action, **kwargs):
    """Run `action`; put its ValidationError on the form. None when it was refused."""
    try:
        return action(**kwargs)
    except ValidationError as error:
        add_errors(form, error)
        mark_invalid(form)
        return None


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*LEAD_MANAGE_ROLES)
def lead_create(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        lead = _apply(form, actions.lead_create, actor=request.user, **form.cleaned_data)
        if lead is not None:
            messages.success(request, f"已登记招商线索“{lead.company}”。")
            return redirect(lead)
    return _form_page(request, form, title="登记招商线索", submit="登记")


def _managed_lead(request: HttpRequest, pk: int) -> InvestmentLead:
    lead = get_lead_for_user(request.user, pk)
    if not can_manage_lead(request.user, lead):
        raise PermissionDenied
    return lead


@login_required
@require_http_methods(["GET", "POST"])
def lead_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """The form of the lead's next stage: 签约, 落地 or 转为重点项目."""
    lead = _managed_lead(request, pk)
    data = request.POST or None
    to = lead.next_stage
    if to is None:
        messages.info(request, f"线索已{lead.get_stage_display()},不能再变更阶段。")
        return redirect(lead)
    form: StyledForm
    if to == LeadStage.SIGNED:
        form = SignForm(data)
    elif to == LeadStage.LANDED:
        form = LandForm(data)
    else:
        form = ConvertForm(data, user=request.user, lead=lead)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if to == LeadStage.SIGNED:
            done = _apply(form, actions.lead_sign, actor=request.user, lead=lead, **d)
        elif to == LeadStage.LANDED:
            done = _apply(form, actions.lead_land, actor=request.user, lead=lead, **d)
        else:
            assert isinstance(form, ConvertForm)
            done = _apply(
                form,
                actions.lead_convert,
                actor=request.user,
                lead=lead,
                converted_on=d["converted_on"],
                project=d["project"],
                new_project=form.new_project(),
            )
        if done is not None:
            text = f"“{done.company}”已{done.get_stage_display()}"
            if to == LeadStage.SIGNED:
                text += f",协议投资 {format_yuan(done.contract_amount, '万元')}"
            elif to == LeadStage.CONVERTED:
                text += f":{done.project}"
            messages.success(request, text + "。")
            return redirect(done)
    title = f"{LeadStage(to).label}:{lead.company}"
    return _form_page(request, form, title=title, lead=lead)


@login_required
@require_http_methods(["GET", "POST"])
def lead_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _managed_lead(request, pk)
    if not lead.is_open:
        messages.info(request, f"线索已{lead.get_stage_display()},不能终止。")
        return redirect(lead)
    form = TerminateForm(request.POST or None, initial={"terminated_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form, actions.lead_terminate, actor=request.user, lead=lead, **form.cleaned_data
        )
        if done is not None:
            messages.success(request, f"“{done.company}”已终止。")
            return redirect(done)
    return _form_page(request, form, title=f"终止:{lead.company}", lead=lead, submit="终止线索")
