"""The error pages: Chinese, in the site's layout, readable on a phone, with a way back; JSON
under /api/; a 404 that does not tell a hidden row from a missing one."""

from django.db import connection
from django.test import Client, RequestFactory, override_settings

from zhengtong.lib import errors
from zhengtong.projects.tests.factories import make_project
from zhengtong.test import BaseTestCase

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


class ErrorPageTestCase(BaseTestCase):
    def assertPage(self, r, status: int, *texts: str) -> None:
        self.assertEqual(r.status_code, status)
        body = r.content.decode()
        self.assertIn('<html lang="zh-CN">', body)
        self.assertIn(VIEWPORT, body)
        self.assertIn('href="/">返回首页</a>', body)
        for text in texts:
            self.assertIn(text, body)
        # Nothing of Django's English pages.
        for english in ("Not Found", "Forbidden", "Server Error", "Bad Request", "CSRF"):
            self.assertNotIn(f"<h1>{english}", body)


class NotFoundTestCase(ErrorPageTestCase):
    def test_a_missing_page_is_a_chinese_page_with_the_menu(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get("/no-such-page/")
        self.assertPage(r, 404, "页面不存在", "错误代码 404", 'class="navbar')
        # The signed-in user's menu is there, so the way on is one tap away.
        self.assertContains(r, "问题台账", status_code=404)

    def test_a_visitor_is_offered_the_login_page(self) -> None:
        r = self.client.get("/no-such-page/")
        self.assertPage(r, 404, "页面不存在", "/accounts/login/?next=/no-such-page/")

    def test_the_page_the_user_came_from_is_offered(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get("/no-such-page/", HTTP_REFERER="http://testserver/projects/")
        self.assertContains(r, 'href="http://testserver/projects/">返回上一页', status_code=404)

    def test_a_foreign_referer_is_not_offered(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get("/no-such-page/", HTTP_REFERER="https://evil.example/")
        self.assertNotContains(r, "返回上一页", status_code=404)
        self.assertNotContains(r, "evil.example", status_code=404)

    def test_a_hidden_project_looks_exactly_like_a_missing_one(self) -> None:
        other = make_project("WH-01", self.other_company, name="万合铜铝深加工")
        self.client.force_login(self.liaison)
        hidden = self.client.get(f"/projects/{other.pk}/")
        missing = self.client.get("/projects/999999/")
        self.assertEqual(hidden.status_code, 404)
        self.assertEqual(missing.status_code, 404)
        self.assertNotContains(hidden, "万合", status_code=404)
        self.assertEqual(hidden.content, missing.content)

    def test_an_api_url_keeps_json(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get("/api/v1/no-such-endpoint/")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r["Content-Type"], "application/json")
        self.assertEqual(r.json(), {"detail": "未找到。"})


class ForbiddenTestCase(ErrorPageTestCase):
    def test_a_page_of_another_role_is_a_chinese_page(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.get("/projects/cockpit/")
        self.assertPage(r, 403, "没有权限", "错误代码 403", "请联系系统管理员")

    def test_the_reason_of_the_refusal_is_shown(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get("/workdays/")
        self.assertPage(r, 403, "只有系统管理员可以查看工作日历维护页面。")

    def test_a_reason_not_written_for_users_is_not_shown(self) -> None:
        request = RequestFactory().get("/projects/")
        request.user = self.office
        r = errors.permission_denied(request, PermissionError("internal check failed"))
        self.assertEqual(r.status_code, 403)
        self.assertNotIn("internal", r.content.decode())

    def test_an_api_refusal_is_json(self) -> None:
        request = RequestFactory().get("/api/v1/projects/")
        request.user = self.office
        r = errors.permission_denied(request, None)
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r["Content-Type"], "application/json")


class BadRequestTestCase(ErrorPageTestCase):
    def test_a_request_for_a_foreign_host_is_a_chinese_page(self) -> None:
        r = self.client.get("/", headers={"host": "evil.example"})
        self.assertPage(r, 400, "请求无效", "错误代码 400")

    def test_an_api_bad_request_is_json(self) -> None:
        r = self.client.get("/api/v1/projects/", headers={"host": "evil.example"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r["Content-Type"], "application/json")
        self.assertIn("请求无效", r.json()["detail"])


@override_settings(ROOT_URLCONF="zhengtong.tests.urls_boom")
class ServerErrorTestCase(ErrorPageTestCase):
    def test_a_failing_view_gets_the_chinese_500_page(self) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(self.office)
        r = client.get("/boom/")
        self.assertPage(r, 500, "服务器出错", "错误代码 500", 'href="/accounts/login/">登录')
        self.assertNotIn("测试用的故障", r.content.decode())

    def test_the_500_page_draws_without_the_database(self) -> None:
        def refuse(execute, sql, params, many, context):
            raise AssertionError(f"the 500 page queried the database: {sql}")

        request = RequestFactory().get("/projects/")
        with connection.execute_wrapper(refuse):
            r = errors.server_error(request)
        self.assertPage(r, 500, "服务器出错")

    def test_an_api_failure_is_json(self) -> None:
        client = Client(raise_request_exception=False)
        r = client.get("/api/boom/")
        self.assertEqual(r.status_code, 500)
        self.assertEqual(r["Content-Type"], "application/json")
        self.assertNotIn("测试用的故障", r.content.decode())


class CsrfFailureTestCase(ErrorPageTestCase):
    def test_a_form_without_its_token_gets_the_chinese_page(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.office)
        r = client.post("/accounts/logout/", HTTP_REFERER="http://testserver/projects/")
        self.assertPage(r, 403, "页面已过期", "没有保存", "Cookie")
        self.assertContains(r, 'href="http://testserver/projects/">返回上一页', status_code=403)

    def test_the_sign_in_form_without_its_token_offers_the_login_page(self) -> None:
        client = Client(enforce_csrf_checks=True)
        r = client.post("/accounts/login/", {"username": "office", "password": "x"})
        self.assertPage(r, 403, "页面已过期", "/accounts/login/")

    def test_under_api_it_is_json(self) -> None:
        r = errors.csrf_failure(RequestFactory().post("/api/v1/projects/"), reason="no token")
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r["Content-Type"], "application/json")
