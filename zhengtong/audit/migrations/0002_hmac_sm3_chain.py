"""Seal the audit chain with HMAC-SM3 over every column, and name the key on each row.

The rows already there were chained with plain SHA-256 over some of their columns. Each is
first checked under that old rule, then sealed under the new one, in id order. A broken old
chain is not blessed in silence: it is sealed as it stands (refusing would leave the log
unverifiable for good), and one more event records how many rows failed the old check and
which. An empty table needs no key.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models
from django.utils import timezone

BATCH = 2000
FAILED_IDS_KEPT = 200


def _old_sha256(event) -> str:
    """The rule rows were chained with before this migration (frozen here)."""
    payload = json.dumps(
        [
            event.prev_hash,
            event.created_at.isoformat() if event.created_at else "",
            event.actor_id,
            event.actor_label,
            event.ip,
            event.kind,
            event.action,
            event.target_type,
            event.target_id,
            event.target_repr,
            event.changes,
            event.reason,
        ],
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def reseal(apps, schema_editor):
    from zhengtong.audit.sealing import get_keyring, seal

    Event = apps.get_model("audit", "Event")
    db = schema_editor.connection.alias
    rows = Event.objects.using(db)
    if not rows.exists():
        return
    ring = get_keyring()
    old_prev = new_prev = ""
    failed: list[int] = []
    total = 0
    last_id = 0
    while True:
        batch = list(rows.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            break
        for event in batch:
            total += 1
            if event.prev_hash != old_prev or event.hash != _old_sha256(event):
                failed.append(event.id)
            old_prev = event.hash
            event.key_id = ring.current_id
            event.prev_hash = new_prev
            event.hash = seal(event, ring.current)
            new_prev = event.hash
        rows.bulk_update(batch, ["key_id", "prev_hash", "hash"], batch_size=500)
        last_id = batch[-1].id
    if failed:
        reason = (
            f"旧的 SHA-256 审计链共 {total} 条,其中 {len(failed)} 条校验不通过(编号见变更内容);"
            "已按现状改用 HMAC-SM3 重新封存,这些记录在迁移前是否被改动已无法证明。"
        )
    else:
        reason = f"旧的 SHA-256 审计链共 {total} 条,全部校验通过,已改用 HMAC-SM3 重新封存。"
    event = Event(
        id=last_id + 1,
        created_at=timezone.now(),
        actor_label="system",
        channel="system",
        kind="update",
        action="audit_chain_resealed",
        target_type="audit.event",
        target_id=ring.current_id,
        target_repr="审计链",
        changes={
            "scheme": ["SHA-256", "HMAC-SM3"],
            "rows": total,
            "old_check_failed": len(failed),
            "failed_ids": failed[:FAILED_IDS_KEPT],
        },
        reason=reason,
        key_id=ring.current_id,
        prev_hash=new_prev,
    )
    event.hash = seal(event, ring.current)
    event.save(using=db, force_insert=True)


def unseal(apps, schema_editor):
    """Back to the SHA-256 chain, for a rollback of the code."""
    Event = apps.get_model("audit", "Event")
    rows = Event.objects.using(schema_editor.connection.alias)
    prev = ""
    last_id = 0
    while batch := list(rows.filter(id__gt=last_id).order_by("id")[:BATCH]):
        for event in batch:
            event.prev_hash = prev
            event.hash = _old_sha256(event)
            prev = event.hash
        rows.bulk_update(batch, ["prev_hash", "hash"], batch_size=500)
        last_id = batch[-1].id


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=40, verbose_name="密钥编号"),
        ),
        migrations.RunPython(reseal, unseal, elidable=False),
    ]
