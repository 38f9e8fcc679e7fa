"""The printed documents: 一次性告知书, 《办证服务告知书》, the certificate and the 受理回执.

Each is a PDF with a Noto CJK font embedded (pdffonts) and its Chinese text present
(pdftotext); poppler-utils must be installed, otherwise these tests fail.
"""

import datetime
from unittest import mock

import time_machine

from zhengtong.lib.tests.test_pdf import embedded_cjk_fonts, pdf_text
from zhengtong.services import certificates
from zhengtong.services.actions.decisions import application_approve
from zhengtong.services.actions.handling import application_supplement
from zhengtong.services.actions.intake import application_intake
from zhengtong.services.models import Application
from zhengtong.test import make_id_number

from .fixtures import PageTestCase


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class DocumentsTestCase(PageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.number = make_id_number(datetime.date(1990, 1, 1), female=False, seq=7)
        # Married, local: id card, marriage certificate and hukou book; only the id card given.
        self.case = application_intake(
            actor=self.clerk_a,
            item_code="TEST-SYDJ",
            applicant={"name": "刘小梅", "id_number": self.number, "phone": "13912345678"},
            materials=["id_card"],
            situation={"hukou": "local", "marital_status": "married", "child_order": 2},
        )
        self.client.force_login(self.clerk_a)

    def get_pdf(self, url: str) -> bytes:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        content = response.content
        self.assertTrue(content.startswith(b"%PDF-"))
        self.assertTrue(embedded_cjk_fonts(content), "no embedded Noto CJK font")
        return content

    def url(self, name: str) -> str:
        return f"/services/{self.case.receipt_no}/{name}"

    def test_the_notice_lists_every_missing_material_with_its_legal_basis(self) -> None:
        notice = self.case.notices.get()
        text = pdf_text(self.get_pdf(self.url(f"notices/{notice.pk}.pdf")))
        flat = "".join(text.split())
        self.assertIn("一次性告知书", flat)
        self.assertIn("结婚证", flat)
        self.assertIn("户口簿", flat)
        self.assertNotIn("居住证", flat)  # floating-population material, not this situation
        self.assertIn("行政许可法》第三十二条", flat)
        self.assertIn(self.case.receipt_no, flat)
        self.assertIn("张敏", flat)
        self.assertIn("刘集镇便民服务中心", flat)
        self.assertIn("刘小梅", flat)
        self.assertNotIn(self.number, flat)
        self.assertIn(self.number[:6] + "********" + self.number[-4:], flat)

    def test_the_service_notice_follows_the_applicants_situation(self) -> None:
        """Same situation, same list; a floating applicant is asked for 居住证 instead."""
        flat = "".join(pdf_text(self.get_pdf(self.url("service-notice.pdf"))).split())
        self.assertIn("办证服务告知书", flat)
        self.assertIn("本地户籍,已婚,第二孩", flat)
        for text in ("夫妻双方居民身份证", "结婚证", "户口簿", "窗口审核", "5个工作日", "不收费"):
            self.assertIn(text, flat)
        self.assertNotIn("居住证", flat)
        self.assertIn("13800001111", flat)  # the first-responsible clerk's contact

        preview = self.get_pdf(
            "/services/new/service-notice.pdf?item=TEST-SYDJ&hukou=floating&marital_status=married"
        )
        flat = "".join(pdf_text(preview).split())
        self.assertIn("居住证", flat)
        self.assertNotIn("户口簿", flat)

    def test_the_receipt_says_received_until_accepted_then_accepted_with_due_date(self) -> None:
        flat = "".join(pdf_text(self.get_pdf(self.url("receipt.pdf"))).split())
        self.assertIn("收件回执", flat)
        application_supplement(
            actor=self.clerk_a, application=self.case, materials=["marriage", "hukou_book"]
        )
        self.case.refresh_from_db()
        flat = "".join(pdf_text(self.get_pdf(self.url("receipt.pdf"))).split())
        self.assertIn("受理回执", flat)
        self.assertIn(
            f"{self.case.due_on.year}年{self.case.due_on.month}月{self.case.due_on.day}日", flat
        )
        self.assertIn("结婚证", flat)

    def test_the_certificate_exists_for_approved_cases_only(self) -> None:
        self.assertEqual(self.client.get(self.url("certificate.pdf")).status_code, 404)
        application_supplement(
            actor=self.clerk_a, application=self.case, materials=["marriage", "hukou_book"]
        )
        application_approve(actor=self.clerk_a, application=self.case)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Application.Status.APPROVED)
        flat = "".join(pdf_text(self.get_pdf(self.url("certificate.pdf"))).split())
        self.assertIn("生育服务证", flat)
        self.assertIn(self.case.certificate_no, flat)
        self.assertIn("刘小梅", flat)
        self.assertIn(self.number[:6] + "********" + self.number[-4:], flat)
        self.assertNotIn(self.number, flat)

    def test_the_qr_codes_open_the_verification_and_the_lookup(self) -> None:
        application_supplement(
            actor=self.clerk_a, application=self.case, materials=["marriage", "hukou_book"]
        )
        application_approve(actor=self.clerk_a, application=self.case)
        self.case.refresh_from_db()
        with mock.patch.object(certificates, "qr_data_uri", wraps=certificates.qr_data_uri) as qr:
            self.get_pdf(self.url("certificate.pdf"))
            self.get_pdf(self.url("receipt.pdf"))
        verify = f"http://testserver/public/verify/?no={self.case.certificate_no}"
        lookup = f"http://testserver/public/lookup/?receipt_no={self.case.receipt_no}"
        self.assertEqual([c.args[0] for c in qr.call_args_list], [verify, lookup])
        # The certificate's QR opens a page that confirms the certificate.
        self.client.logout()
        r = self.client.get(verify)
        self.assertContains(r, "该证件真实有效")
        self.assertContains(r, self.case.certificate_no)
        self.assertNotContains(r, "刘小梅")

    def test_documents_of_another_township_are_not_found(self) -> None:
        self.client.force_login(self.other_clerk)
        notice = self.case.notices.get()
        for name in ("receipt.pdf", "service-notice.pdf", f"notices/{notice.pk}.pdf"):
            self.assertEqual(self.client.get(self.url(name)).status_code, 404)

    def test_a_village_worker_and_an_anonymous_visitor_get_no_document(self) -> None:
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url("receipt.pdf")).status_code, 404)
        self.assertEqual(
            self.client.get("/services/new/service-notice.pdf?item=TEST-SYDJ").status_code, 403
        )
        self.client.logout()
        response = self.client.get(self.url("receipt.pdf"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
