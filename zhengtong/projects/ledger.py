"""The key-project ledger (台账) as an xlsx workbook: export, and import with a dry run.

The import is declared on the one import framework (`lib.imports`): every row is parsed and
then applied through the register's actions inside one transaction, which is rolled back when
any row fails or when the run is a dry run. So a dry run reports exactly what a real run would
do, rule for rule, and writes nothing. The natural key is 项目编号: a known code updates that
project, a new one creates it.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.accounts.scope import can_act_in
from zhengtong.lib import xlsx
from zhengtong.lib.imports import (
    CellError,
    Column,
    Importer,
    Outcome,
    Row,
    amount,
    cell_text,
    choice,
    date,
    text,
)

from .actions import project_create, project_set_leaders, project_set_stage, project_update
from .models import KeyProject, ProgressReport, Sector, Stage
from .progress import with_ytd
from .selectors import MANAGE_ROLES

WAN = Decimal(10_000)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
IMPORT_REASON = "台账导入"

# Columns in sheet order. The last two are derived and written on export only.
CODE = "项目编号"
NAME = "项目名称"
YEAR = "计划年度"
SECTOR = "产业板块"
CATEGORY = "类别"
PROJECT_TYPE = "建设性质"
ORG_UNIT = "项目单位(编码)"
RESPONSIBLE_UNIT = "责任单位(编码)"
LOCATION = "建设地点"
TOTAL = "总投资(万元)"
PLAN = "年度计划投资(万元)"
START = "计划开工"
FINISH = "计划竣工"
STAGE = "阶段"
LEADERS = "帮包领导(用户名,逗号分隔)"
YTD = "本年累计完成(万元)"
PROGRESS = "形象进度(%)"

IMPORT_HEADERS = [
    CODE,
    NAME,
    YEAR,
    SECTOR,
    CATEGORY,
    PROJECT_TYPE,
    ORG_UNIT,
    RESPONSIBLE_UNIT,
    LOCATION,
    TOTAL,
    PLAN,
    START,
    FINISH,
    STAGE,
    LEADERS,
]
EXPORT_ONLY_HEADERS = [YTD, PROGRESS]
HEADERS = IMPORT_HEADERS + EXPORT_ONLY_HEADERS
WIDTHS = [14, 36, 10, 16, 8, 10, 18, 18, 24, 14, 18, 12, 12, 10, 24, 18, 12]

# Model field → ledger column, to name the column an action's ValidationError is about.
FIELD_HEADERS = {
    "code": CODE,
    "name": NAME,
    "year": YEAR,
    "sector": SECTOR,
    "category": CATEGORY,
    "project_type": PROJECT_TYPE,
    "org_unit": ORG_UNIT,
    "responsible_unit": RESPONSIBLE_UNIT,
    "location": LOCATION,
    "total_investment": TOTAL,
    "annual_plan": PLAN,
    "planned_start_on": START,
    "planned_finish_on": FINISH,
    "stage": STAGE,
    "leaders": LEADERS,
}
# The register fields a ledger row carries, compared to decide whether a row changes anything.
ROW_FIELDS = [f for f in FIELD_HEADERS if f not in ("code", "stage", "leaders")]
LEADER_SPLIT = re.compile(r"[,,、;;\s]+")


# Export ------------------------------------------------------------------------------------


def _wan(yuan: Decimal | None) -> Decimal | None:
    if yuan is None:
        return None
    # Six places of 万元 keep every fen of 元.
    return (Decimal(yuan) / WAN).quantize(Decimal("0.000001"))


def export_queryset(queryset: QuerySet, *, year: int) -> QuerySet:
    latest = ProgressReport.objects.filter(project=OuterRef("pk")).order_by("-month")
    return (
        with_ytd(queryset, year=year, month=12)
        .annotate(latest_progress=Subquery(latest.values("physical_progress")[:1]))
        .select_related("sector", "org_unit", "responsible_unit")
        .prefetch_related("leader_links__user")
        .order_by("code")
    )


def export_row(project: KeyProject) -> list:
    leaders = sorted(link.user.username for link in project.leader_links.all())
    return [
        project.code,
        project.name,
        getattr(project, "list_year", None) or project.year,
        project.sector.code,
        project.get_category_display(),
        project.get_project_type_display(),
        project.org_unit.code,
        project.responsible_unit.code if project.responsible_unit else None,
        project.location or None,
        _wan(project.total_investment),
        _wan(project.annual_plan),
        project.planned_start_on,
        project.planned_finish_on,
        project.get_stage_display(),
        ",".join(leaders) or None,
        _wan(project.ytd_investment),
        project.latest_progress,
    ]


def export_workbook(queryset: QuerySet, *, year: int) -> tuple[bytes, int]:
    """The ledger of the projects in `queryset` (already scoped) as xlsx bytes, and the number
    of projects written."""
    count = 0

    def rows():
        nonlocal count
        for project in export_queryset(queryset, year=year).iterator(chunk_size=500):
            count += 1
            yield export_row(project)

    content = xlsx.workbook_bytes(
        [
            xlsx.Sheet(
                title="重点项目台账", headers=HEADERS, rows=rows(), widths=WIDTHS, freeze="C2"
            ),
            xlsx.Sheet(
                title="填写说明",
                headers=["列", "可填写的值"],
                rows=_codes_rows(),
                widths=(16, 30),
                freeze=None,
            ),
        ]
    )
    return content, count


def _codes_rows():
    """The values the code columns accept (a second sheet; import reads sheet one only)."""
    for sector in Sector.objects.order_by("sort_order", "code"):
        yield [SECTOR, f"{sector.code}({sector.name})"]
    for label in KeyProject.Category.labels:
        yield [CATEGORY, str(label)]
    for label in KeyProject.ProjectType.labels:
        yield [PROJECT_TYPE, str(label)]
    for label in Stage.labels:
        yield [STAGE, str(label)]
    yield [TOTAL, "以万元为单位的数字,例如 65800 表示 6.58 亿元"]
    yield [START, "日期,格式 2026-03-01"]
    yield [YTD, "由月报推算,仅供查看,导入时忽略"]


# Importing ---------------------------------------------------------------------------------


def year(value) -> int:
    """计划年度: a four-digit year of this century."""
    raw = cell_text(value)
    if not re.fullmatch(r"\d{4}", raw) or not 2000 <= int(raw) <= 2100:
        raise CellError(f"“{raw}”不是有效的年份(应为 2000–2100 之间的四位数字)。")
    return int(raw)


def _leader_names(value: str) -> list[str]:
    return list(dict.fromkeys(n for n in LEADER_SPLIT.split(value) if n))


class LedgerImporter(Importer):
    """The key-project register from its ledger: a known 项目编号 updates, a new one creates."""

    name = "重点项目台账"
    strict_headers = True
    max_bytes = MAX_BYTES
    max_rows = MAX_ROWS
    key = ("code",)
    columns = (
        Column(CODE, "code", text(max_length=30), required=True),
        Column(NAME, "name", text(max_length=100), required=True),
        Column(YEAR, "year", year, required=True),
        Column(SECTOR, "sector", text(), required=True),
        Column(
            CATEGORY,
            "category",
            choice(KeyProject.Category, codes=True, what="类别"),
            required=True,
        ),
        Column(
            PROJECT_TYPE,
            "project_type",
            choice(KeyProject.ProjectType, codes=True, what="建设性质"),
        ),
        Column(ORG_UNIT, "org_unit", text(), required=True),
        Column(RESPONSIBLE_UNIT, "responsible_unit", text()),
        Column(LOCATION, "location", text(max_length=200)),
        Column(TOTAL, "total_investment", amount(unit="万元", allow_zero=True), required=True),
        Column(PLAN, "annual_plan", amount(unit="万元", allow_zero=True), required=True),
        Column(START, "planned_start_on", date()),
        Column(FINISH, "planned_finish_on", date()),
        Column(STAGE, "stage", choice(Stage, codes=True, what="阶段")),
        Column(LEADERS, "leaders", text()),
        Column(YTD, "ytd", ignored=True),
        Column(PROGRESS, "progress", ignored=True),
    )

    def prepare(self, rows: list[Row]) -> None:
        codes = {r.text(ORG_UNIT) for r in rows} | {r.text(RESPONSIBLE_UNIT) for r in rows}
        self.units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes - {""})}
        names: set[str] = set()
        for r in rows:
            names.update(_leader_names(r.text(LEADERS)))
        self.users = {u.username: u for u in User.objects.filter(username__in=names)}
        self.sectors: dict[str, Sector] = {}
        for sector in Sector.objects.all():
            self.sectors[sector.code] = sector
            self.sectors.setdefault(sector.name, sector)
        self.existing: dict[str, KeyProject] = {}

    def check(self, row: Row) -> None:
        values = row.values
        if values["sector"]:
            values["sector"] = self._lookup(row, self.sectors, SECTOR, "产业板块编码或名称")
        if values["project_type"] is None and not row.text(PROJECT_TYPE):
            values["project_type"] = KeyProject.ProjectType.CONSTRUCTION
        if values["org_unit"]:
            unit = values["org_unit"] = self._lookup(row, self.units, ORG_UNIT, "单位编码")
            if unit is not None and not can_act_in(self.actor, unit, MANAGE_ROLES):
                row.error(ORG_UNIT, f"单位“{unit.code}”不在您管理的范围内。")
        if values["responsible_unit"]:
            values["responsible_unit"] = self._lookup(row, self.units, RESPONSIBLE_UNIT, "单位编码")
        values["location"] = values["location"] or ""
        total, plan = values["total_investment"], values["annual_plan"]
        if total is not None and plan is not None and plan > total:
            row.error(PLAN, "年度计划投资不能超过总投资。")
        start, finish = values["planned_start_on"], values["planned_finish_on"]
        if start and finish and finish < start:
            row.error(FINISH, "计划竣工不能早于计划开工。")
        leaders = []
        for username in _leader_names(row.text(LEADERS)):
            user = self.users.get(username)
            if user is None:
                row.error(LEADERS, f"找不到用户名为“{username}”的用户。")
            else:
                leaders.append(user)
        values["leaders"] = leaders

    @staticmethod
    def _lookup(row: Row, table: dict, column: str, what: str):
        found = table.get(row.text(column))
        if found is None:
            row.error(column, f"“{row.text(column)}”不是有效的{what}。")
        return found

    def check_batch(self, rows: list[Row]) -> None:
        found = (
            KeyProject.objects.filter(code__in=[r.values["code"] for r in rows])
            .select_related("org_unit")
            .prefetch_related("leader_links", "list_entries__project_list")
        )
        self.existing.update({p.code: p for p in found})
        for row in rows:
            project = self.existing.get(row.values["code"])
            if project is not None and not can_act_in(self.actor, project.org_unit, MANAGE_ROLES):
                row.error(CODE, f"“{project.code}”已被您管理范围以外的项目使用。")

    def apply(self, row: Row) -> Outcome:
        values = row.values
        fields = {name: values[name] for name in ROW_FIELDS}
        outcome = Outcome(row=row.number, code=values["code"], name=values["name"])
        existing = self.existing.get(values["code"])
        if existing is None:
            project_create(
                actor=self.actor,
                code=values["code"],
                stage=values["stage"] or Stage.NOT_STARTED,
                leaders=values["leaders"],
                **fields,
            )
            return outcome
        changed = _changes(existing, fields)
        if changed:
            existing = project_update(
                actor=self.actor, project=existing, reason=IMPORT_REASON, **changed
            )
            outcome.changed += [FIELD_HEADERS[f] for f in changed]
        wanted = {u.pk for u in values["leaders"]}
        if wanted != {link.user_id for link in existing.leader_links.all()}:
            project_set_leaders(actor=self.actor, project=existing, leaders=values["leaders"])
            outcome.changed.append(LEADERS)
        if values["stage"] and values["stage"] != existing.stage:
            project_set_stage(
                actor=self.actor, project=existing, stage=values["stage"], reason=IMPORT_REASON
            )
            outcome.changed.append(STAGE)
        outcome.action = "update" if outcome.changed else "unchanged"
        return outcome


def _plan_on(project: KeyProject, year: int) -> Decimal | None:
    """The project's plan on the `year` list, from the prefetched entries."""
    for entry in project.list_entries.all():
        if entry.project_list.year == year:
            return entry.annual_plan
    return None


def _changes(project: KeyProject, fields: dict) -> dict:
    changed = {}
    for name in ROW_FIELDS:
        if name in ("year", "annual_plan"):
            continue
        old = getattr(project, name)
        new = fields[name]
        if old != new:
            changed[name] = new
    # 计划年度 names the list the row's plan belongs to; a project's 入库年度 never changes.
    year, plan = fields["year"], fields["annual_plan"]
    if _plan_on(project, year) != plan:
        if year != project.year:
            raise ValidationError(
                {
                    "annual_plan": f"该项目{project.year}年入库,{year}年的年度计划投资"
                    f"请在{year}年清单中修改。"
                }
            )
        changed["annual_plan"] = plan
    return changed
