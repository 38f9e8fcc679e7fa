"""python manage.py worker: the one background process (beside the web process)."""

import logging
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhengtong.jobs.worker import new_worker_id, run_worker


class Command(BaseCommand):
    help = (
        "后台工作进程:执行排队的后台任务,按 zhengtong/jobs/schedule.py 排入定时任务"
        "(每日 00:10 后:问题升级督办、节点状态评估、人口每日任务、审计链校验;每 10 分钟:"
        "审计检查点),并把中断的任务标记为失败或重新排队。生产环境与网页进程各运行一个,"
        "可在多台机器上各运行一个。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="无任务时的轮询间隔(秒)。")
        parser.add_argument("--heartbeat", type=float, default=5.0, help="心跳间隔(秒)。")
        parser.add_argument(
            "--stale-after",
            type=int,
            default=getattr(settings, "JOBS_STALE_AFTER", 60),
            help="心跳超过多少秒未更新即视为工作进程中断(默认 60)。",
        )
        parser.add_argument(
            "--no-schedule", action="store_true", help="只执行任务,不排入定时任务。"
        )
        parser.add_argument("--batch", action="store_true", help="执行完已排队的任务后退出。")
        parser.add_argument("--max-tasks", type=int, default=None, help="执行这么多个任务后退出。")
        parser.add_argument("--worker-id", default="", help="工作进程编号(默认自动生成)。")

    def handle(self, *args, **options) -> None:
        if options["heartbeat"] <= 0 or options["stale_after"] <= options["heartbeat"]:
            raise CommandError("--stale-after 须大于 --heartbeat,且心跳间隔须大于 0。")
        worker_id = options["worker_id"] or new_worker_id()
        if len(worker_id) > 64:
            raise CommandError("工作进程编号不能超过 64 个字符。")
        handler = logging.StreamHandler(sys.stdout)
        for name in ("zhengtong.jobs", "django_tasks_db", "django_tasks"):
            log = logging.getLogger(name)
            log.setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
            if not log.handlers:
                log.addHandler(handler)
                log.propagate = False
        self.stdout.write(f"工作进程 {worker_id} 已启动。按 Ctrl-C 停止。")
        run_worker(
            worker_id=worker_id,
            interval=options["interval"],
            heartbeat=options["heartbeat"],
            stale_after=options["stale_after"],
            schedule=not options["no_schedule"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
        )
