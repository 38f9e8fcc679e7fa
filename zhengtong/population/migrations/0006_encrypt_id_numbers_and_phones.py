"""The ID number of a 婚育证明 and the phones of floating records and volunteer pairings encrypted at rest (SM4), found by a blind index; existing rows encrypted in batches."""

from django.db import migrations, models

import zhengtong.lib.encrypted
from zhengtong.lib.encrypted import decrypt_column, encrypt_column

# (model, the clear-text column renamed for the copy, the encrypted field)
COLUMNS = [
    ("floatingrecord", "contact_phone_plain", "contact_phone"),
    ("marriagecertificate", "id_number_plain", "id_number"),
    ("pairing", "volunteer_phone_plain", "volunteer_phone"),
]


def encrypt(apps, schema_editor):
    for model_name, plain, name in COLUMNS:
        encrypt_column(apps.get_model("population", model_name), plain, name)


def decrypt(apps, schema_editor):
    for model_name, plain, name in COLUMNS:
        decrypt_column(apps.get_model("population", model_name), name, plain)


class Migration(migrations.Migration):
    dependencies = [("population", "0005_import_cancelled"), ("datakeys", "0001_data_keys")]

    operations = [
        # The clear-text column gets a default first, so that the reverse can add it back.
        migrations.AlterField(
            "marriagecertificate",
            "id_number",
            models.CharField(blank=True, default="", max_length=18, verbose_name="公民身份号码"),
        ),
        migrations.AlterField(
            "pairing",
            "volunteer_phone",
            models.CharField(blank=True, default="", max_length=20, verbose_name="志愿者电话"),
        ),
        migrations.RenameField("floatingrecord", "contact_phone", "contact_phone_plain"),
        migrations.RenameField("marriagecertificate", "id_number", "id_number_plain"),
        migrations.RenameField("pairing", "volunteer_phone", "volunteer_phone_plain"),
        migrations.AddField(
            "floatingrecord",
            "contact_phone",
            zhengtong.lib.encrypted.EncryptedField(
                default="", null=True, kind="phone", verbose_name="联系电话"
            ),
        ),
        migrations.AddField(
            "floatingrecord",
            "contact_phone_index",
            zhengtong.lib.encrypted.BlindIndexField(
                blank=True, editable=False, max_length=64, null=True, db_index=True
            ),
        ),
        migrations.AddField(
            "floatingrecord",
            "contact_phone_mask",
            zhengtong.lib.encrypted.MaskField(
                blank=True, default="", editable=False, max_length=32, verbose_name="联系电话"
            ),
        ),
        migrations.AddField(
            "marriagecertificate",
            "id_number",
            zhengtong.lib.encrypted.EncryptedField(
                default="", null=True, kind="id", verbose_name="公民身份号码", blank=False
            ),
        ),
        migrations.AddField(
            "marriagecertificate",
            "id_number_index",
            zhengtong.lib.encrypted.BlindIndexField(
                blank=True, editable=False, max_length=64, null=True, db_index=True
            ),
        ),
        migrations.AddField(
            "marriagecertificate",
            "id_number_mask",
            zhengtong.lib.encrypted.MaskField(
                blank=True, default="", editable=False, max_length=32, verbose_name="公民身份号码"
            ),
        ),
        migrations.AddField(
            "pairing",
            "volunteer_phone",
            zhengtong.lib.encrypted.EncryptedField(
                default="", null=True, kind="phone", verbose_name="志愿者电话", blank=False
            ),
        ),
        migrations.AddField(
            "pairing",
            "volunteer_phone_index",
            zhengtong.lib.encrypted.BlindIndexField(
                blank=True, editable=False, max_length=64, null=True, db_index=True
            ),
        ),
        migrations.AddField(
            "pairing",
            "volunteer_phone_mask",
            zhengtong.lib.encrypted.MaskField(
                blank=True, default="", editable=False, max_length=32, verbose_name="志愿者电话"
            ),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.RemoveField("floatingrecord", "contact_phone_plain"),
        migrations.RemoveField("marriagecertificate", "id_number_plain"),
        migrations.RemoveField("pairing", "volunteer_phone_plain"),
    ]
