"""The recipient phone of a message encrypted at rest (SM4); the daily cap per phone reads the index notify_msg_phone_day, rebuilt on the blind index."""

from django.db import migrations, models

import zhengtong.lib.encrypted
from zhengtong.lib.encrypted import decrypt_column, encrypt_column

# (model, the clear-text column renamed for the copy, the encrypted field)
COLUMNS = [("message", "phone_plain", "phone")]


def encrypt(apps, schema_editor):
    for model_name, plain, name in COLUMNS:
        encrypt_column(apps.get_model("notify", model_name), plain, name)


def decrypt(apps, schema_editor):
    for model_name, plain, name in COLUMNS:
        decrypt_column(apps.get_model("notify", model_name), name, plain)


class Migration(migrations.Migration):
    dependencies = [("notify", "0007_delivery_receipts"), ("datakeys", "0001_data_keys")]

    operations = [
        migrations.RemoveIndex("message", "notify_msg_phone_day"),
        migrations.RenameField("message", "phone", "phone_plain"),
        migrations.AddField(
            "message",
            "phone",
            zhengtong.lib.encrypted.EncryptedField(
                default="", null=True, kind="phone", verbose_name="收信手机号"
            ),
        ),
        migrations.AddField(
            "message",
            "phone_index",
            zhengtong.lib.encrypted.BlindIndexField(
                blank=True, editable=False, max_length=64, null=True, db_index=False
            ),
        ),
        migrations.AddField(
            "message",
            "phone_mask",
            zhengtong.lib.encrypted.MaskField(
                blank=True, default="", editable=False, max_length=32, verbose_name="收信手机号"
            ),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.RemoveField("message", "phone_plain"),
        migrations.AddIndex(
            "message",
            models.Index(fields=["phone_index", "channel", "sent_at"], name="notify_msg_phone_day"),
        ),
    ]
