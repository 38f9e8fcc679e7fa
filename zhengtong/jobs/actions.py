"""What an administrator does to a job: retry a failed one, cancel a queued one (audited)."""

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus

from zhengtong.audit.actions import record_event

from .models import CANCELLED_PATH, Job, JobRetry


class JobActionRefused(Exception):
    """The job is not in a state that allows the action; the message says why, in Chinese."""


def job_retry(*, actor, job_id) -> Job:
    """Queue a failed job again with the same arguments; the new job."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != TaskResultStatus.FAILED:
            raise JobActionRefused("只有失败或已取消的任务可以重试。")
        if JobRetry.objects.filter(original=job).exists():
            raise JobActionRefused("该任务已经重试过,请查看重试产生的新任务。")
        try:
            task = job.task
        except ImportError:
            raise JobActionRefused("该任务的程序已不存在,无法重试。") from None
        # The database backend writes the new job in this transaction: it is queued exactly
        # when the retry row and the audit row are.
        result = task.enqueue(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
        retried = Job.objects.get(pk=result.id)
        JobRetry.objects.create(original=job, retried_as=retried, requested_by=actor)
        record_event(
            actor=actor,
            action="job_retried",
            target=job,
            target_repr=job.label,
            changes={"重试任务": str(retried.pk)},
        )
    return retried


def job_cancel(*, actor, job_id) -> Job:
    """Cancel a job still waiting in the queue (a running job cannot be stopped from here)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        now = timezone.now()
        # Conditional on READY: a worker that claimed the job first wins, and it runs.
        cancelled = Job.objects.filter(pk=job.pk, status=TaskResultStatus.READY).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=CANCELLED_PATH,
            traceback=f"{CANCELLED_PATH}: 已由{actor.full_name or actor.username}取消",
            return_value=None,
        )
        if not cancelled:
            raise JobActionRefused("任务已开始运行或已结束,无法取消。")
        record_event(actor=actor, action="job_cancelled", target=job, target_repr=job.label)
        job.refresh_from_db()
    return job
