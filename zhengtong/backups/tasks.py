"""The daily backup the worker runs (zhengtong/jobs/schedule.py), when BACKUP_DIR is set.

One archive a night in BACKUP_DIR, the same as `manage.py backup --output` writes (sealed with
SM4 when BACKUP_KEY or BACKUP_KEY_FILE is set), then only the BACKUP_KEEP newest are kept. The
archive is written under a temporary name and renamed when complete, so a backup cut off
halfway never counts as one and never pushes a good one out. A failure ends the job failed with
its Chinese reason: the jobs page shows it and /health/ fails "最近备份".
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from zhengtong.jobs.registry import task

from .archive import BackupError, create_backup, load_key, summary

ARCHIVE_NAME = re.compile(r"^zhengtong-backup-\d{8}-\d{6}\.(tar|sm4)$")


def archives(directory: Path) -> list[Path]:
    """The archives the daily backup wrote in `directory`, newest first (by their names)."""
    found = [p for p in directory.iterdir() if p.is_file() and ARCHIVE_NAME.match(p.name)]
    return sorted(found, key=lambda p: p.name, reverse=True)


def backup_directory() -> Path:
    """BACKUP_DIR, which must exist: a missing one is usually a share that is not mounted, and
    a backup written to the local disk instead would not be where the operator looks."""
    directory = Path(settings.BACKUP_DIR)
    if not directory.is_dir():
        raise BackupError(f"备份目录不存在或不是目录:{directory}(BACKUP_DIR does not exist)")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise BackupError(f"备份目录不可写:{directory}(BACKUP_DIR is not writable)")
    return directory


def run_backup(now: datetime.datetime | None = None) -> tuple[Path, dict, list[Path]]:
    """Write tonight's archive and rotate; (archive, manifest, archives removed)."""
    directory = backup_directory()
    keep = settings.BACKUP_KEEP
    if keep < 1:
        raise BackupError(f"BACKUP_KEEP 须至少为 1(现为 {keep})")
    sealed = load_key() is not None
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    target = directory / f"zhengtong-backup-{stamp}.{'sm4' if sealed else 'tar'}"
    if target.exists():
        raise BackupError(f"备份文件已存在:{target.name}(archive exists)")
    partial = directory / f".{target.name}.partial"
    try:
        manifest = create_backup(partial)
        os.chmod(partial, 0o600)  # the whole database, personal data included
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    removed = archives(directory)[keep:]
    for old in removed:
        old.unlink()
    return target, manifest, removed


@task("每日备份", retry_safe=True)
def backup_daily() -> str:
    target, manifest, removed = run_backup()
    sealed = "已用 SM4 加密" if target.suffix == ".sm4" else "未加密"
    return (
        f"已备份到 {target.name}({sealed}):{summary(manifest)};"
        f"保留最近 {settings.BACKUP_KEEP} 份,删除旧备份 {len(removed)} 份。"
    )
