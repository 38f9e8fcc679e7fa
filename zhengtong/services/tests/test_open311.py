"""The Open311 GeoReport v2 style feed: its shape field by field, its filters, its bounds, and
that no personal data leaves through it."""

import datetime
import json
import re

import time_machine
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from zhengtong.demo.testing import DEMO_AT, seed_demo
from zhengtong.services.models import Application, ServiceItem

from .fixtures import SHANGHAI, PublicTestCase, at

S = Application.Status
SERVICES = "/api/v1/open311/services.json"
REQUESTS = "/api/v1/open311/requests.json"
W3 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "requested_datetime", "updated_datetime", "expected_datetime", "agency_responsible",
}  # fmt: skip


@time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI), tick=False)
class Open311TestCase(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.open_case = self.make_case(received_at=at(2026, 11, 2, 9, 30))
        self.closed_case = self.make_case(
            received_at=at(2026, 11, 3), status=S.APPROVED, finished_at=at(2026, 11, 6),
            decision_note="张三丰 材料齐全,准予办理。",
        )  # fmt: skip
        self.old_case = self.make_case(received_at=at(2026, 8, 1))
        self.inactive = ServiceItem.objects.create(
            code="T-OLD", name="停用事项", department="刘集镇计生办", legal_basis="无",
            procedure=[], promised_workdays=5, is_active=False,
        )  # fmt: skip

    def test_the_catalog_lists_active_items_with_georeport_fields(self) -> None:
        r = self.client.get(SERVICES)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/json")
        services = r.json()
        self.assertIsInstance(services, list)
        codes = [s["service_code"] for s in services]
        self.assertIn("T-SYZ", codes)
        self.assertNotIn("T-OLD", codes)
        item = next(s for s in services if s["service_code"] == "T-SYZ")
        self.assertEqual(
            item,
            {
                "service_code": "T-SYZ",
                "service_name": "测试生育服务证",
                "description": "测试生育服务证:承办机构刘集镇计生办,承诺 5 个工作日办结,不收费。",
                "metadata": False,
                "type": "batch",
                "keywords": "刘集镇计生办,3号窗口,生育服务证",
                "group": "刘集镇计生办",
            },
        )

    def test_requests_have_the_georeport_fields_and_nothing_else(self) -> None:
        r = self.client.get(REQUESTS, {"start_date": "2026-11-01", "end_date": "2026-11-30"})
        self.assertEqual(r.status_code, 200)
        rows = r.json()
        self.assertEqual(r["X-Total-Count"], "2")
        self.assertEqual([row["service_request_id"] for row in rows],
                         [self.closed_case.receipt_no, self.open_case.receipt_no])  # fmt: skip
        for row in rows:
            self.assertEqual(set(row), REQUEST_FIELDS)
            self.assertIn(row["status"], ("open", "closed"))
            self.assertRegex(row["requested_datetime"], W3)
            self.assertRegex(row["updated_datetime"], W3)
        closed, opened = rows
        self.assertEqual(
            opened,
            {
                "service_request_id": self.open_case.receipt_no,
                "status": "open",
                "status_notes": "已受理",
                "service_name": "测试生育服务证",
                "service_code": "T-SYZ",
                "requested_datetime": "2026-11-02T09:30:00+08:00",
                "updated_datetime": opened["updated_datetime"],
                "expected_datetime": "2026-11-09T23:59:59+08:00",
                "agency_responsible": "刘集镇便民服务中心",
            },
        )
        self.assertEqual((closed["status"], closed["status_notes"]), ("closed", "已办结"))

    def test_no_personal_data_appears(self) -> None:
        r = self.client.get(REQUESTS, {"start_date": "2026-09-10"})
        body = r.content.decode()
        person = self.person
        for secret in (person.name, person.id_number, person.phone, "13812345678", "张三丰",
                       person.id_number[-4:] + '"'):  # fmt: skip
            self.assertNotIn(secret, body)
        self.assertNotIn("准予办理", body)  # the clerk's free-text note stays inside
        self.assertFalse(re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", body))
        self.assertFalse(re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", body))

    def test_filters_by_status_and_service_code(self) -> None:
        params = {"start_date": "2026-11-01", "end_date": "2026-11-30"}
        rows = self.client.get(REQUESTS, {**params, "status": "open"}).json()
        self.assertEqual([r["service_request_id"] for r in rows], [self.open_case.receipt_no])
        rows = self.client.get(REQUESTS, {**params, "status": "closed"}).json()
        self.assertEqual([r["service_request_id"] for r in rows], [self.closed_case.receipt_no])
        rows = self.client.get(REQUESTS, {**params, "status": "open,closed"}).json()
        self.assertEqual(len(rows), 2)
        rows = self.client.get(REQUESTS, {**params, "service_code": "T-OLD"}).json()
        self.assertEqual(rows, [])

    def test_without_dates_it_answers_the_last_90_days(self) -> None:
        ids = [r["service_request_id"] for r in self.client.get(REQUESTS).json()]
        self.assertIn(self.open_case.receipt_no, ids)
        self.assertNotIn(self.old_case.receipt_no, ids)  # 2026-08-01: more than 90 days ago

    def test_bad_input_is_a_clear_400(self) -> None:
        cases = [
            ({"start_date": "11/01/2026"}, "start_date:请使用 ISO 8601 格式"),
            ({"end_date": "2026-13-01"}, "end_date:请使用 ISO 8601 格式"),
            ({"start_date": "2026-11-10", "end_date": "2026-11-01"}, "不能早于 start_date"),
            ({"start_date": "2026-01-01", "end_date": "2026-11-30"}, "一次最多查询 90 天"),
            ({"status": "pending"}, "status:只能是 open 或 closed"),
            ({"service_code": "NOPE"}, "service_code:没有这个服务事项(NOPE)"),
            ({"page_size": "1000"}, "page_size:不能超过 100"),
            ({"page": "0"}, "page:须为正整数"),
            ({"page": "x"}, "page:须为正整数"),
            ({"page": "9"}, "page:超出范围"),
        ]
        for params, message in cases:
            with self.subTest(params=params):
                r = self.client.get(REQUESTS, params)
                self.assertEqual(r.status_code, 400)
                self.assertIn(message, r.json()["detail"])

    def test_pages_are_bounded_and_linked(self) -> None:
        for day in range(4, 9):
            self.make_case(received_at=at(2026, 11, day))
        params = {"start_date": "2026-11-01", "end_date": "2026-11-30", "page_size": "3"}
        first = self.client.get(REQUESTS, params)
        self.assertEqual(len(first.json()), 3)
        self.assertEqual(first["X-Total-Count"], "7")
        self.assertIn('page=2>; rel="next"', first["Link"])
        last = self.client.get(REQUESTS, {**params, "page": "3"})
        self.assertEqual(len(last.json()), 1)
        self.assertIn('rel="prev"', last["Link"])
        self.assertNotIn('rel="next"', last["Link"])

    def test_a_page_costs_the_same_queries_however_many_rows(self) -> None:
        params = {"start_date": "2026-11-01", "end_date": "2026-11-30"}
        self.client.get(SERVICES)  # the window's first hit also prunes old counters
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(len(self.client.get(REQUESTS, params).json()), 2)
        for day in range(4, 12):
            self.make_case(received_at=at(2026, 11, day))
        with CaptureQueriesContext(connection) as many:
            self.assertEqual(len(self.client.get(REQUESTS, params).json()), 10)
        self.assertEqual(len(many), len(few))

    @override_settings(OPEN311_LIMIT=2)
    def test_it_is_throttled_per_client(self) -> None:
        self.assertEqual(self.client.get(SERVICES).status_code, 200)
        self.assertEqual(self.client.get(REQUESTS).status_code, 200)
        r = self.client.get(REQUESTS)
        self.assertEqual(r.status_code, 429)
        self.assertEqual(r.json()["detail"], "请求过于频繁,请稍后再试。")
        other = self.client.get(SERVICES, REMOTE_ADDR="10.0.0.9")
        self.assertEqual(other.status_code, 200)

    def test_it_needs_no_login_and_ignores_a_session(self) -> None:
        self.assertEqual(self.client.get(REQUESTS).status_code, 200)
        self.client.force_login(self.clerk_a)
        self.assertEqual(self.client.get(REQUESTS).status_code, 200)
        self.assertEqual(self.client.post(REQUESTS).status_code, 405)


@time_machine.travel(DEMO_AT, tick=False)
class Open311DemoTestCase(TestCase):
    """On the demo: no applicant's name, phone or ID number appears in any page of the feed."""

    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo()

    def test_the_demo_feed_carries_no_applicant_data(self) -> None:
        cases = Application.objects.select_related("applicant")
        secrets = set()
        for case in cases:
            secrets |= {case.applicant.name, case.applicant.id_number, case.applicant_phone}
            if case.applicant.phone:
                secrets.add(case.applicant.phone)
        self.assertGreater(len(secrets), 10)
        body = self.client.get(SERVICES).content.decode()
        start = (DEMO_AT - datetime.timedelta(days=89)).date()
        seen = 0
        with override_settings(OPEN311_LIMIT=1000):
            for page in range(1, 100):
                r = self.client.get(
                    REQUESTS, {"start_date": start.isoformat(), "page_size": 100, "page": page}
                )
                self.assertEqual(r.status_code, 200)
                rows = r.json()
                seen += len(rows)
                body += r.content.decode()
                if "next" not in r.get("Link", ""):
                    break
        self.assertGreater(seen, 0)
        self.assertEqual(seen, int(r["X-Total-Count"]))
        found = sorted(s for s in secrets if s and s in body)
        self.assertEqual(found, [])
        json.loads(r.content)
