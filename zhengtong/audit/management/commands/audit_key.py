"""The audit chain's key: make a new one, show which keys the chain uses, record a rotation.

Rotating the key (yearly, or at once when it may have leaked):

1. ``python manage.py audit_key generate`` prints a new key and its fingerprint.
2. Move the current key into the keyring: ``AUDIT_HMAC_OLD_KEYS=<old id>:<old key>`` (or a line
   of ``AUDIT_HMAC_KEYS_FILE``); set ``AUDIT_HMAC_KEY`` (or the key file) to the new key and
   ``AUDIT_HMAC_KEY_ID`` to a new name, on every app server; restart them.
3. ``python manage.py audit_key rotate`` appends the ``audit_key_rotated`` event sealed with the
   new key (the first write after the restart does it too), then ``audit_verify``.

Old rows keep the id of the key that sealed them and verify with it; once a newer key appears
in the chain, a row sealed later with an older key is reported as forged. Never delete an old
key while rows sealed with it remain: they would no longer verify.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Min

from zhengtong.audit.actions import record_key_rotation
from zhengtong.audit.models import Event
from zhengtong.audit.sealing import AuditKeyError, get_keyring, key_fingerprint, new_key_hex


class Command(BaseCommand):
    help = (
        "审计链密钥:generate 生成新密钥;status 显示当前密钥与链上用到的密钥;"
        "rotate 在更换 AUDIT_HMAC_KEY 并重启后立即记下轮换事件。"
    )
    # `generate` must work before any key exists.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["generate", "status", "rotate"])

    def handle(self, *args, what: str, **options) -> None:
        try:
            getattr(self, what)()
        except AuditKeyError as exc:
            raise CommandError(str(exc), returncode=1) from None

    def generate(self) -> None:
        key = new_key_hex()
        self.stdout.write(f"AUDIT_HMAC_KEY={key}")
        self.stdout.write(
            f"# 密钥编号(未设 AUDIT_HMAC_KEY_ID 时):{key_fingerprint(bytes.fromhex(key))}"
        )
        self.stdout.write(
            "# 保存在数据库之外(环境变量或只读的密钥文件);轮换时旧密钥移入 AUDIT_HMAC_OLD_KEYS。"
        )

    def status(self) -> None:
        ring = get_keyring()
        kind = "开发密钥" if ring.is_dev else "正式密钥"
        self.stdout.write(f"当前密钥:{ring.current_id}({kind})")
        self.stdout.write("密钥环:" + "、".join(sorted(ring.keys)))
        used = Event.objects.values("key_id").annotate(n=Count("id"), first=Min("id"))
        for row in used.order_by("first"):
            known = "" if row["key_id"] in ring.keys else "(不在密钥环中!)"
            self.stdout.write(
                f"  {row['key_id'] or '(无)'}:{row['n']} 条,自第 {row['first']} 条起{known}"
            )

    def rotate(self) -> None:
        event = record_key_rotation()
        if event is None:
            self.stdout.write("链上最新一条已用当前密钥封存,无需记录轮换。")
        else:
            self.stdout.write(self.style.SUCCESS(f"已记录密钥轮换:第 {event.id} 条。"))
