"""Every figure the pages read from the summary tables, counted again from the records."""

import datetime

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from zhengtong.population.models import FollowUp
from zhengtong.rollups import read
from zhengtong.rollups.rebuild import differences
from zhengtong.services import reports
from zhengtong.services.models import Application

FINISHED = (Application.Status.APPROVED, Application.Status.REFUSED)


def finished_from_records(path: str, start: datetime.date, last: datetime.date) -> dict:
    rows = (
        Application.objects.filter(
            org_unit__path__startswith=path,
            status__in=FINISHED,
            finished_at__gte=reports.local_midnight(start),
            finished_at__lt=reports.local_midnight(last + datetime.timedelta(days=1)),
        )
        .annotate(finished_on=TruncDate("finished_at", tzinfo=reports.SHANGHAI))
        .aggregate(
            finished=Count("pk"),
            on_time=Count("pk", filter=Q(due_on__isnull=True) | Q(finished_on__lte=F("due_on"))),
        )
    )
    return rows


def followups_from_records(path: str, start: datetime.date, last: datetime.date) -> dict:
    return FollowUp.objects.filter(
        plan__org_unit__path__startswith=path, due_on__gte=start, due_on__lte=last
    ).aggregate(due=Count("pk"), done=Count("pk", filter=Q(status=FollowUp.Status.DONE)))


def mismatches(paths: list[str], periods: list[tuple[datetime.date, datetime.date]]) -> list:
    """(what, path, period, rollup, recount) wherever a page figure differs from a recount;
    also the stored tables against a full recount."""
    out: list = [("tables", line) for line in differences()]
    for path in paths:
        days = read.case_days().filter(org_unit__path__startswith=path)
        months = read.case_months().filter(org_unit__path__startswith=path)
        f_days = read.followup_days().filter(org_unit__path__startswith=path)
        f_months = read.followup_months().filter(org_unit__path__startswith=path)
        for start, last in periods:
            got = read.cases_finished(days, months, start, last)
            want = finished_from_records(path, start, last)
            if got != want:
                out.append(("cases finished", path, start, last, got, want))
            got = read.followups_due(f_days, f_months, start, last)
            want = followups_from_records(path, start, last)
            if got != want:
                out.append(("follow-ups", path, start, last, got, want))
    return out


def disclosure_mismatches(halls, month: datetime.date) -> list:
    out = []
    for hall in halls:
        got = reports.disclosure_running(month=month, hall=hall)
        want = reports.disclosure_count(month=month, hall=hall)
        if got != want:
            out.append((hall, got, want))
    return out


def ranking_mismatches(halls, months: list[datetime.date]) -> list:
    """(hall, month, board, recounted board) wherever 月冠军 from the rollup differs from the
    board counted from the case rows."""

    def board(rows) -> list:
        return [
            (r.rank, r.user.pk, r.finished, r.on_time, r.on_time_rate, r.good, r.bad, r.score)
            for r in rows
        ]

    out = []
    for hall in halls:
        for month in months:
            got = board(reports.monthly_ranking(hall=hall, month=month))
            want = board(
                reports.monthly_ranking(
                    hall=hall, month=month, finished=reports.handler_finished_count
                )
            )
            if got != want:
                out.append((hall, month, got, want))
    return out
