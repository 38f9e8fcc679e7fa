"""The key-project ledger (台账) as an xlsx workbook: export, and import with a dry run.

An import is all-or-nothing: every row is parsed and then applied through the register's
actions inside one transaction, which is rolled back when any row fails or when the run is a
dry run. So a dry run reports exactly what a real run would do, rule for rule, and writes
nothing. The natural key is 项目编号: a known code updates that project, a new one creates it.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.context import acting, current
from zhengtong.lib import xlsx

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


class LedgerFileError(Exception):
    """The file as a whole cannot be read as a ledger; the message is for the user."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行:字段 {self.column}:{self.message}"


@dataclass
class RowOutcome:
    row: int
    code: str
    name: str
    action: str  # "create", "update" or "unchanged"
    changed: list[str] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return {"create": "新增", "update": "更新", "unchanged": "无变化"}[self.action]


@dataclass
class ImportResult:
    dry_run: bool
    rows: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def applied(self) -> bool:
        """True when the rows were written: a real run without a single error."""
        return not self.dry_run and not self.errors


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


# Reading -----------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(upload) -> Iterator[tuple[int, dict]]:
    """(Excel row number, {header: value}) for each non-blank data row of the first sheet.

    Raises LedgerFileError for a file that is too large, not an xlsx workbook, or whose header
    row is not the ledger's.
    """
    try:
        wb = xlsx.open_xlsx(upload, max_bytes=MAX_BYTES)
    except xlsx.XlsxUploadError as exc:
        raise LedgerFileError(str(exc)) from None
    try:
        rows = xlsx.capped_rows(wb.worksheets[0], max_rows=MAX_ROWS)
        headers = [_text(h) for h in next(rows, ())]
        while headers and not headers[-1]:
            headers.pop()
        _check_headers(headers)
        for number, values in enumerate(rows, start=2):
            if values is None or all(_text(v) == "" for v in values):
                continue
            yield number, {h: v for h, v in zip(headers, values, strict=False) if h}
    except xlsx.XlsxUploadError as exc:
        raise LedgerFileError(str(exc)) from None
    finally:
        wb.close()


def _check_headers(headers: list[str]) -> None:
    missing = [h for h in IMPORT_HEADERS if h not in headers]
    unknown = [h or "(空)" for h in headers if h not in HEADERS]
    duplicated = sorted({h for h in headers if h and headers.count(h) > 1})
    if not (missing or unknown or duplicated):
        return
    problems = []
    if missing:
        problems.append("缺少列:" + "、".join(missing))
    if unknown:
        problems.append("无法识别的列:" + "、".join(unknown))
    if duplicated:
        problems.append("重复的列:" + "、".join(duplicated))
    raise LedgerFileError(
        "表头不正确("
        + ";".join(problems)
        + ")。第一行应依次为:"
        + "、".join(IMPORT_HEADERS)
        + "(“"
        + "”“".join(EXPORT_ONLY_HEADERS)
        + "”两列仅在导出时填写,可保留)。"
    )


# Parsing rows ------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    row: int
    code: str
    fields: dict
    stage: str | None
    leaders: list


class _RowParser:
    """Turns a ledger row into register values, collecting one error per bad cell."""

    def __init__(self, actor, raw_rows: list[tuple[int, dict]]):
        self.actor = actor
        codes = {_text(raw.get(ORG_UNIT)) for _, raw in raw_rows} | {
            _text(raw.get(RESPONSIBLE_UNIT)) for _, raw in raw_rows
        }
        self.units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes - {""})}
        names: set[str] = set()
        for _, raw in raw_rows:
            names.update(n for n in LEADER_SPLIT.split(_text(raw.get(LEADERS))) if n)
        self.users = {u.username: u for u in User.objects.filter(username__in=names)}
        self.sectors = {}
        for sector in Sector.objects.all():
            self.sectors[sector.code] = sector
            self.sectors.setdefault(sector.name, sector)
        self.categories = _choice_map(KeyProject.Category)
        self.project_types = _choice_map(KeyProject.ProjectType)
        self.stages = _choice_map(Stage)

    def parse(self, number: int, raw: dict, errors: list[RowError]) -> ParsedRow | None:
        before = len(errors)

        def error(column: str, message: str) -> None:
            errors.append(RowError(number, column, message))

        code = _text(raw.get(CODE))
        if not code:
            error(CODE, "必填。")
        elif len(code) > 30:
            error(CODE, "不能超过 30 个字符。")
        name = _text(raw.get(NAME))
        if not name:
            error(NAME, "必填。")
        elif len(name) > 100:
            error(NAME, "不能超过 100 个字符。")
        year = _year(raw.get(YEAR), lambda m: error(YEAR, m))
        sector = self._lookup(self.sectors, raw.get(SECTOR), SECTOR, "产业板块编码或名称", error)
        category = self._lookup(self.categories, raw.get(CATEGORY), CATEGORY, "类别", error)
        project_type = (
            self._lookup(self.project_types, raw.get(PROJECT_TYPE), PROJECT_TYPE, "建设性质", error)
            if _text(raw.get(PROJECT_TYPE))
            else KeyProject.ProjectType.CONSTRUCTION
        )
        org_unit = self._lookup(self.units, raw.get(ORG_UNIT), ORG_UNIT, "单位编码", error)
        if org_unit is not None and not can_act_in(self.actor, org_unit, MANAGE_ROLES):
            error(ORG_UNIT, f"单位“{org_unit.code}”不在您管理的范围内。")
        responsible_unit = None
        if _text(raw.get(RESPONSIBLE_UNIT)):
            responsible_unit = self._lookup(
                self.units, raw.get(RESPONSIBLE_UNIT), RESPONSIBLE_UNIT, "单位编码", error
            )
        location = _text(raw.get(LOCATION))
        if len(location) > 200:
            error(LOCATION, "不能超过 200 个字符。")
        total = _amount(raw.get(TOTAL), lambda m: error(TOTAL, m))
        plan = _amount(raw.get(PLAN), lambda m: error(PLAN, m))
        if total is not None and plan is not None and plan > total:
            error(PLAN, "年度计划投资不能超过总投资。")
        start = _date(raw.get(START), lambda m: error(START, m))
        finish = _date(raw.get(FINISH), lambda m: error(FINISH, m))
        if start and finish and finish < start:
            error(FINISH, "计划竣工不能早于计划开工。")
        stage = None
        if _text(raw.get(STAGE)):
            stage = self._lookup(self.stages, raw.get(STAGE), STAGE, "阶段", error)
        leaders = []
        for username in dict.fromkeys(n for n in LEADER_SPLIT.split(_text(raw.get(LEADERS))) if n):
            user = self.users.get(username)
            if user is None:
                error(LEADERS, f"找不到用户名为“{username}”的用户。")
            else:
                leaders.append(user)
        if len(errors) > before:
            return None
        fields = {
            "name": name,
            "year": year,
            "sector": sector,
            "category": category,
            "project_type": project_type,
            "org_unit": org_unit,
            "responsible_unit": responsible_unit,
            "location": location,
            "total_investment": total,
            "annual_plan": plan,
            "planned_start_on": start,
            "planned_finish_on": finish,
        }
        return ParsedRow(row=number, code=code, fields=fields, stage=stage, leaders=leaders)

    @staticmethod
    def _lookup(table: dict, value, column: str, what: str, error):
        text = _text(value)
        if not text:
            error(column, "必填。")
            return None
        found = table.get(text)
        if found is None:
            error(column, f"“{text}”不是有效的{what}。")
        return found


def _choice_map(choices) -> dict[str, str]:
    table = {str(label): value for value, label in choices.choices}
    table.update({value: value for value in choices.values})
    return table


def _year(value, error) -> int | None:
    text = _text(value)
    if not text:
        error("必填。")
        return None
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
        error(f"“{text}”不是有效的年份(应为 2000–2100 之间的四位数字)。")
        return None
    return int(text)


def _amount(value, error) -> Decimal | None:
    """A 万元 cell as Decimal 元 (to the fen)."""
    if value is None or _text(value) == "":
        error("必填。")
        return None
    if isinstance(value, bool):
        error("应为数字(万元)。")
        return None
    # A float cell is read through its shortest repr, so 300.000055 stays 300.000055.
    text = repr(value) if isinstance(value, float) else _text(value).replace(",", "")
    try:
        wan = Decimal(text)
    except InvalidOperation:
        error(f"“{_text(value)}”不是数字(万元)。")
        return None
    if not wan.is_finite():
        error(f"“{_text(value)}”不是数字(万元)。")
        return None
    if wan < 0:
        error("不能为负数。")
        return None
    if wan >= Decimal("100000000"):
        error("超过 1 万亿元,请核对单位(应以万元为单位)。")
        return None
    return (wan * WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _date(value, error) -> datetime.date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        error(f"“{_text(value)}”不是有效日期(格式应为 2026-03-01)。")
        return None


# Importing ---------------------------------------------------------------------------------


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


def _apply(actor, parsed: ParsedRow, existing: KeyProject | None) -> RowOutcome:
    outcome = RowOutcome(
        row=parsed.row, code=parsed.code, name=parsed.fields["name"], action="unchanged"
    )
    if existing is None:
        project_create(
            actor=actor,
            code=parsed.code,
            stage=parsed.stage or Stage.NOT_STARTED,
            leaders=parsed.leaders,
            **parsed.fields,
        )
        outcome.action = "create"
        return outcome
    changed = _changes(existing, parsed.fields)
    if changed:
        existing = project_update(actor=actor, project=existing, reason=IMPORT_REASON, **changed)
        outcome.changed += [FIELD_HEADERS[f] for f in changed]
    wanted = {u.pk for u in parsed.leaders}
    if wanted != {link.user_id for link in existing.leader_links.all()}:
        project_set_leaders(actor=actor, project=existing, leaders=parsed.leaders)
        outcome.changed.append(LEADERS)
    if parsed.stage and parsed.stage != existing.stage:
        project_set_stage(actor=actor, project=existing, stage=parsed.stage, reason=IMPORT_REASON)
        outcome.changed.append(STAGE)
    if outcome.changed:
        outcome.action = "update"
    return outcome


def _action_errors(number: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            RowError(number, FIELD_HEADERS.get(name, "—"), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [RowError(number, "—", message) for message in exc.messages]


def import_ledger(*, actor, upload, dry_run: bool = True, ip: str | None = None) -> ImportResult:
    """Parse `upload` and apply it through the register's actions, all or nothing.

    Raises LedgerFileError when the file itself is unusable; row problems are returned in
    `result.errors` ("第 N 行:字段 X:…"). Nothing is written unless the run is real and error-free.
    """
    result = ImportResult(dry_run=dry_run)
    raw_rows = list(read_rows(upload))
    result.rows = len(raw_rows)
    parser = _RowParser(actor, raw_rows)
    parsed_rows: list[ParsedRow] = []
    seen: dict[str, int] = {}
    for number, raw in raw_rows:
        parsed = parser.parse(number, raw, result.errors)
        code = _text(raw.get(CODE))
        if code in seen:
            result.errors.append(RowError(number, CODE, f"“{code}”与第 {seen[code]} 行重复。"))
            continue
        if code:
            seen[code] = number
        if parsed is not None:
            parsed_rows.append(parsed)

    existing = {
        p.code: p
        for p in KeyProject.objects.filter(code__in=[p.code for p in parsed_rows])
        .select_related("org_unit")
        .prefetch_related("leader_links", "list_entries__project_list")
    }
    applicable = []
    for parsed in parsed_rows:
        project = existing.get(parsed.code)
        if project is not None and not can_act_in(actor, project.org_unit, MANAGE_ROLES):
            result.errors.append(
                RowError(parsed.row, CODE, f"“{parsed.code}”已被您管理范围以外的项目使用。")
            )
        else:
            applicable.append(parsed)

    # Apply even when some rows failed to parse, so one run reports every problem; the
    # transaction is rolled back then anyway.
    with acting(ip=ip, channel="import", request_id=current().request_id or None):
        with audited_atomic():
            for parsed in applicable:
                try:
                    # A savepoint per row: a row refused half-way leaves nothing behind.
                    with transaction.atomic():
                        result.outcomes.append(_apply(actor, parsed, existing.get(parsed.code)))
                except ValidationError as exc:
                    result.errors.extend(_action_errors(parsed.row, exc))
            if dry_run or result.errors:
                transaction.set_rollback(True)
    result.errors.sort(key=lambda e: e.row)
    return result
