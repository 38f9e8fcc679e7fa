"""我的待办 for 民政 clerks: reassessments falling due, payment cycles waiting for approval and
the candidates of a running 普查评估 not yet assessed.

Database sources: the latest assessment of each person due within
`WELFARE_REASSESS_HORIZON_DAYS` (default 30) or overdue; the draft cycles, due at the end of
their month; and for each campaign running today (one query finds them) its unassessed
candidates, due on the campaign's last day.
"""

import datetime

from django.conf import settings
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast, Substr
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import scope, unit_paths
from zhengtong.inbox.registry import InboxItem, row_item
from zhengtong.inbox.union import Source, date_text, day, items_of, month_end, text

from . import census
from .models import Assessment, CensusCampaign, PaymentCycle

KIND_REASSESS = "能力复评"
KIND_CYCLE = "护理补贴审批"
KIND_CENSUS = "普查评估"


def reassessments_due(qs, *, until: datetime.date):
    """The latest assessment of each person in `qs` whose reassessment is due by `until`."""
    latest = (
        Assessment.objects.filter(person=OuterRef("person"))
        .order_by("-assessed_on", "-id")
        .values("id")[:1]
    )
    return (
        qs.filter(id=Subquery(latest), reassess_due_on__lte=until)
        .select_related("person")
        .order_by("reassess_due_on", "id")
    )


def _reassess_source(user, *, today) -> Source:
    horizon = int(getattr(settings, "WELFARE_REASSESS_HORIZON_DAYS", 30))
    assessments = scope(Assessment.objects.all(), user, [Role.DEPT_CLERK])
    return Source(
        kind=KIND_REASSESS,
        rows=reassessments_due(assessments, until=today + datetime.timedelta(days=horizon)),
        due=F("reassess_due_on"),
        title=text(F("person__name"), " 能力复评(", Cast(F("level"), CharField()), "级)"),
        subtitle=text("上次评估 ", date_text("assessed_on")),
        item=row_item(
            KIND_REASSESS, lambda row: reverse("welfare:assessment_detail", args=[row["i_pk"]])
        ),
    )


def _cycle_source(user, *, today) -> Source:
    month = date_text("month")
    return Source(
        kind=KIND_CYCLE,
        rows=scope(PaymentCycle.objects.all(), user, [Role.DEPT_CLERK]).filter(
            status=PaymentCycle.Status.DRAFT
        ),
        due=month_end(F("month")),
        title=text(Substr(month, 1, 4), "年", Substr(month, 6, 2), "月 护理补贴发放名单待审批"),
        item=row_item(KIND_CYCLE, lambda row: reverse("welfare:cycle_detail", args=[row["i_pk"]])),
    )


def census_sources(user, *, today) -> list[Source]:
    """One source per campaign running today: its candidates not yet assessed."""
    campaigns = scope(CensusCampaign.objects.all(), user, [Role.DEPT_CLERK]).filter(
        started_on__lte=today, ends_on__gte=today
    )

    def source(campaign: CensusCampaign) -> Source:
        village = "person__org_unit"
        page = reverse("welfare:census_detail", args=[campaign.pk])
        return Source(
            kind=KIND_CENSUS,
            rows=census.unassessed(campaign),
            due=day(campaign.ends_on),
            title=text(F("person__name"), " 待普查评估(", F(f"{village}__name"), ")"),
            subtitle=campaign.name,
            fields={"i_village_id": F(f"{village}_id")},
            item=row_item(
                KIND_CENSUS, lambda row: f"{page}?state=pending&village={row['i_village_id']}"
            ),
        )

    return [source(campaign) for campaign in campaigns.select_related("org_unit", "area")]


def inbox_sources(user, *, today) -> list[Source]:
    """我的待办 provider. Only clerks act on these; a leader reads the pages but has nothing to
    do here."""
    if not unit_paths(user, [Role.DEPT_CLERK]):
        return []
    return [
        _reassess_source(user, today=today),
        _cycle_source(user, today=today),
        *census_sources(user, today=today),
    ]


def inbox_items(user, *, today=None) -> list[InboxItem]:
    """The items of `inbox_sources`, in the inbox's order."""
    today = today or timezone.localdate()
    return items_of(inbox_sources(user, today=today), today=today)


def census_items(user, *, today=None) -> list[InboxItem]:
    """The items of `census_sources`, in the inbox's order."""
    today = today or timezone.localdate()
    return items_of(census_sources(user, today=today), today=today)
