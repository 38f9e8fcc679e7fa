"""Texts of the 《学校安全隐患通知书》 message to the school (editable later in 系统管理)."""

from django.db import migrations

# (event, channel, text, the provider's template code: every SMS needs one)
TEXTS = [
    (
        "hazard_notice",
        "sms",
        "{school}:{organ}于{inspected_on}对贵校进行安全检查,发现隐患{count}项:{hazards}。"
        "请按《学校安全隐患通知书》({notice_no})逐项整改,最早一项须于{due_on}前完成。",
        "SMS_HAZARD_NOTICE",
    ),
    (
        "hazard_notice",
        "inapp",
        "{organ}于{inspected_on}对{school}进行安全检查,发现隐患{count}项:{hazards}。"
        "通知书编号{notice_no},最早一项须于{due_on}前完成整改。",
        "",
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
    dependencies = [("notify", "0003_reminder_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
