"""健康义诊 reads: which clinics and attendees a user sees, whether each township held its clinic
in a year, and the year's coverage of the floating population per village.

Everything is counted in the database, one query per figure table, whatever the number of rows.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import scope_q, unit_paths
from zhengtong.lib.money import percent

from .models import Clinic, ClinicAttendance, FloatingRecord
from .selectors import POPULATION_ROLES, rows_visible_to

COVERAGE_DEFINITIONS = [
    ("流入人口", "统计日在本村登记流入、尚未离开的流动人口人数(按人计,不重复)。"),
    ("已参诊", "其中在当年已举办的健康义诊中登记参诊的人数(在本镇任一次义诊参诊均计入)。"),
    ("覆盖率", "已参诊 ÷ 流入人口 × 100%,四舍五入保留一位小数;流入人口为 0 时不计算。"),
]


def clinics_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Clinics of the user's townships, held in the user's villages, or with attendees there."""
    if qs is None:
        qs = Clinic.objects.all()
    own = rows_visible_to(user, Clinic.objects.all()).values("pk")
    in_villages = Clinic.objects.filter(scope_q(user, POPULATION_ROLES, via="villages")).values(
        "pk"
    )
    attendees = rows_visible_to(user, ClinicAttendance.objects.filter(clinic=OuterRef("pk")))
    return qs.filter(Q(pk__in=own) | Q(pk__in=in_villages) | Exists(attendees))


def attendances_visible_to(user, clinic: Clinic | None = None) -> QuerySet:
    """The attendees in the user's villages (of one clinic when given)."""
    qs = ClinicAttendance.objects.all()
    if clinic is not None:
        qs = qs.filter(clinic=clinic)
    return rows_visible_to(user, qs)


def townships_of(user) -> QuerySet:
    """The townships the user works in or above: their own township for a village worker."""
    paths = unit_paths(user, POPULATION_ROLES)
    q = Q(pk__in=[])
    for path in paths:
        # The township is the unit itself, one below it, or one of its ancestors.
        parts = [p for p in path.strip("/").split("/") if p]
        q |= Q(path__startswith=path) | Q(pk__in=[int(p) for p in parts])
    return OrgUnit.objects.filter(q, kind=OrgUnit.Kind.TOWN)


@dataclass
class TownYear:
    town: OrgUnit
    held_on: datetime.date | None
    planned_on: datetime.date | None

    @property
    def held(self) -> bool:
        return self.held_on is not None


def townships_year(user, year: int) -> list[TownYear]:
    """Each of the user's townships with its first held and first planned clinic of `year`."""
    in_year = Q(clinics__held_on__year=year)
    towns = (
        townships_of(user)
        .annotate(
            first_held=Min(
                "clinics__held_on", filter=in_year & Q(clinics__status=Clinic.Status.HELD)
            ),
            first_planned=Min(
                "clinics__held_on", filter=in_year & Q(clinics__status=Clinic.Status.PLANNED)
            ),
        )
        .order_by("code", "pk")
    )
    return [TownYear(t, t.first_held, t.first_planned) for t in towns]


@dataclass
class CoverageRow:
    org_unit_id: int | None
    village: str
    floating: int
    attended: int

    @property
    def coverage(self) -> Decimal | None:
        return percent(self.attended, self.floating)


@dataclass
class Coverage:
    year: int
    as_of: datetime.date
    rows: list[CoverageRow]
    totals: CoverageRow


def coverage(user, year: int, *, today: datetime.date) -> Coverage:
    """Floating persons (流入, in the user's villages, current on the day counted) who attended a
    held clinic of `year`, per village. The day counted is today, or the year's last day for a
    past year."""
    as_of = min(today, datetime.date(year, 12, 31))
    attended = ClinicAttendance.objects.filter(
        person_id=OuterRef("person_id"),
        clinic__status=Clinic.Status.HELD,
        clinic__held_on__year=year,
    )
    current = rows_visible_to(user, FloatingRecord.objects.all()).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=as_of),
        direction=FloatingRecord.Direction.IN,
        started_on__lte=as_of,
    )
    counts = (
        current.values("org_unit_id", "org_unit__name", "org_unit__code")
        .annotate(
            floating=Count("person_id", distinct=True),
            attended=Count("person_id", distinct=True, filter=Q(Exists(attended))),
        )
        .order_by("org_unit__code", "org_unit_id")
    )
    rows = [
        CoverageRow(row["org_unit_id"], row["org_unit__name"], row["floating"], row["attended"])
        for row in counts
    ]
    totals = CoverageRow(
        None,
        "合计",
        sum(r.floating for r in rows),
        sum(r.attended for r in rows),
    )
    return Coverage(year=year, as_of=as_of, rows=rows, totals=totals)
