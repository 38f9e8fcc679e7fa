import datetime
import re

import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import RateCounter
from zhengtong.audit.actions import seal_pending
from zhengtong.audit.models import Event
from zhengtong.services.models import Application, Rating

from .fixtures import SHANGHAI, PublicTestCase, at

ID_18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
PHONE_11 = re.compile(r"(?<![0-9])1[0-9]{10}(?![0-9])")
CSRF = re.compile(r'"X-CSRFToken": "[^"]*"')


def scrub(response, *echoed: str) -> str:
    html = CSRF.sub("", response.content.decode())
    for text in echoed:
        html = html.replace(text, "")
    return html


@time_machine.travel(datetime.datetime(2026, 11, 4, 9, 0, tzinfo=SHANGHAI), tick=False)
class LookupTestCase(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.make_case(receipt_no="LIUJI202611020001")

    def get(self, receipt_no="LIUJI202611020001", last4="5678", ip="10.1.1.1"):
        return self.client.get(
            "/public/lookup/", {"receipt_no": receipt_no, "phone_last4": last4}, REMOTE_ADDR=ip
        )

    def get_json(self, receipt_no="LIUJI202611020001", last4="5678", ip="10.1.1.1"):
        return self.client.get(
            "/public/lookup.json", {"receipt_no": receipt_no, "phone_last4": last4}, REMOTE_ADDR=ip
        )

    def test_the_form_page_opens_without_login(self) -> None:
        r = self.client.get("/public/lookup/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "手机号后四位")
        self.assertFalse(Event.objects.filter(action="public_lookup").exists())

    def test_the_right_proof_shows_status_due_date_and_the_first_responders_card(self) -> None:
        r = self.get()
        self.assertEqual(r.status_code, 200)
        for text in ["已受理", "2026-11-09", "张敏", "计生服务岗", "3号窗口", "LJ-003", "张**"]:
            self.assertContains(r, text)
        html = r.content.decode()
        self.assertNotIn("张三丰", html)
        self.assertNotIn(self.person.id_number, html)
        self.assertEqual(ID_18.findall(html), [])
        self.assertEqual(PHONE_11.findall(html), [])

    def test_the_json_answer_has_the_card_and_no_personal_data(self) -> None:
        r = self.get_json(receipt_no="liuji202611020001")
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual(data["status"], "accepted")
        self.assertEqual(data["due_on"], "2026-11-09")
        self.assertEqual(data["applicant"], "张**")
        self.assertEqual(
            data["first_responder"],
            {
                "name": "张敏",
                "post": "计生服务岗",
                "window": "3号窗口",
                "staff_no": "LJ-003",
                "photo_url": None,
            },
        )
        self.assertEqual(data["due_state"]["state"], "normal")
        body = r.content.decode()
        self.assertNotIn(self.person.id_number, body)
        self.assertNotIn("13812345678", body)
        self.assertNotIn("张三丰", body)

    def test_a_wrong_phone_gets_exactly_the_answer_of_an_unknown_number(self) -> None:
        wrong_phone = self.get_json(last4="0000")
        unknown = self.get_json(receipt_no="LIUJI209901010001")
        self.assertEqual(wrong_phone.status_code, 404)
        self.assertEqual(wrong_phone.status_code, unknown.status_code)
        self.assertEqual(wrong_phone.content, unknown.content)
        self.assertIn("未找到", wrong_phone.json()["detail"])
        page_wrong, page_unknown = self.get(last4="0000"), self.get(receipt_no="LIUJI209901010001")
        self.assertEqual(page_wrong.status_code, page_unknown.status_code)
        # Equal once the echoed input and the per-response CSRF token are taken out.
        self.assertEqual(
            scrub(page_wrong, "0000", "LIUJI202611020001"),
            scrub(page_unknown, "5678", "LIUJI209901010001"),
        )
        self.assertNotContains(page_wrong, "张敏")

    def test_malformed_input_is_refused_with_a_chinese_message_and_not_counted(self) -> None:
        r = self.get_json(last4="56a8")
        self.assertEqual(r.status_code, 400)
        self.assertIn("手机号后四位:请输入 4 位数字。", r.json()["errors"]["phone_last4"])
        page = self.get(last4="12")
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "手机号后四位:请输入 4 位数字。", status_code=400)
        self.assertFalse(Event.objects.filter(action="public_lookup").exists())

    def test_each_lookup_is_recorded_without_the_phone_digits(self) -> None:
        self.get()
        # Written without the chain lock, sealed into the chain by the minute's job.
        self.assertFalse(Event.objects.filter(action="public_lookup").exists())
        self.assertEqual(seal_pending().sealed, 1)
        event = Event.objects.get(action="public_lookup")
        self.assertEqual(event.ip, "10.1.1.1")
        self.assertEqual(event.changes, {"found": True})
        self.assertNotEqual(event.target_type, "services.application")
        self.assertNotIn("5678", str(event.changes) + event.target_repr)

    @override_settings(PUBLIC_LOOKUP_LIMIT=10)
    def test_the_eleventh_lookup_in_ten_minutes_gets_429(self) -> None:
        """Page, JSON and API share one count per client address; other addresses are free."""
        for _n in range(4):
            self.assertEqual(self.get(last4="0000").status_code, 200)
        for _n in range(3):
            self.assertEqual(self.get_json().status_code, 200)
        for _n in range(3):
            api = self.client.get(
                "/api/v1/services/lookup/",
                {"receipt_no": "LIUJI202611020001", "phone_last4": "5678"},
                REMOTE_ADDR="10.1.1.1",
            )
            self.assertEqual(api.status_code, 200)
        r = self.get_json()
        self.assertEqual(r.status_code, 429)
        self.assertEqual(r.json()["detail"], "查询过于频繁,请 10 分钟后再试。")
        page = self.get()
        self.assertContains(page, "查询过于频繁,请 10 分钟后再试。", status_code=429)
        self.assertNotContains(page, "张敏", status_code=429)
        api = self.client.get(
            "/api/v1/services/lookup/",
            {"receipt_no": "LIUJI202611020001", "phone_last4": "5678"},
            REMOTE_ADDR="10.1.1.1",
        )
        self.assertEqual(api.status_code, 429)
        self.assertEqual(self.get_json(ip="10.2.2.2").status_code, 200)
        # Refused attempts are not recorded, so a client cannot fill the audit log.
        seal_pending()
        self.assertEqual(Event.objects.filter(action="public_lookup", ip="10.1.1.1").count(), 10)

    @override_settings(PUBLIC_LOOKUP_LIMIT=3)
    def test_the_throttle_counts_per_address_and_window_without_reading_the_audit_log(
        self,
    ) -> None:
        """The 429 comes from the address's counter: the audit table is never read to decide."""
        audit_table = Event._meta.db_table
        for _n in range(3):
            self.assertEqual(self.get_json().status_code, 200)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.get_json().status_code, 429)
        reads = [q["sql"] for q in queries if audit_table in q["sql"]]
        self.assertEqual(reads, [])
        counter = RateCounter.objects.get(key="public_lookup:10.1.1.1")
        self.assertEqual(counter.count, 4)
        self.assertEqual(
            (counter.window_start.minute, counter.window_end - counter.window_start),
            (0, datetime.timedelta(minutes=10)),
        )
        # Another address has its own counter; the first address stays refused.
        self.assertEqual(self.get_json(ip="10.2.2.2").status_code, 200)
        self.assertEqual(self.get_json().status_code, 429)

    def test_the_limit_lifts_after_ten_minutes(self) -> None:
        for _n in range(10):
            self.get_json(last4="0000")
        self.assertEqual(self.get_json().status_code, 429)
        with time_machine.travel(datetime.datetime(2026, 11, 4, 9, 10, 1, tzinfo=SHANGHAI)):
            self.assertEqual(self.get_json().status_code, 200)

    def test_a_pending_case_says_the_clock_has_not_started(self) -> None:
        Application.objects.filter(pk=self.case.pk).update(
            status=Application.Status.PENDING, accepted_on=None, due_on=None
        )
        data = self.get_json().json()
        self.assertEqual(data["status"], "pending")
        self.assertIsNone(data["due_on"])
        self.assertEqual(data["due_state"]["state"], "unknown")
        self.assertIn("未开始计时", data["due_state"]["message"])
        self.assertFalse(data["can_rate"])


@time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI), tick=False)
class RatingTestCase(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.make_case(
            receipt_no="LIUJI202611020002",
            status=Application.Status.APPROVED,
            finished_at=at(2026, 11, 6),
            certificate_no="TSYZ2026000001",
        )

    def rate(self, level="5", receipt_no="LIUJI202611020002", last4="5678", comment="很好"):
        return self.client.post(
            "/public/lookup/rate/",
            {"receipt_no": receipt_no, "phone_last4": last4, "level": level, "comment": comment},
            REMOTE_ADDR="10.3.3.3",
        )

    def test_the_lookup_of_a_finished_case_offers_the_rating_form(self) -> None:
        r = self.client.get(
            "/public/lookup/", {"receipt_no": "LIUJI202611020002", "phone_last4": "5678"}
        )
        self.assertContains(r, "/public/lookup/rate/")
        self.assertContains(r, "非常不满意")

    def test_a_finished_case_is_rated_once(self) -> None:
        r = self.rate()
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "感谢您的评价")
        rating = Rating.objects.get(application=self.case)
        self.assertEqual((rating.level, rating.comment), (5, "很好"))
        self.assertTrue(Event.objects.filter(action="rating_submitted").exists())
        again = self.rate(level="1")
        self.assertContains(again, "已经评价过", status_code=400)
        self.assertEqual(Rating.objects.get(application=self.case).level, 5)
        lookup = self.client.get(
            "/public/lookup/", {"receipt_no": "LIUJI202611020002", "phone_last4": "5678"}
        )
        self.assertNotContains(lookup, "/public/lookup/rate/")
        self.assertContains(lookup, "非常满意")

    def test_an_unfinished_case_cannot_be_rated(self) -> None:
        Application.objects.filter(pk=self.case.pk).update(
            status=Application.Status.ACCEPTED, finished_at=None, certificate_no=None
        )
        r = self.rate()
        self.assertContains(r, "只能评价已办结的办件。", status_code=400)
        self.assertFalse(Rating.objects.exists())

    def test_a_wrong_phone_cannot_rate_and_learns_nothing(self) -> None:
        r = self.rate(last4="0000")
        self.assertContains(r, "未找到与受理编号和手机号后四位相符的办件", status_code=404)
        self.assertNotContains(r, "张敏", status_code=404)
        self.assertFalse(Rating.objects.exists())

    def test_a_missing_level_is_refused_with_a_chinese_message(self) -> None:
        r = self.rate(level="")
        self.assertContains(r, "评价:请选择一项。", status_code=400)
        self.assertFalse(Rating.objects.exists())

    def test_a_bad_rating_tells_the_applicant_about_the_callback(self) -> None:
        r = self.rate(level="1")
        self.assertContains(r, "15 个工作日内回访")
        self.assertTrue(Rating.objects.get(application=self.case).is_bad)
