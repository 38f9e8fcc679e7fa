"""重点项目月报 (RD1) on the demo: the cockpit's figures for any month, and the PDF's text
equal to the stored golden file (`golden/monthly_report_2026-10.txt`).

After a deliberate change of the report, write the file again with
`ZT_UPDATE_GOLDEN=1 pytest zhengtong/projects/tests/test_monthly_report.py` and review its diff.
"""

import os
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import time_machine
from django.test import TestCase

from zhengtong.accounts.models import User
from zhengtong.demo.testing import DEMO_AT, seed_demo

URL = "/projects/monthly-report/"
PDF = "/projects/monthly-report/pdf/"
GOLDEN = Path(__file__).parent / "golden" / "monthly_report_2026-10.txt"


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        out = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True)
    return out.stdout.decode()


@time_machine.travel(DEMO_AT, tick=False)
class MonthlyReportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo()
        cls.leader = User.objects.get(username="leader")
        cls.office = User.objects.get(username="office")

    def test_the_due_month_has_the_cockpits_figures(self) -> None:
        self.client.force_login(self.leader)
        cockpit = self.client.get("/projects/cockpit/data/").json()
        self.assertEqual((cockpit["year"], cockpit["month"]), (2026, 10))
        r = self.client.get(URL)  # no month: the month the cockpit shows
        self.assertEqual(r.status_code, 200)
        raw = r.context["report"]["raw"]
        self.assertEqual((raw["year"], raw["month"]), (2026, 10))
        self.assertEqual(raw["count"], cockpit["count"])
        for key in ("total_investment", "annual_plan", "ytd_investment"):
            self.assertEqual(raw[key], Decimal(cockpit[key]), key)
        self.assertEqual(raw["flags"], cockpit["flags"])
        self.assertEqual(raw["by_class"], cockpit["by_class"])
        self.assertEqual(
            [(s["code"], s["count"]) for s in raw["by_sector"]],
            [(s["code"], s["count"]) for s in cockpit["by_sector"]],
        )
        self.assertEqual(
            [(s["name"], s["count"]) for s in raw["by_leader"]],
            [(s["name"], s["count"]) for s in cockpit["by_leader"]],
        )
        self.assertContains(r, "共 44 个项目,总投资 658.00亿元,年度计划投资 117.00亿元")

    def test_an_earlier_month_counts_to_that_month(self) -> None:
        self.client.force_login(self.office)
        march = self.client.get(URL, {"month": "2026-03"}).context["report"]
        october = self.client.get(URL, {"month": "2026-10"}).context["report"]
        self.assertEqual(march["raw"]["month"], 3)
        self.assertEqual(len(march["monthly"]), 3)
        self.assertLess(march["raw"]["ytd_investment"], october["raw"]["ytd_investment"])
        self.assertEqual(march["raw"]["annual_plan"], october["raw"]["annual_plan"])

    def test_the_pdf_text_equals_the_golden_file(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get(PDF, {"month": "2026-10"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        text = pdf_text(r.content)
        if os.environ.get("ZT_UPDATE_GOLDEN") == "1":
            GOLDEN.parent.mkdir(exist_ok=True)
            GOLDEN.write_text(text, encoding="utf-8")
        self.assertEqual(text, GOLDEN.read_text(encoding="utf-8"))

    def test_a_month_not_yet_due_and_bad_input_are_400(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(URL, {"month": "2026-11"})
        self.assertContains(r, "2026年11月的月报尚未到报送期", status_code=400)
        self.assertContains(r, "最近可查看2026年10月", status_code=400)
        self.assertEqual(self.client.get(PDF, {"month": "2026-11"}).status_code, 400)
        self.assertEqual(self.client.get(URL, {"month": "2026-13"}).status_code, 400)
        self.assertEqual(self.client.get(PDF, {"month": "abc"}).status_code, 400)

    def test_a_year_without_a_list_says_so(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(URL, {"month": "2019-05"})
        self.assertContains(r, "2019 年没有已批准的重点项目清单")

    def test_only_leaders_and_the_office_may_read_it(self) -> None:
        self.assertEqual(self.client.get(URL).status_code, 302)
        self.client.force_login(User.objects.get(username="civil"))
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(self.client.get(PDF).status_code, 403)
