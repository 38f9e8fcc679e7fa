"""The system as an attacker tries it: every URL, every kind of user, hostile input everywhere.

The attack tables live beside the code they test, each failing before its fix:
- traversal and encoding variants against every stored-file prefix, through the WSGI handler:
  `zhengtong/tests/test_media_door.py` (34 variants × 4 prefixes × 2 users);
- tampering with the audit table in SQL, one test per kind (each column, middle and newest rows
  deleted, the chain recomputed without the key, rows swapped, a forged row):
  `zhengtong/audit/tests/test_tampering.py`, with the checkpoints in `test_checkpoints.py`;
- concurrency on PostgreSQL: `zhengtong/services/tests/test_concurrent_load.py` (16 clerks ×
  80 intakes and 80 approvals), `test_lookup_concurrency.py` (20 lookups, exactly 10 answered),
  `zhengtong/audit/tests/test_concurrent_appends.py`;
- hostile files and bodies: `zhengtong/tests/test_hostile_input.py` (JSON, formulas in
  exports, renamed and bombed xlsx imports) and `test_hostile_uploads.py` (image bombs, renamed
  programs, EXIF);
- login: `zhengtong/accounts/tests/test_login_limits.py`, `test_otp.py`, `test_api_tokens.py`.

This module sweeps what those tables cannot list by hand: every URL the project routes, asked
by an anonymous visitor and by users of each kind with hostile query strings, and every API
endpoint posted hostile bodies. None may answer with a server error, and none may show another
village's resident.
"""

import json
import re

from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from zhengtong.tests.test_media_door import SECRET, DoorTestCase

# Query strings a scanner sends to every page: bad numbers, bad dates, markup, NUL, huge values.
HOSTILE_QUERIES = [
    "page=-1&per_page=100000&sort=;DROP TABLE x&order=__class__&status=%27%22&unit=-1",
    "page=abc&month=2026-13&week=2026-W99&year=0&day=2026-02-30&q=%3Cscript%3Ealert(1)%3C/script%3E",
    "page=1e999&q=%00&id=%00&pk=1e999&year=99999999999999999999&month=0000-00&week=x",
]

# Bodies a scanner posts to every API endpoint.
HOSTILE_BODIES = [
    ("[]", "application/json"),
    ('"text"', "application/json"),
    ("{}", "application/json"),
    ('{"applicant": [], "materials": "x", "item": {"a": 1}}', "application/json"),
    ('{"id_number": "\\u0000", "name": "' + "长" * 5000 + '"}', "application/json"),
    ("{not json", "application/json"),
    ("[" * 100 + "]" * 100, "application/json"),
    ("a=1&b=2", "application/x-www-form-urlencoded"),
]

# Placeholder values for the URL converters: records that do not exist, or wrong shapes.
CONVERTER_VALUES = {"int": "999999", "str": "ZZ-NOPE", "slug": "zz-nope", "path": "zz/nope"}

# /health/ answers 503 by design while a check fails (no worker runs in the tests); its own tests
# (zhengtong/health/tests) feed it bad query strings.
SKIPPED_PREFIXES = ("/admin/", "/media/", "/static/", "/accounts/logout/", "/api/docs/", "/health/")


def routed_paths() -> list[str]:
    """One concrete path per URL pattern of the project, with placeholder arguments."""
    paths: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                paths.append(prefix + route)

    walk(get_resolver().url_patterns, "/")

    def concrete(route: str) -> str:
        route = route.lstrip("^").rstrip("$")

        def value(match: re.Match) -> str:
            converter = match.group(1) or "str"
            return CONVERTER_VALUES.get(converter, "ZZ")

        return re.sub(r"<(?:(\w+):)?\w+>", value, route)

    unique = sorted({concrete(p) for p in paths})
    return [p for p in unique if not p.startswith(SKIPPED_PREFIXES) and "(?P" not in p]


@override_settings(PUBLIC_LOOKUP_LIMIT=100000)
class SweepTestCase(DoorTestCase):
    def users(self) -> list:
        """Anonymous, then users whose pages read the most: a leader, the project office, a
        department clerk, the auditor and a village worker. (The permission matrix asks every
        role of every URL; this sweep is about what hostile input does.)"""
        return [None, self.leader, self.office, self.clerk, self.auditor, self.east_worker]

    def login(self, user) -> None:
        self.client.logout()
        if user is not None:
            self.client.force_login(user)

    def test_the_sweep_reaches_every_module(self) -> None:
        paths = routed_paths()
        self.assertGreater(len(paths), 150)
        for prefix in ("/projects/", "/services/", "/population/", "/livelihood/", "/welfare/"):
            with self.subTest(prefix=prefix):
                self.assertTrue(any(p.startswith(prefix) for p in paths))
        self.assertTrue(any(p.startswith("/api/v1/") for p in paths))

    def test_no_page_answers_a_hostile_query_string_with_a_server_error(self) -> None:
        paths = [p for p in routed_paths() if not p.startswith("/api/")]
        for user in self.users():
            self.login(user)
            for path in paths:
                for query in HOSTILE_QUERIES:
                    with self.subTest(user=str(user), url=f"{path}?{query}"):
                        response = self.client.get(f"{path}?{query}")
                        self.assertLess(response.status_code, 500)
                        self.assertNotIn(SECRET, response.content)

    def test_no_api_endpoint_answers_a_hostile_request_with_a_server_error(self) -> None:
        paths = [p for p in routed_paths() if p.startswith("/api/")]
        for user in (None, self.office, self.east_worker, self.clerk):
            self.login(user)
            for path in paths:
                for query in HOSTILE_QUERIES[:2]:
                    with self.subTest(user=str(user), get=f"{path}?{query}"):
                        self.assertLess(self.client.get(f"{path}?{query}").status_code, 500)
                for body, content_type in HOSTILE_BODIES:
                    for method in (self.client.post, self.client.put, self.client.patch):
                        with self.subTest(user=str(user), url=path, body=body[:40]):
                            response = method(path, body, content_type=content_type)
                            self.assertLess(response.status_code, 500)
                            if response.status_code == 400 and response.get(
                                "Content-Type", ""
                            ).startswith("application/json"):
                                detail = json.dumps(response.json(), ensure_ascii=False)
                                self.assertRegex(detail, r"[\u4e00-\u9fff]")

    def test_a_village_worker_sees_no_other_village_resident_on_any_page(self) -> None:
        """东村's resident 张丽 appears on no page 西村's worker can open."""
        self.login(self.west_worker)
        for path in routed_paths():
            with self.subTest(url=path):
                response = self.client.get(path)
                self.assertLess(response.status_code, 500)
                self.assertNotIn(self.east_woman.id_number.encode(), response.content)
                if response.status_code == 200:
                    self.assertNotIn("张丽", response.content.decode("utf-8", "replace"))
