"""Employment figures of a period, each a sum of the rows the user may see, computed in the DB.

`school_stats.py` holds the school-safety figures; both scope through selectors.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Max, Q, QuerySet, Sum

from .actions.employment import unemployment_rate
from .models import (
    EmploymentRecord,
    InsuranceDrive,
    InternshipBase,
    LoanDisbursement,
    Trainee,
    TrainingClass,
    UnemploymentFigure,
)
from .selectors import livelihood_rows_visible_to

K = EmploymentRecord.Kind


def latest_unemployment(user, *, start: datetime.date, end: datetime.date) -> dict | None:
    """The latest month in [start, end] with figures: the sums over the visible departments."""
    figures = livelihood_rows_visible_to(user, UnemploymentFigure.objects.all()).filter(
        period__gte=start.replace(day=1), period__lte=end
    )
    latest = figures.order_by("-period").values_list("period", flat=True).first()
    if latest is None:
        return None
    sums = figures.filter(period=latest).aggregate(
        unemployed=Sum("registered_unemployed"), labour_force=Sum("labour_force")
    )
    return {
        "period": latest,
        "unemployed": sums["unemployed"],
        "labour_force": sums["labour_force"],
        "rate": unemployment_rate(sums["unemployed"], sums["labour_force"]),
    }


def employment_totals(user, *, start: datetime.date, end: datetime.date) -> dict:
    """The employment paragraph of the work report for [start, end] (both days included)."""
    records = livelihood_rows_visible_to(user, EmploymentRecord.objects.all()).filter(
        employed_on__gte=start, employed_on__lte=end
    )
    counts = records.aggregate(
        new_urban_jobs=Count("id", filter=Q(kind=K.NEW_URBAN)),
        reemployed_hard_to_employ=Count("id", filter=Q(kind=K.REEMPLOYED)),
        rural_labour_transferred=Count("id", filter=Q(kind=K.RURAL_TRANSFER)),
    )
    unemployment = latest_unemployment(user, start=start, end=end)
    loans = livelihood_rows_visible_to(
        user, LoanDisbursement.objects.all(), via="loan__org_unit"
    ).filter(paid_on__gte=start, paid_on__lte=end)
    classes = livelihood_rows_visible_to(user, TrainingClass.objects.all()).filter(
        start_on__gte=start, start_on__lte=end
    )
    bases = livelihood_rows_visible_to(user, InternshipBase.objects.all()).filter(
        applied_on__gte=start, applied_on__lte=end
    )
    return {
        **counts,
        "unemployment_rate": unemployment["rate"] if unemployment else None,
        "guaranteed_loans_yuan": loans.aggregate(s=Sum("amount"))["s"] or Decimal("0.00"),
        "internship_bases_new": bases.count(),
        "training_classes": classes.count(),
        "trainees": Trainee.objects.filter(training_class__in=classes).count(),
    }


def insurance_summary(drives: QuerySet) -> dict:
    """社会保险扩面征缴 over `drives`: how many insurances, how many reached both targets, the sums
    of people enrolled and contributions collected against their targets, and the latest 截至."""
    figures = drives.aggregate(
        total=Count("pk"),
        done=Count(
            "pk", filter=Q(enrolled__gte=F("enrol_target"), collected__gte=F("collect_target"))
        ),
        enrolled=Sum("enrolled"),
        enrol_target=Sum("enrol_target"),
        collected=Sum("collected"),
        collect_target=Sum("collect_target"),
        as_of=Max("as_of"),
    )
    figures["all_done"] = figures["total"] > 0 and figures["done"] == figures["total"]
    return figures


def insurance_totals(user, *, year: int, end: datetime.date) -> dict:
    """The year's drives the user may see, as they stood when last updated on or before `end`
    (a drive updated later is not the period's figure, so it is left out)."""
    drives = livelihood_rows_visible_to(user, InsuranceDrive.objects.all())
    return insurance_summary(drives.filter(year=year, as_of__lte=end))


def ledger_dates(user) -> list[tuple]:
    """The (rows, date field) pairs that place the employment figures in a year."""
    return [
        (livelihood_rows_visible_to(user, EmploymentRecord.objects.all()), "employed_on"),
        (livelihood_rows_visible_to(user, UnemploymentFigure.objects.all()), "period"),
        (
            livelihood_rows_visible_to(user, LoanDisbursement.objects.all(), via="loan__org_unit"),
            "paid_on",
        ),
        (livelihood_rows_visible_to(user, TrainingClass.objects.all()), "start_on"),
        (livelihood_rows_visible_to(user, InternshipBase.objects.all()), "applied_on"),
    ]
