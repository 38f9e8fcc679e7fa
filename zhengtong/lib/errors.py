"""The error pages: 400, 403, 404, 500 and a refused CSRF check, in Chinese and in the layout of
the site; under /api/ the same errors answer JSON, as the API's own errors do.

A 404 says the same whether the page is missing or hidden from the user, so it never tells
that a row exists outside their scope. The 500 page extends nothing and is rendered without the
request: it must draw when the database is what failed.
"""

import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

API_PREFIX = "/api/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")

API_MESSAGES = {
    400: "请求无效,请检查后重试。",
    403: "您没有执行该操作的权限。",
    404: "未找到。",
    500: "服务器内部错误,请稍后再试。",
}
CSRF_API_MESSAGE = "安全校验(CSRF)失败,请刷新页面后重试。"

# What the 500 page says when even its template cannot be drawn.
PLAIN_500 = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>服务器出错 · 政通</title></head><body><h1>服务器出错</h1>"
    '<p>系统暂时无法完成您的请求,请稍后再试。</p><p><a href="/">返回首页</a></p></body></html>'
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _back_url(request: HttpRequest) -> str:
    """The page the user came from, when it is on this site and not the failing page itself."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    if referer.endswith(request.get_full_path()):
        return ""
    return referer


def _message(exception) -> str:
    """The refusal's own reason when it is written for the user (Chinese), else nothing."""
    text = str(exception or "")
    return text if CHINESE.search(text) else ""


def _page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    # No CSRF token on the page (base.html): a masked token differs on every response, and a
    # 404 must read the same byte for byte whether the row is missing or out of scope.
    context["error_page"] = True
    try:
        context["back_url"] = _back_url(request)
    except Exception:  # noqa: BLE001 - a 400 may come from the very host header read here.
        context["back_url"] = ""
    return render(request, template, context, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": API_MESSAGES[400]}, status=400)
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _message(exception) or API_MESSAGES[403]}, status=403)
    return _page(request, "403.html", 403, message=_message(exception))


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    # The reason of an Http404 is not shown: it could tell a hidden row from a missing one.
    if _is_api(request):
        return JsonResponse({"detail": API_MESSAGES[404]}, status=404)
    return _page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": API_MESSAGES[500]}, status=500)
    try:
        body = loader.get_template("500.html").render()
    except Exception:  # noqa: BLE001 - the last resort must not fail in turn.
        body = PLAIN_500
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from an expired or foreign page."""
    if _is_api(request):
        return JsonResponse({"detail": CSRF_API_MESSAGE}, status=403)
    return _page(request, "403_csrf.html", 403)
