"""月冠军's summary table of cases per handling clerk, its trigger, and its rows counted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def install(apps, schema_editor):
    from zhengtong.rollups import triggers

    triggers.install_handler(schema_editor)


def uninstall(apps, schema_editor):
    from zhengtong.rollups import triggers

    triggers.uninstall_handler(schema_editor)


def fill(apps, schema_editor):
    """Count the cases already there; the trigger takes over from here."""
    from zhengtong.rollups.rebuild import rebuild

    rebuild(tables=("case_handler_month",))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_staff_photo_random_names'),
        ('rollups', '0002_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseHandlerMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('finished', models.IntegerField(default=0)),
                ('on_time', models.IntegerField(default=0)),
                ('handler', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('org_unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.orgunit')),
            ],
            options={
                'verbose_name': '办件承办人月汇总',
                'indexes': [models.Index(fields=['month'], name='rollup_casehandler_month_idx')],
                'constraints': [models.UniqueConstraint(fields=('org_unit', 'handler', 'month'), name='rollup_casehandlermonth_key')],
            },
        ),
        migrations.RunPython(install, uninstall),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
