"""孕环情普查 · 生殖健康查体: the campaigns, their target lists and attendance."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import can_act_in
from zhengtong.lib import listing
from zhengtong.lib.forms import add_errors

from .. import campaigns as coverage_report
from .. import forms_care as f
from ..actions import care
from ..models import Campaign, CampaignTarget
from ..selectors import POPULATION_ROLES, rows_visible_to
from .common import get_row, population_required


def _get_campaign(user, pk) -> Campaign:
    qs = coverage_report.campaigns_visible_to(user, Campaign.objects.select_related("org_unit"))
    return get_row(user, qs, pk)


class CampaignList(listing.ListPage):
    """Check-up campaigns of the user's villages, newest first."""

    title = "孕环情普查 · 生殖健康查体"
    template_name = "population/campaign_list.html"
    filter_form = f.CampaignFilterForm
    search_fields = ("name",)
    search_label = "活动名称"
    ordering = ("-start_on", "-id")
    tie_breaker = "-id"
    export_name = "查体活动"
    empty_text = "还没有查体活动。"
    columns = (
        listing.Column("name", "名称", link=listing.link("population:campaign_detail")),
        listing.Column("kind", "类别", "get_kind_display", nowrap=True),
        listing.Column("quarter", "季度", nowrap=True),
        listing.Column("unit", "组织单位", "org_unit.name"),
        listing.Column("start_on", "开始日期", kind=listing.DATE),
        listing.Column("end_on", "结束日期", kind=listing.DATE),
    )

    def get_queryset(self):
        campaigns = coverage_report.campaigns_visible_to(self.request.user)
        return campaigns.select_related("org_unit")


campaign_list = population_required(CampaignList.as_view())


@population_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = f.CampaignForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = care.campaign_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                count = campaign.targets.count()
                messages.success(request, f"已建立查体活动,生成查体对象 {count} 人。")
                return redirect("population:campaign_detail", pk=campaign.pk)
        status = 400
    context = {"form": form, "rule": care.TARGET_RULE}
    return render(request, "population/campaign_form.html", context, status=status)


@population_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Coverage per village on a day (default the campaign's last day), with the definitions."""
    campaign = _get_campaign(request.user, pk)
    as_of, error = None, ""
    if request.GET.get("as_of"):
        try:
            as_of = datetime.date.fromisoformat(request.GET["as_of"])
        except ValueError:
            error = "统计日:日期格式应为 YYYY-MM-DD。"
    report = coverage_report.coverage(campaign, user=request.user, as_of=as_of)
    context = {
        "campaign": campaign,
        "report": report,
        "as_of_error": error,
        "definitions": coverage_report.COVERAGE_DEFINITIONS,
        "rule": care.TARGET_RULE,
        "can_sync": can_act_in(request.user, campaign.org_unit, POPULATION_ROLES)
        and campaign.end_on >= timezone.localdate(),
    }
    return render(request, "population/campaign_detail.html", context, status=400 if error else 200)


class CampaignTargets(listing.ListPage):
    """The target list of one campaign in the user's villages, with attendance; masked ID
    numbers. The campaign itself is an audited read (404 outside the user's villages)."""

    title = "查体对象"
    template_name = "population/campaign_targets.html"
    filter_form = f.TargetFilterForm
    search_fields = ("person__name",)
    search_label = "姓名"
    ordering = ("org_unit__code", "person__name", "id")
    export_name = "查体对象"
    empty_text = "没有符合条件的查体对象。"
    columns = (
        listing.Column("name", "姓名", "person.name"),
        listing.Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        listing.Column("hukou", "户籍", "person.get_hukou_type_display", phone=False),
        listing.Column("village", "村", "org_unit.name"),
        listing.Column(
            "attended_on",
            "到检",
            kind=listing.DATE,
            template="population/_campaign_target_attended.html",
        ),
        listing.Column("result", "结果"),
        listing.Column(
            "attend",
            "操作",
            lambda row: None,
            template="population/_campaign_target_attend.html",
            export=False,
            css="d-print-none",
        ),
    )

    campaign: Campaign

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.campaign = _get_campaign(request.user, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def targets(self):
        return coverage_report.targets_visible_to(self.request.user, self.campaign)

    def get_form_kwargs(self) -> dict:
        villages = OrgUnit.objects.filter(pk__in=self.targets().values("org_unit_id"))
        return {"villages": villages.order_by("code")}

    def get_queryset(self):
        return self.targets().select_related("person", "org_unit")

    def get_context_data(self, queryset) -> dict:
        return {"campaign": self.campaign}

    def base_context(self) -> dict:
        # The campaign's name in the heading, so a printed list says which campaign it is.
        return {**super().base_context(), "title": f"查体对象 · {self.campaign.name}"}


campaign_targets = population_required(CampaignTargets.as_view())


@population_required
@require_POST
def campaign_sync(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign(request.user, pk)
    try:
        added = care.campaign_sync_targets(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已补充查体对象 {added} 人。")
    return redirect("population:campaign_detail", pk=campaign.pk)


@population_required
@require_http_methods(["GET", "POST"])
def campaign_attend(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one woman's attendance (a small form that fits a phone at the check-up site)."""
    qs = rows_visible_to(
        request.user, CampaignTarget.objects.select_related("campaign", "person", "org_unit")
    )
    target = get_row(request.user, qs, pk)
    initial = {"attended_on": target.attended_on or timezone.localdate(), "result": target.result}
    form = f.AttendanceForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                care.campaign_record_attendance(
                    actor=request.user, target=target, **form.cleaned_data
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已登记 {target.person.name} 到检。")
                url = reverse("population:campaign_targets", args=[target.campaign_id])
                return redirect(f"{url}?village={target.org_unit_id}&status=todo")
        status = 400
    context = {"target": target, "form": form}
    return render(request, "population/campaign_attend.html", context, status=status)
