"""The work report's PDF as a background job: ask for it, reuse today's, make it, read it.

The PDF takes WeasyPrint several seconds, so the page only queues a job (`request_work_report_pdf`)
and shows its progress; the worker makes the file (`build_work_report_pdf`) and stores it through
`lib/files.py`. The file says only what the asking leader's units hold, so it belongs to that
scope: the same period asked for again the same day by a leader of the same units gets the same
file, and no other user sees it (`report_files_for`)."""

import datetime
import functools
import logging
import urllib.parse

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import unit_paths
from zhengtong.audit.actions import record_event
from zhengtong.audit.context import acting
from zhengtong.jobs.enqueue import enqueue_on_commit
from zhengtong.lib.pdf import render_pdf
from zhengtong.lib.periods import Period, parse_period

from . import report
from .models import ReportFile

logger = logging.getLogger(__name__)

FAILED_TEXT = (
    "生成 PDF 时出错,未能生成文件。请点“重新生成”;仍然失败请联系系统管理员(后台任务页有详细错误)。"
)
LOST_TEXT = "生成 PDF 的工作进程中断(进程被终止或机器重启),请点“重新生成”。"


def scope_key(user) -> str:
    """The units whose figures the user's report holds (empty: the user reads no report)."""
    return "|".join(unit_paths(user, [Role.LEADER]))[:500]


def report_files_for(user):
    """The report files `user` may see: those made for exactly the user's leader units."""
    key = scope_key(user)
    if not key:
        return ReportFile.objects.none()
    return ReportFile.objects.filter(scope_key=key)


def request_work_report_pdf(*, actor, period: Period) -> tuple[ReportFile, bool]:
    """Today's file of this period for the actor's scope if there is one in the making or made,
    else a new one queued; (file, whether it was queued now)."""
    key = scope_key(actor)
    today = timezone.localdate()
    with transaction.atomic():
        existing = (
            ReportFile.objects.select_for_update()
            .filter(
                kind="work_report",
                scope_key=key,
                period_query=period.query,
                made_on=today,
                status__in=[
                    ReportFile.Status.QUEUED,
                    ReportFile.Status.RUNNING,
                    ReportFile.Status.DONE,
                ],
            )
            .order_by("-created_at")
            .first()
        )
        if existing is not None:
            return existing, False
        row = ReportFile.objects.create(
            kind="work_report",
            period_query=period.query,
            period_label=period.label,
            period_slug=period.slug,
            scope_key=key,
            made_on=today,
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="work_report_pdf_requested",
            target=row,
            changes={"period": [None, period.label]},
        )
        from .tasks import make_work_report_pdf

        enqueue_on_commit(make_work_report_pdf, row.pk)
    return row, True


def _step(row: ReportFile, step: str, **fields) -> None:
    ReportFile.objects.filter(pk=row.pk).update(step=step, **fields)


def build_work_report_pdf(file_id: int) -> ReportFile | None:
    """Make the PDF of file `file_id` (run by the worker). A file already made is left alone."""
    row = ReportFile.objects.select_related("created_by").filter(pk=file_id).first()
    if row is None or row.status == ReportFile.Status.DONE:
        return row
    _step(row, "正在汇总各台账数据", status=ReportFile.Status.RUNNING, error="")
    try:
        period = parse_period(dict(urllib.parse.parse_qsl(row.period_query)))
        if period is None:
            raise ValueError(f"报告期无法识别:{row.period_query}")
        user = row.created_by
        with acting(channel="job"):
            data = report.gather(user, period, today=row.made_on)
            urls = report.links(period)
            context = {
                "data": data,
                "period": period,
                "urls": urls,
                "paragraphs": report.paragraphs(data, urls),
            }
            _step(row, "正在排版 PDF")
            content = render_pdf("reports/work_report_pdf.html", context)
    except Exception:
        logger.exception("工作简报 PDF 生成失败(文件 %s)", file_id)
        _step(
            row,
            "",
            status=ReportFile.Status.FAILED,
            error=FAILED_TEXT,
            finished_at=timezone.now(),
        )
        raise
    _step(row, "正在保存文件")
    row.refresh_from_db()
    row.file.save(row.download_name, ContentFile(content), save=False)
    row.status = ReportFile.Status.DONE
    row.step = ""
    row.finished_at = timezone.now()
    row.save(update_fields=["file", "status", "step", "finished_at"])
    return row


def work_report_pdf_lost(file_id: int) -> None:
    """The worker died making the file and the job will not run again: say so on the page."""
    ReportFile.objects.filter(
        pk=file_id, status__in=[ReportFile.Status.QUEUED, ReportFile.Status.RUNNING]
    ).update(status=ReportFile.Status.FAILED, step="", error=LOST_TEXT, finished_at=timezone.now())


def prune_report_files(today: datetime.date | None = None) -> int:
    """Remove the stored PDFs made more than `REPORT_FILE_KEEP_DAYS` days ago. The row stays,
    marked 已过保存期, so its page says what happened and offers to make it again; the figures
    themselves live in the ledgers, the file is only a copy. The number of files removed."""
    today = today or timezone.localdate()
    before = today - datetime.timedelta(days=settings.REPORT_FILE_KEEP_DAYS)
    old = ReportFile.objects.filter(
        made_on__lt=before, status__in=[ReportFile.Status.DONE, ReportFile.Status.FAILED]
    )
    removed = 0
    for row in old.iterator():
        with transaction.atomic():
            locked = ReportFile.objects.select_for_update().filter(pk=row.pk).first()
            if locked is None or locked.status not in (
                ReportFile.Status.DONE,
                ReportFile.Status.FAILED,
            ):
                continue
            if name := locked.file.name:
                # The file goes after the commit: a rolled-back transaction keeps both.
                transaction.on_commit(functools.partial(locked.file.storage.delete, name))
                removed += 1
            locked.file = ""
            locked.status = ReportFile.Status.EXPIRED
            locked.step = ""
            locked.error = ""
            locked.save(update_fields=["file", "status", "step", "error"])
    return removed


def work_report_pdf_retry(*, actor, row: ReportFile) -> ReportFile:
    """Queue a failed or expired file again (same period, same scope)."""
    with transaction.atomic():
        locked = ReportFile.objects.select_for_update().get(pk=row.pk)
        if locked.status not in (ReportFile.Status.FAILED, ReportFile.Status.EXPIRED):
            return locked
        locked.status = ReportFile.Status.QUEUED
        locked.error = ""
        locked.step = ""
        locked.finished_at = None
        locked.made_on = timezone.localdate()
        locked.save(update_fields=["status", "error", "step", "finished_at", "made_on"])
        record_event(
            actor=actor,
            action="work_report_pdf_requested",
            target=locked,
            changes={"period": [None, locked.period_label], "retry": [None, True]},
        )
        from .tasks import make_work_report_pdf

        enqueue_on_commit(make_work_report_pdf, locked.pk)
    return locked
