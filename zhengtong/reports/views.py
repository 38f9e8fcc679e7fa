"""The leaders' cross-module cockpit and the generated work report (工作简报).

Both read `report.gather()` over the period asked for (this year by default, or the last year
with ledger rows while this year has none: `lib.periods`); the report prints the sentences of
`report.paragraphs()` as a page, a PDF (made by a background job: `files.py`) and plain text. Leaders only: everyone else gets 403.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import role_required
from zhengtong.lib import periods
from zhengtong.lib.files import serve_row_file
from zhengtong.lib.http import HtmxHttpRequest

from . import report
from .files import report_files_for, request_work_report_pdf, work_report_pdf_retry
from .models import ReportFile

REPORT_ROLES = (Role.LEADER,)


def _context(request: HttpRequest) -> dict:
    """The period's numbers, links and sentences; {"error": …} for a bad period."""
    picker = periods.choose_period(request.GET, data=report.data_dates(request.user))
    if picker.error:
        return {"error": picker.error, "values": request.GET, "picker": picker}
    period = picker.period
    data = report.gather(request.user, period)
    urls = report.links(period)
    return {
        "data": data,
        "period": period,
        "picker": picker,
        "urls": urls,
        "paragraphs": report.paragraphs(data, urls),
        "values": request.GET,
    }


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def _cockpit_payload(context: dict) -> dict:
    data, period = context["data"], context["period"]
    s = data["summary"]
    return _json(
        {
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
            "projects": data["projects"],
            "hall": data["hall"],
            "followups": data["followups"],
            "hall_url": context["urls"]["hall"],
            "summary": s,
            "jobs": [
                {"label": _("城镇新增就业"), "value": s["new_urban_jobs"],
                 "url": context["urls"]["new_urban_jobs"]},
                {"label": _("困难人员再就业"), "value": s["reemployed_hard_to_employ"],
                 "url": context["urls"]["reemployed_hard_to_employ"]},
                {"label": _("农村劳动力转移"), "value": s["rural_labour_transferred"],
                 "url": context["urls"]["rural_labour_transferred"]},
                {"label": _("培训人员"), "value": s["trainees"],
                 "url": context["urls"]["training"]},
            ],
            "relief": [
                {"label": _("困难家庭"), "value": s["relief_households"],
                 "url": context["urls"]["relief"]},
                {"label": _("孤儿"), "value": s["relief_orphans"],
                 "url": context["urls"]["relief"]},
            ],
        }
    )  # fmt: skip


@login_required
@require_GET
@role_required(*REPORT_ROLES)
def cockpit(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if "error" in context:
        return render(request, "reports/cockpit.html", context, status=400)
    context["data_url"] = reverse("reports:cockpit_data") + "?" + context["period"].query
    return render(request, "reports/cockpit.html", context)


@login_required
@require_GET
@role_required(*REPORT_ROLES)
def cockpit_data(request: HttpRequest) -> JsonResponse:
    """The cockpit's numbers as JSON for the charts (amounts as decimal strings of 元)."""
    context = _context(request)
    if "error" in context:
        return JsonResponse({"detail": context["error"]}, status=400)
    return JsonResponse(_cockpit_payload(context), json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
@role_required(*REPORT_ROLES)
def work_report(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if "error" in context:
        return render(request, "reports/work_report.html", context, status=400)
    return render(request, "reports/work_report.html", context)


@login_required
@role_required(*REPORT_ROLES)
@require_POST
def work_report_pdf(request: HttpRequest) -> HttpResponse:
    """生成 PDF: queue the job (or take today's file of the same period and scope) and show it."""
    context = _context(request)
    if "error" in context:
        return render(request, "reports/work_report.html", context, status=400)
    row, queued = request_work_report_pdf(actor=request.user, period=context["period"])
    if not queued:
        messages.info(request, "今天已生成过同一报告期的 PDF,直接使用该文件。")
    return redirect("reports:report_file", pk=row.pk)


def _file_context(row: ReportFile) -> dict:
    return {"file": row, "title": "工作简报 PDF", "keep_days": settings.REPORT_FILE_KEEP_DAYS}


@login_required
@require_GET
@role_required(*REPORT_ROLES)
def report_file(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The job page of one PDF: queued, in the making (polled until it ends), ready, failed."""
    row = get_object_or_404(report_files_for(request.user), pk=pk)
    template = "reports/report_file.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, _file_context(row))


@login_required
@role_required(*REPORT_ROLES)
@require_POST
def report_file_retry(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(report_files_for(request.user), pk=pk)
    work_report_pdf_retry(actor=request.user, row=row)
    return redirect("reports:report_file", pk=row.pk)


@login_required
@require_GET
@role_required(*REPORT_ROLES)
def report_file_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The finished PDF, through the stored-file door (which checks the scope again)."""
    row = get_object_or_404(report_files_for(request.user), pk=pk, status=ReportFile.Status.DONE)
    return serve_row_file(request, row, "file")


@login_required
@require_GET
@role_required(*REPORT_ROLES)
def work_report_text(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if "error" in context:
        return HttpResponse(
            context["error"] + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    text = report.as_text(context["data"], context["paragraphs"])
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
