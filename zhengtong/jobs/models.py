"""What the job engine keeps besides the engine's own rows (django_tasks_db.DBTaskResult)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .errors import JobCancelled, WorkerLost
from .registry import task_label

CANCELLED_PATH = f"{JobCancelled.__module__}.{JobCancelled.__qualname__}"
LOST_PATH = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"
    SUCCEEDED = "succeeded", "已完成"


def state_filter(state: str) -> models.Q:
    """The rows in `state` (a JobState value)."""
    S = TaskResultStatus
    return {
        JobState.QUEUED: models.Q(status=S.READY),
        JobState.RUNNING: models.Q(status=S.RUNNING),
        JobState.FAILED: models.Q(status=S.FAILED) & ~models.Q(exception_class_path=CANCELLED_PATH),
        JobState.CANCELLED: models.Q(status=S.FAILED, exception_class_path=CANCELLED_PATH),
        JobState.SUCCEEDED: models.Q(status=S.SUCCESSFUL),
    }[JobState(state)]


class Job(DBTaskResult):
    """One background job (the engine's row), read in Chinese."""

    class Meta:
        proxy = True
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"

    def __str__(self) -> str:
        return f"{self.label}({self.id})"

    @property
    def label(self) -> str:
        return task_label(self.task_path)

    @property
    def state(self) -> JobState:
        S = TaskResultStatus
        if self.status == S.READY:
            return JobState.QUEUED
        if self.status == S.RUNNING:
            return JobState.RUNNING
        if self.status == S.SUCCESSFUL:
            return JobState.SUCCEEDED
        if self.exception_class_path == CANCELLED_PATH:
            return JobState.CANCELLED
        return JobState.FAILED

    @property
    def state_label(self) -> str:
        return str(self.state.label)

    @property
    def error_class(self) -> str:
        """The exception's class name (our own reasons read in Chinese)."""
        if self.status != TaskResultStatus.FAILED:
            return ""
        if self.exception_class_path == LOST_PATH:
            return "工作进程中断"
        if self.exception_class_path == CANCELLED_PATH:
            return "已取消"
        return self.exception_class_path.rsplit(".", 1)[-1]

    @property
    def error_message(self) -> str:
        """The exception's message: the last line of the traceback, without the class."""
        if self.status != TaskResultStatus.FAILED or not self.traceback:
            return ""
        lines = [line for line in self.traceback.strip().splitlines() if line.strip()]
        if not lines:
            return ""
        head, sep, rest = lines[-1].partition(": ")
        if sep and " " not in head:
            return rest.strip()
        return "" if " " not in lines[-1] else lines[-1].strip()

    @property
    def worker(self) -> str:
        return self.worker_ids[-1] if self.worker_ids else ""

    @property
    def attempts(self) -> int:
        return len(self.worker_ids)

    @property
    def retried(self) -> bool:
        try:
            return self.retry is not None
        except JobRetry.DoesNotExist:
            return False

    @property
    def may_retry(self) -> bool:
        return self.status == TaskResultStatus.FAILED and not self.retried

    @property
    def may_cancel(self) -> bool:
        return self.status == TaskResultStatus.READY


class JobRetry(models.Model):
    """A failed job an administrator queued again, and the job that runs it again."""

    original = models.OneToOneField(
        Job, on_delete=models.CASCADE, related_name="retry", verbose_name="原任务"
    )
    # Kept when the new job's record is pruned: the original stays "retried".
    retried_as = models.ForeignKey(
        Job, on_delete=models.SET_NULL, null=True, related_name="retry_of", verbose_name="重试任务"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="重试人",
    )
    requested_at = models.DateTimeField("重试时间", default=timezone.now)

    class Meta:
        verbose_name = "任务重试"
        verbose_name_plural = "任务重试"

    def __str__(self) -> str:
        return f"{self.original_id} → {self.retried_as_id}"


class ScheduledRun(models.Model):
    """One slot of a periodic task that a worker queued: the unique row is the claim, so a slot
    is queued at most once however many workers on however many machines race for it."""

    name = models.CharField("定时任务", max_length=64)
    slot = models.DateTimeField("时段")
    job = models.ForeignKey(
        Job, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="任务"
    )
    worker_id = models.CharField("工作进程", max_length=64, blank=True)
    created_at = models.DateTimeField("排入时间", default=timezone.now)

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = "定时任务运行记录"
        constraints = [
            models.UniqueConstraint(
                fields=["name", "slot"], name="jobs_scheduled_run_once_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.slot:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A worker process, and the last time it said it was alive."""

    worker_id = models.CharField("工作进程编号", max_length=64, unique=True)
    host = models.CharField("主机", max_length=255)
    pid = models.IntegerField("进程号")
    started_at = models.DateTimeField("启动时间")
    seen_at = models.DateTimeField("最近心跳", db_index=True)
    stopped_at = models.DateTimeField("停止时间", null=True, blank=True)

    class Meta:
        verbose_name = "工作进程"
        verbose_name_plural = "工作进程"

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
