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
