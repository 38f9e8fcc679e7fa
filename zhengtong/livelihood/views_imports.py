"""就业登记 import page: upload → dry-run report → confirm; the template download."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import role_required
from zhengtong.lib.imports import import_page, template_response

from .imports import EmploymentImporter
from .selectors import keeping_unit_for


def keeps_livelihood(user) -> bool:
    """The clerk of a department that keeps the livelihood ledgers (who may add rows)."""
    return keeping_unit_for(user) is not None


keeper_required = role_required(
    Role.DEPT_CLERK, test=keeps_livelihood, message="只有社会事业局经办人员可以导入就业登记。"
)


@login_required
@require_http_methods(["GET", "POST"])
@keeper_required
def employment_import(request: HttpRequest) -> HttpResponse:
    context = {
        "title": "导入就业登记",
        "template_url": reverse("livelihood:employment_import_template"),
        "code_header": "公民身份号码",
        "name_header": "姓名 · 类别",
    }
    return import_page(
        request, EmploymentImporter, template="livelihood/import_employment.html", context=context
    )


@login_required
@require_GET
@keeper_required
def employment_import_template(request: HttpRequest) -> HttpResponse:
    return template_response(EmploymentImporter)
