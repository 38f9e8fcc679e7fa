"""The checks of deploy/smoke/run, made through nginx with the standard library only."""

import hashlib
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


def browser() -> urllib.request.OpenerDirector:
    """A client with its own cookies, as a separate browser would be."""
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=TLS),
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        NoRedirect,
    )


opener = browser()


def get(url: str, data: dict | None = None, headers: dict | None = None, client=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        return (client or opener).open(request, timeout=30)
    except urllib.error.HTTPError as error:
        return error


def login(client, username: str) -> int:
    page = get(HTTPS + "/accounts/login/", client=client).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    r = get(
        HTTPS + "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": username, "password": "Demo@2026"},
        {"Referer": HTTPS + "/accounts/login/"},
        client=client,
    )
    return r.status


def expect(condition: bool, what: str) -> None:
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        sys.exit(1)


r = get(HTTP + "/accounts/login/")
expect(r.status == 301 and r.headers["Location"].startswith(HTTPS), "HTTP 跳转到 HTTPS")

# The app and the worker may still be starting (the worker's first heartbeat, gunicorn's first
# import on a busy machine): wait up to two minutes, a slow answer counting as not yet.
deadline = time.monotonic() + 120
while True:
    try:
        r = get(HTTPS + "/health/")
    except (TimeoutError, urllib.error.URLError):
        r = None
    if (r is not None and r.status == 200) or time.monotonic() > deadline:
        break
    time.sleep(1)
expect(r is not None, "/health/ 有应答")
assert r is not None
expect(r.status == 200, f"/health/ 返回 200:{r.read().decode()[:300] if r.status != 200 else ''}")
expect(json.loads(r.read())["status"] == "ok", "/health/ 各项通过")

r = get(HTTPS + "/accounts/login/")
h = r.headers
expect("max-age=31536000" in h.get("Strict-Transport-Security", ""), "HSTS")
expect(bool(h.get("Content-Security-Policy")), "CSP")
expect(h.get("X-Content-Type-Options") == "nosniff", "X-Content-Type-Options")
expect(bool(h.get("Referrer-Policy")), "Referrer-Policy")
expect(h.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), "X-Frame-Options")

r = get(HTTPS + "/static/favicon.svg")
expect(r.status == 200 and b"<svg" in r.read(), "nginx 提供静态文件")

status = login(opener, "office")
expect(status == 302, f"登录(状态 {status})")

r = get(HTTPS + "/projects/")
expect(r.status == 200 and "项目" in r.read().decode(), "登录后打开项目列表")

# Stored files (made by deploy/smoke/files.py): Django decides, nginx sends the bytes.
files = json.loads(open(os.environ["SMOKE_FILES"], encoding="utf-8").read())


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def file_ok(r, digest: str) -> bool:
    body = r.read()
    return (
        r.status == 200
        and sha256(body) == digest
        and r.headers.get("Content-Type") == "image/png"
        and "X-Accel-Redirect" not in r.headers
    )


r = get(HTTPS + files["public_url"], client=browser())
expect(file_ok(r, files["public_sha256"]), "未登录可取公开文件(现场照片),内容一致")
expect("public" in r.headers.get("Cache-Control", ""), "公开文件可缓存")

r = get(HTTPS + files["protected_url"], client=browser())
body = r.read()
expect(r.status == 404 and sha256(body) != files["protected_sha256"], "未登录取受保护文件被拒绝")
r = get(HTTPS + "/protected-media/" + files["protected_name"], client=browser())
expect(r.status == 404, "nginx 内部位置 /protected-media/ 不能直接访问")

r = get(HTTPS + files["protected_url"])
expect(r.status == 404, "无权查看该走访的用户(重点项目办)取受保护文件被拒绝")

reader = browser()
status = login(reader, files["reader"])
expect(status == 302, f"村计生专干登录(状态 {status})")
r = get(HTTPS + files["protected_url"], client=reader)
headers = r.headers
expect(file_ok(r, files["protected_sha256"]), "有权用户经 X-Accel-Redirect 取受保护文件,内容一致")
expect("no-store" in headers.get("Cache-Control", ""), "受保护文件不缓存")
expect(headers.get("X-Content-Type-Options") == "nosniff", "受保护文件带 nosniff")
print("smoke: done")
