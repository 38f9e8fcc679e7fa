"""Texts of the escalation message, the A/B leave message, the reminders of 我的待办 and the
leaders' 督办 digest."""

from django.db import migrations

# (event, channel, text[, the provider's template code: every SMS needs one])
TEXTS = [
    (
        "problem_escalated",
        "inapp",
        "项目“{project}”的问题“{title}”超过办结期限({due_on})仍未解决,已升级至您督办。",
    ),
    (
        "leave_backup",
        "inapp",
        "{name}于{start_on}至{end_on}请假,期间其承办的 {count} 件办件由您(B 角)代办:{cases}。",
    ),
    (
        "payment_approved",
        "sms",
        "{name}您好,您{month}的护理补贴{amount}已由{unit}审批发放,请留意到账。",
        "SMS_SUBSIDY_APPROVED",
    ),
    (
        "callback_scheduled",
        "inapp",
        "办件{receipt_no}({item})收到“{rating}”评价,请于{due_on}前完成回访和整改。",
    ),
    ("reminder", "inapp", "{text}"),
    ("leader_digest", "inapp", "{text}"),
]


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for event, channel, text, *code in TEXTS:
        MessageTemplate.objects.get_or_create(
            event=event,
            channel=channel,
            item=None,
            defaults={
                "text": text,
                "provider_template_code": code[0] if code else "",
                "is_active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_default_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
