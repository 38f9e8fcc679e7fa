"""Headers and start-up checks: a content security policy without inline scripts, HSTS and the
HTTPS redirect behind SECURE_COOKIES=True, and no start without a real SECRET_KEY."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, override_settings

from zhengtong.test import BaseTestCase

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
HX_ON = re.compile(r"\shx-on[:-]")
JS_URL = re.compile(r"=\s*[\"']?javascript:", re.I)


def run_settings(code: str, **env) -> subprocess.CompletedProcess:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "SECURE_COOKIES", "TRUSTED_PROXY"}
    }
    environ.update(env, DJANGO_SETTINGS_MODULE="zhengtong.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=environ,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


class ContentSecurityPolicyTestCase(BaseTestCase):
    def test_pages_carry_a_policy_that_allows_no_inline_script(self) -> None:
        self.client.force_login(self.office)
        for url in ("/accounts/login/", "/", "/projects/cockpit/", "/public/"):
            with self.subTest(url=url):
                self.client.logout() if url.startswith(("/accounts", "/public")) else None
                r = self.client.get(url)
                policy = r["Content-Security-Policy"]
                script_src = re.search(r"script-src ([^;]*)", policy).group(1)
                self.assertEqual(script_src.strip(), "'self'")
                self.assertIn("frame-ancestors 'none'", policy)
                self.assertIn("object-src 'none'", policy)
                self.client.force_login(self.office)

    def test_no_template_has_an_inline_script_or_event_handler(self) -> None:
        for path in sorted(TEMPLATES.rglob("*.html")):
            text = path.read_text()
            with self.subTest(template=str(path.relative_to(TEMPLATES))):
                for pattern in (INLINE_SCRIPT, EVENT_HANDLER, HX_ON, JS_URL):
                    match = pattern.search(text)
                    self.assertIsNone(match, match and match.group(0))

    def test_the_api_docs_load_their_script_from_a_url(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get("/api/docs/")
        self.assertEqual(r.status_code, 200)
        self.assertIsNone(INLINE_SCRIPT.search(r.content.decode()))


class HttpsTestCase(SimpleTestCase):
    def test_secure_cookies_turn_on_hsts_for_a_year_and_the_redirect(self) -> None:
        code = (
            "from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
            " s.SESSION_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
        )
        on = run_settings(code, DEBUG="True", SECURE_COOKIES="True", TRUSTED_PROXY="True")
        self.assertEqual(
            on.stdout.split(),
            ["True", "31536000", "True", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')"],
        )
        off = run_settings(code, DEBUG="True")
        self.assertEqual(off.stdout.split(), ["False", "0", "False", "False", "None"])

    @override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True
    )
    def test_plain_http_is_redirected_and_https_answers_with_hsts(self) -> None:
        r = self.client.get("/accounts/login/")
        self.assertEqual(r.status_code, 301)
        self.assertEqual(r["Location"], "https://testserver/accounts/login/")
        r = self.client.get("/accounts/login/", secure=True)
        self.assertEqual(r["Strict-Transport-Security"], "max-age=31536000; includeSubDomains")


class SecretKeyTestCase(SimpleTestCase):
    CODE = "print('started')"

    def test_without_debug_the_server_refuses_to_start_without_a_real_key(self) -> None:
        for env in (
            {},
            {"SECRET_KEY": ""},
            {"SECRET_KEY": "dev-only-not-secret"},
            {"SECRET_KEY": "change-me-to-a-long-random-string"},
            {"SECRET_KEY": "short"},
        ):
            with self.subTest(env=env):
                r = run_settings(self.CODE, DEBUG="False", **env)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("拒绝启动:DEBUG=False 时必须设置真实的 SECRET_KEY", r.stderr)
                self.assertNotIn("started", r.stdout)

    def test_a_real_key_or_debug_lets_it_start(self) -> None:
        real = run_settings(self.CODE, DEBUG="False", SECRET_KEY="x" * 20 + "-9f3kQ2mZ7vB1nR8tL4wY")
        self.assertEqual(real.stdout.strip(), "started", real.stderr)
        debug = run_settings(self.CODE, DEBUG="True")
        self.assertEqual(debug.stdout.strip(), "started", debug.stderr)
