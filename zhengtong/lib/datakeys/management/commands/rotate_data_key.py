"""``python manage.py rotate_data_key [--batch-size 1000]``: a new version of the data key, and
every encrypted ID number and phone re-encrypted under it, batch by batch.

Killed half-way, run it again: it finishes the same version (the rows still under an older key
are found by the version at the start of each value) before it would start another. App
servers and workers cache the current key: restart them after a rotation, then run the command
once more to re-encrypt what they wrote meanwhile (it says "无需" when nothing is left). The
blind index is not re-keyed (see zhengtong.lib.datakeys.rotation).
"""

from django.core.management.base import BaseCommand, CommandError

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.datakeys import rotation
from zhengtong.lib.datakeys.keys import DataKeyError

ACTION = "data_key_rotated"


class Command(BaseCommand):
    help = "轮换个人信息数据密钥:新建一版密钥,分批重新加密全部身份证号码和手机号;中断后重跑即续做。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=rotation.BATCH_SIZE,
            help=f"每批重新加密的行数(默认 {rotation.BATCH_SIZE})",
        )

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size 须为正整数。")
        try:
            result = rotation.rotate(batch_size=batch_size, progress=self.stdout.write)
        except DataKeyError as exc:
            raise CommandError(str(exc), returncode=1) from None
        self._record(result)
        self.stdout.write(
            self.style.SUCCESS(
                f"完成:数据密钥第 {result['version']} 版,共重新加密 {result['rows']} 行。"
            )
        )

    @audited_atomic
    def _record(self, result: dict) -> None:
        record_event(
            actor=None,
            action=ACTION,
            kind=Event.Kind.UPDATE,
            target_type="datakeys.datakey",
            target_id=str(result["version"]),
            target_repr=f"个人信息数据密钥第 {result['version']} 版",
            changes={"rows": result["rows"], "new_version": result["new_version"]},
        )
