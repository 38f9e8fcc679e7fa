"""The 计生周报 section of the village work: follow-ups, maternal visits, home visits and
check-up attendance of the week, per worker and per village, by database aggregates.

`register_digest()` adds the section to `zhengtong.services.reports`; PopulationConfig.ready()
calls it.
"""

from django.db.models import Count, QuerySet

from zhengtong.services.reports import DigestPeriod, DigestRow, DigestSection, digest_section

from .models import CampaignTarget, FollowUp, HomeVisit, MaternalVisit

COLUMNS = ["随访", "孕产期随访", "入户走访", "查体到检"]
NO_AREA = "未登记村居"


def _week(period: DigestPeriod, qs: QuerySet, day: str, area: str) -> QuerySet:
    return qs.filter(
        **{
            f"{day}__gte": period.monday,
            f"{day}__lte": period.sunday,
            f"{area}__path__startswith": period.hall.path,
        }
    )


def _counts(qs: QuerySet, key: str, label: str) -> list[tuple[object, str | None, int]]:
    rows = qs.values(key, label).annotate(n=Count("id")).order_by(label, key)
    return [(row[key], row[label], row["n"]) for row in rows]


def work_section(period: DigestPeriod) -> DigestSection:
    """One aggregate query per kind and grouping; a column counts rows done in the week."""
    sources = [
        (
            _week(
                period,
                FollowUp.objects.filter(status=FollowUp.Status.DONE),
                "done_on",
                "plan__org_unit",
            ),
            "done_by",
            "plan__org_unit",
        ),
        (
            _week(
                period,
                MaternalVisit.objects.filter(done_on__isnull=False),
                "done_on",
                "pregnancy__org_unit",
            ),
            "done_by",
            "pregnancy__org_unit",
        ),
        (
            _week(period, HomeVisit.objects.all(), "visited_on", "org_unit"),
            "visited_by",
            "org_unit",
        ),
        (_week(period, CampaignTarget.objects.all(), "attended_on", "org_unit"), None, "org_unit"),
    ]
    clerks: dict[object, tuple[str, list[int]]] = {}
    areas: dict[object, tuple[str, list[int]]] = {}
    width = len(COLUMNS)
    for column, (qs, clerk, area) in enumerate(sources):
        if clerk is not None:
            for key, label, n in _counts(qs, f"{clerk}_id", f"{clerk}__full_name"):
                clerks.setdefault(key, (label or "—", [0] * width))[1][column] += n
        for key, label, n in _counts(qs, f"{area}_id", f"{area}__name"):
            areas.setdefault(key, (label or NO_AREA, [0] * width))[1][column] += n
    return DigestSection(
        key="population_work",
        title="随访与走访",
        columns=COLUMNS,
        by_clerk=[DigestRow(label, values) for label, values in sorted(clerks.values())],
        by_area=[DigestRow(label, values) for label, values in sorted(areas.values())],
        note=(
            "随访:本周完成的电话或上门随访;孕产期随访:本周完成的产前、产后访视及 42 天检查;"
            "入户走访:本周走访日期的记录;查体到检:本周到检的查体对象(计入村,不计入工作人员)。"
            "片区为记录所属的村。"
        ),
        clerk_heading="工作人员",
    )


def register_digest() -> None:
    """Add the section to the weekly digest (idempotent)."""
    digest_section(work_section)
