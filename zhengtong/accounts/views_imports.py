"""The first-run imports as pages for the 系统管理员: 组织单位, 用户 and 窗口岗位, each with
upload → dry-run report → confirm, and its template download (the same importers as
`manage.py setup`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from zhengtong.lib.imports import Importer, import_page, template_response
from zhengtong.services.imports import PostImporter

from .imports import OrgUnitImporter, StaffUserImporter
from .models import Role
from .permissions import role_required

IMPORTS: dict[str, tuple[type[Importer], str]] = {
    "org": (
        OrgUnitImporter,
        "每行一个单位:市、县/区、镇/街道、村/社区填 12 位统计用区划代码,部门和开发区自定代码;"
        "上级单位写在下级之前。已有的单位(代码相同)按表更新。",
    ),
    "users": (
        StaffUserImporter,
        "每行一人:用户名、姓名、所在单位代码和角色(可多个);新用户须填初始密码。"
        "已有的用户按表更新资料并补上缺少的角色。",
    ),
    "posts": (
        PostImporter,
        "每行一个窗口:服务大厅单位代码、窗口、岗位、A 角和 B 角的用户名;A、B 角须在该大厅有窗口人员角色。",
    ),
}

admin_required = role_required(
    Role.ADMIN, message="只有系统管理员可以导入组织单位、用户和窗口岗位。"
)


@login_required
@require_http_methods(["GET", "POST"])
@admin_required
def setup_import(request: HttpRequest, kind: str) -> HttpResponse:
    importer_class, intro = IMPORTS[kind]
    context = {
        "title": f"导入{importer_class.name}",
        "intro": intro,
        "others": [
            (f"导入{c.name}", reverse(f"accounts:{k}_import"))
            for k, (c, _) in IMPORTS.items()
            if k != kind
        ],
        "template_url": reverse(f"accounts:{kind}_import_template"),
        "code_header": importer_class.columns[0].header,
        "name_header": "名称",
    }
    return import_page(
        request, importer_class, template="accounts/setup_import.html", context=context
    )


@login_required
@require_GET
@admin_required
def setup_import_template(request: HttpRequest, kind: str) -> HttpResponse:
    return template_response(IMPORTS[kind][0])
