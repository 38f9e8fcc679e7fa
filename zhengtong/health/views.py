"""GET /health/: one JSON entry per check, 200 only when none fails.

Safe to call anonymously: it says only whether each part works ("ok", "warn" or "fail"),
with a Chinese reason and, where it helps, an age in seconds or a year. It names no person,
no user, no host, no path and no setting's value.

A provisional calendar year is a warning, never a failure: deadlines computed from it are
marked and recomputed once the State Council notice is entered, so the server stays in service.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhengtong.lib.fonts import FONT_PACKAGE, cjk_font_files

logger = logging.getLogger(__name__)
OK, WARN, FAIL = "ok", "warn", "fail"
Result = dict[str, object]


def check_database() -> Result:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": OK, "message": "数据库可以访问"}


def check_storage() -> Result:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return {"status": OK, "message": "文件存储可以写入"}


def check_fonts() -> Result:
    if cjk_font_files():
        return {"status": OK, "message": "已安装中文字体"}
    return {"status": FAIL, "message": f"未安装中文字体,请安装 {FONT_PACKAGE}"}


def check_worker() -> Result:
    from zhengtong.jobs.models import WorkerHeartbeat

    latest = (
        WorkerHeartbeat.objects.filter(stopped_at__isnull=True)
        .order_by("-seen_at")
        .values_list("seen_at", flat=True)
        .first()
    )
    if latest is None:
        return {"status": FAIL, "message": "没有正在运行的后台工作进程"}
    age = int((timezone.now() - latest).total_seconds())
    if age > settings.JOBS_STALE_AFTER:
        return {"status": FAIL, "message": "后台工作进程的心跳已过期", "age_seconds": age}
    return {"status": OK, "message": "后台工作进程在运行", "age_seconds": age}


def check_calendar() -> Result:
    from zhengtong.workdays.models import CalendarYear

    today = timezone.localdate()
    official = set(
        CalendarYear.objects.filter(year__in=[today.year, today.year + 1]).values_list(
            "year", flat=True
        )
    )
    for year in (today.year, today.year + 1):
        if year not in official:
            return {
                "status": WARN,
                "message": f"{year} 年节假日安排尚未按国务院通知维护,期限按法定假日暂算",
                "year": year,
            }
    return {"status": OK, "message": "今明两年节假日安排已维护", "year": today.year + 1}


def check_audit_checkpoint() -> Result:
    """Fail when an audit event has waited longer than AUDIT_CHECKPOINT_MAX_AGE for a checkpoint."""
    from zhengtong.audit.checkpoints import read_checkpoints
    from zhengtong.audit.models import Event

    checkpoints, _ = read_checkpoints()
    signed_up_to = max((cp.event_id for cp in checkpoints), default=0)
    oldest = (
        Event.objects.filter(id__gt=signed_up_to)
        .order_by("id")
        .values_list("created_at", flat=True)
        .first()
    )
    if oldest is None:
        return {"status": OK, "message": "审计日志已全部纳入检查点"}
    age = int((timezone.now() - oldest).total_seconds())
    if age > timedelta(minutes=settings.AUDIT_CHECKPOINT_MAX_AGE_MINUTES).total_seconds():
        return {"status": FAIL, "message": "审计日志检查点已过期", "age_seconds": age}
    return {"status": OK, "message": "审计日志检查点及时", "age_seconds": age}


def check_backup() -> Result:
    """最近备份: the last daily backup job (zhengtong/backups/tasks.py) and its age."""
    from django_tasks import TaskResultStatus

    from zhengtong.backups.tasks import backup_daily
    from zhengtong.jobs.models import Job, JobState, state_filter

    if not settings.BACKUP_DIR:
        return {"status": WARN, "message": "最近备份:未启用每日备份(未设置 BACKUP_DIR)"}
    last = (
        Job.objects.filter(task_path=backup_daily.module_path)
        .filter(state_filter(JobState.SUCCEEDED) | state_filter(JobState.FAILED))
        .order_by("-finished_at")
        .first()
    )
    if last is None or last.finished_at is None:
        return {"status": WARN, "message": "最近备份:每日备份已启用,尚未完成第一次备份"}
    age = int((timezone.now() - last.finished_at).total_seconds())
    if last.status == TaskResultStatus.FAILED:
        # The reason is on the jobs page: it may name a directory.
        return {
            "status": FAIL,
            "message": "最近备份失败,原因见“后台任务”页",
            "age_seconds": age,
        }
    if age > settings.BACKUP_MAX_AGE_HOURS * 3600:
        return {
            "status": FAIL,
            "message": f"最近备份已超过 {settings.BACKUP_MAX_AGE_HOURS} 小时",
            "age_seconds": age,
        }
    return {"status": OK, "message": "最近备份成功", "age_seconds": age}


CHECKS: dict[str, Callable[[], Result]] = {
    "database": check_database,
    "storage": check_storage,
    "fonts": check_fonts,
    "worker": check_worker,
    "calendar": check_calendar,
    "audit_checkpoint": check_audit_checkpoint,
    "backup": check_backup,
}


def run_checks() -> dict[str, Result]:
    results: dict[str, Result] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            logger.exception("health check %s failed", name)
            # The reason stays in the server log: the exception may name a host or a path.
            results[name] = {"status": FAIL, "message": "检查时出错"}
    return results


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(result["status"] != FAIL for result in checks.values())
    body = {"status": OK if healthy else FAIL, "checks": checks}
    return JsonResponse(
        body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False}
    )
