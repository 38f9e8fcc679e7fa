"""Mark the MZ/T 039-2013 thresholds the standard's text confirms as verified.

感知觉与沟通 and 社会参与 are confirmed against the standard (issue 14); 日常生活活动 and 精神状态
match 表2 and 表3 of its §5.1 as published; the coma rule is its §5.3.1 (see scales.py). With every
dimension confirmed the scale row is verified too.
"""

from django.db import migrations

CONFIRMED = ("adl", "mental", "sensory", "social")


def forwards(apps, schema_editor):
    AssessmentScale = apps.get_model("welfare", "AssessmentScale")
    scale = AssessmentScale.objects.filter(code="MZ/T 039-2013").first()
    if scale is None:
        return
    definition = scale.definition
    for dim in definition["dimensions"]:
        if dim["code"] in CONFIRMED:
            dim["verified"] = True
    for adj in definition.get("adjustments", []):
        if adj["code"] == "coma":
            adj["verified"] = True
    definition["level_changes"] = "mz039"
    scale.definition = definition
    scale.verified = all(d.get("verified") for d in definition["dimensions"])
    scale.save(update_fields=["definition", "verified"])


class Migration(migrations.Migration):
    dependencies = [("welfare", "0004_recompute_assessment_levels")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
