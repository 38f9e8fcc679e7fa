"""The API answers every error in Chinese through one handler (zhengtong/lib/api.py)."""

from zhengtong.test import BaseTestCase

INTAKE = "/api/v1/services/applications/"
PREGNANCIES = "/api/v1/population/pregnancies/"


class ApiErrorsTestCase(BaseTestCase):
    def test_a_caller_without_a_login_or_token_is_told_what_to_send(self) -> None:
        r = self.client.get("/api/v1/projects/")
        self.assertIn(r.status_code, (401, 403))
        self.assertIn("API 令牌", r.json()["detail"])

    def test_a_bad_token_is_refused_in_chinese(self) -> None:
        r = self.client.get("/api/v1/projects/", headers={"Authorization": "Bearer nope"})
        self.assertEqual(r.status_code, 401)
        self.assertNotRegex(r.json()["detail"], r"[A-Za-z]{4,}")

    def test_a_wrong_method_is_refused_in_chinese(self) -> None:
        self.client.force_login(self.office)
        r = self.client.delete("/api/v1/projects/")
        self.assertEqual(r.status_code, 405)
        self.assertIn("不被允许", r.json()["detail"])

    def test_a_refusal_keeps_its_chinese_reason(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(PREGNANCIES, {"person": 1, "lmp": "2026-01-01"}, "application/json")
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json()["detail"], "只有村(镇)计生专干可以登记孕产期。")
