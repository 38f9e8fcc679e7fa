"""The door, the registry, the schedule's slots and claims, and the reaper."""

import ast
import datetime
import pathlib
import threading
import zoneinfo

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus

from zhengtong.jobs import registry
from zhengtong.jobs.enqueue import enqueue_on_commit
from zhengtong.jobs.errors import LOST_REASON
from zhengtong.jobs.models import Job, JobState, ScheduledRun, WorkerHeartbeat
from zhengtong.jobs.reaper import reap_lost_jobs
from zhengtong.jobs.schedule import SCHEDULE, active_schedule, enqueue_due

from .tasks import note, retry_safe_wait, wait_then_finish

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ROOT = pathlib.Path(__file__).resolve().parents[2]


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


class EnqueueOnCommitTestCase(TestCase):
    def test_a_committed_change_queues_the_job_once(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                enqueue_on_commit(note, "甲")
                self.assertFalse(Job.objects.exists())  # not before the commit
        job = Job.objects.get()
        self.assertEqual(job.args_kwargs, {"args": ["甲"], "kwargs": {}})
        self.assertEqual(job.state, JobState.QUEUED)
        self.assertEqual(job.label, "测试:记下参数")

    def test_a_rolled_back_change_queues_nothing(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    enqueue_on_commit(note, "乙")
                    raise RuntimeError("改动失败")
            except RuntimeError:
                pass
        self.assertEqual(callbacks, [])
        self.assertFalse(Job.objects.exists())

    def test_a_task_without_a_chinese_name_is_refused(self) -> None:
        from .unnamed import nameless

        with self.assertRaises(ImproperlyConfigured):
            enqueue_on_commit(nameless)

    @override_settings(TASKS=IMMEDIATE)
    def test_with_the_immediate_backend_the_job_runs_at_commit(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            enqueue_on_commit(note, "丙")
        self.assertFalse(Job.objects.exists())  # ran in-process, no row


class RegistryTestCase(TestCase):
    def test_every_task_in_the_code_is_declared_with_a_chinese_name(self) -> None:
        """No tasks.py uses django-tasks' decorator directly (it would have no name)."""
        undeclared = []
        for path in ROOT.rglob("tasks.py"):
            if "/migrations/" in str(path) or "/tests/" in str(path):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module in {
                    "django_tasks",
                    "django.tasks",
                }:
                    if any(alias.name == "task" for alias in node.names):
                        undeclared.append(str(path.relative_to(ROOT)))
        self.assertEqual(undeclared, [])
        for entry in SCHEDULE:
            info = registry.info_for(entry.task().module_path)
            self.assertIsNotNone(info, entry.name)
            assert info is not None
            self.assertTrue(info.retry_safe, entry.name)
        self.assertRegex(registry.task_label("zhengtong.gone.tasks.old"), "未登记的任务")


class ScheduleSlotsTestCase(TestCase):
    def test_a_day_starts_at_ten_past_midnight_local_time(self) -> None:
        daily = next(e for e in SCHEDULE if e.name == "population_daily")
        self.assertEqual(daily.slot(local(2026, 12, 3, 0, 5)), local(2026, 12, 2, 0, 10))
        self.assertEqual(daily.slot(local(2026, 12, 3, 0, 10)), local(2026, 12, 3, 0, 10))
        self.assertEqual(daily.slot(local(2026, 12, 3, 23, 59)), local(2026, 12, 3, 0, 10))
        # 16:30 UTC is 00:30 the next day in 东八区.
        utc = datetime.datetime(2026, 12, 2, 16, 30, tzinfo=datetime.UTC)
        self.assertEqual(daily.slot(utc), local(2026, 12, 3, 0, 10))

    def test_the_checkpoint_runs_in_ten_minute_slots(self) -> None:
        checkpoint = next(e for e in SCHEDULE if e.name == "audit_checkpoint")
        self.assertEqual(
            checkpoint.slot(local(2026, 12, 2, 14, 27, 59)), local(2026, 12, 2, 14, 20)
        )
        self.assertEqual(checkpoint.slot(local(2026, 12, 2, 14, 30)), local(2026, 12, 2, 14, 30))
        self.assertEqual(checkpoint.slot(local(2026, 12, 2, 0, 3)), local(2026, 12, 2, 0, 0))

    def test_a_fresh_start_queues_every_entry_once_and_then_only_the_due_ones(self) -> None:
        now = local(2026, 12, 2, 9, 0)
        won = enqueue_due(now, worker_id="w1")
        self.assertEqual({r.name for r in won}, {e.name for e in active_schedule()})
        self.assertEqual(
            Job.objects.filter(status=TaskResultStatus.READY).count(), len(active_schedule())
        )
        self.assertTrue(all(r.job_id for r in ScheduledRun.objects.all()))
        # The same slot again, by this or another worker: nothing.
        self.assertEqual(enqueue_due(now, worker_id="w2"), [])
        # Five minutes on: only the minute's sealing of public reads.
        won = enqueue_due(now + datetime.timedelta(minutes=5), worker_id="w2")
        self.assertEqual([r.name for r in won], ["audit_seal_pending"])
        # Ten minutes on: only the new slots of the ten-minute and one-minute entries.
        won = enqueue_due(now + datetime.timedelta(minutes=10), worker_id="w2")
        self.assertEqual(
            [r.name for r in won],
            ["audit_checkpoint", "audit_seal_pending", "pull_delivery_receipts"],
        )
        # After 00:10 the next day: the night's work again; the reminders wait for 08:00.
        won = enqueue_due(local(2026, 12, 3, 0, 11), worker_id="w1")
        self.assertEqual(len(won), len(active_schedule()) - 1)
        self.assertNotIn("remind_due", {r.name for r in won})
        won = enqueue_due(local(2026, 12, 3, 8, 1), worker_id="w2")
        self.assertEqual(
            {r.name for r in won},
            {"remind_due", "audit_checkpoint", "audit_seal_pending", "pull_delivery_receipts"},
        )
        self.assertEqual(Job.objects.count(), 2 * len(active_schedule()) + 7)

    @override_settings(TASKS=IMMEDIATE)
    def test_the_daily_tasks_run_and_say_what_they_did(self) -> None:
        from zhengtong.population.tasks import population_daily
        from zhengtong.projects.tasks import escalate_problems, evaluate_milestones

        self.assertEqual(escalate_problems.enqueue().return_value, "没有需要升级督办的超期问题。")
        self.assertEqual(evaluate_milestones.enqueue().return_value, "节点状态均已是最新。")
        today = timezone.localdate()
        self.assertEqual(
            population_daily.enqueue().return_value,
            f"{today:%Y-%m-%d}:新增应寄回报告单 0 份,转为待办 0 份。",
        )


class ScheduleRaceTestCase(TransactionTestCase):
    """Two workers (threads with their own connections) race for the same slots."""

    def test_each_slot_is_queued_once_however_many_workers_race(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("需要 PostgreSQL(DATABASE_URL):SQLite 的写入本就串行。")
        now = local(2026, 12, 2, 9, 0)
        barrier = threading.Barrier(4)
        won: dict[str, list] = {}
        errors: list[BaseException] = []

        def worker(name: str) -> None:
            try:
                barrier.wait()
                won[name] = enqueue_due(now, worker_id=name)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        claimed = [run.name for runs in won.values() for run in runs]
        self.assertEqual(sorted(claimed), sorted(e.name for e in active_schedule()))
        self.assertEqual(ScheduledRun.objects.count(), len(active_schedule()))
        self.assertEqual(Job.objects.count(), len(active_schedule()))


class ReaperTestCase(TestCase):
    def running(self, task, worker_ids: list[str], started: datetime.datetime) -> Job:
        result = task.enqueue("/nonexistent", 1)
        Job.objects.filter(pk=result.id).update(
            status=TaskResultStatus.RUNNING, worker_ids=worker_ids, started_at=started
        )
        return Job.objects.get(pk=result.id)

    def beat(self, worker_id: str, seen: datetime.datetime, stopped=None) -> None:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, host="h", pid=1, started_at=seen, seen_at=seen, stopped_at=stopped
        )

    def test_a_job_of_a_dead_worker_fails_with_the_reason(self) -> None:
        now = timezone.now()
        self.beat("dead", now - datetime.timedelta(seconds=90))
        self.beat("alive", now - datetime.timedelta(seconds=5))
        lost = self.running(wait_then_finish, ["dead"], now - datetime.timedelta(minutes=5))
        kept = self.running(wait_then_finish, ["alive"], now - datetime.timedelta(minutes=5))
        never_beat = self.running(wait_then_finish, ["gone"], now - datetime.timedelta(minutes=5))
        just_claimed = self.running(wait_then_finish, ["gone"], now - datetime.timedelta(seconds=2))

        reaped = reap_lost_jobs(stale_after=60, now=now)

        self.assertEqual(
            sorted(reaped), sorted([(str(lost.pk), "failed"), (str(never_beat.pk), "failed")])
        )
        lost.refresh_from_db()
        self.assertEqual(lost.state, JobState.FAILED)
        self.assertEqual(lost.error_class, "工作进程中断")
        self.assertEqual(lost.error_message, LOST_REASON)
        self.assertIsNotNone(lost.finished_at)
        for job in (kept, just_claimed):
            job.refresh_from_db()
            self.assertEqual(job.state, JobState.RUNNING)
        self.assertEqual(reap_lost_jobs(stale_after=60, now=now), [])

    def test_a_stopped_worker_counts_as_gone(self) -> None:
        now = timezone.now()
        self.beat("stopped", now, stopped=now)
        job = self.running(wait_then_finish, ["stopped"], now - datetime.timedelta(minutes=5))
        self.assertEqual(reap_lost_jobs(stale_after=60, now=now), [(str(job.pk), "failed")])

    def test_a_retry_safe_job_is_queued_again_once(self) -> None:
        now = timezone.now()
        job = self.running(retry_safe_wait, ["dead"], now - datetime.timedelta(minutes=5))
        self.assertEqual(reap_lost_jobs(stale_after=60, now=now), [(str(job.pk), "requeued")])
        job.refresh_from_db()
        self.assertEqual(job.state, JobState.QUEUED)
        # Cut off again on its second attempt: failed, not a third time.
        Job.objects.filter(pk=job.pk).update(
            status=TaskResultStatus.RUNNING,
            worker_ids=["dead", "dead2"],
            started_at=now - datetime.timedelta(minutes=1, seconds=1),
        )
        self.assertEqual(reap_lost_jobs(stale_after=60, now=now), [(str(job.pk), "failed")])


class PruneTestCase(TestCase):
    def test_old_finished_jobs_go_and_queued_and_recent_ones_stay(self) -> None:
        from zhengtong.jobs.tasks import prune_jobs

        now = timezone.now()
        old, recent, old_failed, queued = (
            Job.objects.get(pk=note.enqueue(str(i)).id) for i in range(4)
        )
        Job.objects.filter(pk=old.pk).update(
            status=TaskResultStatus.SUCCESSFUL, finished_at=now - datetime.timedelta(days=31)
        )
        Job.objects.filter(pk=recent.pk).update(
            status=TaskResultStatus.SUCCESSFUL, finished_at=now - datetime.timedelta(days=2)
        )
        Job.objects.filter(pk=old_failed.pk).update(
            status=TaskResultStatus.FAILED, finished_at=now - datetime.timedelta(days=31)
        )
        Job.objects.filter(pk=queued.pk).update(enqueued_at=now - datetime.timedelta(days=400))
        with override_settings(TASKS=IMMEDIATE):
            message = prune_jobs.enqueue().return_value
        self.assertEqual(message, "已清理已完成的任务记录 1 条、失败或已取消的 0 条。")
        self.assertEqual(
            set(Job.objects.values_list("pk", flat=True)), {recent.pk, old_failed.pk, queued.pk}
        )
