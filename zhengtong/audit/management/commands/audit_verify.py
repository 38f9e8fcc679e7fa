"""Check the hash chain of the audit log; exit 1 when any row was changed outside the app."""

from django.core.management.base import BaseCommand, CommandError

from zhengtong.audit.actions import verify_chain
from zhengtong.audit.models import Event


class Command(BaseCommand):
    help = "校验审计日志的哈希链;发现被篡改的记录时列出其编号并以状态 1 退出。"

    def handle(self, *args, **options) -> None:
        broken = verify_chain()
        if broken:
            ids = ", ".join(str(pk) for pk in broken)
            raise CommandError(f"审计链已损坏,共 {len(broken)} 条记录异常,编号:{ids}", returncode=1)
        count = Event.objects.count()
        self.stdout.write(self.style.SUCCESS(f"审计链完整,共 {count} 条"))
