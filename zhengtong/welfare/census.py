"""普查评估 (WL3): who a campaign must assess, who it has, and its coverage per village.

Everything is counted in the database: the candidates are `WelfareStatus` rows (one per
person) annotated with whether an assessment of the office falls within the window; the
coverage per village is one GROUP BY over them.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from .models import Assessment, CensusCampaign, WelfareStatus
from .selectors import MIN_AGE, SUBSIDY_CATEGORIES, add_months

NO_VILLAGE = "未登记村(居)"


def born_by(campaign: CensusCampaign) -> datetime.date:
    """The latest birth date of a person aged MIN_AGE or more on the campaign's first day."""
    return add_months(campaign.started_on, -12 * MIN_AGE)


def candidates(campaign: CensusCampaign) -> QuerySet:
    """The campaign's candidates (WelfareStatus rows), each annotated `assessed` (bool)."""
    assessed = Assessment.objects.filter(
        person=OuterRef("person"),
        org_unit__path__startswith=campaign.org_unit.path,
        assessed_on__gte=campaign.started_on,
        assessed_on__lte=campaign.ends_on,
    )
    return WelfareStatus.objects.filter(
        org_unit__path__startswith=campaign.org_unit.path,
        category__in=SUBSIDY_CATEGORIES,
        in_institution=False,
        person__birth_date__lte=born_by(campaign),
        person__org_unit__path__startswith=campaign.area.path,
    ).annotate(assessed=Exists(assessed))


def unassessed(campaign: CensusCampaign) -> QuerySet:
    return candidates(campaign).filter(assessed=False)


@dataclass(frozen=True)
class VillageCoverage:
    village_id: int | None
    village: str
    candidates: int
    assessed: int

    @property
    def unassessed(self) -> int:
        return self.candidates - self.assessed

    @property
    def percent(self) -> float:
        """Coverage in per cent, one decimal (0 when the village has no candidate)."""
        if not self.candidates:
            return 0.0
        return round(100 * self.assessed / self.candidates, 1)


def coverage(campaign: CensusCampaign) -> list[VillageCoverage]:
    """Candidates and assessed per village, one query, villages in the tree's order."""
    rows = (
        candidates(campaign)
        .order_by()
        .values("person__org_unit", "person__org_unit__name", "person__org_unit__path")
        .annotate(n=Count("id"), done=Count("id", filter=Q(assessed=True)))
        .order_by("person__org_unit__path")
    )
    return [
        VillageCoverage(
            village_id=row["person__org_unit"],
            village=row["person__org_unit__name"] or NO_VILLAGE,
            candidates=row["n"],
            assessed=row["done"],
        )
        for row in rows
    ]


def total(rows: list[VillageCoverage]) -> VillageCoverage:
    return VillageCoverage(
        village_id=None,
        village="合计",
        candidates=sum(r.candidates for r in rows),
        assessed=sum(r.assessed for r in rows),
    )
