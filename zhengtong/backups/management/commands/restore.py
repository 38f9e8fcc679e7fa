"""Restore one backup archive into the database of DATABASE_URL and MEDIA_ROOT."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from zhengtong.backups.archive import BackupError, restore_backup, summary


class Command(BaseCommand):
    help = "把备份归档恢复到 DATABASE_URL 指定的空数据库和空的 MEDIA_ROOT;目标不空时须加 --force。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份归档文件。")
        parser.add_argument("--force", action="store_true", help="目标不是空的也覆盖。")

    def handle(self, *args, **options) -> None:
        connections["default"].close()
        try:
            manifest = restore_backup(
                Path(options["archive"]),
                connections["default"].settings_dict,
                Path(settings.MEDIA_ROOT),
                force=options["force"],
            )
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(self.style.SUCCESS(f"已恢复:{summary(manifest)}。"))
