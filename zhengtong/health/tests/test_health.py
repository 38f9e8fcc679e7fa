import json
import tempfile
from datetime import timedelta
from unittest import mock

from django.core import checks
from django.test import TestCase, override_settings
from django.utils import timezone

from zhengtong.audit.models import Event
from zhengtong.health.checks import cjk_font_check
from zhengtong.jobs.models import WorkerHeartbeat
from zhengtong.workdays.models import CalendarYear

NO_FONTS = mock.patch("zhengtong.health.views.cjk_font_files", return_value=())
FONTS = mock.patch("zhengtong.health.views.cjk_font_files", return_value=("/f/NotoSansCJK.ttc",))


@override_settings(AUDIT_CHECKPOINT_DIR=tempfile.mkdtemp(), MEDIA_ROOT=tempfile.mkdtemp())
class HealthTestCase(TestCase):
    def setUp(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.create(
            worker_id="w1", host="app1", pid=1, started_at=now, seen_at=now
        )
        year = timezone.localdate().year
        CalendarYear.objects.get_or_create(year=year)
        CalendarYear.objects.get_or_create(year=year + 1)

    def get(self) -> tuple[int, dict]:
        r = self.client.get("/health/")
        self.assertEqual(r["Content-Type"], "application/json")
        return r.status_code, json.loads(r.content)

    def test_it_answers_200_anonymously_with_one_entry_per_check(self) -> None:
        with FONTS:
            status, body = self.get()
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "ok")
        self.assertEqual(
            set(body["checks"]),
            {"database", "storage", "fonts", "worker", "calendar", "audit_checkpoint", "backup"},
        )
        # Without BACKUP_DIR the daily backup is off: a warning, not a failure.
        self.assertEqual(body["checks"].pop("backup")["status"], "warn")
        self.assertTrue(all(c["status"] == "ok" for c in body["checks"].values()))

    def test_it_names_no_host_or_path(self) -> None:
        with FONTS:
            r = self.client.get("/health/")
        self.assertNotIn(b"app1", r.content)
        self.assertNotIn(b"/f/", r.content)

    def test_a_missing_cjk_font_fails_with_503(self) -> None:
        with NO_FONTS:
            status, body = self.get()
        self.assertEqual(status, 503)
        self.assertEqual(body["checks"]["fonts"]["status"], "fail")
        self.assertIn("fonts-noto-cjk", body["checks"]["fonts"]["message"])

    def test_a_stale_worker_heartbeat_fails(self) -> None:
        WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
        with FONTS:
            status, body = self.get()
        self.assertEqual(status, 503)
        self.assertEqual(body["checks"]["worker"]["status"], "fail")

    def test_a_stopped_worker_counts_as_none(self) -> None:
        WorkerHeartbeat.objects.update(stopped_at=timezone.now())
        with FONTS:
            status, body = self.get()
        self.assertEqual(status, 503)
        self.assertEqual(body["checks"]["worker"]["message"], "没有正在运行的后台工作进程")

    def test_a_provisional_next_year_warns_but_stays_200(self) -> None:
        CalendarYear.objects.filter(year=timezone.localdate().year + 1).delete()
        with FONTS:
            status, body = self.get()
        self.assertEqual(status, 200)
        self.assertEqual(body["checks"]["calendar"]["status"], "warn")
        self.assertEqual(body["checks"]["calendar"]["year"], timezone.localdate().year + 1)

    def test_an_audit_event_unsigned_too_long_fails(self) -> None:
        Event.objects.create(action="x", created_at=timezone.now() - timedelta(hours=2))
        with FONTS:
            status, body = self.get()
        self.assertEqual(status, 503)
        self.assertEqual(body["checks"]["audit_checkpoint"]["status"], "fail")

    def test_a_recent_unsigned_audit_event_is_fine(self) -> None:
        Event.objects.create(action="x", created_at=timezone.now() - timedelta(minutes=1))
        with FONTS:
            status, body = self.get()
        self.assertEqual(status, 200)
        self.assertEqual(body["checks"]["audit_checkpoint"]["status"], "ok")

    def test_a_broken_check_fails_without_its_exception_text(self) -> None:
        with (
            FONTS,
            mock.patch(
                "zhengtong.health.views.default_storage.save", side_effect=OSError("/secret/path")
            ),
        ):
            status, body = self.get()
        self.assertEqual(status, 503)
        self.assertEqual(body["checks"]["storage"], {"status": "fail", "message": "检查时出错"})
        self.assertNotIn("secret", json.dumps(body))

    def test_post_is_refused(self) -> None:
        self.assertEqual(self.client.post("/health/").status_code, 405)


class FontCheckTestCase(TestCase):
    def test_no_cjk_font_is_an_error_naming_the_package(self) -> None:
        with mock.patch("zhengtong.health.checks.cjk_font_files", return_value=()):
            errors = cjk_font_check()
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0].level, checks.ERROR)
        self.assertIn("fonts-noto-cjk", errors[0].msg)
        self.assertIn("中文字体", errors[0].msg)

    def test_an_installed_cjk_font_passes(self) -> None:
        with mock.patch("zhengtong.health.checks.cjk_font_files", return_value=("/a.ttc",)):
            self.assertEqual(cjk_font_check(), [])
