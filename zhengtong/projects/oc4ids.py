"""Key projects as an OC4IDS 0.9.5 project package, in two forms.

The public package (`public=True`, anonymous) carries exactly what the public project page shows:
name, description, stage, sector, location, total investment, planned period, milestones and the
latest 形象进度; never annual plans, monthly investment, funds or units. The full package (staff,
scoped by the caller) adds the plan, the monthly investment, the parties, the guidance-fund
allocations and their disbursements (`transactions`). Neither names people (no leaders, no
reporters, no phone numbers). Schema and codelists are vendored in `oc4ids_schema/` (CC BY 4.0,
see its LICENSE) so validation works without the network or the shared folder.
"""

import datetime
import json
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from .models import (
    OC4IDS_STATUS,
    Disbursement,
    FundAllocation,
    KeyProject,
    Milestone,
    ProgressReport,
    Stage,
)
from .progress import cumulative_plan

SCHEMA_DIR = Path(__file__).resolve().parent / "oc4ids_schema"
VERSION = "0.9"
CURRENCY = "CNY"

# Used when a sector has no OC4IDS code of its own (projectSector is an open codelist).
CATEGORY_SECTOR: dict[str, str] = {
    KeyProject.Category.INDUSTRY: "economy",
    KeyProject.Category.URBAN: "transport",
    KeyProject.Category.LIVELIHOOD: "governance",
}

# OC4IDS milestone `type` (milestoneType codelist) for each of our milestone codes.
MILESTONE_TYPE: dict[str, str] = {
    Milestone.Code.APPROVAL: "approval",
    Milestone.Code.COMMENCEMENT: "delivery",
    Milestone.Code.MAIN_STRUCTURE: "delivery",
    Milestone.Code.COMPLETION: "delivery",
    Milestone.Code.COMMISSIONING: "delivery",
}

# partyRole codelist: the project unit develops the asset, the responsible unit administers it,
# a guidance fund finances it.
ROLE_OWNER = "publicAuthority"
ROLE_RESPONSIBLE = "administrativeEntity"
ROLE_FUNDER = "funder"


def project_id(project: KeyProject) -> str:
    """The publisher's registered prefix (settings.OC4IDS_PREFIX) and the project code."""
    return f"{settings.OC4IDS_PREFIX}{project.code}"


def _datetime(day: datetime.date | datetime.datetime | None) -> str | None:
    """A date as the RFC 3339 date-time OC4IDS wants: midnight in the zone's time zone."""
    if day is None:
        return None
    if isinstance(day, datetime.datetime):
        return timezone.localtime(day).isoformat(timespec="seconds")
    midnight = datetime.datetime.combine(
        day, datetime.time(), tzinfo=timezone.get_current_timezone()
    )
    return midnight.isoformat(timespec="seconds")


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _value(amount: Decimal) -> dict:
    # JSON numbers: whole 元 as int, otherwise the exact decimal (rendered as a number).
    amount = Decimal(amount)
    return {
        "amount": int(amount) if amount == amount.to_integral_value() else amount,
        "currency": CURRENCY,
    }


def _compact(data: dict) -> dict:
    """Drop empty values: OC4IDS strings have minLength 1 and arrays minItems 1."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def sectors_of(project: KeyProject) -> list[str]:
    code = project.sector.oc4ids_sector or CATEGORY_SECTOR.get(project.category, "economy")
    # A subsector comes with its parent, as the schema asks ("transport", "transport.road").
    parent = code.split(".")[0]
    return [parent, code] if parent != code else [code]


def _party(unit_or_fund, prefix: str, roles: list[str]) -> dict:
    return {"id": f"{prefix}-{unit_or_fund.code}", "name": unit_or_fund.name, "roles": roles}


def _parties(project: KeyProject, allocations: list[FundAllocation]) -> list[dict]:
    parties: dict[str, dict] = {}

    def add(obj, prefix, role):
        party = parties.setdefault(f"{prefix}-{obj.code}", _party(obj, prefix, []))
        if role not in party["roles"]:
            party["roles"].append(role)

    add(project.org_unit, "unit", ROLE_OWNER)
    if project.responsible_unit is not None:
        add(project.responsible_unit, "unit", ROLE_RESPONSIBLE)
    for allocation in allocations:
        add(allocation.fund, "fund", ROLE_FUNDER)
    return list(parties.values())


def _milestones(project: KeyProject) -> list[dict]:
    return [
        _compact(
            {
                "id": m.code,
                "title": str(m.get_code_display()),
                "type": MILESTONE_TYPE.get(m.code, "delivery"),
                "code": m.code,
                "status": m.status,
                "dueDate": _datetime(m.due_on),
                "dateMet": _datetime(m.met_on),
                "description": m.note,
            }
        )
        for m in project.milestones.all()
    ]


def _metrics(project: KeyProject) -> list[dict]:
    """Actual financial (year-to-date investment) and physical (形象进度 %) progress by month."""
    reports = sorted(project.reports.all(), key=lambda r: r.month)
    if not reports:
        return []
    running: dict[int, Decimal] = defaultdict(Decimal)
    financial, physical = [], []
    for report in reports:
        running[report.month.year] += report.investment
        period = {
            "startDate": _datetime(report.month),
            "endDate": _datetime(_month_end(report.month)),
        }
        key = f"{report.month:%Y-%m}"
        financial.append(
            {
                "id": key,
                "period": period,
                "value": _value(running[report.month.year]),
                "notes": "本年累计完成投资",
            }
        )
        physical.append(
            {
                "id": key,
                "period": period,
                "measure": float(report.physical_progress),
                "unit": {"name": "percent"},
            }
        )
    return [
        {"id": "financialProgress", "title": "本年累计完成投资", "observations": financial},
        {"id": "physicalProgress", "title": "形象进度", "observations": physical},
    ]


def _forecasts(project: KeyProject) -> list[dict]:
    """The plan: the list's annual planned investment spread evenly over the months of its
    year (`project` comes from `KeyProject.objects.on_list(year)`)."""
    observations = []
    if project.annual_plan is None:
        return []
    year = getattr(project, "list_year", None) or project.year
    for month in range(1, 13):
        start = datetime.date(year, month, 1)
        observations.append(
            {
                "id": f"{start:%Y-%m}",
                "period": {"startDate": _datetime(start), "endDate": _datetime(_month_end(start))},
                "value": _value(cumulative_plan(project.annual_plan, month)),
                "notes": "累计计划投资",
            }
        )
    return [{"id": "financialProgress", "title": "累计计划投资", "observations": observations}]


def _budget(project: KeyProject, allocations: list[FundAllocation]) -> dict:
    budget: dict[str, Any] = {"amount": _value(project.total_investment)}
    if allocations:
        budget["budgetBreakdowns"] = [
            {
                "id": "guidanceFunds",
                "description": "引导资金安排",
                "budgetBreakdown": [
                    _compact(
                        {
                            "id": f"allocation-{a.pk}",
                            "description": a.fund.name,
                            "amount": _value(a.amount),
                            "sourceParty": {"id": f"fund-{a.fund.code}", "name": a.fund.name},
                            "approvalDate": _datetime(a.decided_on),
                        }
                    )
                    for a in allocations
                ],
            }
        ]
    return budget


def _transactions(project: KeyProject, allocations: list[FundAllocation]) -> list[dict]:
    """Each disbursement of a guidance fund to the project unit, as paid."""
    owner = project.org_unit
    return [
        {
            "id": f"disbursement-{d.pk}",
            "date": _datetime(d.paid_on),
            "value": _value(d.amount),
            "payer": {"id": f"fund-{a.fund.code}", "name": a.fund.name},
            "payee": {"id": f"unit-{owner.code}", "name": owner.name},
        }
        for a in allocations
        for d in a.disbursements.all()
    ]


def _public_progress(project: KeyProject) -> list[dict]:
    """The latest 形象进度, as the public page shows it (from `public.public_projects`)."""
    month = getattr(project, "progress_month", None)
    if month is None:
        return []
    observation = {
        "id": f"{month:%Y-%m}",
        "period": {"startDate": _datetime(month), "endDate": _datetime(_month_end(month))},
        "measure": float(getattr(project, "physical_progress", None) or 0),
        "unit": {"name": "percent"},
    }
    return [{"id": "physicalProgress", "title": "形象进度", "observations": [observation]}]


def _common(project: KeyProject) -> dict:
    """The fields both packages carry: those of the public project page."""
    return {
        "id": project_id(project),
        "language": "zh",
        "title": project.name,
        "description": project.description,
        "status": OC4IDS_STATUS[Stage(project.stage)],
        "type": project.project_type,
        "sector": sectors_of(project),
        "period": _compact(
            {
                "startDate": _datetime(project.planned_start_on),
                "endDate": _datetime(project.planned_finish_on),
            }
        ),
        "locations": [{"id": "1", "description": project.location}] if project.location else [],
        "milestones": _milestones(project),
    }


def public_record(project: KeyProject) -> dict:
    """One project as the public may read it. Expects the prefetches of `public_queryset`."""
    return _compact(
        {
            **_common(project),
            "budget": {"amount": _value(project.total_investment)},
            "metrics": _public_progress(project),
        }
    )


def project_record(project: KeyProject) -> dict:
    """One project in full OC4IDS form. Expects the prefetches of `package_queryset`."""
    allocations = list(project.fund_allocations.all())
    owner = project.org_unit
    return _compact(
        {
            **_common(project),
            "updated": _datetime(project.updated_at),
            "budget": _budget(project, allocations),
            "publicAuthority": {"id": f"unit-{owner.code}", "name": owner.name},
            "parties": _parties(project, allocations),
            "forecasts": _forecasts(project),
            "metrics": _metrics(project),
            "transactions": _transactions(project, allocations),
        }
    )


_MILESTONES = Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "code"))


def package_queryset(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("sector", "org_unit", "responsible_unit").prefetch_related(
        _MILESTONES,
        Prefetch("reports", queryset=ProgressReport.objects.order_by("month")),
        Prefetch(
            "fund_allocations",
            queryset=FundAllocation.objects.select_related("fund")
            .prefetch_related(
                Prefetch("disbursements", queryset=Disbursement.objects.order_by("paid_on", "pk"))
            )
            .order_by("fund__code"),
        ),
    )


def public_queryset(year: int) -> QuerySet:
    """The projects of the public page's list of `year`, with the public fields only."""
    from .public import public_projects

    return public_projects().on_list(year).prefetch_related(_MILESTONES)


def build_package(queryset: QuerySet, *, uri: str, public: bool = False) -> dict:
    """The OC4IDS project package of the projects in `queryset`: for `public`, a
    `public_queryset()`; otherwise already scoped by the caller and put on one yearly list with
    `on_list()`, which gives each its plan of that year. An empty `projects` list breaks the
    schema (minItems 1): callers answer "nothing to publish" instead of sending it."""
    if public:
        projects = list(queryset.order_by("code"))
        records = [public_record(p) for p in projects]
        last = KeyProject.objects.filter(pk__in=[p.pk for p in projects]).aggregate(
            last=Max("updated_at")
        )["last"]
        changed = [last] if last else []
    else:
        projects = list(package_queryset(queryset).order_by("code"))
        records = [project_record(p) for p in projects]
        changed = [p.updated_at for p in projects]
    last_report = ProgressReport.objects.filter(project__in=[p.pk for p in projects]).aggregate(
        last=Max("updated_at")
    )["last"]
    if last_report:
        changed.append(last_report)
    # Generated on demand: the date of the last change to what the package contains.
    published = max(changed) if changed else timezone.now()
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": _datetime(published),
        "publisher": {
            "name": getattr(settings, "OC4IDS_PUBLISHER", "聊城经济技术开发区重点项目办公室")
        },
        "license": getattr(
            settings, "OC4IDS_LICENSE", "https://creativecommons.org/licenses/by/4.0/"
        ),
        "publicationPolicy": getattr(settings, "OC4IDS_PUBLICATION_POLICY", None),
        "projects": records,
    }


@cache
def _schemas() -> tuple[dict, dict]:
    package = json.loads((SCHEMA_DIR / "project-package-schema.json").read_text(encoding="utf-8"))
    project = json.loads((SCHEMA_DIR / "project-schema.json").read_text(encoding="utf-8"))
    return package, project


def validation_errors(package: dict) -> list[str]:
    """Messages for every way `package` breaks the vendored OC4IDS 0.9.5 package schema."""
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package_schema, project_schema = _schemas()
    # The package schema points at the project schema by its published URL; serve it locally.
    registry = Registry().with_resources(
        [
            (
                package_schema["id"],
                Resource.from_contents(package_schema, default_specification=DRAFT4),
            ),
            (
                project_schema["id"],
                Resource.from_contents(project_schema, default_specification=DRAFT4),
            ),
        ]
    )
    validator = Draft4Validator(
        package_schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator.iter_errors(package)
    ]
