"""How referrals and 婚育证明 deadlines follow a change of the working-day calendar."""

import datetime

from django.db.models import Q
from django.urls import reverse

from zhengtong.workdays import HolidayDataMissing
from zhengtong.workdays.recompute import Recomputed, recompute_rows, span_filter

from .actions.care import referral_workdays
from .actions.floating import PRESENT_WITHIN_DAYS
from .models import MarriageCertificate, PreconceptionCheck, Referral


def recompute_referrals(calendar, years) -> list[Recomputed]:
    """Open referrals: the referral day + the working days of its kind."""
    rows = (
        Referral.objects.select_for_update(of=("self",))
        .filter(status=Referral.Status.OPEN, opened_on__isnull=False)
        .filter(span_filter("opened_on", "due_on", years))
        .select_related("visit__person")
        .order_by("pk")
    )
    return recompute_rows(
        calendar,
        rows,
        kind="转介",
        compute=lambda r: (
            None
            if r.opened_on is None
            else (r.opened_on, calendar.add_workdays(r.opened_on, referral_workdays(r.kind)))
        ),
        title=lambda r: f"{r.visit.person.name} {r.get_kind_display()}转介",
        owner_id=lambda r: r.visit.visited_by_id,
        url=lambda r: reverse("population:referral_detail", args=[r.pk]),
    )


def recompute_certificates(calendar, years) -> list[Recomputed]:
    """婚育证明 not yet presented: arrival + 30 days, rolled past a holiday."""
    rows = (
        MarriageCertificate.objects.select_for_update(of=("self",))
        .filter(presented_on__isnull=True, due_on__isnull=False)
        .filter(span_filter("record__started_on", "due_on", years))
        .select_related("record")
        .order_by("pk")
    )

    def compute(cert):
        last_day = cert.record.started_on + datetime.timedelta(days=PRESENT_WITHIN_DAYS)
        return cert.record.started_on, calendar.next_workday_on_or_after(last_day)

    return recompute_rows(
        calendar,
        rows,
        kind="婚育证明交验",
        compute=compute,
        title=lambda c: f"{c.name} 婚育证明交验",
        owner_id=lambda c: c.record.created_by_id,
        url=lambda c: reverse("population:floating_detail", args=[c.record_id]),
    )


def recompute_preconception_checks(calendar, years) -> list[Recomputed]:
    """孕前优生健康检查 not yet done: enrolment + the working days of the office's rule (a check
    enrolled with no due date, its year's calendar missing then, gets one now)."""
    from .actions.maternal import preconception_workdays

    rows = (
        PreconceptionCheck.objects.select_for_update(of=("self",))
        .filter(done_on__isnull=True, pregnancy__isnull=True)
        .filter(span_filter("enrolled_on", "due_on", years) | Q(due_on__isnull=True))
        .select_related("person")
        .order_by("pk")
    )

    def compute(check):
        try:
            return check.enrolled_on, calendar.add_workdays(
                check.enrolled_on, preconception_workdays()
            )
        except HolidayDataMissing:
            return None

    return recompute_rows(
        calendar,
        rows,
        kind="孕前优生健康检查",
        compute=compute,
        title=lambda c: f"{c.person.name} 孕前优生健康检查",
        owner_id=lambda c: c.created_by_id,
    )
