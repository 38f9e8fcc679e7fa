"""Write one signed checkpoint of the audit chain outside the database (run it from cron).

Cheap on purpose: it reads the head row and a count, checks the head's own seal and that the
latest checkpoint still holds, and refuses to sign a chain that already fails those.
`audit_verify` does the full check.
"""

from django.core.management.base import BaseCommand, CommandError

from zhengtong.audit.checkpoints import CheckpointError, read_checkpoints, write_checkpoint
from zhengtong.audit.models import Event
from zhengtong.audit.sealing import AuditKeyError, get_keyring, seal


class Command(BaseCommand):
    help = "为审计链写入一个签名检查点(链外保存,用于发现删除最新记录等截断)。建议每 10 分钟运行。"

    def handle(self, *args, **options) -> None:
        try:
            self._write()
        except (AuditKeyError, CheckpointError) as exc:
            raise CommandError(str(exc), returncode=1) from None

    def _write(self) -> None:
        ring = get_keyring()
        head = Event.objects.order_by("-id").first()
        if head is None:
            self.stdout.write("审计日志为空,未写入检查点。")
            return
        key = ring.get(head.key_id)
        if key is None or seal(head, key) != head.hash:
            raise CommandError(
                f"最新一条审计记录(第 {head.id} 条)校验不通过,拒绝写入检查点;"
                "请运行 audit_verify 查明原因。",
                returncode=1,
            )
        checkpoints, _ = read_checkpoints()
        if checkpoints:
            latest = max(checkpoints, key=lambda cp: cp.event_id)
            row = Event.objects.filter(id=latest.event_id).only("hash").first()
            if head.id < latest.event_id or row is None or row.hash != latest.hash:
                raise CommandError(
                    f"审计链与检查点 {latest.line}(第 {latest.event_id} 条)不再一致,"
                    "拒绝写入检查点;请运行 audit_verify 查明原因。",
                    returncode=1,
                )
        count = Event.objects.filter(id__lte=head.id).count()
        write_checkpoint(event_id=head.id, hash=head.hash, count=count)
        self.stdout.write(self.style.SUCCESS(f"已写入检查点:第 {head.id} 条,共 {count} 条。"))
