"""证件核验: the public page that checks a certificate number, and the QR codes printed on the
certificate (opens the verification) and the receipt (opens the lookup with its number)."""

import datetime
from urllib.parse import parse_qs, urlsplit

import segno
import time_machine
from django.test import override_settings

from zhengtong.audit.actions import seal_pending
from zhengtong.audit.models import Event
from zhengtong.services import certificates
from zhengtong.services.models import Application

from .fixtures import SHANGHAI, PublicTestCase, at


@time_machine.travel(datetime.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI), tick=False)
class VerifyTestCase(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.make_case(
            status=Application.Status.APPROVED,
            finished_at=at(2026, 11, 6),
            certificate_no="TSYZ-2026-000123",
        )

    def get(self, no, ip="10.2.2.2"):
        return self.client.get("/public/verify/", {"no": no}, REMOTE_ADDR=ip)

    def test_the_form_opens_without_login_and_counts_nothing(self) -> None:
        r = self.client.get("/public/verify/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "证件编号")
        self.assertFalse(Event.objects.filter(action="certificate_verify").exists())

    def test_a_real_number_shows_what_the_certificate_shows_masked(self) -> None:
        r = self.get("tsyz-2026-000123")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "该证件真实有效")
        self.assertContains(r, "生育服务证")
        self.assertContains(r, "TSYZ-2026-000123")
        self.assertContains(r, "张**")
        self.assertContains(r, "2026-11-06")
        html = r.content.decode()
        self.assertNotIn("张三丰", html)
        self.assertNotIn(self.person.id_number, html)
        self.assertNotIn(self.person.id_number[-4:], html)
        self.assertNotIn("5678", html)
        seal_pending()
        event = Event.objects.get(action="certificate_verify")
        self.assertEqual(event.changes, {"found": True})

    def test_an_unknown_number_and_a_case_not_approved_are_not_found(self) -> None:
        self.make_case(status=Application.Status.REFUSED, certificate_no="TSYZ-2026-000999")
        for no in ("TSYZ-2026-000124", "TSYZ-2026-000999"):
            r = self.get(no)
            self.assertEqual(r.status_code, 404)
            self.assertContains(r, "未找到该编号的证件", status_code=404)
            self.assertNotContains(r, "真实有效", status_code=404)

    def test_bad_input_is_refused_in_chinese_without_a_lookup(self) -> None:
        for no in ("", "TSYZ 2026", "<script>", "X" * 41):
            r = self.get(no)
            self.assertEqual(r.status_code, 400, no)
            self.assertContains(r, "证件编号:", status_code=400)
        self.assertFalse(Event.objects.filter(action="certificate_verify").exists())

    @override_settings(CERTIFICATE_VERIFY_LIMIT=3)
    def test_each_address_is_limited_and_others_are_not(self) -> None:
        for _ in range(3):
            self.assertEqual(self.get("TSYZ-2026-000124").status_code, 404)
        r = self.get("TSYZ-2026-000123")
        self.assertEqual(r.status_code, 429)
        self.assertContains(r, "查询过于频繁", status_code=429)
        self.assertNotContains(r, "真实有效", status_code=429)
        self.assertEqual(self.get("TSYZ-2026-000123", ip="10.3.3.3").status_code, 200)


class QrTestCase(PublicTestCase):
    def test_the_certificate_qr_encodes_the_verification_of_its_number(self) -> None:
        self.make_case(status=Application.Status.APPROVED, certificate_no="TSYZ-2026-000123")
        path = certificates.verify_path("TSYZ-2026-000123")
        parts = urlsplit(path)
        self.assertEqual(parts.path, "/public/verify/")
        self.assertEqual(parse_qs(parts.query), {"no": ["TSYZ-2026-000123"]})
        r = self.client.get(path)
        self.assertContains(r, "该证件真实有效")

    def test_the_receipt_qr_opens_the_lookup_with_the_number_filled_in(self) -> None:
        path = certificates.lookup_path("LIUJI2026000001")
        r = self.client.get(path)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'value="LIUJI2026000001"')
        self.assertNotContains(r, "未找到")
        self.assertFalse(Event.objects.filter(action="public_lookup").exists())

    def test_the_qr_matrix_holds_the_url(self) -> None:
        url = "http://testserver" + certificates.verify_path("TSYZ-2026-000123")
        code = segno.make(url, error="m")
        self.assertEqual(certificates.qr_data_uri(url), code.svg_data_uri(scale=3))
        other = segno.make(url.replace("123", "124"), error="m")
        self.assertNotEqual(list(code.matrix), list(other.matrix))
