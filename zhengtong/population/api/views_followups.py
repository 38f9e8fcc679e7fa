"""Maternal schedule endpoints. A person outside the caller's villages answers 404 exactly like
a person that does not exist (and the attempt is audited by get_person_for_user())."""

from django.http import Http404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengtong.accounts.scope import has_role

from ..actions.maternal import pregnancy_record_delivery, pregnancy_register
from ..models import Pregnancy
from ..selectors import POPULATION_ROLES, get_person_for_user
from .serializers_followups import (
    DeliveryInputSerializer,
    PregnancyInputSerializer,
    PregnancyOutputSerializer,
)

DENIED = "只有村(镇)计生专干可以登记孕产期。"


def _require_population(request: Request) -> None:
    if not has_role(request.user, *POPULATION_ROLES):
        raise PermissionDenied(DENIED)


class PregnancyCreateApi(APIView):
    @extend_schema(
        summary="登记孕产期并生成产前随访窗口",
        description=(
            "按末次月经生成国家基本公共卫生服务规范的 5 次产前随访窗口(≤12周6天、16–20周、"
            "21–24周、28–36周、37–40周),预产期 = 末次月经 + 280 天。末次月经不能晚于今天,"
            "也不能早于 44 周前。"
        ),
        request=PregnancyInputSerializer,
        responses={201: PregnancyOutputSerializer, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        _require_population(request)
        serializer = PregnancyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = get_person_for_user(request.user, data["person"], for_write=True)
        pregnancy = pregnancy_register(
            actor=request.user, person=person, lmp=data["lmp"], high_risk=data["high_risk"]
        )
        return Response(PregnancyOutputSerializer(pregnancy).data, status=status.HTTP_201_CREATED)


class PregnancyDeliveryApi(APIView):
    @extend_schema(
        summary="登记分娩与出院,生成产后访视和产后 42 天检查",
        description=(
            "产后访视:出院后 7 天内;产后 42 天健康检查:分娩后第 42 天起 7 天内。"
            "分娩日期不能早于末次月经,出院日期不能早于分娩日期。"
        ),
        request=DeliveryInputSerializer,
        responses={201: PregnancyOutputSerializer, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, pk: int) -> Response:
        _require_population(request)
        pregnancy = Pregnancy.objects.filter(pk=pk).first()
        if pregnancy is None:
            raise Http404
        get_person_for_user(request.user, pregnancy.person_id, for_write=True)
        serializer = DeliveryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pregnancy_record_delivery(
            actor=request.user, pregnancy=pregnancy, **serializer.validated_data
        )
        pregnancy.refresh_from_db()
        return Response(PregnancyOutputSerializer(pregnancy).data, status=status.HTTP_201_CREATED)
