"""Service-hall REST endpoints under /api/v1/services/. Each parses its input, calls one action
or selector and serializes the result; cases are scoped by get_application_for_user(), always."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengtong.accounts.scope import has_role

from ..actions.intake import application_intake
from ..models import Application, Notice, NoticeItem, ReceivedMaterial
from ..public_views import (
    NOT_FOUND_MESSAGE,
    THROTTLED_MESSAGE,
    Throttled,
    find_case,
    lookup_payload,
)
from ..selectors import CASE_ROLES, active_items, application_timeline, get_application_for_user
from .serializers import (
    ApplicationCreatedOutputSerializer,
    ApplicationDetailOutputSerializer,
    ApplicationInputSerializer,
    DetailSerializer,
    ItemOutputSerializer,
    LookupInputSerializer,
    LookupOutputSerializer,
)


class ItemListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="服务事项目录(含申请材料和承诺时限)",
        description="公开信息,无需登录。",
        responses=ItemOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        items = active_items().order_by("sort_order", "code")
        return Response(ItemOutputSerializer(items, many=True).data)


class ApplicationCreateApi(APIView):
    @extend_schema(
        summary="窗口收件",
        description=(
            "材料齐全时受理并给出办结期限;材料不全时出具一次性告知书,"
            "missing_materials 列出全部缺少的材料。只有窗口工作人员可以调用。"
        ),
        request=ApplicationInputSerializer,
        responses={201: ApplicationCreatedOutputSerializer, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        if not has_role(request.user, *CASE_ROLES):
            raise PermissionDenied("只有窗口工作人员可以收件。")
        serializer = ApplicationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = application_intake(
            actor=request.user,
            item_code=data["item"],
            applicant=dict(data["applicant"]),
            materials=list(data["materials"]),
            situation=dict(data.get("situation") or {}),
            channel=Application.Channel.WINDOW,
        )
        output = ApplicationCreatedOutputSerializer(application, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    @extend_schema(
        summary="办件详情及办理过程",
        parameters=[
            OpenApiParameter("receipt_no", str, OpenApiParameter.PATH, description="受理编号")
        ],
        responses=ApplicationDetailOutputSerializer,
    )
    def get(self, request: Request, receipt_no: str) -> Response:
        application = get_application_for_user(request.user, receipt_no, purpose="接口")
        notices = Notice.objects.select_related("issued_by").prefetch_related(
            Prefetch("items", queryset=NoticeItem.objects.select_related("material"))
        )
        received = ReceivedMaterial.objects.select_related("material")
        application = (
            Application.objects.select_related(
                "item", "org_unit", "applicant", "first_responder", "handler"
            )
            .prefetch_related(
                Prefetch("notices", queryset=notices),
                Prefetch("received_materials", queryset=received),
            )
            .get(pk=application.pk)
        )
        context = {"request": request, "timeline": application_timeline(application)}
        return Response(ApplicationDetailOutputSerializer(application, context=context).data)


class LookupApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="办件查询(公开)",
        description=(
            "凭受理编号和手机号后四位查询办理状态、办结期限和首问责任人;不返回身份证号码和全名。"
            "手机号不符与编号不存在的回答完全相同;同一地址 10 分钟内最多查询 10 次。"
        ),
        parameters=[LookupInputSerializer],
        responses={200: LookupOutputSerializer, 404: DetailSerializer, 429: DetailSerializer},
    )
    def get(self, request: Request) -> Response:
        serializer = LookupInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            application = find_case(data["receipt_no"].strip().upper(), data["phone_last4"])
        except Throttled:
            return Response({"detail": THROTTLED_MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if application is None:
            return Response({"detail": NOT_FOUND_MESSAGE}, status=status.HTTP_404_NOT_FOUND)
        return Response(LookupOutputSerializer(lookup_payload(application, request)).data)
