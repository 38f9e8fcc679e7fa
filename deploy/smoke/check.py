"""The checks of deploy/smoke/run, made through nginx with the standard library only."""

import http.cookiejar
import json
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HTTPS = f"https://localhost:{os.environ['SMOKE_HTTPS_PORT']}"
HTTP = f"http://localhost:{os.environ['SMOKE_HTTP_PORT']}"
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(
    urllib.request.HTTPSHandler(context=TLS), urllib.request.HTTPCookieProcessor(jar), NoRedirect
)


def get(url: str, data: dict | None = None, headers: dict | None = None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        return opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        return error


def expect(condition: bool, what: str) -> None:
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        sys.exit(1)


r = get(HTTP + "/accounts/login/")
expect(r.status == 301 and r.headers["Location"].startswith(HTTPS), "HTTP 跳转到 HTTPS")

for _ in range(30):
    r = get(HTTPS + "/health/")
    if r.status == 200:
        break
    time.sleep(1)
expect(r.status == 200, f"/health/ 返回 200:{r.read().decode()[:300] if r.status != 200 else ''}")
expect(json.loads(r.read())["status"] == "ok", "/health/ 各项通过")

r = get(HTTPS + "/accounts/login/")
page = r.read().decode()
h = r.headers
expect("max-age=31536000" in h.get("Strict-Transport-Security", ""), "HSTS")
expect(bool(h.get("Content-Security-Policy")), "CSP")
expect(h.get("X-Content-Type-Options") == "nosniff", "X-Content-Type-Options")
expect(bool(h.get("Referrer-Policy")), "Referrer-Policy")
expect(h.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), "X-Frame-Options")

r = get(HTTPS + "/static/favicon.svg")
expect(r.status == 200 and b"<svg" in r.read(), "nginx 提供静态文件")

token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
r = get(
    HTTPS + "/accounts/login/",
    {"csrfmiddlewaretoken": token, "username": "office", "password": "Demo@2026"},
    {"Referer": HTTPS + "/accounts/login/"},
)
expect(r.status == 302, f"登录(状态 {r.status})")

r = get(HTTPS + "/projects/")
expect(r.status == 200 and "项目" in r.read().decode(), "登录后打开项目列表")
print("smoke: done")
