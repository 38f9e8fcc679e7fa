"""A message's dedupe key named the resident's phone in clear (`…:sms:p13800000000`) beside the
sealed number: it names the phone's blind index instead. The reverse puts the number back."""

import re

from django.db import migrations

PHONE_SUFFIX = re.compile(r":p(\d{5,})$")
INDEX_SUFFIX = re.compile(r":p([0-9a-f]{64})$")
BATCH = 1000


def _rewrite(apps, pattern, value) -> None:
    Message = apps.get_model("notify", "Message")
    changed = []
    for message in Message.objects.filter(channel="sms", dedupe_key__contains=":p").iterator(
        chunk_size=BATCH
    ):
        if pattern.search(message.dedupe_key) and (new := value(message)):
            message.dedupe_key = pattern.sub(f":p{new}", message.dedupe_key)
            changed.append(message)
        if len(changed) >= BATCH:
            Message.objects.bulk_update(changed, ["dedupe_key"])
            changed = []
    if changed:
        Message.objects.bulk_update(changed, ["dedupe_key"])


def forward(apps, schema_editor) -> None:
    _rewrite(apps, PHONE_SUFFIX, lambda m: m.phone_index)


def backward(apps, schema_editor) -> None:
    _rewrite(apps, INDEX_SUFFIX, lambda m: m.phone)


class Migration(migrations.Migration):
    dependencies = [("notify", "0008_encrypt_message_phone")]

    operations = [migrations.RunPython(forward, backward)]
