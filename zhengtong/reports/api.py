"""GET /api/v1/livelihood/summary/?year=YYYY: the zone's livelihood figures of a year.

The figures are the work report's (`report.summary()`), computed from the records the caller
may see: a leader of the zone sees every department's, a department clerk only their own
department's (the other department's figures are 0).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import has_role
from zhengtong.lib import periods

from . import report

# The livelihood modules' VIEW_ROLES: the departments' clerks and the zone's leaders.
SUMMARY_ROLES = (Role.DEPT_CLERK, Role.LEADER)


class LivelihoodSummaryInputSerializer(serializers.Serializer):
    year = serializers.CharField(required=False, allow_blank=True, help_text="年度,如 2026")

    def validate_year(self, value: str) -> str:
        try:
            periods.parse_year(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value


class LivelihoodSummaryOutputSerializer(serializers.Serializer):
    new_urban_jobs = serializers.IntegerField(help_text="城镇新增就业(人)")
    reemployed_hard_to_employ = serializers.IntegerField(help_text="就业困难人员再就业(人)")
    rural_labour_transferred = serializers.IntegerField(help_text="农村劳动力转移就业(人)")
    unemployment_rate = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="期内最近一期城镇登记失业率(%)"
    )
    guaranteed_loans_yuan = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="期内发放的创业担保贷款(元)"
    )
    internship_bases_new = serializers.IntegerField(help_text="期内新申报就业见习基地(个)")
    training_classes = serializers.IntegerField(help_text="期内开班的培训班(期)")
    trainees = serializers.IntegerField(help_text="这些培训班的学员(人)")
    schools_inspected = serializers.IntegerField(help_text="期内检查过的学校和幼儿园(所)")
    relief_households = serializers.IntegerField(help_text="获救助的困难家庭(户)")
    relief_orphans = serializers.IntegerField(help_text="获救助的孤儿(名)")
    relief_total_yuan = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="救助金合计(元)"
    )


class LivelihoodSummaryApi(APIView):
    @extend_schema(
        summary="惠民生汇总(就业、贷款、见习、培训、学校检查、救助)",
        parameters=[LivelihoodSummaryInputSerializer],
        responses=LivelihoodSummaryOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        if not has_role(request.user, *SUMMARY_ROLES):
            raise PermissionDenied(_("只有区领导和部门经办人员可以查看惠民生汇总。"))
        params = LivelihoodSummaryInputSerializer(data=request.query_params)
        if not params.is_valid():
            raise ApiValidationError(params.errors)
        # The API answers for the year asked, this year when none: no fallback to guess from.
        period = periods.parse_year(params.validated_data.get("year"))
        period = period or periods.year_period(periods.today().year)
        return Response(
            LivelihoodSummaryOutputSerializer(report.summary(request.user, period)).data
        )
