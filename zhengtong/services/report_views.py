"""Office reports of the hall for its window clerks and the township's leaders: 计生周报 (page
and PDF) and 月冠军. Access: a hall (镇/街道 unit) under a unit where the user holds one of
REPORT_ROLES; everyone else gets 403, and a hall outside their units 404. Without a week or a
month they show the current one, or the last one with cases while the current has none."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.accounts.permissions import role_required
from zhengtong.lib import periods
from zhengtong.lib.pdf import pdf_response, render_pdf

from . import reports
from .models import Rating

REPORT_ROLES = [Role.WINDOW_CLERK, Role.LEADER]
DENIED = "您没有查看服务大厅报表的权限。"


def has_hall(user) -> bool:
    """A hall lies under one of the user's units: a township's clerks and leaders, not the zone's."""
    return reports.halls_for(user, REPORT_ROLES).exists()


def _hall_for(request: HttpRequest) -> tuple[OrgUnit, list[OrgUnit]]:
    halls = list(reports.halls_for(request.user, REPORT_ROLES).order_by("path"))
    if not halls:
        raise PermissionDenied(DENIED)
    code = request.GET.get("hall")
    if not code:
        return halls[0], halls
    for hall in halls:
        if hall.code == code:
            return hall, halls
    raise Http404("没有这个服务大厅。")


def _digest_context(request: HttpRequest) -> dict:
    hall, halls = _hall_for(request)
    picker = periods.choose_week(
        request.GET,
        data=periods.DataDates(reports.hall_cases(hall), "received_at"),
        controls=("hall",),
    )
    context = {"hall": hall, "halls": halls, "picker": picker}
    if picker.error:
        return {**context, "error": picker.error}
    week = picker.period
    digest = reports.weekly_digest(hall=hall, monday=week.start)
    return {
        **context,
        "digest": digest,
        "week": week.value,
        "week_label": week.label,
        "previous_week": week.previous().value,
        "next_week": week.following().value,
    }


@login_required
@require_GET
@role_required(*REPORT_ROLES, test=has_hall, message=DENIED)
def weekly(request: HttpRequest) -> HttpResponse:
    context = _digest_context(request)
    status = 400 if "error" in context else 200
    return render(request, "services/reports/weekly.html", context, status=status)


@login_required
@require_GET
@role_required(*REPORT_ROLES, test=has_hall, message=DENIED)
def weekly_pdf(request: HttpRequest) -> HttpResponse:
    context = _digest_context(request)
    if "error" in context:
        return render(request, "services/reports/weekly.html", context, status=400)
    content = render_pdf("services/reports/weekly_pdf.html", context, request=request)
    return pdf_response(content, f"计生周报-{context['hall'].name}-{context['week']}.pdf")


@login_required
@require_GET
@role_required(*REPORT_ROLES, test=has_hall, message=DENIED)
def ranking(request: HttpRequest) -> HttpResponse:
    hall, halls = _hall_for(request)
    finished = reports.hall_cases(hall).filter(status__in=reports.FINISHED)
    picker = periods.choose_month(
        request.GET, data=periods.DataDates(finished, "finished_at"), controls=("hall",)
    )
    context: dict = {"hall": hall, "halls": halls, "picker": picker}
    if picker.error:
        context["error"] = picker.error
        return render(request, "services/reports/ranking.html", context, status=400)
    month = picker.period
    context.update(
        month=month.start,
        month_value=month.value,
        previous_month=month.previous().value,
        next_month=month.following().value,
        rows=reports.monthly_ranking(hall=hall, month=month.start),
        formula=reports.SCORE_FORMULA,
        notes=reports.SCORE_NOTES,
    )
    return render(request, "services/reports/ranking.html", context)


@login_required
@require_GET
@role_required(*REPORT_ROLES, test=has_hall, message=DENIED)
def ratings(request: HttpRequest) -> HttpResponse:
    """好差评统计: the month's 好评率 and 回访率 per item, per window and per month."""
    hall, halls = _hall_for(request)
    rated = Rating.objects.filter(application__org_unit__path__startswith=hall.path)
    picker = periods.choose_month(
        request.GET, data=periods.DataDates(rated, "created_at"), controls=("hall",)
    )
    context: dict = {"hall": hall, "halls": halls, "picker": picker}
    if picker.error:
        context["error"] = picker.error
        return render(request, "services/reports/ratings.html", context, status=400)
    month = picker.period
    report = reports.rating_report(month=month.start, hall=hall)
    context.update(
        month=month.start,
        previous_month=month.previous().value,
        next_month=month.following().value,
        rating_report=report,
        rating_tables=reports.rating_tables(report),
        rating_definitions=reports.RATING_DEFINITIONS,
    )
    return render(request, "services/reports/ratings.html", context)
