"""救助身份 import page: upload → dry-run report → confirm; the template download."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import role_required
from zhengtong.lib.imports import import_page, template_response

from .imports import WelfareStatusImporter
from .selectors import keeping_unit_for


def keeps_welfare(user) -> bool:
    """A 民政 clerk who files welfare rows (the gate of the 登记/更正 form)."""
    return keeping_unit_for(user) is not None


keeper_required = role_required(
    Role.DEPT_CLERK, test=keeps_welfare, message="只有民政经办人员可以导入救助身份。"
)


@login_required
@require_http_methods(["GET", "POST"])
@keeper_required
def status_import(request: HttpRequest) -> HttpResponse:
    context = {
        "title": "导入救助身份",
        "template_url": reverse("welfare:status_import_template"),
        "code_header": "公民身份号码",
        "name_header": "姓名",
    }
    return import_page(
        request, WelfareStatusImporter, template="welfare/import_status.html", context=context
    )


@login_required
@require_GET
@keeper_required
def status_import_template(request: HttpRequest) -> HttpResponse:
    return template_response(WelfareStatusImporter)
