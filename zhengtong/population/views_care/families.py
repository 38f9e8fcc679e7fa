"""文明家庭 创建: the township's campaigns, the nominations of its villages, nominate, evaluate,
decide (or correct a decision), and the public list of the households named."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import scope
from zhengtong.lib import listing
from zhengtong.lib.forms import add_errors
from zhengtong.people.models import Household

from .. import forms_families as f
from ..actions import families
from ..models import FamilyCampaign, FamilyNomination
from ..selectors import (
    POPULATION_ROLES,
    family_campaigns_visible_to,
    rows_visible_to,
    works_at_township,
)
from .common import get_row, population_required

township_required = role_required(
    *POPULATION_ROLES,
    test=works_at_township,
    message="文明家庭的创建活动、评议和决定由镇(街道)计生办办理。",
)


def _nomination_link(row: FamilyNomination) -> str:
    return reverse("population:family_nomination_detail", args=[row.pk])


def _campaign_link(row: FamilyCampaign) -> str:
    return reverse("population:family_nomination_list") + f"?campaign={row.pk}"


class FamilyCampaignList(listing.ListPage):
    """The campaigns of the user's townships, newest year first, with the nominations counted
    in the database."""

    title = "文明家庭创建"
    template_name = "population/family_campaign_list.html"
    ordering = ("-year", "org_unit__path")
    empty_text = "还没有文明家庭创建活动。"
    columns = (
        listing.Column("year", "年度", lambda r: f"{r.year}年", sort="year", nowrap=True),
        listing.Column("name", "活动", link=_campaign_link),
        listing.Column("town", "镇(街道)", "org_unit.name", phone=False),
        listing.Column("nominated", "推荐", kind=listing.COUNT),
        listing.Column("waiting", "待评议", kind=listing.COUNT),
        listing.Column("named", "评为文明家庭", kind=listing.COUNT),
    )

    def get_queryset(self):
        named = FamilyNomination.Status.NAMED
        waiting = FamilyNomination.Status.NOMINATED
        own = rows_visible_to(self.request.user, FamilyNomination.objects.all())
        return (
            family_campaigns_visible_to(self.request.user)
            .select_related("org_unit")
            .annotate(
                nominated=Count("nominations", filter=Q(nominations__in=own)),
                waiting=Count(
                    "nominations", filter=Q(nominations__in=own, nominations__status=waiting)
                ),
                named=Count(
                    "nominations", filter=Q(nominations__in=own, nominations__status=named)
                ),
            )
        )

    def get_context_data(self, queryset) -> dict:
        return {"can_create": works_at_township(self.request.user)}


family_campaign_list = population_required(FamilyCampaignList.as_view())


@township_required
@require_http_methods(["GET", "POST"])
def family_campaign_create(request: HttpRequest) -> HttpResponse:
    form = f.FamilyCampaignForm(
        request.POST or None,
        user=request.user,
        initial={"year": timezone.localdate().year, "criteria": families.DEFAULT_CRITERIA},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = families.family_campaign_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已开展“{campaign.name}”。")
                return redirect("population:family_campaign_list")
        status = 400
    context = {"form": form, "title": "开展文明家庭创建", "back": "population:family_campaign_list"}
    return render(request, "population/family_form.html", context, status=status)


class FamilyNominationList(listing.ListPage):
    """The nominations of the user's villages: filter by campaign, status and village."""

    title = "文明家庭推荐"
    template_name = "population/family_nomination_list.html"
    filter_form = f.NominationFilterForm
    search_fields = ("household__address", "family_name")
    search_label = "家庭或住址"
    ordering = ("-campaign__year", "org_unit__path", "id")
    export_name = "文明家庭推荐"
    empty_text = "没有推荐的家庭。"
    columns = (
        listing.Column("family", "家庭", "family_name", link=_nomination_link),
        listing.Column("address", "住址", "household.address"),
        listing.Column("village", "村", "org_unit.name"),
        listing.Column("year", "年度", lambda r: f"{r.campaign.year}年", phone=False),
        listing.Column("status", "状态", "get_status_display", sort="status", nowrap=True),
        listing.Column("nominated_on", "推荐日期", kind=listing.DATE, sort="nominated_on"),
        listing.Column("nominator", "推荐人", "nominated_by.display_name", wide_only=True),
    )

    def get_form_kwargs(self) -> dict:
        user = self.request.user
        villages = scope(OrgUnit.objects.all(), user, POPULATION_ROLES, via="").filter(
            kind=OrgUnit.Kind.VILLAGE
        )
        return {
            "campaigns": family_campaigns_visible_to(user).order_by("-year", "org_unit__path"),
            "villages": villages.order_by("path"),
        }

    def get_queryset(self):
        return rows_visible_to(
            self.request.user,
            FamilyNomination.objects.select_related(
                "campaign", "household", "org_unit", "nominated_by"
            ),
        )


family_nomination_list = population_required(FamilyNominationList.as_view())


def _open_campaigns(user, household: Household):
    """The campaigns of this year and the next that the household's township runs."""
    town = families.township_of(household.org_unit)
    year = timezone.localdate().year
    return family_campaigns_visible_to(user).filter(org_unit=town, year__gte=year).order_by("year")


@population_required
@require_http_methods(["GET", "POST"])
def family_nominate(request: HttpRequest) -> HttpResponse:
    """Nominate the household `?household=` (the button on its page); one outside the user's
    villages answers 404."""
    user = request.user
    asked = request.GET.get("household") or request.POST.get("household")
    household = None
    if asked:
        household = get_row(
            user,
            rows_visible_to(user, Household.objects.select_related("org_unit")),
            int(asked) if asked.isdigit() else 0,
            purpose="推荐文明家庭",
        )
    campaigns = _open_campaigns(user, household) if household else FamilyCampaign.objects.none()
    form = f.NominationForm(
        request.POST or None, campaigns=campaigns, initial={"campaign": campaigns.first()}
    )
    status = 200
    if request.method == "POST":
        if household is None:
            form.add_error(None, "请从家庭户页面选择要推荐的家庭户。")
        elif form.is_valid():
            try:
                nomination = families.family_nominate(
                    actor=user, household=household, **form.cleaned_data
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已推荐{nomination.family_name}({household.address})。")
                return redirect("population:family_nomination_detail", pk=nomination.pk)
        status = 400
    context = {"form": form, "household": household, "has_campaign": campaigns.exists()}
    return render(request, "population/family_nominate.html", context, status=status)


def _get_nomination(user, pk) -> FamilyNomination:
    qs = FamilyNomination.objects.select_related(
        "campaign__org_unit", "household", "org_unit", "nominated_by", "evaluated_by", "decided_by"
    )
    return get_row(user, rows_visible_to(user, qs), pk, purpose="文明家庭推荐")


@population_required
@require_GET
def family_nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _get_nomination(request.user, pk)
    context = {
        "nomination": nomination,
        "can_judge": families.can_judge(request.user, nomination.campaign),
    }
    return render(request, "population/family_nomination_detail.html", context)


def _judge_page(request, nomination, form, *, title: str, status: int = 200) -> HttpResponse:
    context = {"nomination": nomination, "form": form, "title": title}
    return render(request, "population/family_judge.html", context, status=status)


@township_required
@require_http_methods(["GET", "POST"])
def family_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _get_nomination(request.user, pk)
    initial = {}
    if nomination.passed is not None:
        initial = {"passed": "yes" if nomination.passed else "no", "opinion": nomination.opinion}
    form = f.EvaluateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                families.family_evaluate(
                    actor=request.user, nomination=nomination, **form.cleaned_data
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已评议{nomination.family_name}。")
                return redirect("population:family_nomination_detail", pk=nomination.pk)
        return _judge_page(request, nomination, form, title="评议", status=400)
    return _judge_page(request, nomination, form, title="评议")


@township_required
@require_http_methods(["GET", "POST"])
def family_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision; once made, the same page corrects it, with the reason for the correction."""
    nomination = _get_nomination(request.user, pk)
    correcting = nomination.decided
    initial = {}
    if correcting:
        named = nomination.status == FamilyNomination.Status.NAMED
        initial = {"named": "yes" if named else "no", "reason": nomination.decision_reason}
    form = f.DecideForm(request.POST or None, correcting=correcting, initial=initial)
    title = "更正决定" if correcting else "决定"
    if request.method == "POST":
        if form.is_valid():
            action = families.family_decision_correct if correcting else families.family_decide
            try:
                done = action(actor=request.user, nomination=nomination, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                verb = "已更正" if correcting else "已决定"
                messages.success(request, f"{verb}:{done.family_name}{done.get_status_display()}。")
                return redirect("population:family_nomination_detail", pk=nomination.pk)
        return _judge_page(request, nomination, form, title=title, status=400)
    return _judge_page(request, nomination, form, title=title)


# ---------------------------------------------------------------------------- the public list


class FamilyPublicList(listing.ListPage):
    """The households named 文明家庭, open to anyone: the head's family name + 家, the township,
    the village and the summary written for publication; nothing else of the household."""

    title = "文明家庭光荣榜"
    template_name = "population/family_public_list.html"
    filter_form = f.PublicFilterForm
    ordering = ("-campaign__year", "campaign__org_unit__path", "org_unit__path", "id")
    export_name = None
    empty_text = "还没有公示的文明家庭。"
    columns = (
        listing.Column("family", "家庭", "family_name", nowrap=True),
        listing.Column("town", "镇(街道)", "campaign.org_unit.name", nowrap=True),
        listing.Column("village", "村", "org_unit.name", nowrap=True),
        listing.Column("year", "年度", lambda r: f"{r.campaign.year}年", nowrap=True),
        listing.Column("summary", "事迹", "summary"),
    )

    def named(self):
        return FamilyNomination.objects.filter(status=FamilyNomination.Status.NAMED)

    def get_form_kwargs(self) -> dict:
        campaigns = FamilyCampaign.objects.filter(pk__in=self.named().values("campaign"))
        years = sorted(set(campaigns.values_list("year", flat=True)), reverse=True)
        towns = OrgUnit.objects.filter(pk__in=campaigns.values("org_unit")).order_by("path")
        return {"years": years, "towns": list(towns)}

    def get_queryset(self):
        # Only the columns the page shows: the household and its members are never read.
        return (
            self.named()
            .select_related("campaign__org_unit", "org_unit")
            .only(
                "family_name",
                "summary",
                "campaign__year",
                "campaign__org_unit__name",
                "org_unit__name",
            )
        )


family_public_list = require_GET(FamilyPublicList.as_view())
