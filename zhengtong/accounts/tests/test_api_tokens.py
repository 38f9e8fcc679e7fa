"""Personal API tokens replace HTTP Basic: hashed, scoped, expiring, revocable and audited."""

import base64
import datetime
import hashlib
import re

import time_machine
from django.utils import timezone

from zhengtong.accounts.models import ApiToken
from zhengtong.accounts.tokens import api_token_create
from zhengtong.audit.models import Event
from zhengtong.test import PASSWORD, BaseTestCase

TOKENS_URL = "/accounts/tokens/"
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
class ApiTokenTestCase(BaseTestCase):
    def make(self, user=None, *, scope="read", modules=(), days=30) -> tuple[ApiToken, str]:
        return api_token_create(
            user=user or self.office,
            name="数据大屏",
            scope=scope,
            modules=list(modules),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )

    def api(self, path, token, method="get", keyword="Bearer", **kwargs):
        return getattr(self.client, method)(path, HTTP_AUTHORIZATION=f"{keyword} {token}", **kwargs)

    def test_a_token_is_shown_once_and_only_its_hash_is_kept(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(
            TOKENS_URL, {"name": "数据大屏", "scope": "read", "expires_on": "2026-06-01"}
        )
        self.assertEqual(r.status_code, 200)
        token = re.search(r'id="new-token">(zt_[A-Za-z0-9_-]+)<', r.content.decode()).group(1)
        row = ApiToken.objects.get(user=self.office)
        self.assertEqual(row.token_hash, hashlib.sha256(token.encode()).hexdigest())
        self.assertEqual(row.prefix, token[:8])
        for value in (row.name, row.prefix, row.token_hash, str(row.modules)):
            self.assertNotEqual(value, token)
        event = Event.objects.get(action="api_token_created")
        self.assertEqual(event.actor, self.office)
        self.assertNotIn(token, str(event.changes) + event.target_repr)
        # Listed by its prefix afterwards, never in full.
        page = self.client.get(TOKENS_URL)
        self.assertContains(page, token[:8])
        self.assertNotContains(page, token)

    def test_a_bearer_or_token_header_signs_the_call_in_and_records_the_use(self) -> None:
        row, token = self.make()
        r = self.api("/api/v1/projects/", token)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.api("/api/v1/projects/", token, keyword="Token").status_code, 200)
        row.refresh_from_db()
        self.assertEqual(row.last_used_at, NOW)

    def test_http_basic_is_no_longer_accepted(self) -> None:
        basic = base64.b64encode(f"office:{PASSWORD}".encode()).decode()
        r = self.client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Basic {basic}")
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r["WWW-Authenticate"], 'Bearer realm="api"')

    def test_a_read_only_token_cannot_write(self) -> None:
        _row, token = self.make()
        r = self.api("/api/v1/projects/999999/reports/", token, method="post", data={})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json()["detail"], "该令牌为只读,不能修改数据。")
        _row, writer = self.make(scope="write")
        r = self.api("/api/v1/projects/999999/reports/", writer, method="post", data={})
        self.assertEqual(r.status_code, 404)

    def test_a_token_limited_to_one_module_opens_only_that_module(self) -> None:
        _row, token = self.make(modules=["services"])
        self.assertEqual(self.api("/api/v1/projects/", token).status_code, 403)
        self.assertEqual(self.api("/api/v1/services/items/", token).status_code, 200)

    def test_an_expired_token_is_refused_and_the_attempt_audited(self) -> None:
        row, token = self.make(days=1)
        with time_machine.travel(NOW + datetime.timedelta(days=2), tick=False):
            r = self.api("/api/v1/projects/", token)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["detail"], "令牌已过期,请重新创建。")
        event = Event.objects.get(action="api_token_denied")
        self.assertEqual(event.target_id, str(row.pk))
        self.assertEqual(event.kind, Event.Kind.DENIED)

    def test_a_revoked_token_is_refused_and_revocation_is_audited(self) -> None:
        row, token = self.make()
        self.client.force_login(self.office)
        r = self.client.post(f"/accounts/tokens/{row.pk}/revoke/")
        self.assertRedirects(r, TOKENS_URL, fetch_redirect_response=False)
        self.assertEqual(Event.objects.get(action="api_token_revoked").actor, self.office)
        self.client.logout()
        r = self.api("/api/v1/projects/", token)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["detail"], "令牌已吊销。")
        self.assertTrue(Event.objects.filter(action="api_token_denied").exists())

    def test_an_unknown_or_malformed_token_is_refused(self) -> None:
        self.assertEqual(self.api("/api/v1/projects/", "zt_nothing").status_code, 401)
        r = self.client.get("/api/v1/projects/", HTTP_AUTHORIZATION="Bearer a b")
        self.assertEqual(r.status_code, 401)
        self.assertIn("令牌格式有误", r.json()["detail"])

    def test_nobody_revokes_another_users_token(self) -> None:
        row, _token = self.make()
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.post(f"/accounts/tokens/{row.pk}/revoke/").status_code, 404)
        row.refresh_from_db()
        self.assertIsNone(row.revoked_at)

    def test_the_expiry_is_required_and_at_most_a_year(self) -> None:
        self.client.force_login(self.office)
        for expires_on, message in (
            ("", "该字段是必填项。"),
            ("2027-03-10", "令牌有效期最长一年。"),
            ("2026-03-01", "到期日期须晚于今天。"),
            ("明天", "输入一个有效的日期。"),
        ):
            with self.subTest(expires_on=expires_on):
                r = self.client.post(
                    TOKENS_URL, {"name": "x", "scope": "read", "expires_on": expires_on}
                )
                self.assertContains(r, message, status_code=400)
        self.assertFalse(ApiToken.objects.exists())
