"""Background tasks of the population work (run by the worker's daily schedule)."""

from django.utils import timezone

from zhengtong.audit.context import acting
from zhengtong.jobs.registry import task

from .actions.followups import (
    contraception_reports_close_period,
    contraception_reports_open_period,
)


@task("人口每日任务(避孕节育报告单)", retry_safe=True)
def population_daily() -> str:
    """What `manage.py population_daily` does: opens this quarter's contraception reports and
    turns the ones still missing after their period into tasks. Twice a day changes nothing."""
    today = timezone.localdate()
    with acting(channel="job"):
        opened = contraception_reports_open_period(today=today)
        closed = contraception_reports_close_period(today=today)
    return f"{today:%Y-%m-%d}:新增应寄回报告单 {len(opened)} 份,转为待办 {len(closed)} 份。"


def _import_lost(job_id: int) -> None:
    from .actions.imports import import_job_lost

    import_job_lost(job_id)


@task("人口信息批量导入", retry_safe=True, on_lost=_import_lost)
def run_import(job_id: int) -> str:
    """Check (and unless a dry run, write) one uploaded file. Run again after its worker died,
    it starts over: the rows are written in one transaction, so nothing was written."""
    from .actions.imports import process_job

    job = process_job(job_id, resume=True)
    return f"{job.get_status_display()}:共 {job.total_rows} 行,新增 {job.created_rows} 条。"
