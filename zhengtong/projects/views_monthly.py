"""重点项目月报 (RD1): any month's figures of the key-project list, as a page and as a PDF.

The figures are the cockpit's own (`stats.summary()` over the projects the user may see, on the
list of the month's year, read at that month), so the report of the month the cockpit shows
says exactly what the cockpit says. Every table is in a fixed order: stages in the seed's order,
sectors by their sort order, leaders by number of projects then name, projects by code.
A month whose reports are not due yet (reports for month M are filed early in M+1) is refused
with a 400 that names the latest month available.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import unit_paths
from zhengtong.lib import periods
from zhengtong.lib.money import format_yuan
from zhengtong.lib.pdf import pdf_response, render_pdf

from . import progress, stats
from .lists import choose_list
from .models import Stage
from .selectors import projects_visible_to
from .views_cockpit import COCKPIT_ROLES

YI, WAN = "亿元", "万元"


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def month_report(user, *, year: int, month: int) -> dict:
    """The month's figures, formatted for the page and the PDF alike."""
    choice = choose_list(str(year))
    on_list = choice.project_list is not None and choice.year == year
    projects = projects_visible_to(user).on_list(year)
    data = stats.summary(projects, year=year, month=month)
    rows = stats.progress_rows(projects, year=year, month=month) if on_list else []
    return {
        "year": year,
        "month": month,
        "on_list": on_list,
        "list_title": str(choice.project_list) if on_list else "",
        "count": data["count"],
        "total_investment": format_yuan(data["total_investment"], YI),
        "annual_plan": format_yuan(data["annual_plan"], YI),
        "ytd_investment": format_yuan(data["ytd_investment"], YI),
        "completion_pct": _pct(data["completion_pct"]),
        "classes": [
            {"label": Stage(c).label, "count": n}
            for c, n in data["by_class"].items()
            if n or c != Stage.CANCELLED
        ],
        "flags": [{"label": progress.FLAG_LABELS[f], "count": n} for f, n in data["flags"].items()],
        "sectors": [
            {
                "name": s["name"],
                "count": s["count"],
                "total_investment": format_yuan(s["total_investment"], YI),
                "annual_plan": format_yuan(s["annual_plan"], YI),
            }
            for s in data["by_sector"]
        ],
        "leaders": [
            {
                "name": r["name"],
                "count": r["count"],
                "total_investment": format_yuan(r["total_investment"], YI),
            }
            for r in data["by_leader"]
        ],
        "monthly": [
            {
                "month": m["month"],
                "plan": format_yuan(m["plan"], YI),
                "actual_month": format_yuan(m["actual_month"], YI),
                "actual": format_yuan(m["actual"], YI),
            }
            for m in data["monthly"]
            if m["month"] <= month
        ],
        "projects": [
            {
                "code": r["code"],
                "name": r["name"],
                "stage": Stage(r["stage"]).label,
                "annual_plan": format_yuan(r["annual_plan"], WAN),
                "ytd_investment": format_yuan(r["ytd_investment"], WAN),
                "completion_pct": _pct(r["completion_pct"]),
                "flag": progress.FLAG_LABELS[r["flag"]],
            }
            for r in sorted(rows, key=lambda r: r["code"])
        ],
        "rule_text": progress.rule_text(),
        "raw": data,
    }


def _context(request: HttpRequest) -> dict:
    due_year, due_month = progress.default_as_of()
    params: QueryDict = request.GET.copy()
    if not params.get("month"):
        params["month"] = f"{due_year}-{due_month:02d}"
    picker = periods.choose_month(params)
    context: dict = {"picker": picker, "due": f"{due_year}年{due_month:02d}月"}
    if picker.error:
        return {**context, "error": picker.error}
    period = picker.period
    year, month = period.start.year, period.start.month
    if (year, month) > (due_year, due_month):
        return {
            **context,
            "error": f"{period.label}的月报尚未到报送期(每月上旬报送上月进度),"
            f"最近可查看{due_year}年{due_month:02d}月。",
        }
    return {
        **context,
        "period": period,
        "previous": period.previous().value,
        "next": period.following().value if (year, month) < (due_year, due_month) else "",
        "report": month_report(request.user, year=year, month=month),
        "issued_on": timezone.localdate(),
        "issuer": _issuer(request.user),
    }


def _issuer(user) -> str:
    """The reader's own units (as the work report names its issuer)."""
    paths = unit_paths(user, COCKPIT_ROLES)
    names = OrgUnit.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True)
    return "、".join(names)


@login_required
@require_GET
@role_required(*COCKPIT_ROLES)
def monthly_report(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    status = 400 if "error" in context else 200
    return render(request, "projects/monthly_report.html", context, status=status)


@login_required
@require_GET
@role_required(*COCKPIT_ROLES)
def monthly_report_pdf(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if "error" in context:
        return render(request, "projects/monthly_report.html", context, status=400)
    content = render_pdf("projects/monthly_report_pdf.html", context, request=request)
    return pdf_response(content, f"重点项目月报-{context['period'].value}.pdf")
