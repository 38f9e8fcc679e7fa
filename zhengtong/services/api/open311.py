"""An Open311 GeoReport v2 style public feed of the hall: /api/v1/open311/…

- `services.json`: the catalog of active service items.
- `requests.json`: the cases, de-identified: the receipt number, the item, status open/closed,
  the dates and the agency. Never the applicant (no name, phone, ID number or address) and no
  free text a clerk wrote (the decision note may name people).

Anonymous and read-only. Each client address may call `OPEN311_LIMIT` times (default 60) per
`OPEN311_WINDOW_SECONDS` (default 60); beyond it the answer is 429. `requests.json` covers at
most `MAX_RANGE_DAYS` of requested dates (the last 90 days when no start_date is given) and
pages of at most `MAX_PAGE_SIZE` requests; the `Link` header names the next and previous
pages and `X-Total-Count` the number of matching requests. Field names are GeoReport v2's
(https://wiki.open311.org/GeoReport_v2); the body is a JSON array, as the specification has it.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengtong.audit.context import current
from zhengtong.lib import ratelimit

from ..models import Application, ServiceItem

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_RANGE_DAYS = 90
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
STATUSES = ("open", "closed")
THROTTLED = "请求过于频繁,请稍后再试。"


class BadRequest(Exception):
    pass


def _throttled() -> bool:
    limit = int(getattr(settings, "OPEN311_LIMIT", 60))
    window = int(getattr(settings, "OPEN311_WINDOW_SECONDS", 60))
    return not ratelimit.hit(f"open311:{current().ip or '-'}", window_seconds=window, limit=limit)


def _iso(value: datetime.datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset, to the second (GeoReport's w3 format)."""
    if value is None:
        return None
    return value.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def _end_of(day: datetime.date | None) -> str | None:
    """A due date as the end of that day in Asia/Shanghai: the case is due by then."""
    if day is None:
        return None
    return _iso(datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=SHANGHAI))


def _keywords(item: ServiceItem) -> str:
    words = [item.department, item.window, item.certificate_name]
    return ",".join(w for w in words if w)


class Open311Api(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # public: no session, no CSRF, no token
    renderer_classes = [JSONRenderer]

    def throttled_response(self) -> Response | None:
        if _throttled():
            return Response({"detail": THROTTLED}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        return None


class ServiceOutputSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField()
    type = serializers.CharField()
    keywords = serializers.CharField()
    group = serializers.CharField()


class RequestOutputSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUSES)
    status_notes = serializers.CharField()
    service_name = serializers.CharField()
    service_code = serializers.CharField()
    requested_datetime = serializers.CharField()
    updated_datetime = serializers.CharField()
    expected_datetime = serializers.CharField(allow_null=True)
    agency_responsible = serializers.CharField()


def service_payload(item: ServiceItem) -> dict:
    return {
        "service_code": item.code,
        "service_name": item.name,
        "description": f"{item.name}:承办机构{item.department},承诺 {item.promised_workdays} "
        f"个工作日办结,{item.fee}。",
        "metadata": False,
        "type": "batch",
        "keywords": _keywords(item),
        "group": item.department,
    }


def request_payload(case: Application) -> dict:
    is_open = case.status in Application.OPEN_STATUSES
    return {
        "service_request_id": case.receipt_no,
        "status": "open" if is_open else "closed",
        "status_notes": case.get_status_display(),
        "service_name": case.item.name,
        "service_code": case.item.code,
        "requested_datetime": _iso(case.received_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _end_of(case.due_on),
        "agency_responsible": f"{case.org_unit.name}便民服务中心",
    }


class ServicesApi(Open311Api):
    @extend_schema(
        summary="Open311 服务目录(services.json)",
        description="启用的服务事项,字段名依 GeoReport v2;公开,无需登录。",
        responses=ServiceOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if refused := self.throttled_response():
            return refused
        items = ServiceItem.objects.filter(is_active=True).order_by("sort_order", "code")
        return Response([service_payload(item) for item in items])


def _moment(value: str, name: str, *, end: bool) -> datetime.datetime:
    """A w3 datetime ("2026-11-01T00:00:00+08:00") or a date ("2026-11-01": its start, or
    for end_date the start of the next day); naive times are Asia/Shanghai."""
    value = value.strip()
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if moment is None and day is None:
        raise BadRequest(
            f"{name}:请使用 ISO 8601 格式,如 2026-11-01 或 2026-11-01T08:00:00+08:00。"
        )
    if moment is None:
        assert day is not None
        if end:
            day += datetime.timedelta(days=1)
        moment = datetime.datetime.combine(day, datetime.time.min)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def _positive(value: str | None, name: str, default: int, maximum: int | None = None) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"{name}:须为正整数。") from None
    if number < 1:
        raise BadRequest(f"{name}:须为正整数。")
    if maximum is not None and number > maximum:
        raise BadRequest(f"{name}:不能超过 {maximum}。")
    return number


def filter_requests(params) -> QuerySet:
    """The cases the parameters ask for; BadRequest (a Chinese message) for bad input."""
    now = timezone.now()
    start = (
        _moment(params["start_date"], "start_date", end=False) if params.get("start_date") else None
    )
    end = _moment(params["end_date"], "end_date", end=True) if params.get("end_date") else None
    if start is None:
        start = (end or now) - datetime.timedelta(days=MAX_RANGE_DAYS)
    if end is None:
        end = max(now, start) + datetime.timedelta(seconds=1)
    if end <= start:
        raise BadRequest("end_date:不能早于 start_date。")
    if end - start > datetime.timedelta(days=MAX_RANGE_DAYS, seconds=1):
        raise BadRequest(f"start_date/end_date:一次最多查询 {MAX_RANGE_DAYS} 天。")
    cases = Application.objects.filter(received_at__gte=start, received_at__lt=end)
    if raw := params.get("status"):
        wanted = {s.strip() for s in raw.split(",") if s.strip()}
        if not wanted or wanted - set(STATUSES):
            raise BadRequest("status:只能是 open 或 closed(可用逗号分隔)。")
        if wanted == {"open"}:
            cases = cases.filter(status__in=Application.OPEN_STATUSES)
        elif wanted == {"closed"}:
            cases = cases.exclude(status__in=Application.OPEN_STATUSES)
    if raw := params.get("service_code"):
        codes = [c.strip() for c in raw.split(",") if c.strip()]
        known = set(ServiceItem.objects.filter(code__in=codes).values_list("code", flat=True))
        if not codes or set(codes) - known:
            unknown = "、".join(sorted(set(codes) - known)) or raw
            raise BadRequest(f"service_code:没有这个服务事项({unknown})。")
        cases = cases.filter(item__code__in=codes)
    return cases.select_related("item", "org_unit").order_by("-received_at", "-id")


class RequestsApi(Open311Api):
    @extend_schema(
        summary="Open311 办件(requests.json,已去除个人信息)",
        description=(
            "按收件时间筛选的办件,字段名依 GeoReport v2;不含申请人姓名、电话、身份证号码和地址。"
            f"一次最多 {MAX_RANGE_DAYS} 天、每页最多 {MAX_PAGE_SIZE} 条;公开,无需登录。"
        ),
        parameters=[
            OpenApiParameter("start_date", str, description="收件时间起(ISO 8601)"),
            OpenApiParameter("end_date", str, description="收件时间止(ISO 8601,含当日)"),
            OpenApiParameter("status", str, description="open 或 closed,可用逗号分隔"),
            OpenApiParameter("service_code", str, description="事项编码,可用逗号分隔"),
            OpenApiParameter("page", int, description="页码,从 1 开始"),
            OpenApiParameter("page_size", int, description=f"每页条数,最多 {MAX_PAGE_SIZE}"),
        ],
        responses=RequestOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if refused := self.throttled_response():
            return refused
        params = request.query_params
        try:
            cases = filter_requests(params)
            size = _positive(params.get("page_size"), "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
            number = _positive(params.get("page"), "page", 1)
        except BadRequest as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        paginator = Paginator(cases, size)
        if number > max(paginator.num_pages, 1):
            return Response(
                {"detail": f"page:超出范围,共 {paginator.num_pages} 页。"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        page = paginator.get_page(number)
        response = Response([request_payload(case) for case in page.object_list])
        response["X-Total-Count"] = str(paginator.count)
        links = []
        for rel, target in (
            ("next", page.next_page_number() if page.has_next() else None),
            ("prev", page.previous_page_number() if page.has_previous() else None),
        ):
            if target is not None:
                query = params.copy()
                query["page"] = str(target)
                links.append(
                    f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="{rel}"'
                )
        if links:
            response["Link"] = ", ".join(links)
        return response
