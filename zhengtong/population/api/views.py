"""Persons under /api/v1/population/persons/: exact lookup by ID number and detail, scoped by
the selectors like every page; a detail read is audited, an out-of-area one denied and audited."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengtong.accounts.scope import has_role
from zhengtong.lib.idcard import parse_id_number

from ..selectors import (
    POPULATION_ROLES,
    get_person_for_user,
    persons_visible_to,
)
from .serializers import PersonLookupInputSerializer, PersonOutputSerializer


def _require_worker(user) -> None:
    if not has_role(user, *POPULATION_ROLES):
        raise PermissionDenied("仅村(镇)计生专干可以查询人员信息。")


class PersonListApi(APIView):
    @extend_schema(
        summary="按公民身份号码查找人员(精确匹配,限本辖区)",
        parameters=[
            OpenApiParameter("id_number", OpenApiTypes.STR, required=True, description="18 位号码")
        ],
        responses=PersonOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        _require_worker(request.user)
        params = PersonLookupInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            number = parse_id_number(params.validated_data["id_number"]).number
        except DjangoValidationError as exc:
            raise ApiValidationError({"id_number": exc.messages}) from None
        persons = (
            persons_visible_to(request.user).filter(id_number=number).select_related("org_unit")
        )
        return Response(
            {"count": len(persons), "results": PersonOutputSerializer(persons, many=True).data}
        )


class PersonDetailApi(APIView):
    @extend_schema(summary="人员详情(查阅留痕)", responses=PersonOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        person = get_person_for_user(request.user, pk, purpose="接口")
        return Response(PersonOutputSerializer(person).data)
