"""The generated PDF files of the work report: made by a background job, kept for the day."""

from django.conf import settings
from django.db import models

from zhengtong.lib.files import StoredName


class ReportFile(models.Model):
    """One PDF of the work report for one period and one reader's scope.

    `scope_key` is the reader's leader units (their paths): the report says only what those
    units hold, so a file is shown to exactly the leaders with the same units, and one made
    today for the same period and scope is handed out again instead of being made twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已生成"
        FAILED = "failed", "生成失败"
        EXPIRED = "expired", "已过保存期"

    kind = models.CharField("报告", max_length=30, default="work_report")
    period_query = models.CharField("报告期", max_length=60)
    period_label = models.CharField("报告期名称", max_length=60)
    period_slug = models.CharField("文件名中的报告期", max_length=60)
    scope_key = models.CharField("可见范围", max_length=500)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField("进度", max_length=50, blank=True)
    error = models.CharField("失败原因", max_length=300, blank=True)
    file = models.FileField("文件", upload_to=StoredName("reports", ("pdf",)), blank=True)
    made_on = models.DateField("生成日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "报告文件"
        verbose_name_plural = "报告文件"
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["kind", "scope_key", "period_query", "made_on"], name="reports_file_reuse"
            )
        ]

    def __str__(self) -> str:
        return f"工作简报({self.period_label})"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def download_name(self) -> str:
        return f"工作简报-{self.period_slug}.pdf"
