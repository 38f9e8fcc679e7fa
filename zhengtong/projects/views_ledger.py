"""Ledger (台账) pages: download the visible projects as xlsx; import one (office only)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import has_role
from zhengtong.audit.reads import record_export
from zhengtong.lib.imports import import_page
from zhengtong.lib.xlsx import xlsx_response

from . import ledger
from .lists import choose_list
from .models import KeyProject
from .selectors import MANAGE_ROLES, VIEW_ROLES, projects_visible_to


@login_required
@require_http_methods(["GET"])
def ledger_export(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *VIEW_ROLES):
        raise PermissionDenied
    today = timezone.localdate()
    choice = choose_list(request.GET.get("year"), today=today)
    if choice.error or choice.project_list is None:
        # A download of another year than the one asked for would mislead: say so instead.
        context = {"title": _("导出台账"), "message": choice.error or choice.notice}
        return TemplateResponse(request, "projects/list_message.html", context, status=400)
    year = choice.year
    content, count = ledger.export_workbook(
        projects_visible_to(request.user).on_list(year), year=year
    )
    name = f"重点项目台账-{year}年清单-{today:%Y%m%d}.xlsx"
    record_export(
        actor=request.user, name=name, model=KeyProject, count=count, filters={"year": year}
    )
    return xlsx_response(content, name)


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def ledger_import(request: HttpRequest) -> HttpResponse:
    """Upload the ledger, read the dry-run report, then confirm (or untick 试导入)."""
    context = {
        "title": _("导入台账"),
        "export_only": ledger.EXPORT_ONLY_HEADERS,
        "code_header": ledger.CODE,
        "name_header": ledger.NAME,
    }
    return import_page(
        request, ledger.LedgerImporter, template="projects/ledger_import.html", context=context
    )
