"""Process the queued population imports, for deployments that do not run them in a thread.

    python manage.py run_imports               # every queued job, then exit (cron, systemd timer)
    python manage.py run_imports --requeue-running   # after a crash: run "running" jobs again

A job killed mid-way wrote nothing (its rows are written in one transaction), so running it
again from the start is safe.
"""

from django.core.management.base import BaseCommand

from zhengtong.population.actions.imports import process_queued
from zhengtong.population.models import ImportJob


class Command(BaseCommand):
    help = "处理排队中的人员/流动人口导入任务(不在网页进程的后台线程中处理时使用)。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--requeue-running",
            action="store_true",
            help="先把状态为“导入中”的任务重新排队(仅在进程崩溃后、没有其他导入在运行时使用)。",
        )
        parser.add_argument("--limit", type=int, default=None, help="最多处理的任务数。")

    def handle(self, *args, requeue_running: bool, limit: int | None, **options) -> None:
        if requeue_running:
            n = ImportJob.objects.filter(status=ImportJob.Status.RUNNING).update(
                status=ImportJob.Status.QUEUED, processed_rows=0
            )
            if n:
                self.stdout.write(f"已将 {n} 个中断的导入任务重新排队。")
        jobs = process_queued(limit=limit)
        for job in jobs:
            self.stdout.write(
                f"导入任务 {job.pk}({job.get_status_display()}):共 {job.total_rows} 行,"
                f"新增 {job.created_rows} 条。"
            )
        if not jobs:
            self.stdout.write("没有排队中的导入任务。")
