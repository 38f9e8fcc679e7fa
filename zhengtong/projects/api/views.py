"""Key-project REST endpoints under /api/v1/projects/. Each one parses its input, calls one
selector or action and serializes the result; scoping is projects_visible_to(), always."""

import datetime

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengtong.audit.middleware import client_ip
from zhengtong.lib import ratelimit

from .. import oc4ids, stats
from ..actions import report_submit
from ..lists import choose_list
from ..models import KeyProject
from ..progress import with_ytd
from ..selectors import can_report, get_project_for_user, projects_visible_to
from .serializers import (
    ListYearSerializer,
    ProjectFilterSerializer,
    ProjectOutputSerializer,
    ReportInputSerializer,
    ReportOutputSerializer,
    SummaryOutputSerializer,
)


def _list_year(params) -> int:
    """The `?year=` list (checked), or the list the pages open on."""
    filters = ListYearSerializer(data=params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data.get("year") or choose_list().year


def _visible_projects(user):
    return (
        projects_visible_to(user)
        .select_related("sector", "org_unit", "responsible_unit")
        .prefetch_related("leader_links__user")
    )


class ProjectListApi(APIView):
    class Pagination(PageNumberPagination):
        page_size = 50
        max_page_size = 200
        page_size_query_param = "page_size"

    @extend_schema(
        summary="重点项目列表",
        parameters=[ProjectFilterSerializer],
        responses=ProjectOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = ProjectFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        year = data.get("year") or choose_list().year
        projects = _visible_projects(request.user).on_list(year)
        if "stage" in data:
            projects = projects.filter(stage=data["stage"])
        if data.get("sector"):
            projects = projects.filter(sector__code=data["sector"])
        paginator = self.Pagination()
        page: list[KeyProject] | None = paginator.paginate_queryset(
            projects.order_by("code"), request, view=self
        )
        return paginator.get_paginated_response(ProjectOutputSerializer(page, many=True).data)


class ProjectSummaryApi(APIView):
    @extend_schema(
        summary="重点项目汇总(一个年度清单的数量、总投资、年度计划、各阶段数量)",
        parameters=[ListYearSerializer],
        responses=SummaryOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        year = _list_year(request.query_params)
        projects = projects_visible_to(request.user).on_list(year)
        # Only the two cheap parts of stats.summary(): totals and the count per stage.
        summary = {
            "year": year,
            **stats.totals(projects),
            "by_stage": stats.by_stage(projects),
        }
        return Response(SummaryOutputSerializer(summary).data)


def _package_response(package: dict, empty_text: str) -> Response:
    """The package, or 404 with a Chinese message: a package without projects is not valid
    OC4IDS (`projects` has minItems 1), so none is sent."""
    if not package["projects"]:
        raise NotFound(empty_text)
    return Response(package)


class ProjectOc4idsApi(APIView):
    @extend_schema(
        summary="OC4IDS 0.9 项目数据包(完整)",
        description=(
            "一个年度清单中可见项目的 OC4IDS 0.9.5 project package,含年度计划、月度投资、"
            "引导资金安排与拨付(transactions);不含任何个人信息。没有可见项目时返回 404。"
        ),
        parameters=[ListYearSerializer],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        year = _list_year(request.query_params)
        package = oc4ids.build_package(
            projects_visible_to(request.user).on_list(year), uri=request.build_absolute_uri()
        )
        return _package_response(package, f"{year} 年度清单中没有您可查看的重点项目。")


class PublicOc4idsApi(APIView):
    """Open data: no login, the public page's fields only, a per-address rate limit."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="OC4IDS 0.9 项目数据包(公开)",
        description=(
            "公开进度页所示字段的 OC4IDS 0.9.5 project package,无需登录;不含年度计划、"
            "资金安排和任何个人信息。该年度没有公开项目时返回 404;调用过于频繁时返回 429。"
        ),
        parameters=[ListYearSerializer],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        window = datetime.timedelta(minutes=settings.OC4IDS_PUBLIC_WINDOW_MINUTES)
        if not ratelimit.hit(
            f"public_oc4ids:{client_ip(request) or '-'}",
            window_seconds=int(window.total_seconds()),
            limit=settings.OC4IDS_PUBLIC_LIMIT,
        ):
            raise Throttled(detail="请求过于频繁,请稍后再试。")
        year = _list_year(request.query_params)
        package = oc4ids.build_package(
            oc4ids.public_queryset(year), uri=request.build_absolute_uri(), public=True
        )
        return _package_response(package, f"{year} 年度没有公开的重点项目。")


class ProjectDetailApi(APIView):
    @extend_schema(summary="重点项目详情", responses=ProjectOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        project = get_project_for_user(request.user, pk)
        project = _visible_projects(request.user).with_latest_entry().get(pk=project.pk)
        return Response(ProjectOutputSerializer(project).data)


class ProgressReportCreateApi(APIView):
    @extend_schema(
        summary="填报月度进度",
        request=ReportInputSerializer,
        responses={201: ReportOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        project = get_project_for_user(request.user, pk)
        if not can_report(request.user, project):
            raise PermissionDenied("您无权填报该项目的月度进度。")
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_submit(actor=request.user, project=project, **serializer.validated_data)
        month = report.month
        report.ytd_investment = with_ytd(
            KeyProject.objects.filter(pk=project.pk), year=month.year, month=month.month
        ).values_list("ytd_investment", flat=True)[0]
        return Response(ReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)
