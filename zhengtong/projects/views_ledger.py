"""Ledger (台账) pages: download the visible projects as xlsx; import one (office only)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from zhengtong.accounts.scope import has_role
from zhengtong.audit.middleware import client_ip
from zhengtong.audit.reads import record_export
from zhengtong.lib.xlsx import xlsx_response

from . import ledger
from .lists import choose_list
from .models import KeyProject
from .selectors import MANAGE_ROLES, VIEW_ROLES, projects_visible_to


class LedgerImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("台账文件(xlsx)"),
        help_text=gettext_lazy("不超过 5 MB;第一行为表头,格式与“导出台账”相同。"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
        error_messages={"required": gettext_lazy("请选择要导入的 xlsx 文件。")},
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("试导入(只检查并预览,不写入数据)"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


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
def ledger_import(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *MANAGE_ROLES):
        raise PermissionDenied
    result = None
    file_error = ""
    if request.method == "POST":
        form = LedgerImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = ledger.import_ledger(
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    dry_run=form.cleaned_data["dry_run"],
                    ip=client_ip(request),
                )
            except ledger.LedgerFileError as exc:
                file_error = str(exc)
    else:
        form = LedgerImportForm()
    context = {
        "form": form,
        "result": result,
        "file_error": file_error,
        "headers": ledger.IMPORT_HEADERS,
        "export_only": ledger.EXPORT_ONLY_HEADERS,
        "title": _("导入台账"),
    }
    return render(request, "projects/ledger_import.html", context)
