"""Check the audit chain and its checkpoints; exit 1 when anything was changed outside the app.

Public reads still pending (audit.PendingEvent) are sealed into the chain first, so the chain
checked and the checkpoint written include them; a pending row whose MAC fails stays pending
and is reported.

On success a new signed checkpoint is written (unless --no-checkpoint), so the next run also
notices rows deleted from the end of the chain.
"""

from django.core.management.base import BaseCommand, CommandError

from zhengtong.audit.actions import seal_pending_if_any
from zhengtong.audit.checkpoints import CheckpointError, write_checkpoint
from zhengtong.audit.integrity import verify_chain_report
from zhengtong.audit.sealing import AuditKeyError

SHOWN = 20


class Command(BaseCommand):
    help = (
        "校验审计日志:每条记录的 HMAC-SM3 校验值、前后链接,以及链外保存的签名检查点;"
        "发现异常时指出第一处及原因并以状态 1 退出。通过时写入一个新检查点。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-checkpoint", action="store_true", help="通过时不写入新的检查点。")

    def handle(self, *args, **options) -> None:
        try:
            sealed = seal_pending_if_any().sealed
            if sealed:
                self.stdout.write(f"已将 {sealed} 条待入链的公众查询记录封存入链。")
            report = verify_chain_report()
        except AuditKeyError as exc:
            raise CommandError(str(exc), returncode=1) from None
        if not report.ok:
            problems = report.problems
            total = len(problems) + report.more
            lines = [f"审计链已损坏,共 {total} 处异常。第一处:{problems[0].message}"]
            lines += [f"  - {p.message}" for p in problems[1:SHOWN]]
            if total > SHOWN:
                lines.append(f"  …… 另有 {total - SHOWN} 处未列出。")
            ids = report.broken_ids
            if ids:
                listed = ", ".join(str(pk) for pk in ids[:SHOWN])
                more = " 等" if len(ids) > SHOWN else ""
                lines.append(f"异常记录编号:{listed}{more}")
            raise CommandError("\n".join(lines), returncode=1)
        message = f"审计链完整,共 {report.count} 条"
        if report.checkpoints:
            message += f",与 {report.checkpoints} 个检查点一致"
        self.stdout.write(self.style.SUCCESS(message))
        if options["no_checkpoint"] or report.head_id is None:
            return
        try:
            write_checkpoint(event_id=report.head_id, hash=report.head_hash, count=report.count)
        except CheckpointError as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(f"已写入检查点:第 {report.head_id} 条,共 {report.count} 条。")
