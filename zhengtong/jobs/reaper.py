"""Jobs cut off by a dead worker never stay RUNNING.

Every worker beats (`WorkerHeartbeat.seen_at`) every few seconds. A job RUNNING on a worker
whose heartbeat is older than `stale_after` seconds (or that stopped, or never beat) lost its
worker: a retry-safe task that has not been retried yet goes back to the queue once; any other
is marked failed with the reason, and an administrator may retry it from /jobs/.
"""

import datetime
import logging

from django.core.exceptions import SuspiciousOperation
from django.utils import timezone
from django_tasks import TaskResultStatus

from .errors import LOST_REASON
from .models import LOST_PATH, Job, WorkerHeartbeat
from .registry import TaskInfo, info_for

logger = logging.getLogger(__name__)

DEFAULT_STALE_AFTER = 60


def alive_worker_ids(stale_after: int, now: datetime.datetime | None = None) -> set[str]:
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=stale_after)
    rows = WorkerHeartbeat.objects.filter(seen_at__gte=cutoff, stopped_at__isnull=True)
    return set(rows.values_list("worker_id", flat=True))


def _task_info(job: Job) -> TaskInfo | None:
    """The registry entry of the job's task, importing its module if nothing has yet."""
    if (info := info_for(job.task_path)) is None:
        try:
            job.task  # noqa: B018 (importing the task registers it)
        except (ImportError, SuspiciousOperation):
            return None
        info = info_for(job.task_path)
    return info


def reap_lost_jobs(
    *, stale_after: int = DEFAULT_STALE_AFTER, now: datetime.datetime | None = None
) -> list[tuple[str, str]]:
    """Requeue or fail the jobs whose worker is gone; (job id, "requeued"/"failed") of each."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=stale_after)
    alive = alive_worker_ids(stale_after, now)
    done: list[tuple[str, str]] = []
    running = Job.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    for job in running.only("id", "task_path", "worker_ids", "started_at", "args_kwargs"):
        if job.worker in alive:
            continue
        # Only the row as read: a worker that claims or finishes it meanwhile wins.
        same = Job.objects.filter(
            pk=job.pk, status=TaskResultStatus.RUNNING, started_at=job.started_at
        )
        info = _task_info(job)
        if info is not None and info.retry_safe and len(job.worker_ids) < 2:
            if same.update(status=TaskResultStatus.READY, started_at=None):
                logger.warning("任务 %s 的工作进程中断,已重新排队(第二次尝试)。", job.pk)
                done.append((str(job.pk), "requeued"))
            continue
        changed = same.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=LOST_PATH,
            traceback=f"{LOST_PATH}: {LOST_REASON}",
            return_value=None,
        )
        if changed:
            logger.warning("任务 %s 的工作进程中断,已标记为失败。", job.pk)
            done.append((str(job.pk), "failed"))
            if info is not None and info.on_lost is not None:
                call = job.args_kwargs or {}
                try:
                    info.on_lost(*call.get("args", []), **call.get("kwargs", {}))
                except Exception:
                    logger.exception("任务 %s 中断后的收尾处理失败。", job.pk)
    return done
