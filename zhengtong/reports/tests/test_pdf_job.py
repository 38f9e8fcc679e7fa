"""The work report's PDF as a background job: 生成 PDF queues it, the job page shows its state,
the worker's task makes it, and only leaders of the same units may open or download it."""

import datetime
import os
import shutil
import tempfile
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.reports.files import LOST_TEXT, work_report_pdf_lost
from zhengtong.reports.models import ReportFile
from zhengtong.reports.tasks import make_work_report_pdf
from zhengtong.test import BaseTestCase, make_unit, make_user

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ASK = "/reports/work-report/pdf/?year=2026"
TASK_PATH = "zhengtong.reports.tasks.make_work_report_pdf"


@time_machine.travel(NOW, tick=False)
class WorkReportPdfJobTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_zone = make_unit("茌平区", "CHIPING", "zone", cls.city)
        cls.other_leader = make_user(
            "leader_cp", full_name="陈区长", memberships=[(Role.LEADER, cls.other_zone)]
        )

    def setUp(self) -> None:
        super().setUp()
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        override = override_settings(MEDIA_ROOT=media)
        override.enable()
        self.addCleanup(override.disable)

    def ask(self, user=None, url=ASK) -> ReportFile:
        self.client.force_login(user or self.leader)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(url)
        self.assertEqual(r.status_code, 302, r.content.decode()[:300])
        row = ReportFile.objects.order_by("-pk").first()
        assert row is not None
        self.assertEqual(r["Location"], f"/reports/files/{row.pk}/")
        return row

    def jobs(self) -> list[DBTaskResult]:
        return list(DBTaskResult.objects.filter(task_path=TASK_PATH))

    def test_queued_then_made_by_the_task_then_downloadable(self) -> None:
        row = self.ask()
        self.assertEqual(row.status, ReportFile.Status.QUEUED)
        (job,) = self.jobs()
        self.assertEqual(job.args_kwargs["args"], [row.pk])
        page = self.client.get(f"/reports/files/{row.pk}/")
        self.assertContains(page, "排队中")
        self.assertContains(page, 'hx-trigger="every 2s"')
        self.assertContains(page, "X-Zt-Poll")
        self.assertNotContains(page, "下载 PDF")
        self.assertEqual(self.client.get(f"/reports/files/{row.pk}/download/").status_code, 404)

        self.assertIn("已生成", make_work_report_pdf.call(row.pk))
        row.refresh_from_db()
        self.assertEqual(row.status, ReportFile.Status.DONE)
        self.assertTrue(row.file.name.startswith("reports/"))
        page = self.client.get(f"/reports/files/{row.pk}/", headers={"HX-Request": "true"})
        self.assertContains(page, "下载 PDF")
        self.assertNotContains(page, "hx-trigger")  # polling stops when the job has ended
        download = self.client.get(f"/reports/files/{row.pk}/download/")
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download["Content-Type"], "application/pdf")
        self.assertIn("attachment", download["Content-Disposition"])
        body = b"".join(download.streaming_content)
        self.assertTrue(body.startswith(b"%PDF"))
        self.assertEqual(self.client.get(f"/media/{row.file.name}").status_code, 200)
        self.assertTrue(Event.objects.filter(action="work_report_pdf_requested").exists())

    def test_the_same_period_and_scope_the_same_day_reuses_the_file(self) -> None:
        row = self.ask()
        make_work_report_pdf.call(row.pk)
        again = self.ask(self.second_leader)  # another leader of the same zone
        self.assertEqual(again.pk, row.pk)
        self.assertEqual(len(self.jobs()), 1)
        page = self.client.get(f"/reports/files/{row.pk}/")
        self.assertContains(page, "今天已生成过同一报告期的 PDF")
        # Another period, or the next day: a new file.
        other = self.ask(url="/reports/work-report/pdf/?start=2026-01-01&end=2026-06-30")
        self.assertNotEqual(other.pk, row.pk)
        with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
            tomorrow = self.ask()
        self.assertNotIn(tomorrow.pk, (row.pk, other.pk))
        self.assertEqual(len(self.jobs()), 3)

    def test_a_leader_of_other_units_gets_404_by_url_and_by_stored_name(self) -> None:
        row = self.ask()
        make_work_report_pdf.call(row.pk)
        row.refresh_from_db()
        self.client.force_login(self.other_leader)
        for url in [
            f"/reports/files/{row.pk}/",
            f"/reports/files/{row.pk}/download/",
            f"/media/{row.file.name}",
        ]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.post(f"/reports/files/{row.pk}/retry/").status_code, 404)
        # Their own request makes their own file, not this one.
        own = self.ask(self.other_leader)
        self.assertNotEqual(own.pk, row.pk)

    def test_other_roles_are_refused_and_anonymous_visitors_sent_to_login(self) -> None:
        row = self.ask()
        make_work_report_pdf.call(row.pk)
        row.refresh_from_db()
        for user in [self.office, self.clerk, self.auditor, self.admin]:
            self.client.force_login(user)
            self.assertEqual(self.client.post(ASK).status_code, 403, user)
            self.assertEqual(self.client.get(f"/reports/files/{row.pk}/").status_code, 403)
            self.assertEqual(self.client.get(f"/reports/files/{row.pk}/download/").status_code, 403)
            self.assertEqual(self.client.get(f"/media/{row.file.name}").status_code, 404)
        self.client.logout()
        self.assertIn("/accounts/login/", self.client.get(f"/reports/files/{row.pk}/")["Location"])
        self.assertEqual(self.client.get(f"/media/{row.file.name}").status_code, 404)

    def test_a_bad_period_queues_nothing(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.post("/reports/work-report/pdf/?year=26")
        self.assertEqual(r.status_code, 400)
        self.assertIn("年度", r.content.decode())
        self.assertFalse(ReportFile.objects.exists())
        self.assertEqual(self.client.get(ASK).status_code, 405)

    def test_a_failure_is_shown_in_chinese_and_can_be_retried(self) -> None:
        row = self.ask()
        with mock.patch("zhengtong.reports.files.render_pdf", side_effect=OSError("no fonts")):
            with self.assertRaises(OSError):
                make_work_report_pdf.call(row.pk)
        row.refresh_from_db()
        self.assertEqual(row.status, ReportFile.Status.FAILED)
        page = self.client.get(f"/reports/files/{row.pk}/").content.decode()
        self.assertIn("生成失败", page)
        self.assertIn("生成 PDF 时出错", page)
        self.assertNotIn("no fonts", page)
        self.assertNotIn("OSError", page)
        # A failed file is not reused: asking again makes a new one; retry requeues this one.
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/reports/files/{row.pk}/retry/")
        row.refresh_from_db()
        self.assertEqual(row.status, ReportFile.Status.QUEUED)
        self.assertEqual(len(self.jobs()), 2)
        make_work_report_pdf.call(row.pk)
        row.refresh_from_db()
        self.assertEqual(row.status, ReportFile.Status.DONE)

    def test_a_lost_worker_marks_the_file_failed_with_the_reason(self) -> None:
        row = self.ask()
        work_report_pdf_lost(row.pk)
        row.refresh_from_db()
        self.assertEqual((row.status, row.error), (ReportFile.Status.FAILED, LOST_TEXT))
        self.assertContains(self.client.get(f"/reports/files/{row.pk}/"), "工作进程中断")


@time_machine.travel(NOW, tick=False)
class ReportFilePruningTestCase(BaseTestCase):
    """Old PDFs are removed from the store; their page says so and offers to make them again."""

    def setUp(self) -> None:
        super().setUp()
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        override = override_settings(MEDIA_ROOT=media, REPORT_FILE_KEEP_DAYS=30)
        override.enable()
        self.addCleanup(override.disable)

    def made(self, days_ago: int) -> ReportFile:
        self.client.force_login(self.leader)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(ASK)
        row = ReportFile.objects.order_by("-pk").first()
        assert row is not None
        make_work_report_pdf.call(row.pk)
        row.refresh_from_db()
        ReportFile.objects.filter(pk=row.pk).update(
            made_on=NOW.date() - datetime.timedelta(days=days_ago)
        )
        row.refresh_from_db()
        return row

    def test_a_file_past_its_keeping_time_is_removed_and_can_be_made_again(self) -> None:
        from zhengtong.reports.files import prune_report_files

        old = self.made(31)
        path = old.file.path
        kept = self.made(30)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(prune_report_files(), 1)
        old.refresh_from_db()
        kept.refresh_from_db()
        self.assertEqual(old.status, ReportFile.Status.EXPIRED)
        self.assertFalse(old.file)
        self.assertFalse(os.path.exists(path))
        self.assertEqual(kept.status, ReportFile.Status.DONE)
        self.assertTrue(os.path.exists(kept.file.path))

        page = self.client.get(f"/reports/files/{old.pk}/")
        self.assertContains(page, "已超过 30 天,已按保存期限清理")
        self.assertNotContains(page, "下载 PDF")
        self.assertEqual(self.client.get(f"/reports/files/{old.pk}/download/").status_code, 404)

        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(f"/reports/files/{old.pk}/retry/")
        self.assertEqual(r.status_code, 302)
        old.refresh_from_db()
        self.assertEqual(old.status, ReportFile.Status.QUEUED)
        self.assertEqual(old.made_on, NOW.date())

    def test_pruning_twice_removes_nothing_more(self) -> None:
        from zhengtong.reports.files import prune_report_files

        self.made(40)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(prune_report_files(), 1)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(prune_report_files(), 0)

    def test_the_schedule_prunes_daily(self) -> None:
        from zhengtong.jobs.schedule import SCHEDULE

        names = {entry.name for entry in SCHEDULE}
        self.assertIn("prune_report_files", names)
