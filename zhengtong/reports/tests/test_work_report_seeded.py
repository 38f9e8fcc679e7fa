"""The work report, its text and PDF versions, the cockpit and the summary API on the demo data.

The demo is built once per test run (zhengtong.demo.testing) and copied in for the class;
every test reads it.
"""

import datetime
import shutil
import subprocess
import tempfile
from zoneinfo import ZoneInfo

import time_machine
from django.test import TestCase, override_settings

from zhengtong.accounts.models import User
from zhengtong.demo.testing import seed_demo
from zhengtong.reports.models import ReportFile
from zhengtong.reports.tasks import make_work_report_pdf

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
YEAR = NOW.year
SEED_FIGURES = {
    "new_urban_jobs": 590,
    "reemployed_hard_to_employ": 40,
    "rural_labour_transferred": 223,
    "guaranteed_loans_yuan": "3300000.00",
    "internship_bases_new": 4,
    "training_classes": 2,
    "trainees": 350,
    "schools_inspected": 43,
    "relief_households": 35,
    "relief_orphans": 17,
    "relief_total_yuan": "71000.00",
}
SEED_SENTENCES = [
    "城镇新增就业人员590 人",
    "就业困难人员再就业40 人",
    "新增农村劳动力转移就业223 人",
    "小额担保贷款330 万元",
    "就业见习基地4 个",
    "培训班2 期",
    "培训各类人员350 名",
    "对全区43 所",
    "共对全区35 名困难家庭和17 名孤儿给予救助,共发放救助金7.1 万元",
]


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        out = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, check=True)
        fonts = subprocess.run(["pdffonts", f.name], capture_output=True, check=True)
    return out.stdout.decode(), fonts.stdout.decode()


@time_machine.travel(NOW, tick=False)
class SeededReportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo(at=NOW)
        cls.leader = User.objects.get(username="leader")
        cls.civil = User.objects.get(username="civil")
        cls.social = User.objects.get(username="social")

    def summary(self, user, year=YEAR):
        self.client.force_login(user)
        return self.client.get(f"/api/v1/livelihood/summary/?year={year}")

    # --- API ----------------------------------------------------------------------------------

    def test_a_leader_gets_exactly_the_seed_figures_of_the_demo_year(self) -> None:
        r = self.summary(self.leader)
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual(
            set(data), {*SEED_FIGURES, "unemployment_rate"}, "exactly the documented keys"
        )
        for key, value in SEED_FIGURES.items():
            self.assertEqual(data[key], value, key)
        self.assertLess(float(data["unemployment_rate"]), 3.0)

    def test_a_civil_affairs_clerk_sees_relief_but_no_jobs(self) -> None:
        data = self.summary(self.civil).json()
        self.assertEqual(data["new_urban_jobs"], 0)
        self.assertEqual(data["schools_inspected"], 0)
        self.assertEqual(data["guaranteed_loans_yuan"], "0.00")
        self.assertEqual(data["relief_households"], 35)
        self.assertEqual(data["relief_total_yuan"], "71000.00")

    def test_a_social_affairs_clerk_sees_jobs_but_no_relief(self) -> None:
        data = self.summary(self.social).json()
        self.assertEqual(data["new_urban_jobs"], 590)
        self.assertEqual(data["trainees"], 350)
        self.assertEqual(data["relief_households"], 0)
        self.assertEqual(data["relief_orphans"], 0)
        self.assertEqual(data["relief_total_yuan"], "0.00")

    def test_another_year_has_none_of_the_demo_records(self) -> None:
        data = self.summary(self.leader, YEAR - 1).json()
        self.assertEqual(data["new_urban_jobs"], 0)
        self.assertEqual(data["relief_total_yuan"], "0.00")

    # --- pages --------------------------------------------------------------------------------

    def test_the_work_report_states_the_seed_figures_each_linked_to_its_records(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(f"/reports/work-report/?year={YEAR}")
        self.assertEqual(r.status_code, 200)
        html = r.content.decode()
        self.assertIn(f"{YEAR} 年", html)
        self.assertIn(
            f'href="/livelihood/employment/?year={YEAR}&amp;status=new_urban">590 人', html
        )
        self.assertIn(f'href="/livelihood/loans/?year={YEAR}">330 万元', html)
        self.assertIn(">43 所</a>", html)
        self.assertIn(">7.1 万元</a>", html)
        self.assertIn(">44 个</a>", html)
        report = r.context["paragraphs"]
        text = "".join(p.text for p in report)
        for sentence in SEED_SENTENCES:
            self.assertIn(sentence, text)
        self.assertIn("保持在 3% 以内", text)

    def test_the_plain_text_version_states_the_same_sentences(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(f"/reports/work-report/text/?year={YEAR}")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "text/plain; charset=utf-8")
        text = r.content.decode("utf-8")
        self.assertTrue(text.startswith(f"开发区工作简报({YEAR} 年)"))
        for sentence in SEED_SENTENCES:
            self.assertIn(sentence, text)

    def test_the_pdf_version_states_the_seed_figures_with_embedded_fonts(self) -> None:
        """Made by the background job, as a leader gets it: 生成 PDF, the task, the download."""
        self.client.force_login(self.leader)
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        with override_settings(MEDIA_ROOT=media):
            with self.captureOnCommitCallbacks(execute=True):
                asked = self.client.post(f"/reports/work-report/pdf/?year={YEAR}")
            self.assertEqual(asked.status_code, 302)
            row = ReportFile.objects.get()
            make_work_report_pdf.call(row.pk)
            r = self.client.get(f"/reports/files/{row.pk}/download/")
            self.assertEqual(r.status_code, 200)
            self.assertEqual(r["Content-Type"], "application/pdf")
            content = b"".join(r.streaming_content)
        text, fonts = pdf_text(content)
        compact = "".join(text.split())
        for figure in ["590人", "40人", "223人", "330万元", "4个", "2期", "350名", "43所",
                       "35名困难家庭和17名孤儿", "7.1万元"]:  # fmt: skip
            self.assertIn(figure, compact)
        self.assertIn("NotoSerifCJK", fonts.replace("-", ""))
        rows = fonts.splitlines()[2:]
        self.assertTrue(rows)
        for line in rows:
            # Columns from the right: object ID (2), uni, sub, emb.
            self.assertEqual(line.split()[-5], "yes", line)

    def test_the_cockpit_shows_every_module_in_tables_and_chart_data(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(f"/reports/cockpit/?year={YEAR}")
        self.assertEqual(r.status_code, 200)
        html = r.content.decode()
        for chart in ["chart-jobs", "chart-relief", "chart-hall", "chart-followups"]:
            self.assertIn(f'id="{chart}"', html)
        self.assertIn(
            f'<a href="/livelihood/employment/?year={YEAR}&amp;status=new_urban">590</a>', html
        )
        # Amounts in 万元/亿元 as a reader writes them, never raw digits.
        self.assertIn(">7.10万元</a>", html)
        self.assertIn(">330.00万元</a>", html)
        self.assertIn("总投资 658.00亿元", html)
        self.assertNotIn("71000.00", html)
        self.assertNotIn("65800000000", html)
        data = r.context["data"]
        self.assertEqual(data["projects"]["count"], 44)
        # The zone has no service hall and no villages of its own: 刘集镇 lies in 东阿县.
        self.assertEqual(data["hall"]["finished"], 0)
        self.assertEqual(data["followups"]["due"], 0)
        self.client.force_login(User.objects.get(username="mayor"))
        city = self.client.get(f"/reports/cockpit/?year={YEAR}").context["data"]
        self.assertEqual(city["projects"]["count"], 44)
        self.assertGreater(city["hall"]["finished"], 0)
        self.assertGreater(city["followups"]["due"], 0)
        self.client.force_login(self.leader)
        r = self.client.get(f"/reports/cockpit/data/?year={YEAR}")
        payload = r.json()
        self.assertEqual([row["value"] for row in payload["jobs"]], [590, 40, 223, 350])
        self.assertEqual([row["value"] for row in payload["relief"]], [35, 17])
        self.assertEqual(payload["summary"]["relief_total_yuan"], "71000.00")
