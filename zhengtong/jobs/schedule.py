"""The one schedule of periodic work, run by every worker (`manage.py worker`).

Each entry names a task and when it is due: daily at a local time, or every N minutes. Time is
cut into slots (the day from 00:10 to the next 00:10; the ten minutes from :00, :10, …); the
latest slot that has begun is due. A worker claims a slot by inserting a `ScheduledRun(name,
slot)` row — the unique constraint lets exactly one insert win, whichever worker and machine —
and queues the task in the same transaction. A worker that starts after a slot began (a fresh
demo, a restart at 09:00) queues it at once; slots missed while no worker ran are not made up,
only the latest one runs (every task here works on "today"). An entry with `enabled` runs only
while that says so (the backup, when BACKUP_DIR is set).
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from .models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Callable[[], Task]  # looked up when due: the tasks modules import this one's models
    daily_at: datetime.time | None = None
    every_minutes: int | None = None
    enabled: Callable[[], bool] | None = None  # read when due, so a setting can turn it off

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        """The start of the latest slot that has begun at `now` (aware, local time)."""
        local = timezone.localtime(now)
        if self.daily_at is not None:
            day = local.date()
            start = timezone.make_aware(datetime.datetime.combine(day, self.daily_at))
            if start > local:
                previous = day - datetime.timedelta(days=1)
                start = timezone.make_aware(datetime.datetime.combine(previous, self.daily_at))
            return start
        assert self.every_minutes
        midnight = timezone.make_aware(datetime.datetime.combine(local.date(), datetime.time()))
        minutes = int((local - midnight).total_seconds() // 60)
        return midnight + datetime.timedelta(minutes=minutes - minutes % self.every_minutes)


def _escalate_problems() -> Task:
    from zhengtong.projects.tasks import escalate_problems

    return escalate_problems


def _evaluate_milestones() -> Task:
    from zhengtong.projects.tasks import evaluate_milestones

    return evaluate_milestones


def _population_daily() -> Task:
    from zhengtong.population.tasks import population_daily

    return population_daily


def _audit_verify() -> Task:
    from zhengtong.audit.tasks import audit_verify

    return audit_verify


def _audit_checkpoint() -> Task:
    from zhengtong.audit.tasks import audit_checkpoint

    return audit_checkpoint


def _audit_seal_pending() -> Task:
    from zhengtong.audit.tasks import audit_seal_pending

    return audit_seal_pending


def _prune_jobs() -> Task:
    from .tasks import prune_jobs

    return prune_jobs


def _backup_daily() -> Task:
    from zhengtong.backups.tasks import backup_daily

    return backup_daily


def _backup_configured() -> bool:
    from django.conf import settings

    return bool(settings.BACKUP_DIR)


def _prune_report_files() -> Task:
    from zhengtong.reports.tasks import prune_report_files

    return prune_report_files


def _remind_due() -> Task:
    from zhengtong.inbox.tasks import remind_due

    return remind_due


def _pull_delivery_receipts() -> Task:
    from zhengtong.notify.tasks import pull_delivery_receipts

    return pull_delivery_receipts


DAILY = datetime.time(0, 10)
MORNING = datetime.time(8, 0)  # reminders when the offices open
NIGHT = datetime.time(2, 0)  # the backup, after the night's work and before the offices open
SCHEDULE: tuple[Periodic, ...] = (
    Periodic("escalate_problems", _escalate_problems, daily_at=DAILY),
    Periodic("evaluate_milestones", _evaluate_milestones, daily_at=DAILY),
    Periodic("population_daily", _population_daily, daily_at=DAILY),
    Periodic("audit_verify", _audit_verify, daily_at=DAILY),
    Periodic("audit_checkpoint", _audit_checkpoint, every_minutes=10),
    Periodic("audit_seal_pending", _audit_seal_pending, every_minutes=1),
    Periodic("prune_jobs", _prune_jobs, daily_at=DAILY),
    Periodic("prune_report_files", _prune_report_files, daily_at=DAILY),
    Periodic("remind_due", _remind_due, daily_at=MORNING),
    Periodic("pull_delivery_receipts", _pull_delivery_receipts, every_minutes=10),
    Periodic("backup_daily", _backup_daily, daily_at=NIGHT, enabled=_backup_configured),
)


def active_schedule(schedule: tuple[Periodic, ...] = SCHEDULE) -> tuple[Periodic, ...]:
    """The entries that run now: those without `enabled`, and those it turns on."""
    return tuple(e for e in schedule if e.enabled is None or e.enabled())


def enqueue_due(
    now: datetime.datetime | None = None,
    *,
    worker_id: str = "",
    schedule: tuple[Periodic, ...] = SCHEDULE,
) -> list[ScheduledRun]:
    """Queue every active entry whose current slot no worker has claimed yet; the runs this
    call won."""
    now = now or timezone.now()
    won = []
    for entry in active_schedule(schedule):
        slot = entry.slot(now)
        if ScheduledRun.objects.filter(name=entry.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=entry.name, slot=slot, worker_id=worker_id)
                result = entry.task().enqueue()
                ScheduledRun.objects.filter(pk=run.pk).update(job_id=result.id)
        except IntegrityError:
            continue  # another worker claimed this slot first
        logger.info("已排入定时任务 %s(时段 %s)", entry.name, timezone.localtime(slot))
        won.append(run)
    return won
