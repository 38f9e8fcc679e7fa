"""The triggers that keep the summary tables in step, and the tables filled from the records."""

from django.db import migrations


def install(apps, schema_editor):
    from zhengtong.rollups import triggers

    triggers.install(schema_editor)


def uninstall(apps, schema_editor):
    from zhengtong.rollups import triggers

    triggers.uninstall(schema_editor)


def fill(apps, schema_editor):
    """Count the rows already there (an existing database); the triggers take over from here.

    The summary tables hold derived counts only, so this runs the app's own recount."""
    from zhengtong.rollups.rebuild import FIRST_TABLES, rebuild

    rebuild(tables=FIRST_TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("rollups", "0001_summary_tables"),
        ("services", "0008_disclosure_published_month_snapshot"),
        ("population", "0008_followup_due_by_plan_for_work_lists"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
