"""The seeded items' configuration remarks move out of the 温馨提示 that applicants read."""

from django.db import migrations, models

SPLIT = {
    "SYDJ": (
        "山东省多地对材料齐全的生育登记实行即时办结或网上办理,请以当地最新公布的办事指南为准。",
        "承诺时限 1 个工作日为可配置的示例值。2016 年起以生育登记替代生育服务证。",
    ),
    "YEBT": (
        "补贴金额以当地最新公布标准为准。",
        "承诺时限 10 个工作日为可配置的示例值。系统不在程序中写定补贴金额。",
    ),
}


def split_notes(apps, schema_editor):
    ServiceItem = apps.get_model("services", "ServiceItem")
    for code, (notes, admin_notes) in SPLIT.items():
        item = ServiceItem.objects.filter(code=code).first()
        if item is not None and "示例值" in item.notes:
            item.notes, item.admin_notes = notes, admin_notes
            item.save(update_fields=["notes", "admin_notes"])


class Migration(migrations.Migration):
    dependencies = [("services", "0004_due_date_provisional")]

    operations = [
        migrations.AddField(
            model_name="serviceitem",
            name="admin_notes",
            field=models.TextField(blank=True, verbose_name="配置说明(不对外显示)"),
        ),
        migrations.RunPython(split_notes, migrations.RunPython.noop),
    ]
