"""Look at every page as a person would: follow every link a page shows to the user it was
shown to, and list what that person should never see.

`crawl(client, start)` walks the site breadth-first from `start` with a logged-in test client
and returns the problems found: a link that answers ≥ 400 to the user it was shown to, template
syntax, a Python repr, a number with more than two decimals, an English word outside the
allowlist, a raw choice code, a page without `lang="zh-CN"` or a viewport; PDFs are read with
poppler's pdftotext and checked the same way. The crawl test runs it as every demo persona.
"""

import re
import subprocess
import tempfile
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.apps import apps
from django.db import models
from django.urls import Resolver404, resolve

# Words a Chinese page may carry in Latin letters: names of formats, standards and protocols
# people read on forms and in the press, and units.
ALLOWED_WORDS = {
    "API",
    "CSV",
    "PDF",
    "xlsx",
    "Excel",
    "WebP",
    "JPEG",
    "PNG",
    "GPS",
    "IP",
    "HTTPS",
    "URL",
    "OC4IDS",
    "JSON",
    "ID",
    "AB",
    "A",
    "B",
    "OpenAPI",
    "Swagger",
    "TOTP",
    "MZ",
    "GB",
    "T",
    "SM3",
    "SM4",
    "HMAC",
    "ECharts",
    "Bootstrap",
    # The API page tells a programmer which header to send.
    "Authorization",
    "Bearer",
    # Authenticator apps named on the two-factor page.
    "Google",
    "Microsoft",
    "Authenticator",
    "FreeOTP",
    # Terms used as they are in Chinese documents: SYB 创业培训, BIPV 光伏建筑一体化, units.
    "SYB",
    "BIPV",
    "GWh",
    "MW",
    "kWh",
    "MB",
    "KB",
}
# Paths that are not pages for people (machine endpoints, files served as downloads are
# checked for status only).
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SKIP_PREFIXES = ("/static/", "/admin/", "/api/docs", "/api/schema")
REPR_PATTERNS = [
    ("Python 列表", re.compile(r"\[['\"]")),
    ("Python 空值", re.compile(r"(?<![A-Za-z])None(?![A-Za-z])")),
    ("Python 布尔值", re.compile(r"(?<![A-Za-z])(True|False)(?![A-Za-z])")),
    ("模板语法", re.compile(r"\{#|\{\{|\{%|%\}|\}\}")),
    ("对象表示", re.compile(r"<[A-Za-z_.]+ object at 0x|<QuerySet|<[A-Z][A-Za-z]+: ")),
]
LONG_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d{3,}(?![\d.])")
# Latitude and longitude are written with six decimals; they are labelled on the page.
COORDINATE_CONTEXT = re.compile(r"(纬度|经度|北纬|东经|定位|位置)[^。\n]{0,30}$")
# A word on its own: letters not joined to digits, hyphens or stars, which make them part of a
# code (receipt LIUJI202611020001, project KFQ-2026-001, week 2026-W48, ID number …002X).
WORD = re.compile(r"(?<![A-Za-z0-9*\-_/.])[A-Za-z][A-Za-z_]*(?![A-Za-z0-9*\-_/])")


@dataclass
class Problem:
    url: str
    kind: str
    detail: str
    shown_on: str = ""

    def __str__(self) -> str:
        where = f"(链接出自 {self.shown_on})" if self.shown_on else ""
        return f"{self.url} · {self.kind}:{self.detail}{where}"


@dataclass
class CrawlResult:
    pages: int = 0
    pdfs: int = 0
    sheets: int = 0
    problems: list[Problem] = field(default_factory=list)


# Not read as prose: scripts, and <code>/<kbd>, which mark machine text (keys, hashes, codes).
HIDDEN_TAGS = ("script", "style", "template", "noscript", "code", "kbd")


class _Page(HTMLParser):
    """The visible text, the links and the head facts of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.lang = ""
        self.viewport = False
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in HIDDEN_TAGS:
            self._hidden += 1
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if tag == "meta" and attrs.get("name") == "viewport":
            self.viewport = True
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "placeholder", "aria-label", "alt"):
            if attrs.get(name):
                self.text.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def choice_codes() -> set[str]:
    """Every stored choice value that looks like a code (ascii, lower case, ≥ 4 letters)."""
    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith("zhengtong."):
            continue
        for f in model._meta.get_fields():
            if isinstance(f, models.Field) and f.choices:
                for value, _label in f.flatchoices:
                    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{3,}", value):
                        codes.add(value)
    return codes


def text_problems(
    url: str, text: str, codes: set[str], allowed: frozenset[str] = frozenset()
) -> list[Problem]:
    problems = []
    for kind, pattern in REPR_PATTERNS:
        if match := pattern.search(text):
            start = max(0, match.start() - 20)
            problems.append(Problem(url, kind, text[start : match.end() + 20].strip()))
    for match in LONG_DECIMAL.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if not COORDINATE_CONTEXT.search(before):
            problems.append(
                Problem(url, "多于两位小数", text[max(0, match.start() - 15) : match.end()])
            )
            break
    words = set(WORD.findall(text))
    english = sorted(
        w for w in words if w not in ALLOWED_WORDS and w not in codes and w not in allowed
    )
    if english:
        problems.append(Problem(url, "英文", "、".join(english[:8])))
    raw = sorted(w for w in words if w in codes and w not in allowed)
    if raw:
        problems.append(Problem(url, "未翻译的代码", "、".join(raw[:8])))
    return problems


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        done = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True
        )
    return done.stdout.decode("utf-8", "replace")


def xlsx_text(content: bytes) -> str:
    """The text cells of an exported workbook (numbers and dates are typed cells, not text)."""
    import io

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts.extend(v for v in row if isinstance(v, str))
    return " ".join(texts)


def _route(path: str) -> str:
    """A pattern name for a path, to visit a few rows of each kind rather than all of them."""
    try:
        match = resolve(path)
    except Resolver404:
        return path
    return f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)


def crawl(
    client,
    start: str = "/",
    *,
    per_route: int = 3,
    limit: int = 600,
    allowed: frozenset[str] = frozenset(),
) -> CrawlResult:
    """Walk from `start` as the client's user; `per_route` rows of each URL pattern.

    `allowed` adds words a page may show (the users' login names, say)."""
    codes = choice_codes()
    result = CrawlResult()
    seen: set[str] = set()
    by_route: dict[str, int] = defaultdict(int)
    queue: deque[tuple[str, str]] = deque([(start, "")])
    while queue and result.pages + result.pdfs + result.sheets < limit:
        url, shown_on = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        route = _route(urlsplit(url).path)
        if by_route[route] >= per_route:
            continue
        by_route[route] += 1
        response = client.get(url)
        if response.status_code >= 400:
            result.problems.append(
                Problem(url, "链接打不开", f"HTTP {response.status_code}", shown_on)
            )
            continue
        if response.status_code in (301, 302):
            target = response.get("Location", "")
            if "/accounts/login/" in target:
                result.problems.append(Problem(url, "链接要求重新登录", target, shown_on))
            elif target.startswith("/"):
                queue.append((target, shown_on))
            continue
        kind = response.get("Content-Type", "")
        if kind.startswith("application/pdf"):
            result.pdfs += 1
            result.problems += text_problems(url, pdf_text(response.content), codes, allowed)
            continue
        if kind.startswith(XLSX):
            result.sheets += 1
            result.problems += text_problems(url, xlsx_text(response.content), codes, allowed)
            continue
        if not kind.startswith("text/html"):
            continue
        result.pages += 1
        page = _Page()
        page.feed(response.content.decode("utf-8", "replace"))
        if page.lang != "zh-CN":
            result.problems.append(Problem(url, "页面语言", page.lang or "未声明"))
        if not page.viewport:
            result.problems.append(Problem(url, "缺少 viewport", "手机上无法正常显示"))
        result.problems += text_problems(url, " ".join(page.text), codes, allowed)
        for href in page.links:
            href = urldefrag(href)[0]
            if href.startswith("?"):
                href = urljoin(url, href)
            if not href.startswith("/") or href.startswith("//"):
                continue
            if href.startswith(SKIP_PREFIXES) or href.startswith("/accounts/logout"):
                continue
            queue.append((href, url))
    return result
