"""The applicant's phone encrypted at rest (SM4), found by a blind index, and its last four digits kept in an indexed column for the case search; existing rows encrypted in batches."""

from django.db import migrations, models

import zhengtong.lib.encrypted
from zhengtong.lib.encrypted import decrypt_column, encrypt_column

# (model, the clear-text column renamed for the copy, the encrypted field)
COLUMNS = [("application", "applicant_phone_plain", "applicant_phone")]


def encrypt(apps, schema_editor):
    for model_name, plain, name in COLUMNS:
        encrypt_column(apps.get_model("services", model_name), plain, name)


def decrypt(apps, schema_editor):
    for model_name, plain, name in COLUMNS:
        decrypt_column(apps.get_model("services", model_name), name, plain)


class Migration(migrations.Migration):
    dependencies = [("services", "0005_item_admin_notes"), ("datakeys", "0001_data_keys")]

    operations = [
        # The clear-text column gets a default first, so that the reverse can add it back.
        migrations.AlterField(
            "application",
            "applicant_phone",
            models.CharField(blank=True, default="", max_length=20, verbose_name="联系电话"),
        ),
        migrations.RenameField("application", "applicant_phone", "applicant_phone_plain"),
        migrations.AddField(
            "application",
            "applicant_phone",
            zhengtong.lib.encrypted.EncryptedField(
                default="",
                null=True,
                kind="phone",
                verbose_name="联系电话",
                blank=False,
                suffix_field="applicant_phone_last4",
            ),
        ),
        migrations.AddField(
            "application",
            "applicant_phone_index",
            zhengtong.lib.encrypted.BlindIndexField(
                blank=True, editable=False, max_length=64, null=True, db_index=True
            ),
        ),
        migrations.AddField(
            "application",
            "applicant_phone_mask",
            zhengtong.lib.encrypted.MaskField(
                blank=True, default="", editable=False, max_length=32, verbose_name="联系电话"
            ),
        ),
        migrations.AddField(
            "application",
            "applicant_phone_last4",
            zhengtong.lib.encrypted.SuffixField(
                blank=True,
                db_index=True,
                default="",
                editable=False,
                max_length=4,
                verbose_name="联系电话后四位",
            ),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.RemoveField("application", "applicant_phone_plain"),
    ]
