"""School safety figures of a period, counted in the database from the rows the user may see.

Coverage is schools_inspected / schools_total: the distinct schools (and kindergartens on the
register) with at least one inspection in the period, over all registered ones.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Q

from zhengtong.lib.money import percent

from .models import Hazard, Inspection, School, UnlicensedKindergarten, recording_room_target
from .selectors import livelihood_rows_visible_to


def school_totals(user, *, start: datetime.date, end: datetime.date) -> dict:
    """Figures of the period [start, end] (both days included) within `user`'s scope.

    schools_total: schools and kindergartens on the register; schools_inspected: distinct ones
    inspected in the period; hazards / hazards_open: hazards found in the period and those not
    yet verified rectified; kindergartens_total / kindergartens_closed_out: unlicensed
    kindergartens found in the period and those of them with an outcome by `end`.
    """
    schools_total = livelihood_rows_visible_to(user, School.objects.all()).count()
    inspected = livelihood_rows_visible_to(
        user, Inspection.objects.filter(inspected_on__range=(start, end))
    ).aggregate(n=Count("school", distinct=True))["n"]
    hazards = livelihood_rows_visible_to(
        user,
        Hazard.objects.filter(inspection__inspected_on__range=(start, end)),
        via="inspection__org_unit",
    ).aggregate(total=Count("pk"), open=Count("pk", filter=Q(verified_on__isnull=True)))
    kindergartens = livelihood_rows_visible_to(
        user,
        UnlicensedKindergarten.objects.filter(found_on__range=(start, end)),
        via="campaign__org_unit",
    ).aggregate(
        total=Count("pk"),
        closed_out=Count("pk", filter=~Q(outcome="") & Q(outcome_on__lte=end)),
    )
    return {
        "schools_total": schools_total,
        "schools_inspected": inspected,
        "hazards": hazards["total"],
        "hazards_open": hazards["open"],
        "kindergartens_total": kindergartens["total"],
        "kindergartens_closed_out": kindergartens["closed_out"],
    }


def coverage(totals: dict) -> Decimal | None:
    """Inspection coverage in percent (one decimal), None when no school is registered."""
    return percent(totals["schools_inspected"], totals["schools_total"])


def recording_rooms(user, *, on: datetime.date) -> dict:
    """录播室 coverage on day `on` within `user`'s scope: the target schools (every 初中 and
    中心小学), those equipped by `on`, those not, and the share in percent (None without a target school)."""
    figures = livelihood_rows_visible_to(
        user, School.objects.filter(recording_room_target())
    ).aggregate(
        target=Count("pk"),
        equipped=Count("pk", filter=Q(recording_room_on__lte=on)),
    )
    return {
        **figures,
        "missing": figures["target"] - figures["equipped"],
        "share": percent(figures["equipped"], figures["target"]),
    }
