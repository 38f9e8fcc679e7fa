"""The zone's work report (工作简报) and cockpit numbers, gathered from every module's records.

Nothing here counts rows itself where a module already does: the livelihood and welfare
figures come from `livelihood.stats.employment_totals`, `livelihood.school_stats.school_totals`
and `welfare.stats.welfare_totals` (each applies its own scope to the user), the key projects
from `projects.stats.totals` over `projects_visible_to`. The service hall's timeliness and the
follow-up coverage are sums of the summary tables (`zhengtong.rollups`, kept by the database
with every case and follow-up) over the halls and villages under the leader's own units
(`scope`), so a zone leader's report covers the zone and a county leader's the county.

`paragraphs()` turns the numbers into the sentences a reporter would write; each figure keeps
the URL of the records behind it, so the page links every number and the text and PDF
versions print the same sentences.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.accounts.scope import scope, unit_paths
from zhengtong.lib.money import WAN, fen, percent
from zhengtong.lib.periods import DataDates, Period
from zhengtong.livelihood.school_stats import recording_rooms, school_totals
from zhengtong.livelihood.stats import employment_totals, insurance_totals, ledger_dates
from zhengtong.projects import progress as project_progress
from zhengtong.projects import stats as project_stats
from zhengtong.projects.actions.works import format_quantity
from zhengtong.projects.models import Problem, RelocationEntry, WorkQuantity, WorkTarget
from zhengtong.projects.selectors import (
    leads_visible_to,
    programmes_visible_to,
    projects_visible_to,
)
from zhengtong.rollups import read as rollups
from zhengtong.services.models import Post
from zhengtong.services.reports import SHANGHAI
from zhengtong.welfare.stats import ledger_dates as welfare_ledger_dates
from zhengtong.welfare.stats import welfare_totals

# The registered unemployment rate the zone keeps under (the seed's 3% 以内).
UNEMPLOYMENT_TARGET = Decimal("3.0")

# The figures of GET /api/v1/livelihood/summary/, in this order.
SUMMARY_KEYS = [
    "new_urban_jobs",
    "reemployed_hard_to_employ",
    "rural_labour_transferred",
    "unemployment_rate",
    "guaranteed_loans_yuan",
    "internship_bases_new",
    "training_classes",
    "trainees",
    "schools_inspected",
    "relief_households",
    "relief_orphans",
    "relief_total_yuan",
]


# ---------------------------------------------------------------------------- periods


def data_dates(user) -> DataDates:
    """The ledger rows the report's figures come from: a year with none of them has no data.

    The key-project register is left out: it lists a year's projects ahead of the year."""
    return DataDates.union([*ledger_dates(user), *welfare_ledger_dates(user)])


# ---------------------------------------------------------------------------- figures


def summary(user, period: Period) -> dict:
    """The livelihood figures of the API, from the records `user` may see."""
    return summary_from(
        employment_totals(user, start=period.start, end=period.end),
        school_totals(user, start=period.start, end=period.end),
        welfare_totals(user, start=period.start, end=period.end),
    )


def hall_timeliness(user, period: Period) -> dict:
    """Cases finished in the period and how many by their due date.

    The halls under the user's units; the same definition as 办事公开 (a case refused before
    acceptance has no due date and counts as on time), read from the daily case rollup
    (`zhengtong.rollups`), which every case contributes to on the day it is received."""
    days = scope(rollups.case_days(), user, [Role.LEADER])
    months = scope(rollups.case_months(), user, [Role.LEADER])
    row = rollups.cases_finished(days, months, period.start, period.end)
    # A reader with no hall under their units (a zone without one) gets no hall sentence.
    in_scope = (
        scope(Post.objects.all(), user, [Role.LEADER]).exists()
        or days.filter(received__gt=0).exists()
    )
    return {**row, "rate": percent(row["on_time"], row["finished"]), "in_scope": in_scope}


def followup_coverage(user, period: Period, *, today: datetime.date) -> dict:
    """Follow-ups that fell due in the period up to today, and how many were done.

    The villages under the user's units, from the follow-up rollups by due day and month. A
    skipped follow-up counts as due and not done."""
    last = min(period.end, today)
    row = rollups.followups_due(
        scope(rollups.followup_days(), user, [Role.LEADER]),
        scope(rollups.followup_months(), user, [Role.LEADER]),
        period.start,
        last,
    )
    villages = OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE)
    in_scope = scope(villages, user, [Role.LEADER], via="").exists()
    return {**row, "rate": percent(row["done"], row["due"]), "in_scope": in_scope}


def as_of_month(period: Period, today: datetime.date) -> tuple[int, int]:
    """The month the key-project progress is counted to: the period's last month, or the
    month whose reports are due when the period runs on past it (as the cockpit counts)."""
    due = project_progress.default_as_of(today)
    end = (period.end.year, period.end.month)
    return min(end, due)


def key_projects(user, period: Period, *, today: datetime.date | None = None) -> dict:
    """Count, Σ total investment and Σ annual plan of the approved key-project list of the
    period's (last) year (figures are per list, never summed across years), and its investment
    progress to `as_of_month`: 累计完成, % of the annual plan, the 超进度/滞后 counts and the
    open problems — the cockpit's own functions over the same projects."""
    today = today or _today()
    projects = projects_visible_to(user).on_list(period.end.year)
    result = project_stats.totals(projects)
    year, month = as_of_month(period, today)
    rows = project_stats.progress_rows(projects, year=year, month=month)
    ytd = sum((r["ytd_investment"] for r in rows), Decimal("0"))
    result.update(
        as_of=datetime.date(year, month, 1),
        ytd_investment=ytd,
        completion_pct=percent(ytd, result["annual_plan"]),
        flags=project_stats.flag_counts(rows),
        open_problems=Problem.objects.filter(
            project__in=projects.order_by().values("pk"), status=Problem.Status.OPEN
        ).count(),
    )
    return result


def investment_leads(user, period: Period) -> dict:
    """招商引资 in the period, over the leads the reader may see: leads signed (and Σ their
    协议投资), landed and turned into key projects within it, each counted by the date it
    reached that stage. `in_scope` is False when the reader's units keep no leads at all."""
    leads = leads_visible_to(user)
    within = {"gte": period.start, "lte": period.end}

    def reached(field: str) -> Q:
        return Q(**{f"{field}__{op}": day for op, day in within.items()})

    row = leads.order_by().aggregate(
        total=Count("pk"),
        signed=Count("pk", filter=reached("signed_on")),
        contract=Sum("contract_amount", filter=reached("signed_on")),
        landed=Count("pk", filter=reached("landed_on")),
        converted=Count("pk", filter=reached("converted_on")),
    )
    return {
        "in_scope": row["total"] > 0,
        "signed": row["signed"],
        "contract_amount": row["contract"] or Decimal("0"),
        "landed": row["landed"],
        "converted": row["converted"],
    }


def city_works(user, period: Period) -> dict:
    """The city works ledger of the period's list: roads (planned and built 公里) and the
    lighting programme (新增 + 改造 路灯, planned and installed 盏), quantities to period end."""
    projects = projects_visible_to(user).on_list(period.end.year).order_by().values("pk")
    targets = WorkTarget.objects.filter(project__in=projects)
    planned = dict(
        targets.order_by().values_list("measure").annotate(total=Sum("planned_quantity"))
    )
    built = dict(
        WorkQuantity.objects.filter(target__in=targets.values("pk"), recorded_on__lte=period.end)
        .order_by()
        .values_list("target__measure")
        .annotate(total=Sum("quantity"))
    )
    lamps = [WorkTarget.Measure.LAMP_NEW, WorkTarget.Measure.LAMP_RENOVATED]
    zero = Decimal("0")
    return {
        "road_planned": planned.get(WorkTarget.Measure.ROAD_KM, zero),
        "road_built": built.get(WorkTarget.Measure.ROAD_KM, zero),
        "lamps_planned": sum((planned.get(m, zero) for m in lamps), zero),
        "lamps_installed": sum((built.get(m, zero) for m in lamps), zero),
    }


def relocation(user, period: Period) -> dict:
    """城中村改造 and 农村新型社区 the reader sees: programmes, households to move, and those
    demolished and moved in by period end (two queries)."""
    programmes = programmes_visible_to(user).order_by()
    sums = programmes.aggregate(count=Count("pk"), households=Sum("households"))
    done = RelocationEntry.objects.filter(
        programme__in=programmes.values("pk"), recorded_on__lte=period.end
    ).aggregate(demolished=Sum("demolished"), moved_in=Sum("moved_in"))
    households = sums["households"] or 0
    moved_in = done["moved_in"] or 0
    return {
        "count": sums["count"],
        "households": households,
        "demolished": done["demolished"] or 0,
        "moved_in": moved_in,
        "moved_in_pct": percent(moved_in, households),
    }


def _cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def masthead(user, period: Period, *, today: datetime.date) -> dict:
    """期号 (the year's issue of the month the figures run to), the issuing unit (the reader's
    own units), the date of issue and the "截至" line: no figure counts beyond today."""
    paths = unit_paths(user, [Role.LEADER])
    issuer = "、".join(
        OrgUnit.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True)
    )
    cutoff = min(period.end, today)
    return {
        "issue": f"{cutoff.year}年第{cutoff.month}期",
        "issuer": issuer or "聊城经济技术开发区",
        "issued_on": _cn_date(today),
        "as_of": f"数据截至{_cn_date(cutoff)}",
    }


def gather(user, period: Period, *, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate(timezone.now(), SHANGHAI)
    jobs = employment_totals(user, start=period.start, end=period.end)
    schools = school_totals(user, start=period.start, end=period.end)
    welfare = welfare_totals(user, start=period.start, end=period.end)
    cutoff = min(period.end, today)
    return {
        "period": period,
        "masthead": masthead(user, period, today=today),
        "projects": key_projects(user, period, today=today),
        "works": city_works(user, period),
        "relocation": relocation(user, period),
        "leads": investment_leads(user, period),
        "hall": hall_timeliness(user, period),
        "followups": followup_coverage(user, period, today=today),
        "jobs": jobs,
        "schools": schools,
        "welfare": welfare,
        "rooms": recording_rooms(user, on=cutoff),
        "insurance": insurance_totals(user, year=period.end.year, end=cutoff),
        "summary": summary_from(jobs, schools, welfare),
    }


def summary_from(jobs: dict, schools: dict, welfare: dict) -> dict:
    merged = {**jobs, **schools, **welfare}
    result = {}
    for key in SUMMARY_KEYS:
        value = merged.get(key)
        if key.endswith("_yuan"):
            value = fen(value)
        elif key != "unemployment_rate":
            value = int(value or 0)
        result[key] = value
    return result


# ---------------------------------------------------------------------------- wording


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros: 330.00 → "330", 7.10 → "7.1", 3.0 → "3"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def wan(amount) -> str:
    """元 → 万元 the way a reporter writes it: 3,300,000 → "330", 71,000 → "7.1"."""
    return _plain((Decimal(amount or 0) / WAN).quantize(Decimal("0.01")))


def yi(amount) -> str:
    return _plain((Decimal(amount or 0) / Decimal(100_000_000)).quantize(Decimal("0.01")))


def yuan_text(amount) -> str:
    """ "7.1 万元" from 10,000 元 up, "1400 元" below."""
    amount = Decimal(amount or 0)
    if amount >= WAN:
        return f"{wan(amount)} 万元"
    return f"{_plain(amount.quantize(Decimal('0.01')))} 元"


def _url(name: str, **params) -> str:
    """The list page behind a figure with its filters; "" when the page is missing."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


@dataclass
class Figure:
    """A number in a sentence, with the records it was counted from."""

    text: str
    url: str = ""


@dataclass
class Paragraph:
    key: str
    heading: str
    parts: list = field(default_factory=list)

    def add(self, *parts) -> "Paragraph":
        self.parts.extend(parts)
        return self

    @property
    def text(self) -> str:
        return "".join(p.text if isinstance(p, Figure) else p for p in self.parts)

    @property
    def segments(self) -> list[dict]:
        return [
            {"text": p.text, "url": p.url, "figure": True}
            if isinstance(p, Figure)
            else {"text": p, "url": "", "figure": False}
            for p in self.parts
        ]


def links(period: Period) -> dict[str, str]:
    """The drill-down URL behind each figure of the report and the cockpit.

    The ledger lists filter by year: a period inside one year opens that year's rows.
    """
    year = period.start.year if period.start.year == period.end.year else None
    return {
        "projects": _url("projects:project_list", year=year),
        "problems": _url("projects:problem_list", status="open"),
        "works": _url("projects:works_list"),
        "relocation": _url("projects:relocation_list"),
        **{
            f"leads_{stage}": _url(
                "projects:lead_list", reached=stage, since=period.start, until=period.end
            )
            for stage in ("signed", "landed", "converted")
        },
        "hall": _url("public:disclosure", month=f"{min(period.end, _today()):%Y-%m}"),
        "new_urban_jobs": _url("livelihood:employment_list", year=year, status="new_urban"),
        "reemployed_hard_to_employ": _url(
            "livelihood:employment_list", year=year, status="reemployed"
        ),
        "rural_labour_transferred": _url(
            "livelihood:employment_list", year=year, status="rural_transfer"
        ),
        "unemployment_rate": _url("livelihood:unemployment_list", year=year),
        "guaranteed_loans_yuan": _url("livelihood:loan_list", year=year),
        "internship_bases_new": _url("livelihood:internship_list", year=year),
        "training": _url("livelihood:training_list", year=year),
        "schools_inspected": _url("livelihood:inspection_list"),
        "schools": _url("livelihood:school_list", year=year),
        "recording_rooms": _url("livelihood:school_list", room="target"),
        "recording_rooms_missing": _url("livelihood:school_list", room="missing"),
        "insurance": _url("livelihood:insurance_list", year=period.end.year),
        "hazards_open": _url("livelihood:inspection_list", status="open"),
        "kindergartens": _url("livelihood:kindergarten_campaign_list"),
        "assessments": _url("welfare:assessment_list", year=year),
        "subsidy": _url("welfare:cycle_list", year=year),
        "relief": _url("welfare:batch_list", year=year),
    }


def _today() -> datetime.date:
    return timezone.localdate(timezone.now(), SHANGHAI)


def paragraphs(data: dict, urls: dict[str, str]) -> list[Paragraph]:
    """The report's sentences, each figure linked to its records."""
    period: Period = data["period"]
    projects, schools, welfare = data["projects"], data["schools"], data["welfare"]
    s = data["summary"]
    result = []

    projects_p = Paragraph("projects", "重点项目").add(
        f"{period.label}全区共实施重点项目",
        Figure(f"{projects['count']} 个", urls["projects"]),
        ",总投资",
        Figure(f"{yi(projects['total_investment'])} 亿元", urls["projects"]),
        ",年度计划投资",
        Figure(f"{yi(projects['annual_plan'])} 亿元", urls["projects"]),
    )
    if projects["count"]:
        as_of: datetime.date = projects["as_of"]
        flags = projects["flags"]
        projects_p.add(
            f"。截至 {as_of.month} 月底累计完成投资",
            Figure(f"{yi(projects['ytd_investment'])} 亿元", urls["projects"]),
        )
        if projects["completion_pct"] is not None:
            projects_p.add(f",占年度计划的 {projects['completion_pct']}%")
        projects_p.add(
            ";超进度项目",
            Figure(f"{flags[project_progress.AHEAD]} 个", urls["projects"]),
            ",滞后项目",
            Figure(f"{flags[project_progress.BEHIND]} 个", urls["projects"]),
            ",尚待解决的问题",
            Figure(f"{projects['open_problems']} 个", urls["problems"]),
        )
    result.append(projects_p.add("。"))

    leads = data["leads"]
    if leads["in_scope"]:
        result.append(
            Paragraph("leads", "招商引资").add(
                "新签约项目",
                Figure(f"{leads['signed']} 个", urls["leads_signed"]),
                ",协议投资",
                Figure(f"{yi(leads['contract_amount'])} 亿元", urls["leads_signed"]),
                ",落地",
                Figure(f"{leads['landed']} 个", urls["leads_landed"]),
                ",转为重点项目",
                Figure(f"{leads['converted']} 个", urls["leads_converted"]),
                "。",
            )
        )

    works = data["works"]
    if works["road_planned"] or works["lamps_planned"]:
        works_p = Paragraph("works", "城市建设")
        if works["road_planned"]:
            works_p.add(
                "城市道路计划建设",
                Figure(f"{format_quantity(works['road_planned'])} 公里", urls["works"]),
                ",已建成",
                Figure(f"{format_quantity(works['road_built'])} 公里", urls["works"]),
            )
        if works["lamps_planned"]:
            works_p.add(
                ";" if works["road_planned"] else "",
                "路灯工程计划新增和改造路灯",
                Figure(f"{format_quantity(works['lamps_planned'])} 盏", urls["works"]),
                ",已安装",
                Figure(f"{format_quantity(works['lamps_installed'])} 盏", urls["works"]),
            )
        result.append(works_p.add("。"))

    moving = data["relocation"]
    if moving["count"]:
        url = urls["relocation"]
        moving_p = Paragraph("relocation", "拆迁安置").add(
            "城中村改造和农村新型社区项目",
            Figure(f"{moving['count']} 个", url),
            ",应拆迁",
            Figure(f"{moving['households']} 户", url),
            ",已拆迁",
            Figure(f"{moving['demolished']} 户", url),
            ",已搬迁入住",
            Figure(f"{moving['moved_in']} 户", url),
        )
        if moving["moved_in_pct"] is not None:
            moving_p.add("(入住率 ", Figure(f"{moving['moved_in_pct']}%", url), ")")
        result.append(moving_p.add("。"))

    jobs_p = Paragraph("jobs", "就业再就业").add(
        "就业再就业各项工作稳步开展,全区城镇新增就业人员",
        Figure(f"{s['new_urban_jobs']} 人", urls["new_urban_jobs"]),
        ",就业困难人员再就业",
        Figure(f"{s['reemployed_hard_to_employ']} 人", urls["reemployed_hard_to_employ"]),
        ",新增农村劳动力转移就业",
        Figure(f"{s['rural_labour_transferred']} 人", urls["rural_labour_transferred"]),
    )
    rate = s["unemployment_rate"]
    if rate is None:
        jobs_p.add(",本期未填报城镇登记失业率。")
    elif Decimal(rate) <= UNEMPLOYMENT_TARGET:
        jobs_p.add(
            ",城镇登记失业率",
            Figure(f"{rate}%", urls["unemployment_rate"]),
            f",保持在 {_plain(UNEMPLOYMENT_TARGET)}% 以内,就业形势基本稳定。",
        )
    else:
        jobs_p.add(
            ",城镇登记失业率",
            Figure(f"{rate}%", urls["unemployment_rate"]),
            f",超出 {_plain(UNEMPLOYMENT_TARGET)}% 的控制目标。",
        )
    result.append(jobs_p)

    result.append(
        Paragraph("loans", "创业扶持").add(
            "共发放小额担保贷款",
            Figure(f"{wan(s['guaranteed_loans_yuan'])} 万元", urls["guaranteed_loans_yuan"]),
            ",推动小微企业发展。新申报市级就业见习基地",
            Figure(f"{s['internship_bases_new']} 个", urls["internship_bases_new"]),
            ",拓宽高校毕业生就业渠道。",
        )
    )
    result.append(
        Paragraph("training", "技能培训").add(
            "开展技能和创业培训班",
            Figure(f"{s['training_classes']} 期", urls["training"]),
            ",培训各类人员",
            Figure(f"{s['trainees']} 名", urls["training"]),
            "。",
        )
    )

    insurance = data["insurance"]
    if insurance["total"]:
        as_of_day: datetime.date = insurance["as_of"]
        insurance_p = Paragraph("insurance", "社会保险").add(
            f"截至 {as_of_day.month} 月 {as_of_day.day} 日,社会保险扩面新增参保",
            Figure(f"{insurance['enrolled']} 人", urls["insurance"]),
            f"(目标 {insurance['enrol_target']} 人),征缴社会保险费",
            Figure(f"{wan(insurance['collected'])} 万元", urls["insurance"]),
            f"(目标 {wan(insurance['collect_target'])} 万元)",
        )
        if insurance["all_done"]:
            insurance_p.add(",圆满完成社会保险扩面征缴工作,为广大群众提供了生活保障。")
        else:
            insurance_p.add(
                f",{insurance['total']} 个险种中 {insurance['done']} 个已完成扩面和征缴目标。"
            )
        result.append(insurance_p)

    schools_p = Paragraph("schools", "学校安全").add(
        "对全区",
        Figure(f"{s['schools_inspected']} 所", urls["schools_inspected"]),
        "中小学、幼儿园开展专项安全检查",
    )
    total = int(schools.get("schools_total") or 0)
    if total:
        schools_p.add(
            "(全区共 ",
            Figure(f"{total} 所", urls["schools"]),
            f",覆盖率 {percent(s['schools_inspected'], total)}%)",
        )
    hazards, hazards_open = int(schools.get("hazards") or 0), int(schools.get("hazards_open") or 0)
    schools_p.add(
        ",对存在安全隐患的学校下达《开发区学校安全隐患通知书》,共列隐患",
        Figure(f"{hazards} 项", urls["schools_inspected"]),
        ",已整改并复查确认 ",
        Figure(f"{hazards - hazards_open} 项", urls["schools_inspected"]),
        ",尚在整改 ",
        Figure(f"{hazards_open} 项", urls["hazards_open"]),
        "。",
    )
    kg_total = int(schools.get("kindergartens_total") or 0)
    kg_done = int(schools.get("kindergartens_closed_out") or 0)
    if kg_total:
        schools_p.add(
            "清理整顿无证幼儿园",
            Figure(f"{kg_total} 所", urls["kindergartens"]),
            ",已处置 ",
            Figure(f"{kg_done} 所", urls["kindergartens"]),
            "," + ("清理整顿工作已完成。" if kg_done == kg_total else "其余正在处置。"),
        )
    result.append(schools_p)

    rooms = data["rooms"]
    if rooms["target"]:
        rooms_p = Paragraph("recording_rooms", "教育教学").add(
            "推进高标准录播室配备工作,全区初中及中心小学",
            Figure(f"{rooms['target']} 所", urls["recording_rooms"]),
            ",已配备录播室",
            Figure(f"{rooms['equipped']} 所", urls["recording_rooms"]),
            f",覆盖率 {rooms['share']}%",
        )
        if rooms["equipped"] == rooms["target"]:
            rooms_p.add(",已实现初中及中心小学录播室全覆盖。")
        else:
            rooms_p.add(
                ",尚有 ",
                Figure(f"{rooms['missing']} 所", urls["recording_rooms_missing"]),
                "未配备。",
            )
        result.append(rooms_p)

    result.append(
        Paragraph("subsidy", "失能老年人护理补贴").add(
            "对享受城乡低保、特困供养且生活长期不能自理的老年人开展能力评估",
            Figure(f"{int(welfare.get('assessed') or 0)} 人", urls["assessments"]),
            ",其中符合护理补贴条件",
            Figure(f"{int(welfare.get('eligible') or 0)} 人", urls["assessments"]),
            ",发放护理补贴",
            Figure(yuan_text(welfare.get("subsidy_paid_yuan")), urls["subsidy"]),
            "。",
        )
    )
    result.append(
        Paragraph("relief", "困难群众救助").add(
            "共对全区",
            Figure(f"{s['relief_households']} 名", urls["relief"]),
            "困难家庭和",
            Figure(f"{s['relief_orphans']} 名", urls["relief"]),
            "孤儿给予救助,共发放救助金",
            Figure(f"{wan(s['relief_total_yuan'])} 万元", urls["relief"]),
            "。",
        )
    )

    hall, follow = data["hall"], data["followups"]
    # Only what lies under the reader's units: a zone without a hall or villages says nothing
    # of them rather than "0 件" and "应访 0 次".
    services_p = Paragraph("services", "便民服务")
    if hall["in_scope"]:
        services_p.add("便民服务中心办结办件", Figure(f"{hall['finished']} 件", urls["hall"]))
        if hall["rate"] is not None:
            services_p.add(",其中按时办结 ", Figure(f"{hall['on_time']} 件", urls["hall"]))
            services_p.add(f",按时办结率 {hall['rate']}%")
    if follow["in_scope"]:
        services_p.add(";" if hall["in_scope"] else "")
        services_p.add(f"村居随访应访 {follow['due']} 次,已访 {follow['done']} 次")
        if follow["rate"] is not None:
            services_p.add(f",随访覆盖率 {follow['rate']}%")
    if services_p.parts:
        result.append(services_p.add("。"))
    return result


def as_text(data: dict, paras: list[Paragraph]) -> str:
    """The report as plain text: title, period and one paragraph per topic."""
    period: Period = data["period"]
    head = data["masthead"]
    lines = [
        f"开发区工作简报({period.label})",
        head["issue"],
        f"{head['issuer']}    {head['issued_on']}",
        head["as_of"],
        "",
    ]
    for p in paras:
        lines.append(f"【{p.heading}】{p.text}")
        lines.append("")
    lines.append("注:各项数字均由各业务台账记录实时汇总生成。")
    return "\n".join(lines) + "\n"
