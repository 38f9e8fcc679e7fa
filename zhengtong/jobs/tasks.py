"""The engine's own housekeeping task (run by the daily schedule)."""

import datetime

from django.utils import timezone
from django_tasks import TaskResultStatus

from .models import Job, ScheduledRun
from .registry import task

KEEP_SUCCEEDED_DAYS = 30
KEEP_FAILED_DAYS = 180


@task("清理过期的后台任务记录", retry_safe=True)
def prune_jobs() -> str:
    """Delete finished jobs past their keeping time (completed after 30 days, failed and
    cancelled after 180) and the schedule's claims older than 30 days. Queued and running jobs
    are never touched."""
    now = timezone.now()
    succeeded_before = now - datetime.timedelta(days=KEEP_SUCCEEDED_DAYS)
    failed_before = now - datetime.timedelta(days=KEEP_FAILED_DAYS)
    succeeded, _ = Job.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=succeeded_before
    ).delete()
    failed, _ = Job.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=failed_before
    ).delete()
    ScheduledRun.objects.filter(slot__lt=succeeded_before).delete()
    return f"已清理已完成的任务记录 {succeeded} 条、失败或已取消的 {failed} 条。"
