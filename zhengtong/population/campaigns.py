"""Coverage of a check-up campaign per village, computed from the stored target list.

The target list is fixed when the campaign is built (and only grows by an explicit sync), and
attendance is a date on each target, so the report for a given day is the same whenever it is
run: moving a woman to another village or registering a new one later changes no figure.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from zhengtong.lib.money import percent
from zhengtong.people.models import Person

from .models import Campaign, CampaignTarget
from .selectors import rows_visible_to

COVERAGE_DEFINITIONS = [
    ("应检人数", "查体对象名单中属于该村的人数(名单在建立活动时按对象范围生成)。"),
    ("其中流入人口", "应检人数中无本地户籍的流入妇女,与户籍妇女同样计入各项指标。"),
    ("已检人数", "应检对象中到检日期不晚于统计日的人数。"),
    ("覆盖率", "已检人数 ÷ 应检人数 × 100%,四舍五入保留一位小数;应检为 0 时不计算。"),
]


@dataclass
class CoverageRow:
    org_unit_id: int | None
    village: str
    targeted: int
    floating: int
    examined: int

    @property
    def coverage(self) -> Decimal | None:
        return percent(self.examined, self.targeted)


@dataclass
class Coverage:
    campaign: Campaign
    as_of: datetime.date
    rows: list[CoverageRow]
    totals: CoverageRow


def campaigns_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Campaigns organised in the user's units, or with targets in the user's villages."""
    if qs is None:
        qs = Campaign.objects.all()
    own = rows_visible_to(user, Campaign.objects.all()).values("pk")
    targets = rows_visible_to(user, CampaignTarget.objects.filter(campaign=OuterRef("pk")))
    return qs.filter(Q(pk__in=own) | Exists(targets))


def targets_visible_to(user, campaign: Campaign) -> QuerySet:
    return rows_visible_to(user, CampaignTarget.objects.filter(campaign=campaign))


def coverage(campaign: Campaign, *, user, as_of: datetime.date | None = None) -> Coverage:
    """Coverage per village of the user's part of `campaign` on `as_of` (default: its end)."""
    as_of = as_of or campaign.end_on
    counts = (
        targets_visible_to(user, campaign)
        .values("org_unit_id", "org_unit__name", "org_unit__code")
        .annotate(
            targeted=Count("id"),
            floating=Count("id", filter=Q(person__hukou_type=Person.HukouType.NONLOCAL)),
            examined=Count("id", filter=Q(attended_on__lte=as_of)),
        )
        .order_by("org_unit__code", "org_unit_id")
    )
    rows = [
        CoverageRow(
            org_unit_id=row["org_unit_id"],
            village=row["org_unit__name"],
            targeted=row["targeted"],
            floating=row["floating"],
            examined=row["examined"],
        )
        for row in counts
    ]
    totals = CoverageRow(
        org_unit_id=None,
        village="合计",
        targeted=sum(r.targeted for r in rows),
        floating=sum(r.floating for r in rows),
        examined=sum(r.examined for r in rows),
    )
    return Coverage(campaign=campaign, as_of=as_of, rows=rows, totals=totals)
