"""The text of the verification code that confirms a resident's 退订 (editable in 系统管理)."""

from django.db import migrations

TEXTS = [
    (
        "sms_code",
        "sms",
        "您的验证码为{code},{minutes}分钟内有效,仅用于设置是否接收政务提醒短信,请勿告诉他人。",
        "SMS_VERIFY_CODE",
    ),
]


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for event, channel, text, code in TEXTS:
        MessageTemplate.objects.get_or_create(
            event=event,
            channel=channel,
            item=None,
            defaults={"text": text, "provider_template_code": code, "is_active": True},
        )


class Migration(migrations.Migration):
    dependencies = [("notify", "0005_sms_optout")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
