"""Pages of the unlicensed-kindergarten clean-up (无证幼儿园清理整顿): the campaigns (a kit list),
a campaign with its kindergartens, registering one found, disposing of it, completing the
campaign.

Rows are found through the livelihood scope (`get_row_for_user`): outside it a row is a 404;
visible but not changeable is a 403. The rules live in actions/schools.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.lib import listing
from zhengtong.lib.forms import add_errors

from . import forms as f
from .actions import schools as actions
from .models import CleanupCampaign, UnlicensedKindergarten
from .selectors import (
    can_edit_row,
    can_view_livelihood,
    get_row_for_user,
    keeping_unit_for,
    livelihood_rows_visible_to,
    require_edit,
    require_keeping_unit,
)

viewer_required = role_required(test=can_view_livelihood)


def _campaign_state(campaign) -> str:
    if campaign.closed_on:
        return f"已完成 {campaign.closed_on.isoformat()}"
    return "进行中"


class CampaignList(listing.ListPage):
    """无证幼儿园清理整顿: the campaigns, searched by name, with the size of each list and the
    kindergartens still 待处置."""

    title = "无证幼儿园清理整顿"
    template_name = "livelihood/kindergarten_campaign_list.html"
    search_fields = ("name",)
    search_label = "名称"
    search_placeholder = "清理整顿名称"
    default_sort = "-started_on"
    tie_breaker = "-id"
    export_name = "无证幼儿园清理整顿"
    empty_text = "还没有清理整顿工作。"
    columns = (
        listing.Column(
            "name", "名称", link=listing.link("livelihood:kindergarten_campaign_detail")
        ),
        listing.Column("started_on", "开始日期", kind=listing.DATE, sort="started_on"),
        listing.Column("due_on", "整治完成期限", kind=listing.DATE, sort="due_on", wide_only=True),
        listing.Column("total", "名单", kind=listing.COUNT),
        listing.Column(
            "pending", "待处置", kind=listing.COUNT, template="livelihood/_count_badge.html"
        ),
        listing.Column("state", "状态", _campaign_state, nowrap=True),
    )

    def get_queryset(self):
        campaigns = livelihood_rows_visible_to(self.request.user, CleanupCampaign.objects.all())
        return campaigns.select_related("org_unit").annotate(
            total=Count("kindergartens"),
            pending=Count("kindergartens", filter=Q(kindergartens__outcome="")),
        )

    def get_context_data(self, queryset) -> dict:
        return {"can_add": keeping_unit_for(self.request.user) is not None}


kindergarten_campaign_list = viewer_required(CampaignList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def kindergarten_campaign_create(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.CampaignForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = actions.campaign_create(
                actor=request.user, org_unit=unit, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "清理整顿工作已建立。")
            return redirect("livelihood:kindergarten_campaign_detail", pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "livelihood/kindergarten_campaign_form.html", {"form": form}, status=status
    )


def _get_campaign(user, pk) -> CleanupCampaign:
    return get_row_for_user(user, CleanupCampaign.objects.select_related("org_unit"), pk)


def _render_campaign(request, campaign, *, bound=None, status=200):
    can_edit = can_edit_row(request.user, campaign.org_unit) and not campaign.closed_on
    today = timezone.localdate()
    rows = []
    for kindergarten in campaign.kindergartens.order_by("name", "id"):
        form = None
        if can_edit and not kindergarten.outcome:
            if bound and bound[0] == kindergarten.pk:
                form = bound[1]
            else:
                form = f.DisposeForm(prefix=f"k{kindergarten.pk}", initial={"outcome_on": today})
        rows.append({"kindergarten": kindergarten, "form": form})
    add_form = close_form = None
    if can_edit:
        add_form = (
            bound[1]
            if bound and bound[0] == "add"
            else f.KindergartenForm(initial={"found_on": today})
        )
        close_form = (
            bound[1]
            if bound and bound[0] == "close"
            else f.CampaignCloseForm(initial={"closed_on": today})
        )
    return render(
        request,
        "livelihood/kindergarten_campaign_detail.html",
        {
            "campaign": campaign,
            "rows": rows,
            "pending": sum(1 for r in rows if not r["kindergarten"].outcome),
            "add_form": add_form,
            "close_form": close_form,
        },
        status=status,
    )


def _refusal(form) -> str:
    return "; ".join(str(e) for errs in form.errors.values() for e in errs)


@viewer_required
@require_GET
def kindergarten_campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_campaign(request, _get_campaign(request.user, pk))


@viewer_required
@require_POST
def kindergarten_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign(request.user, pk)
    require_edit(request.user, campaign.org_unit)
    form = f.KindergartenForm(request.POST)
    if form.is_valid():
        try:
            actions.kindergarten_register(
                actor=request.user, campaign=campaign, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已登记无证幼儿园。")
            return redirect("livelihood:kindergarten_campaign_detail", pk=campaign.pk)
    if campaign.closed_on:
        messages.error(request, _refusal(form))
        return _render_campaign(request, campaign, status=400)
    return _render_campaign(request, campaign, bound=("add", form), status=400)


@viewer_required
@require_POST
def kindergarten_dispose(request: HttpRequest, pk: int) -> HttpResponse:
    kindergarten = get_row_for_user(
        request.user,
        UnlicensedKindergarten.objects.select_related("campaign__org_unit"),
        pk,
        via="campaign__org_unit",
    )
    campaign = kindergarten.campaign
    require_edit(request.user, campaign.org_unit)
    form = f.DisposeForm(request.POST, prefix=f"k{kindergarten.pk}")
    if form.is_valid():
        try:
            actions.kindergarten_dispose(
                actor=request.user, kindergarten=kindergarten, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{kindergarten.name}已处置。")
            return redirect("livelihood:kindergarten_campaign_detail", pk=campaign.pk)
    if campaign.closed_on or kindergarten.outcome:
        messages.error(request, _refusal(form))
        return _render_campaign(request, campaign, status=400)
    return _render_campaign(request, campaign, bound=(kindergarten.pk, form), status=400)


@viewer_required
@require_POST
def kindergarten_campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign(request.user, pk)
    require_edit(request.user, campaign.org_unit)
    form = f.CampaignCloseForm(request.POST)
    if form.is_valid():
        try:
            actions.campaign_close(
                actor=request.user, campaign=campaign, closed_on=form.cleaned_data["closed_on"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "无证幼儿园清理整顿工作已完成。")
            return redirect("livelihood:kindergarten_campaign_detail", pk=campaign.pk)
    if campaign.closed_on:
        messages.error(request, _refusal(form))
        return _render_campaign(request, campaign, status=400)
    return _render_campaign(request, campaign, bound=("close", form), status=400)
