from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_yearly_lists_from_projects")]

    operations = [
        migrations.RemoveConstraint(model_name="keyproject", name="project_amounts_non_negative"),
        migrations.RemoveConstraint(
            model_name="keyproject", name="project_annual_plan_within_total"
        ),
        migrations.RemoveField(model_name="keyproject", name="annual_plan"),
        migrations.AlterField(
            model_name="keyproject",
            name="year",
            field=models.PositiveSmallIntegerField(db_index=True, verbose_name="入库年度"),
        ),
        migrations.AddConstraint(
            model_name="keyproject",
            constraint=models.CheckConstraint(
                condition=models.Q(("total_investment__gte", 0)),
                name="project_total_non_negative",
            ),
        ),
    ]
