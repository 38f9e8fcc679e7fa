"""Field work without a connection: the worker's offline page, the sync endpoint and the service
worker script.

- `/population/offline/` (离线随访): the worker's own open follow-ups, due within two weeks
  or overdue, each with the pages the phone keeps for offline use, and the records still
  unsent on this phone (shown by static/js/offline.js from its local queue).
- `/population/sync/`: GET gives a fresh CSRF token (a page from the phone's cache may carry
  an old one); POST takes the queued records (see sync.py). JSON both ways, the session's
  user, village workers only.
- `/population/sw.js`: static/js/sw.js with the list of static files to keep, served with the
  scope "/" so that it also sees the login and logout pages (it empties the page cache there).
"""

import datetime
import hashlib
import json
import os
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import has_role, scope

from . import sync
from .models import FollowUp, FollowUpPlan
from .selectors import POPULATION_ROLES

AHEAD_DAYS = 14
MAX_ROWS = 100

# What the service worker keeps on the phone besides the pages: the files every page loads
# and the scripts of the two forms.
STATIC_FILES = (
    "favicon.svg",
    "vendor/bootstrap.min.css",
    "css/zhengtong.css",
    "vendor/bootstrap.bundle.min.js",
    "vendor/htmx.min.js",
    "js/zhengtong.js",
    "vendor/idb-keyval.umd.js",
    "js/offline.js",
    "js/visit_locate.js",
)
WORKBOX = (
    "vendor/workbox/workbox-core.prod.js",
    "vendor/workbox/workbox-routing.prod.js",
    "vendor/workbox/workbox-strategies.prod.js",
    "vendor/workbox/workbox-precaching.prod.js",
)


# The offline page -----------------------------------------------------------------------------


def own_open_followups(user, today: datetime.date):
    """The user's own scheduled follow-ups of people still in their villages, overdue or due
    within AHEAD_DAYS, the nearest first."""
    rows = scope(
        FollowUp.objects.filter(
            status=FollowUp.Status.SCHEDULED,
            plan__owner=user,
            plan__active=True,
            plan__person__merged_into__isnull=True,
            due_on__lte=today + datetime.timedelta(days=AHEAD_DAYS),
        ),
        user,
        POPULATION_ROLES,
        via="plan__person__org_unit",
    )
    return rows.select_related("plan__person__org_unit").order_by("due_on", "id")[:MAX_ROWS]


@role_required(*POPULATION_ROLES)
@require_GET
def offline_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    followups = list(own_open_followups(request.user, today))
    for followup in followups:
        followup.is_home = followup.plan.kind == FollowUpPlan.Kind.HOME
        followup.is_overdue = followup.due_on < today
    context = {"followups": followups, "ahead_days": AHEAD_DAYS, "today": today}
    return render(request, "population/offline.html", context)


# The sync endpoint ----------------------------------------------------------------------------


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def sync_endpoint(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _error("登录已过期,请重新登录后再发送。", 401)
    if not has_role(request.user, *POPULATION_ROLES):
        return _error("只有村级计生专干可以发送离线记录。", 403)
    if request.method == "GET":
        return JsonResponse({"csrf_token": get_token(request), "user": request.user.username})
    try:
        raw = request.body
    except RequestDataTooBig:
        return _error("发送的内容过大(照片太多或太大),请减少照片后重试。", 400)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error("发送的内容不是有效的 JSON,未保存任何记录。", 400)
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list) or not records:
        return _error("发送的内容缺少记录(records),未保存任何记录。", 400)
    if len(records) > sync.MAX_RECORDS:
        return _error(f"一次最多发送 {sync.MAX_RECORDS} 条记录,请分次发送。", 400)
    return JsonResponse({"results": sync.sync_records(request.user, records)})


# The service worker ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _revision(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:16]


def _found(name: str) -> str:
    path = finders.find(name)
    if not path or isinstance(path, list):
        raise FileNotFoundError(name)
    return str(path)


def _precache_entry(name: str) -> dict[str, str]:
    path = _found(name)
    return {"url": static(name), "revision": _revision(path, os.stat(path).st_mtime_ns)}


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """static/js/sw.js, after one line of configuration: the Workbox files to import and the
    static files to keep, each with a revision from its content (a changed file is fetched
    again, and a changed list installs a new worker)."""
    config = {
        "imports": [static(name) for name in WORKBOX],
        "precache": [_precache_entry(name) for name in STATIC_FILES],
    }
    with open(_found("js/sw.js"), encoding="utf-8") as handle:
        script = handle.read()
    body = f"self.ZT_OFFLINE = {json.dumps(config)};\n{script}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
