"""One worker process: the engine's job loop, plus heartbeat, reaper and schedule.

The job loop is django-tasks-db's own (`db_worker`'s Worker: claims a job with SELECT … FOR
UPDATE SKIP LOCKED, runs it, records the outcome). Beside it a housekeeping thread, with its
own database connection, beats every `heartbeat` seconds (also while a long job runs), reaps
jobs of dead workers every minute and queues the periodic work that has come due.
"""

import datetime
import logging
import os
import signal
import socket
import threading
import time

from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from .models import WorkerHeartbeat
from .reaper import reap_lost_jobs
from .schedule import enqueue_due

logger = logging.getLogger(__name__)

REAP_EVERY = 60  # seconds
SCHEDULE_EVERY = 30


def new_worker_id() -> str:
    host = socket.gethostname()[:40]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"


def beat(worker_id: str, *, started_at: datetime.datetime | None = None) -> None:
    now = timezone.now()
    if started_at is not None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": started_at,
                "seen_at": now,
                "stopped_at": None,
            },
        )
    else:
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)


class Housekeeper(threading.Thread):
    def __init__(self, worker_id: str, *, heartbeat: float, stale_after: int, schedule: bool):
        super().__init__(name="zhengtong-jobs-housekeeper", daemon=True)
        self.worker_id = worker_id
        self.heartbeat = heartbeat
        self.stale_after = stale_after
        self.schedule = schedule
        self.stopping = threading.Event()

    def run(self) -> None:
        last_reap = last_schedule = time.monotonic()
        try:
            while not self.stopping.wait(self.heartbeat):
                try:
                    close_old_connections()
                    beat(self.worker_id)
                    now = time.monotonic()
                    if now - last_reap >= min(REAP_EVERY, self.stale_after):
                        reap_lost_jobs(stale_after=self.stale_after)
                        last_reap = now
                    if self.schedule and now - last_schedule >= SCHEDULE_EVERY:
                        enqueue_due(worker_id=self.worker_id)
                        last_schedule = now
                except Exception:
                    # A database hiccup must not end the heartbeat: log it and try again.
                    logger.exception("工作进程 %s 的心跳/定时任务出错,稍后重试。", self.worker_id)
                    connection.close()
        finally:
            connection.close()


def run_worker(
    *,
    worker_id: str,
    interval: float = 1.0,
    heartbeat: float = 5.0,
    stale_after: int = 60,
    schedule: bool = True,
    batch: bool = False,
    max_tasks: int | None = None,
) -> None:
    started_at = timezone.now()
    beat(worker_id, started_at=started_at)
    reap_lost_jobs(stale_after=stale_after)
    if schedule:
        enqueue_due(worker_id=worker_id)
    housekeeper = Housekeeper(
        worker_id, heartbeat=heartbeat, stale_after=stale_after, schedule=schedule
    )
    housekeeper.start()
    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    # Started in the background of a script (`make demo`), the process inherits an ignored
    # SIGINT: it keeps ignoring the terminal's Ctrl-C and stops on the script's one SIGTERM, so
    # a job running then finishes instead of being cut off by a second signal.
    ignores_interrupt = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    worker.configure_signals()
    if ignores_interrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        worker.run()
    finally:
        housekeeper.stopping.set()
        housekeeper.join(timeout=heartbeat + 5)
        worker.reset_signals()
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
            seen_at=timezone.now(), stopped_at=timezone.now()
        )
        logger.info("工作进程 %s 已停止。", worker_id)
