"""The Chinese texts of the events the one-stop hall sends (editable later in 系统管理)."""

from django.db import migrations

TEXTS = [
    (
        "case_accepted",
        "sms",
        "{name}您好,您申请的{item}已受理,受理编号{receipt_no},承诺办结日期{due_on}。"
        "可凭受理编号和手机号后四位在网上查询办理进度。",
        "SMS_CASE_ACCEPTED",
    ),
    (
        "case_notice",
        "sms",
        "{name}您好,您申请的{item}(受理编号{receipt_no})需补正以下材料:{materials}。"
        "请携带材料到{hall}{window}办理。",
        "SMS_CASE_NOTICE",
    ),
    (
        "case_done",
        "sms",
        "{name}您好,您申请的{item}(受理编号{receipt_no})已办结,"
        "请携带本人身份证件到{hall}{window}领取{result}。",
        "SMS_CASE_DONE",
    ),
    (
        "case_refused",
        "sms",
        "{name}您好,您申请的{item}(受理编号{receipt_no})不予办理,理由:{reason}。"
        "如有疑问请到{hall}{window}咨询。",
        "SMS_CASE_REFUSED",
    ),
    (
        "case_handed_over",
        "inapp",
        "{from_user}将办件{receipt_no}({item})移交给您承办,移交原因:{reason}。",
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
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
