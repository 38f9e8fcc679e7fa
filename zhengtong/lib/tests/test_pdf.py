"""render_pdf: a template becomes a PDF with the Noto CJK fonts embedded and its Chinese text
extractable. The checks use poppler-utils (pdffonts, pdftotext); without them the tests fail."""

import subprocess
import tempfile

from django.test import SimpleTestCase

from zhengtong.lib.pdf import local_fetcher, pdf_response, render_pdf


def pdf_fonts(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        return subprocess.run(
            ["pdffonts", f.name], check=True, capture_output=True, text=True
        ).stdout


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        return subprocess.run(
            ["pdftotext", "-layout", f.name, "-"], check=True, capture_output=True, text=True
        ).stdout


def embedded_cjk_fonts(content: bytes) -> list[str]:
    """Names of the Noto CJK fonts pdffonts lists as embedded ("emb" column is "yes")."""
    names = []
    for line in pdf_fonts(content).splitlines()[2:]:
        cols = line.split()
        if cols and "CJK" in cols[0] and "yes" in cols[-5:-2]:
            names.append(cols[0])
    return names


class RenderPdfTestCase(SimpleTestCase):
    def test_it_embeds_a_noto_cjk_font_and_keeps_the_chinese_text(self) -> None:
        """The service-notice template with a minimal context is a real PDF whose Chinese
        text survives extraction and whose CJK font travels inside the file."""
        content = render_pdf(
            "documents/service_notice.html",
            {
                "hall_name": "刘集镇便民服务中心",
                "applicant_name": "测试人",
                "item_name": "生育登记",
                "materials": [],
                "steps": ["提交材料", "审核"],
                "promised_workdays": 5,
                "fee": "不收费",
                "clerk_name": "张红",
            },
        )
        self.assertTrue(content.startswith(b"%PDF-"))
        fonts = embedded_cjk_fonts(content)
        self.assertTrue(any(n.split("+")[-1].startswith("Noto") for n in fonts), fonts)
        text = pdf_text(content)
        self.assertIn("办证服务告知书", text)
        self.assertIn("刘集镇便民服务中心", text)
        self.assertIn("5 个工作日", text)

    def test_it_refuses_to_fetch_anything_over_the_network(self) -> None:
        """A document never loads a URL from outside the checkout."""
        with self.assertRaises(ValueError):
            local_fetcher().fetch("http://127.0.0.1:1/x.png")

    def test_the_response_is_an_inline_pdf_with_a_chinese_filename(self) -> None:
        response = pdf_response(b"%PDF-1.7", "一次性告知书-LJ1.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response["Content-Disposition"].startswith("inline"))
        self.assertIn("filename*=utf-8''", response["Content-Disposition"])
