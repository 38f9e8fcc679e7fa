"""Resident ID numbers and phones encrypted at rest (SM4), found by a blind index; the existing rows are encrypted in batches, and the reverse decrypts them back."""

from django.db import migrations, models

import zhengtong.lib.encrypted
from zhengtong.lib.encrypted import decrypt_column, encrypt_column

# (model, the clear-text column renamed for the copy, the encrypted field)
COLUMNS = [("person", "id_number_plain", "id_number"), ("person", "phone_plain", "phone")]


def encrypt(apps, schema_editor):
    for model_name, plain, name in COLUMNS:
        encrypt_column(apps.get_model("people", model_name), plain, name)


def decrypt(apps, schema_editor):
    for model_name, plain, name in COLUMNS:
        decrypt_column(apps.get_model("people", model_name), name, plain)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_person_hukou_type_person_merged_into_household_and_more"),
        ("datakeys", "0001_data_keys"),
    ]

    operations = [
        # The clear-text column gets a default first, so that the reverse can add it back.
        migrations.AlterField(
            "person",
            "id_number",
            models.CharField(blank=True, default="", max_length=18, verbose_name="公民身份号码"),
        ),
        migrations.RenameField("person", "id_number", "id_number_plain"),
        migrations.RenameField("person", "phone", "phone_plain"),
        migrations.AddField(
            "person",
            "id_number",
            zhengtong.lib.encrypted.EncryptedField(
                default="", null=True, kind="id", verbose_name="公民身份号码"
            ),
        ),
        migrations.AddField(
            "person",
            "id_number_index",
            zhengtong.lib.encrypted.BlindIndexField(
                blank=True, editable=False, max_length=64, null=True, unique=True
            ),
        ),
        migrations.AddField(
            "person",
            "id_number_mask",
            zhengtong.lib.encrypted.MaskField(
                blank=True, default="", editable=False, max_length=32, verbose_name="公民身份号码"
            ),
        ),
        migrations.AddField(
            "person",
            "phone",
            zhengtong.lib.encrypted.EncryptedField(
                default="", null=True, kind="phone", verbose_name="联系电话"
            ),
        ),
        migrations.AddField(
            "person",
            "phone_index",
            zhengtong.lib.encrypted.BlindIndexField(
                blank=True, editable=False, max_length=64, null=True, db_index=True
            ),
        ),
        migrations.AddField(
            "person",
            "phone_mask",
            zhengtong.lib.encrypted.MaskField(
                blank=True, default="", editable=False, max_length=32, verbose_name="联系电话"
            ),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.RemoveField("person", "id_number_plain"),
        migrations.RemoveField("person", "phone_plain"),
    ]
