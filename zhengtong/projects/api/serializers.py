"""One input and one output serializer per operation (HackSoft style); no model logic here."""

import datetime
import re
from decimal import Decimal

from rest_framework import serializers

from ..models import KeyProject, ProgressReport, Stage

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class ProjectFilterSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        error_messages={"invalid_choice": "阶段:“{input}”不是有效的阶段编码。"},
    )
    sector = serializers.CharField(required=False, max_length=30, help_text="产业板块编码")
    year = serializers.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "计划年度:请输入四位年份。",
            "min_value": "计划年度:不能早于 {min_value} 年。",
            "max_value": "计划年度:不能晚于 {max_value} 年。",
        },
        help_text="年度清单的年份;缺省为页面默认显示的清单(见 lists.choose_list)",
    )


class ListYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "计划年度:请输入四位年份。",
            "min_value": "计划年度:不能早于 {min_value} 年。",
            "max_value": "计划年度:不能晚于 {max_value} 年。",
        },
        help_text="年度清单的年份;缺省为页面默认显示的清单",
    )


class ProjectOutputSerializer(serializers.ModelSerializer):
    sector = serializers.CharField(source="sector.code")
    sector_name = serializers.CharField(source="sector.name")
    org_unit = serializers.CharField(source="org_unit.code")
    org_unit_name = serializers.CharField(source="org_unit.name")
    responsible_unit = serializers.CharField(source="responsible_unit.code", allow_null=True)
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", allow_null=True)
    stage_display = serializers.CharField(source="get_stage_display")
    oc4ids_status = serializers.CharField()
    leaders = serializers.SerializerMethodField()
    annual_plan = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text="所在年度清单的年度计划投资(元)"
    )
    list_year = serializers.IntegerField(allow_null=True, help_text="年度计划所属清单的年份")

    class Meta:
        model = KeyProject
        fields = [
            "id",
            "code",
            "name",
            "year",
            "sector",
            "sector_name",
            "category",
            "project_type",
            "org_unit",
            "org_unit_name",
            "responsible_unit",
            "responsible_unit_name",
            "location",
            "description",
            "total_investment",
            "annual_plan",
            "list_year",
            "planned_start_on",
            "planned_finish_on",
            "actual_start_on",
            "actual_finish_on",
            "stage",
            "stage_display",
            "oc4ids_status",
            "leaders",
            "is_example",
            "updated_at",
        ]

    def get_leaders(self, project) -> list[str]:
        return [link.user.display_name for link in project.leader_links.all()]


class SummaryOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="年度清单的年份")
    count = serializers.IntegerField()
    total_investment = serializers.DecimalField(max_digits=20, decimal_places=2)
    annual_plan = serializers.DecimalField(max_digits=20, decimal_places=2)
    by_stage = serializers.DictField(
        child=serializers.IntegerField(), help_text="每个阶段编码的项目数"
    )


class ReportInputSerializer(serializers.Serializer):
    month = serializers.CharField(
        help_text="填报月份,格式 YYYY-MM",
        error_messages={"required": "月份:必填。", "blank": "月份:必填。"},
    )
    investment = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="本月完成投资(元)",
        error_messages={
            "required": "本月完成投资:必填。",
            "invalid": "本月完成投资:请输入数字金额(元)。",
            "min_value": "本月完成投资:不能为负数。",
            "max_digits": "本月完成投资:金额过大。",
            "max_whole_digits": "本月完成投资:金额过大。",
            "max_decimal_places": "本月完成投资:最多保留两位小数。",
        },
    )
    physical_progress = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        help_text="形象进度(%)",
        error_messages={
            "required": "形象进度:必填。",
            "invalid": "形象进度:请输入 0–100 之间的数字。",
            "min_value": "形象进度:不能小于 0。",
            "max_value": "形象进度:不能大于 100。",
            "max_digits": "形象进度:请输入 0–100 之间的数字。",
            "max_whole_digits": "形象进度:请输入 0–100 之间的数字。",
            "max_decimal_places": "形象进度:最多保留一位小数。",
        },
    )
    progress_note = serializers.CharField(required=False, allow_blank=True, default="")
    next_steps = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_month(self, value: str) -> datetime.date:
        match = MONTH_RE.match(value.strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise serializers.ValidationError("月份:格式应为 YYYY-MM,例如 2026-03。")
        return datetime.date(int(match[1]), int(match[2]), 1)


class ReportOutputSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
    ytd_investment = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="本年累计完成投资(元),由月报推算"
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "project",
            "month",
            "investment",
            "ytd_investment",
            "physical_progress",
            "progress_note",
            "next_steps",
            "created_at",
        ]
