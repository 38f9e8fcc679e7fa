"""我的待办 for 民政 clerks: reassessments falling due and payment cycles waiting for approval.

Two queries whatever the number of rows: the latest assessment of each person due within
`WELFARE_REASSESS_HORIZON_DAYS` (default 30) or overdue, and the draft cycles; then one for the
open 普查评估 campaigns and one per open campaign for its unassessed candidates (due on the
campaign's last day).
"""

import datetime

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import scope, unit_paths
from zhengtong.inbox.registry import InboxItem

from . import census
from .models import Assessment, CensusCampaign, PaymentCycle
from .selectors import month_end

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


def inbox_items(user) -> list[InboxItem]:
    # Only clerks act on these; a leader reads the pages but has nothing to do here.
    if not unit_paths(user, [Role.DEPT_CLERK]):
        return []
    assessments = scope(Assessment.objects.all(), user, [Role.DEPT_CLERK])
    horizon = int(getattr(settings, "WELFARE_REASSESS_HORIZON_DAYS", 30))
    until = timezone.localdate() + datetime.timedelta(days=horizon)
    items = [
        InboxItem(
            kind=KIND_REASSESS,
            title=f"{a.person.name} 能力复评({a.level}级)",
            url=reverse("welfare:assessment_detail", args=[a.pk]),
            due_on=a.reassess_due_on,
            subtitle=f"上次评估 {a.assessed_on:%Y-%m-%d}",
        )
        for a in reassessments_due(assessments, until=until)
    ]
    cycles = scope(PaymentCycle.objects.all(), user, [Role.DEPT_CLERK]).filter(
        status=PaymentCycle.Status.DRAFT
    )
    items.extend(
        InboxItem(
            kind=KIND_CYCLE,
            title=f"{c.month:%Y年%m月} 护理补贴发放名单待审批",
            url=reverse("welfare:cycle_detail", args=[c.pk]),
            due_on=month_end(c.month),
        )
        for c in cycles
    )
    items.extend(census_items(user))
    return items


def census_items(user) -> list[InboxItem]:
    """One item per candidate not yet assessed in a campaign running today."""
    today = timezone.localdate()
    campaigns = scope(CensusCampaign.objects.all(), user, [Role.DEPT_CLERK]).filter(
        started_on__lte=today, ends_on__gte=today
    )
    items = []
    for campaign in campaigns.select_related("org_unit", "area"):
        page = reverse("welfare:census_detail", args=[campaign.pk])
        pending = census.unassessed(campaign).select_related("person", "person__org_unit")
        for status in pending.order_by("person__org_unit__path", "person__name", "id"):
            village = status.person.org_unit
            items.append(
                InboxItem(
                    kind=KIND_CENSUS,
                    title=f"{status.person.name} 待普查评估({village.name})",
                    url=f"{page}?state=pending&village={village.pk}",
                    due_on=campaign.ends_on,
                    subtitle=campaign.name,
                )
            )
    return items
