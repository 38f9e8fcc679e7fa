"""Write one backup archive, or prove one by restoring it into a scratch database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengtong.backups.archive import BackupError, create_backup, summary, verify_backup


class Command(BaseCommand):
    help = (
        "备份数据库、上传文件和清单(各表行数与校验值、各文件 sha256)到一个归档文件;"
        "设置 BACKUP_KEY_FILE 时用 SM4 加密。--verify 把归档恢复到临时库逐项核对。"
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--output", help="备份归档写到这个文件。")
        group.add_argument("--verify", help="核对这个备份归档:恢复到临时库并与清单比对。")

    def handle(self, *args, **options) -> None:
        try:
            if options["verify"]:
                problems = verify_backup(Path(options["verify"]))
                if problems:
                    raise CommandError(
                        "备份核对未通过(verification failed):\n" + "\n".join(problems), returncode=1
                    )
                self.stdout.write(self.style.SUCCESS("备份核对通过:所有数据表、文件和审计链一致。"))
                return
            output = Path(options["output"])
            manifest = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(self.style.SUCCESS(f"已备份到 {output}:{summary(manifest)}。"))
