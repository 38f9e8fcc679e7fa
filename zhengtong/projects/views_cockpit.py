"""The leader cockpit (领导驾驶舱): portfolio numbers, charts and the most delayed projects.

The page prints every number as text (tables under each chart) and `static/js/cockpit.js`
draws the charts from `cockpit_data`, the same numbers as JSON. Both go through
`stats.summary()` over the projects the user may see.
"""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import role_required
from zhengtong.lib.money import format_yuan

from . import progress, stats
from .lists import ListChoice, choose_list
from .models import Stage
from .selectors import as_of_for_year, projects_visible_to

COCKPIT_ROLES = (Role.LEADER, Role.PROJECT_OFFICE)


def _portfolio(request) -> tuple[dict, ListChoice]:
    """The figures of the chosen yearly list (`?year=`), read at that year's due month."""
    choice = choose_list(request.GET.get("year"))
    year, month = as_of_for_year(choice.year)
    projects = projects_visible_to(request.user).on_list(year)
    data = stats.summary(projects, year=year, month=month)
    # A list for a year that has not begun has a plan but no progress to judge yet: no month
    # of it is due, so no project is 滞后 (or 超进度) before its first monthly report.
    data["not_started"] = year > progress.default_as_of()[0]
    if data["not_started"]:
        data["flags"] = dict.fromkeys(data["flags"], 0)
        data["most_delayed"] = []
    return data, choice


def _list_url(year: int, **params) -> str:
    return reverse("projects:project_list") + "?" + urlencode({"year": year, **params})


def _drill_downs(data: dict) -> dict:
    """The project-list URL behind each number, so every figure opens its projects."""
    year = data["year"]
    return {
        "all": _list_url(year),
        "class": {c: _list_url(year, stage_class=c) for c in data["by_class"]},
        "sector": {s["code"]: _list_url(year, sector=s["code"]) for s in data["by_sector"]},
        "leader": {str(r["id"]): _list_url(year, leader=r["id"]) for r in data["by_leader"]},
        "flag": {f: _list_url(year, flag=f) for f in data["flags"]},
    }


@login_required
@role_required(*COCKPIT_ROLES)
def cockpit(request):
    """Leaders and the key-project office only; everyone else gets 403."""
    data, choice = _portfolio(request)
    links = _drill_downs(data)
    class_rows = [
        {"code": c, "label": Stage(c).label, "count": n, "url": links["class"][c]}
        for c, n in data["by_class"].items()
        if n or c != Stage.CANCELLED
    ]
    flag_rows = [
        {"code": f, "label": progress.FLAG_LABELS[f], "count": n, "url": links["flag"][f]}
        for f, n in data["flags"].items()
    ]
    for row in data["by_sector"]:
        row["url"] = links["sector"][row["code"]]
    for row in data["by_leader"]:
        row["url"] = links["leader"][str(row["id"])]
    cards = {
        "total_investment": format_yuan(data["total_investment"], "亿元"),
        "annual_plan": format_yuan(data["annual_plan"], "亿元"),
        "ytd_investment": format_yuan(data["ytd_investment"], "亿元"),
    }
    context = {
        "data": data,
        "choice": choice,
        "cards": cards,
        "links": links,
        "class_rows": class_rows,
        "flag_rows": flag_rows,
        "rule_text": progress.rule_text(),
    }
    return render(request, "projects/cockpit.html", context)


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


@login_required
@role_required(*COCKPIT_ROLES)
def cockpit_data(request):
    """The cockpit's numbers as JSON (amounts as decimal strings of 元), same scope as the page."""
    data, choice = _portfolio(request)
    links = _drill_downs(data)
    payload = _json(data)
    payload["list"] = {
        "year": choice.year,
        "title": str(choice.project_list or ""),
        "notice": choice.notice,
        "error": choice.error,
    }
    payload["labels"] = {
        "class": {c: Stage(c).label for c in data["by_class"]},
        "stage": {s.value: s.label for s in Stage},
        "flag": dict(progress.FLAG_LABELS),
    }
    payload["links"] = links
    for row in payload["most_delayed"]:
        row["url"] = reverse("projects:project_detail", args=[row["id"]])
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
