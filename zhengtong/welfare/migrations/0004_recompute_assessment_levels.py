"""Recompute existing assessments under the MZ/T 039-2013 等级变更 rules; flag the changed."""

from django.db import migrations


def forwards(apps, schema_editor):
    from zhengtong.welfare.recompute import recompute

    Assessment = apps.get_model("welfare", "Assessment")
    recompute(Assessment.objects.select_related("scale").order_by("id"))


class Migration(migrations.Migration):
    dependencies = [("welfare", "0003_assessment_level_changes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
