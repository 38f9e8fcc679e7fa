"""The daily backup job: off without BACKUP_DIR; run by the worker, it writes an archive,
keeps the BACKUP_KEEP newest, seals with the backup key, and a failure shows on /jobs/ and
as the failed check "最近备份" of /health/."""

import datetime
import json
import os
import stat
import tarfile
import tempfile
import zoneinfo
from pathlib import Path
from unittest import mock

from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from zhengtong.backups.archive import MAGIC
from zhengtong.backups.tasks import archives
from zhengtong.jobs.models import Job, JobState, ScheduledRun, WorkerHeartbeat
from zhengtong.jobs.schedule import SCHEDULE, active_schedule, enqueue_due
from zhengtong.test import make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NIGHT = datetime.datetime(2026, 12, 3, 2, 5, tzinfo=SHANGHAI)
FONTS = mock.patch("zhengtong.health.views.cjk_font_files", return_value=("/f/NotoSansCJK.ttc",))
BACKUP = next(e for e in SCHEDULE if e.name == "backup_daily")


def run_queued_backup() -> Job:
    """Queue tonight's backup as the schedule does and run it as the worker does."""
    (run,) = enqueue_due(NIGHT, worker_id="w1", schedule=(BACKUP,))
    job = Job.objects.get(pk=ScheduledRun.objects.get(pk=run.pk).job_id)
    job.claim("w1")
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )
    worker.run_task(job)
    return Job.objects.get(pk=job.pk)


class DailyBackupTestCase(TransactionTestCase):
    """A TransactionTestCase: the backup copies committed data (on SQLite the online backup
    waits for ever on a database that a test transaction holds open)."""

    def setUp(self) -> None:
        self.admin = make_user("admin", is_superuser=True, is_staff=True)
        self.dir = Path(tempfile.mkdtemp())
        self.media = Path(tempfile.mkdtemp())
        (self.media / "staff").mkdir()
        (self.media / "staff" / "a.png").write_bytes(b"portrait")
        self.settings_ = override_settings(
            BACKUP_DIR=str(self.dir),
            BACKUP_KEEP=3,
            MEDIA_ROOT=self.media,
            AUDIT_CHECKPOINT_DIR=tempfile.mkdtemp(),
            OTP_REQUIRED_ROLES=[],
        )
        self.settings_.enable()
        self.addCleanup(self.settings_.disable)
        # No key unless a test sets one.
        env = mock.patch.dict(os.environ, {"BACKUP_KEY": "", "BACKUP_KEY_FILE": ""})
        env.start()
        self.addCleanup(env.stop)

    def health(self) -> tuple[int, dict]:
        now = timezone.now()
        WorkerHeartbeat.objects.create(
            worker_id="w1", host="app1", pid=1, started_at=now, seen_at=now
        )
        with FONTS:
            r = self.client.get("/health/")
        return r.status_code, json.loads(r.content)

    def test_it_is_not_scheduled_without_backup_dir(self) -> None:
        with override_settings(BACKUP_DIR=""):
            self.assertNotIn("backup_daily", {e.name for e in active_schedule()})
            self.assertEqual(enqueue_due(NIGHT, worker_id="w1", schedule=(BACKUP,)), [])
            status, body = self.health()
        self.assertFalse(ScheduledRun.objects.exists())
        self.assertEqual(body["checks"]["backup"]["status"], "warn")
        self.assertIn("未设置 BACKUP_DIR", body["checks"]["backup"]["message"])
        self.assertEqual(status, 200)

    def test_it_runs_at_two_at_night_and_writes_a_private_archive(self) -> None:
        self.assertEqual(BACKUP.slot(NIGHT), NIGHT.replace(minute=0))
        self.assertIn("backup_daily", {e.name for e in active_schedule()})

        job = run_queued_backup()

        self.assertEqual(job.state, JobState.SUCCEEDED, job.traceback)
        (archive,) = archives(self.dir)
        self.assertRegex(archive.name, r"^zhengtong-backup-\d{8}-\d{6}\.tar$")
        self.assertEqual(stat.S_IMODE(archive.stat().st_mode), 0o600)
        self.assertEqual(os.listdir(self.dir), [archive.name])  # no partial file left
        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            self.assertEqual(tar.extractfile("media/staff/a.png").read(), b"portrait")
        self.assertEqual(manifest["tables"]["accounts_user"]["rows"], 1)
        self.assertIn(archive.name, job.return_value)
        self.assertIn("未加密", job.return_value)

        status, body = self.health()
        self.assertEqual(status, 200)
        self.assertEqual(body["checks"]["backup"]["status"], "ok")
        self.assertEqual(body["checks"]["backup"]["message"], "最近备份成功")

        self.client.force_login(self.admin)
        page = self.client.get("/jobs/").content.decode()
        self.assertIn("每日备份(每日 02:00 后)", page)

    def test_it_keeps_only_the_newest_archives_and_nothing_else_is_touched(self) -> None:
        for day in range(1, 6):
            (self.dir / f"zhengtong-backup-202611{day:02d}-020000.tar").write_bytes(b"old")
        (self.dir / "notes.txt").write_text("运维记录")
        (self.dir / "zhengtong-backup-manual.tar").write_bytes(b"by hand")

        job = run_queued_backup()

        self.assertEqual(job.state, JobState.SUCCEEDED, job.traceback)
        kept = [p.name for p in archives(self.dir)]
        self.assertEqual(len(kept), 3)
        self.assertEqual(
            kept[1:],
            ["zhengtong-backup-20261105-020000.tar", "zhengtong-backup-20261104-020000.tar"],
        )
        self.assertTrue((self.dir / "notes.txt").exists())
        self.assertTrue((self.dir / "zhengtong-backup-manual.tar").exists())
        self.assertIn("删除旧备份 3 份", job.return_value)

    def test_with_a_backup_key_the_archive_is_sealed(self) -> None:
        with mock.patch.dict(os.environ, {"BACKUP_KEY": "0123456789abcdeffedcba9876543210"}):
            job = run_queued_backup()
        self.assertEqual(job.state, JobState.SUCCEEDED, job.traceback)
        (archive,) = archives(self.dir)
        self.assertTrue(archive.name.endswith(".sm4"))
        data = archive.read_bytes()
        self.assertTrue(data.startswith(MAGIC))
        self.assertNotIn(b"manifest.json", data)
        self.assertNotIn(b"portrait", data)
        self.assertIn("已用 SM4 加密", job.return_value)

    def test_a_failure_shows_on_the_jobs_page_and_fails_the_health_check(self) -> None:
        missing = self.dir / "not-mounted"
        with override_settings(BACKUP_DIR=str(missing)):
            job = run_queued_backup()
            status, body = self.health()
        self.assertEqual(job.state, JobState.FAILED)
        self.assertIn("备份目录不存在", job.error_message)
        self.assertEqual(status, 503)
        self.assertEqual(body["checks"]["backup"]["status"], "fail")
        self.assertIn("最近备份失败", body["checks"]["backup"]["message"])
        self.assertNotIn(str(missing), json.dumps(body, ensure_ascii=False))
        self.assertFalse(missing.exists())

        self.client.force_login(self.admin)
        r = self.client.get("/jobs/?state=failed")
        self.assertContains(r, "每日备份")
        self.assertContains(r, "备份目录不存在")

    def test_a_bad_backup_key_fails_the_job_and_writes_no_archive(self) -> None:
        with mock.patch.dict(os.environ, {"BACKUP_KEY": "not-hex"}):
            job = run_queued_backup()
        self.assertEqual(job.state, JobState.FAILED)
        self.assertIn("备份密钥", job.error_message)
        self.assertEqual(os.listdir(self.dir), [])

    def test_a_backup_older_than_the_limit_fails_the_health_check(self) -> None:
        job = run_queued_backup()
        Job.objects.filter(pk=job.pk).update(
            finished_at=timezone.now() - datetime.timedelta(hours=27)
        )
        status, body = self.health()
        self.assertEqual(status, 503)
        self.assertEqual(body["checks"]["backup"]["message"], "最近备份已超过 26 小时")
