import django.core.validators
import django.db.models.deletion
from decimal import Decimal

from django.conf import settings
from django.db import migrations, models

MONEY = {"decimal_places": 2, "max_digits": 16}
NON_NEGATIVE = [django.core.validators.MinValueValidator(Decimal("0"))]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_staff_photo_random_names"),
        ("projects", "0003_due_date_provisional"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectList",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="年度")),
                ("title", models.CharField(max_length=100, verbose_name="清单名称")),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "草稿"), ("approved", "已批准")],
                        db_index=True,
                        default="draft",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("is_example", models.BooleanField(default=False, verbose_name="示例数据")),
                (
                    "approved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="批准时间"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="批准人",
                    ),
                ),
                (
                    "carried_from",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="carried_to",
                        to="projects.projectlist",
                        verbose_name="结转自",
                    ),
                ),
            ],
            options={
                "verbose_name": "年度重点项目清单",
                "verbose_name_plural": "年度重点项目清单",
                "ordering": ["-year"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("year__gte", 2000), ("year__lte", 2100)),
                        name="project_list_year_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ListEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(verbose_name="序号")),
                (
                    "annual_plan",
                    models.DecimalField(
                        validators=NON_NEGATIVE, verbose_name="年度计划投资(元)", **MONEY
                    ),
                ),
                (
                    "origin",
                    models.CharField(
                        choices=[("carried", "续建"), ("new", "新增")],
                        default="new",
                        max_length=10,
                        verbose_name="来源",
                    ),
                ),
                (
                    "remaining_investment",
                    models.DecimalField(
                        validators=NON_NEGATIVE, verbose_name="列入时剩余投资(元)", **MONEY
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="list_entries",
                        to="projects.keyproject",
                        verbose_name="项目",
                    ),
                ),
                (
                    "project_list",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entries",
                        to="projects.projectlist",
                        verbose_name="清单",
                    ),
                ),
            ],
            options={
                "verbose_name": "清单项目",
                "verbose_name_plural": "清单项目",
                "ordering": ["project_list", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("project_list", "project"), name="list_entry_project_once"
                    ),
                    models.UniqueConstraint(
                        fields=("project_list", "position"), name="list_entry_position_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("annual_plan__gte", 0), ("remaining_investment__gte", 0)
                        ),
                        name="list_entry_amounts_non_negative",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("annual_plan__lte", models.F("remaining_investment"))),
                        name="list_entry_plan_within_remaining",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("position__gte", 1)), name="list_entry_position_gte_1"
                    ),
                ],
            },
        ),
    ]
