"""Persons under /api/v1/population/persons/: exact lookup by ID number (POST search/, the
number in the body, never in the URL) and detail, scoped by the selectors like every page; every
read is audited by the door, an out-of-area one denied and audited."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengtong.accounts.scope import has_role
from zhengtong.lib.idcard import parse_id_number
from zhengtong.lib.idquery import ID_NUMBER_IN_URL_MESSAGE

from ..selectors import (
    POPULATION_ROLES,
    find_persons_by_id_number_for_user,
    get_person_for_user,
)
from .serializers import PersonLookupInputSerializer, PersonOutputSerializer


def _require_worker(user) -> None:
    if not has_role(user, *POPULATION_ROLES):
        raise PermissionDenied("仅村(镇)计生专干可以查询人员信息。")


class PersonListApi(APIView):
    @extend_schema(
        operation_id="v1_population_persons_lookup_by_get_refused",
        summary="(已停用)GET 方式按公民身份号码查找",
        description="公民身份号码不能放在网址中,请改用 POST /api/v1/population/persons/search/。",
        responses={400: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        _require_worker(request.user)
        return Response({"detail": ID_NUMBER_IN_URL_MESSAGE}, status=status.HTTP_400_BAD_REQUEST)


class PersonSearchApi(APIView):
    @extend_schema(
        summary="按公民身份号码查找人员(精确匹配,限本辖区,查阅留痕)",
        description="号码放在请求正文中(POST),不放在网址中。每个查到的人员记一条查阅日志。",
        request=PersonLookupInputSerializer,
        responses={200: PersonOutputSerializer(many=True), 400: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        _require_worker(request.user)
        params = PersonLookupInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            number = parse_id_number(params.validated_data["id_number"]).number
        except DjangoValidationError as exc:
            raise ApiValidationError({"id_number": exc.messages}) from None
        persons = find_persons_by_id_number_for_user(
            request.user, number, purpose="按身份证号查找(接口)"
        )
        return Response(
            {"count": len(persons), "results": PersonOutputSerializer(persons, many=True).data}
        )


class PersonDetailApi(APIView):
    @extend_schema(summary="人员详情(查阅留痕)", responses=PersonOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        person = get_person_for_user(request.user, pk, purpose="接口")
        return Response(PersonOutputSerializer(person).data)
