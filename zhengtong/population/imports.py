"""Reading and checking the xlsx files of the population import (人员, 流动人口).

The workbook is opened with openpyxl's `read_only=True` and its rows are streamed one at a
time: a file of 100,000 rows is never held in memory. What the check keeps per file is the set
of ID numbers seen so far (to find duplicates within the file), the row numbers of a pending
batch of up to 1,000 numbers (looked up in the database in one query), and the first
`MAX_STORED_ERRORS` errors.

The rows are read twice: once to check every row (`check_rows`), and, when nothing is wrong and
the run is real, once more to write them (`parse_rows` feeding the action's batches). Parsing is
deterministic, so the second pass sees what the first one checked.
"""

import datetime
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import can_act_in, unit_paths
from zhengtong.lib import xlsx
from zhengtong.lib.idcard import parse_id_number
from zhengtong.people.models import Person
from zhengtong.workdays import HolidayDataMissing, WorkCalendar

from .models import FloatingRecord
from .selectors import POPULATION_ROLES

KIND_PERSONS = "persons"
KIND_FLOATING = "floating"
KIND_LABELS = {KIND_PERSONS: "人员信息", KIND_FLOATING: "流动人口"}

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
BATCH = 1000
MAX_STORED_ERRORS = 1000
# Oldest plausible resident: an ID number with an earlier birth date is a typing error.
MAX_AGE_YEARS = 120
# 婚育证明 (流动人口计划生育工作条例 Art. 7) is kept for women of these ages.
CERT_AGES = (18, 49)
CERT_DUE_DAYS = 30

# Column headers (the first row of the sheet).
NAME = "姓名"
ID_NUMBER = "公民身份号码"
PHONE = "联系电话"
VILLAGE = "所属村"
HUKOU_ADDRESS = "户籍地"
CURRENT_ADDRESS = "现居住地"
MARITAL = "婚姻状况"
HUKOU_TYPE = "户籍类别"
DIRECTION = "流向"
PLACE = "流入地/流出地"
STARTED_ON = "流出/流入日期"
EMPLOYER = "务工单位"
SPOUSE = "配偶信息"
FERTILITY = "生育状况"
CONTRACEPTION = "避孕节育情况"
ISSUED_BY = "婚育证明出具机关"
ISSUED_ON = "婚育证明出具日期"
PRESENTED_ON = "婚育证明交验日期"

HEADERS = {
    KIND_PERSONS: [
        NAME,
        ID_NUMBER,
        PHONE,
        VILLAGE,
        HUKOU_ADDRESS,
        CURRENT_ADDRESS,
        MARITAL,
        HUKOU_TYPE,
    ],
    KIND_FLOATING: [
        NAME,
        ID_NUMBER,
        DIRECTION,
        VILLAGE,
        PLACE,
        STARTED_ON,
        PHONE,
        EMPLOYER,
        MARITAL,
        SPOUSE,
        FERTILITY,
        CONTRACEPTION,
        ISSUED_BY,
        ISSUED_ON,
        PRESENTED_ON,
    ],
}
REQUIRED = {
    KIND_PERSONS: [NAME, ID_NUMBER],
    KIND_FLOATING: [NAME, ID_NUMBER, DIRECTION, PLACE, STARTED_ON],
}
# What the template's instruction sheet says about each column.
NOTES = {
    NAME: "必填,不超过 50 个字",
    ID_NUMBER: "必填,18 位公民身份号码;出生日期和性别由号码得出,无需另填",
    PHONE: "选填,手机或固定电话",
    VILLAGE: "村名称或编码;导入人只负责一个村时可不填",
    HUKOU_ADDRESS: "选填",
    CURRENT_ADDRESS: "选填",
    MARITAL: "未婚、已婚、再婚、离婚、丧偶,可不填;18–49 岁流出妇女必填(婚育证明)",
    HUKOU_TYPE: "本地户籍 或 外地户籍,不填为本地户籍",
    DIRECTION: "必填:流出 或 流入",
    PLACE: "必填:流出填流入地,流入填流出地(户籍地)",
    STARTED_ON: "必填,日期,格式 2026-03-01",
    EMPLOYER: "选填",
    SPOUSE: "18–49 岁流出妇女必填(婚育证明),未婚填“无”;流入妇女未交验的留空",
    FERTILITY: "18–49 岁流出妇女必填(婚育证明),例如“已生育一孩”",
    CONTRACEPTION: "18–49 岁流出妇女必填(婚育证明),例如“上环”",
    ISSUED_BY: "选填",
    ISSUED_ON: "选填,日期",
    PRESENTED_ON: "选填,日期;流入妇女已交验婚育证明的填写(不填为流入当日),未交验的婚育证明各栏留空,"
    "自流入之日起 30 日内交验",
}
EXAMPLES = {
    KIND_PERSONS: [
        "张秀英",
        "371524199003150024",
        "13805351234",
        "刘集村",
        "东阿县刘集镇刘集村",
        "东阿县刘集镇刘集村",
        "已婚",
        "本地户籍",
    ],  # fmt: skip
    KIND_FLOATING: [
        "张秀英",
        "371524199003150024",
        "流出",
        "刘集村",
        "浙江省宁波市北仑区",
        "2026-03-01",
        "13805351234",
        "宁波某电子厂",
        "已婚",
        "李强 371524…",
        "已生育一孩",
        "上环",
        "刘集镇人民政府",
        "2026-02-20",
        "",
    ],  # fmt: skip
}

MARITAL_CHOICES = {str(label): value for value, label in Person.MaritalStatus.choices if value}
HUKOU_CHOICES = {str(label): value for value, label in Person.HukouType.choices}
DIRECTION_CHOICES = {str(label): value for value, label in FloatingRecord.Direction.choices}


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行:{self.field}:{self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ParsedRow:
    row: int
    id_number: str
    person: dict  # Person field values
    floating: dict | None = None  # FloatingRecord field values (floating import)
    certificate: dict | None = None  # MarriageCertificate field values, when one is kept

    @property
    def direction(self) -> str:
        """The floating record's direction; only rows of a floating import have one."""
        if self.floating is None:
            raise ValueError("a row of the persons import has no floating record")
        return self.floating["direction"]


@dataclass
class CheckResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(error)


# Reading -----------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def open_workbook(path_or_file):
    """The workbook opened for streaming (read-only) after the shared upload check (type, size,
    zip bomb, corruption), or ImportFileError with its Chinese message."""
    try:
        return xlsx.open_xlsx(path_or_file, max_bytes=MAX_BYTES)
    except xlsx.XlsxUploadError as exc:
        raise ImportFileError(str(exc)) from None


def check_headers(kind: str, headers: list[str]) -> None:
    expected = HEADERS[kind]
    missing = [h for h in REQUIRED[kind] if h not in headers]
    unknown = [h for h in headers if h and h not in expected]
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
    raise ImportFileError(
        "表头不正确(" + ";".join(problems) + ")。请下载导入模板,第一行应为:" + "、".join(expected)
    )


def read_rows(
    kind: str, path_or_file, *, estimate_rows: bool = True
) -> tuple[int, Generator[tuple[int, dict], None, None]]:
    """(estimated data rows, iterator of (Excel row number, {header: value})) of sheet one.

    Blank rows are skipped. The estimate comes from the sheet's stored dimension, or, for a
    file written without one, from counting the row tags of the sheet's XML as it streams by;
    the workbook is closed when the iterator is exhausted or closed.
    """
    wb = open_workbook(path_or_file)
    try:
        ws = wb.worksheets[0]
        rows = xlsx.capped_rows(ws, max_rows=MAX_ROWS)
        headers = [_text(h) for h in next(rows, ())]
        while headers and not headers[-1]:
            headers.pop()
        check_headers(kind, headers)
        estimate = 0
        if estimate_rows:
            estimate = max((ws.max_row or _count_row_tags(wb, ws)) - 1, 0)
    except xlsx.XlsxUploadError as exc:
        wb.close()
        raise ImportFileError(str(exc)) from None
    except BaseException:
        wb.close()
        raise

    def iterate() -> Generator[tuple[int, dict], None, None]:
        try:
            for number, values in enumerate(rows, start=2):
                if values is None or all(_text(v) == "" for v in values):
                    continue
                yield number, {h: v for h, v in zip(headers, values, strict=False) if h}
        except xlsx.XlsxUploadError as exc:
            raise ImportFileError(str(exc)) from None
        finally:
            wb.close()

    return estimate, iterate()


def _count_row_tags(wb, ws) -> int:
    """How many <row> elements the sheet's XML has, read in 1 MiB chunks (never all at once)."""
    try:
        stream = wb._archive.open(ws._worksheet_path)
    except (AttributeError, KeyError):
        return 1
    count = 0
    tail = b""
    with stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            count += data.count(b"<row ") + data.count(b"<row>") + data.count(b":row ")
            # Keep the last bytes so a tag split across chunks is counted once, in the next one.
            tail = data[-5:]
            count -= tail.count(b"<row ") + tail.count(b"<row>") + tail.count(b":row ")
    return max(count, 1)


def validate_upload(kind: str, upload) -> None:
    """Refuse early, on the upload form, a file that is too large, not xlsx or has wrong headers."""
    _, rows = read_rows(kind, upload, estimate_rows=False)
    rows.close()
    upload.seek(0)


# Parsing -----------------------------------------------------------------------------------


def _date(value, error: Callable[[str], None]) -> datetime.date | None:
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
        pass
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007 - a date only
    except ValueError:
        error(f"“{_text(value)}”不是有效日期,请按 2026-03-01 的格式填写。")
        return None


class RowParser:
    """Turns one sheet row into field values, reporting one error per bad cell.

    `actor` decides which villages are acceptable (the importer's scope); when the actor's
    scope is one village, an empty 所属村 means that village.
    """

    def __init__(self, *, kind: str, actor, today: datetime.date | None = None):
        self.kind = kind
        self.actor = actor
        self.today = today or timezone.localdate()
        paths = unit_paths(actor, POPULATION_ROLES)
        villages = OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE)
        self.villages: dict[str, OrgUnit] = {}
        for unit in villages:
            self.villages[unit.code] = unit
            self.villages.setdefault(unit.name, unit)
        own = [u for u in villages if any(u.path.startswith(p) for p in paths)]
        self.default_village = own[0] if len(own) == 1 else None
        self.calendar = WorkCalendar()

    def certificate_due_on(self, arrived_on: datetime.date) -> datetime.date:
        """Arrival + 30 calendar days, rolled to the next working day when that is a holiday."""
        due = arrived_on + datetime.timedelta(days=CERT_DUE_DAYS)
        try:
            return self.calendar.next_workday_on_or_after(due)
        except HolidayDataMissing:
            return due

    def parse(self, number: int, raw: dict, report: Callable[[RowError], None]) -> ParsedRow | None:
        failed = False

        def error(column: str, message: str) -> None:
            nonlocal failed
            failed = True
            report(RowError(number, column, message))

        name = _text(raw.get(NAME))
        if not name:
            error(NAME, "必填。")
        elif len(name) > 50:
            error(NAME, "不能超过 50 个字。")
        id_text = _text(raw.get(ID_NUMBER))
        parsed = None
        if not id_text:
            error(ID_NUMBER, "必填。")
        else:
            try:
                parsed = parse_id_number(id_text)
            except ValidationError as exc:
                error(ID_NUMBER, exc.messages[0])
            else:
                if parsed.age_on(self.today) > MAX_AGE_YEARS:
                    error(
                        ID_NUMBER, f"出生日期 {parsed.birth_date} 不合理(超过 {MAX_AGE_YEARS} 岁)。"
                    )
                    parsed = None
        phone = _text(raw.get(PHONE))
        if len(phone) > 20:
            error(PHONE, "不能超过 20 个字符。")
        village_text = _text(raw.get(VILLAGE))
        village = None
        if village_text:
            village = self.villages.get(village_text)
            if village is None:
                error(VILLAGE, f"找不到村“{village_text}”,请填写村名称或编码。")
            elif not can_act_in(self.actor, village, POPULATION_ROLES):
                error(VILLAGE, f"“{village.name}”不在您负责的范围内。")
                village = None
        elif self.default_village is not None:
            village = self.default_village
        else:
            error(VILLAGE, "必填(您负责多个村,请写明所属村)。")
        marital_text = _text(raw.get(MARITAL))
        marital: str | None = ""
        if marital_text:
            marital = MARITAL_CHOICES.get(marital_text)
            if marital is None:
                error(MARITAL, "应为:" + "、".join(MARITAL_CHOICES) + "。")
                marital = ""
        person: dict[str, Any] = {
            "name": name,
            "phone": phone,
            "org_unit": village,
            "marital_status": marital,
            "hukou_type": Person.HukouType.LOCAL,
            "hukou_address": "",
            "current_address": "",
        }
        if parsed is not None:
            person.update(sex=parsed.sex, birth_date=parsed.birth_date)
        floating = certificate = None
        if self.kind == KIND_PERSONS:
            self._parse_person_extras(raw, person, error)
        else:
            floating, certificate = self._parse_floating(raw, person, parsed, error)
        if failed or parsed is None:
            return None
        return ParsedRow(
            row=number,
            id_number=parsed.number,
            person=person,
            floating=floating,
            certificate=certificate,
        )

    def _parse_person_extras(self, raw, person, error) -> None:
        for column, key in ((HUKOU_ADDRESS, "hukou_address"), (CURRENT_ADDRESS, "current_address")):
            value = _text(raw.get(column))
            if len(value) > 200:
                error(column, "不能超过 200 个字。")
            person[key] = value
        hukou_text = _text(raw.get(HUKOU_TYPE))
        if hukou_text:
            hukou = HUKOU_CHOICES.get(hukou_text)
            if hukou is None:
                error(HUKOU_TYPE, "应为:" + "、".join(HUKOU_CHOICES) + "。")
            else:
                person["hukou_type"] = hukou

    def _parse_floating(self, raw, person, parsed, error):
        direction_text = _text(raw.get(DIRECTION))
        direction = DIRECTION_CHOICES.get(direction_text)
        if not direction_text:
            error(DIRECTION, "必填。")
        elif direction is None:
            error(DIRECTION, "应为“流出”或“流入”。")
        place = _text(raw.get(PLACE))
        if not place:
            error(PLACE, "必填。")
        elif len(place) > 200:
            error(PLACE, "不能超过 200 个字。")
        started_on = _date(raw.get(STARTED_ON), lambda m: error(STARTED_ON, m))
        if _text(raw.get(STARTED_ON)) == "":
            error(STARTED_ON, "必填。")
        elif started_on and started_on > self.today:
            error(STARTED_ON, "不能晚于今天。")
        elif started_on and parsed and started_on < parsed.birth_date:
            error(STARTED_ON, "不能早于出生日期。")
        employer = _text(raw.get(EMPLOYER))
        if len(employer) > 100:
            error(EMPLOYER, "不能超过 100 个字。")
        if direction == FloatingRecord.Direction.IN:
            # An arrival usually has no local 户籍; the origin is where it is.
            person["hukou_type"] = Person.HukouType.NONLOCAL
            person["hukou_address"] = place
        floating = {
            "direction": direction,
            "place": place,
            "started_on": started_on,
            "contact_phone": person["phone"],
            "employer": employer,
        }
        certificate = None
        if parsed is not None and started_on is not None and direction is not None:
            certificate = self._parse_certificate(raw, person, parsed, direction, started_on, error)
        return floating, certificate

    def _parse_certificate(self, raw, person, parsed, direction, started_on, error):
        """婚育证明 of a woman aged 18–49, following floating_record_create: leaving, all Art. 7
        fields are required; arriving, she has 30 days, so the fields are either all given
        (presented, on the 交验日期 or else the arrival day) or all left empty (due later)."""
        if not (
            parsed.sex == Person.Sex.FEMALE
            and CERT_AGES[0] <= parsed.age_on(started_on) <= CERT_AGES[1]
        ):
            return None
        columns = ((SPOUSE, "spouse"), (FERTILITY, "fertility"), (CONTRACEPTION, "contraception"))
        values = {key: _text(raw.get(column)) for column, key in columns}
        given = any(values.values()) or _text(raw.get(MARITAL))
        certificate = {
            "name": person["name"],
            "age": parsed.age_on(started_on),
            "id_number": parsed.number,
            "marital_status": "",
            "spouse": "",
            "fertility": "",
            "contraception": "",
            "issued_by": "",
            "issued_on": None,
            "due_on": None,
            "due_provisional": False,
            "presented_on": None,
        }
        if direction == FloatingRecord.Direction.IN:
            certificate["due_on"] = self.certificate_due_on(started_on)
            certificate["due_provisional"] = self.calendar.spans_provisional(
                started_on, certificate["due_on"]
            )
        if direction == FloatingRecord.Direction.OUT or given:
            for column, key in columns:
                if not values[key]:
                    error(column, "18–49 岁妇女的婚育证明必填项。")
                elif len(values[key]) > 100:
                    error(column, "不能超过 100 个字。")
            if not _text(raw.get(MARITAL)):
                error(MARITAL, "18–49 岁妇女的婚育证明必填项。")
            issued_by = _text(raw.get(ISSUED_BY))
            if len(issued_by) > 100:
                error(ISSUED_BY, "不能超过 100 个字。")
            issued_on = _date(raw.get(ISSUED_ON), lambda m: error(ISSUED_ON, m))
            if issued_on and issued_on > self.today:
                error(ISSUED_ON, "不能晚于今天。")
            certificate.update(
                values,
                marital_status=MARITAL_CHOICES_LABELS.get(person["marital_status"], ""),
                issued_by=issued_by,
                issued_on=issued_on,
            )
            if direction == FloatingRecord.Direction.IN:
                presented_on = _date(raw.get(PRESENTED_ON), lambda m: error(PRESENTED_ON, m))
                if presented_on and presented_on > self.today:
                    error(PRESENTED_ON, "不能晚于今天。")
                elif presented_on and presented_on < started_on:
                    error(PRESENTED_ON, "不能早于流入日期。")
                certificate["presented_on"] = presented_on or started_on
        return certificate


MARITAL_CHOICES_LABELS = {value: label for label, value in MARITAL_CHOICES.items()}


# Checking a whole file ---------------------------------------------------------------------


class _Batch:
    """Rows that passed parsing, checked against the database 1,000 at a time."""

    def __init__(self, resolve: Callable[[list[tuple[int, ParsedRow]]], None]):
        self.resolve = resolve
        self.pending: list[tuple[int, ParsedRow]] = []

    def add(self, row: int, parsed: ParsedRow) -> None:
        self.pending.append((row, parsed))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.resolve(self.pending)
        self.pending = []

    @property
    def first_row(self) -> int | None:
        return self.pending[0][0] if self.pending else None


def _persons_in_database(report):
    def resolve(pending: list[tuple[int, ParsedRow]]) -> None:
        numbers = [parsed.id_number for _, parsed in pending]
        found = set(
            Person.objects.filter(id_number__in=numbers).values_list("id_number", flat=True)
        )
        for row, parsed in pending:
            if parsed.id_number in found:
                report(RowError(row, ID_NUMBER, "该身份证号码已在系统中登记,请勿重复导入。"))

    return resolve


def _floating_in_database(report, actor):
    def resolve(pending: list[tuple[int, ParsedRow]]) -> None:
        numbers = {parsed.id_number for _, parsed in pending}
        persons = {
            p.id_number: p
            for p in Person.objects.filter(id_number__in=numbers).select_related("org_unit")
        }
        open_records = set(
            FloatingRecord.objects.filter(
                person__id_number__in=numbers, ended_on__isnull=True
            ).values_list("person__id_number", "direction")
        )
        for row, parsed in pending:
            person = persons.get(parsed.id_number)
            if person is None:
                continue
            if not can_act_in(actor, person.org_unit, POPULATION_ROLES):
                report(
                    RowError(
                        row,
                        ID_NUMBER,
                        "该身份证号码已由其他单位登记,不能由您导入其流动记录,请联系其所属单位。",
                    )
                )
            elif person.name != parsed.person["name"]:
                report(RowError(row, NAME, "与该身份证号码已登记的姓名不一致,请核对。"))
            elif (parsed.id_number, parsed.direction) in open_records:
                report(
                    RowError(
                        row, DIRECTION, "该人员已有一条未结束的同向流动记录,请先登记返回/离开日期。"
                    )
                )

    return resolve


def _key(kind: str, parsed: ParsedRow):
    if kind == KIND_PERSONS:
        return parsed.id_number
    return (parsed.id_number, parsed.direction)


def check_rows(
    *,
    kind: str,
    actor,
    rows: Iterator[tuple[int, dict]],
    progress: Callable[[int], None] | None = None,
    today: datetime.date | None = None,
) -> CheckResult:
    """Check every row; returns the count of data rows and the errors (first 1,000 kept).

    Errors come out in row order: those of rows still waiting for their database batch are
    held back until the batch has been checked.
    """
    result = CheckResult()
    parser = RowParser(kind=kind, actor=actor, today=today)
    seen: dict[object, int] = {}
    held: list[RowError] = []
    report = held.append
    if kind == KIND_PERSONS:
        batch = _Batch(_persons_in_database(report))
        column, message = ID_NUMBER, "与第 {} 行的身份证号码重复。"
    else:
        batch = _Batch(_floating_in_database(report, actor))
        column, message = DIRECTION, "与第 {} 行是同一人同一流向的记录,重复。"

    def release(all_rows: bool = False) -> None:
        limit = None if all_rows else batch.first_row
        ready = sorted((e for e in held if limit is None or e.row < limit), key=lambda e: e.row)
        held[:] = [e for e in held if limit is not None and e.row >= limit]
        for error in ready:
            result.add(error)

    for number, raw in rows:
        result.rows += 1
        parsed = parser.parse(number, raw, report)
        if parsed is not None:
            key = _key(kind, parsed)
            first = seen.get(key)
            if first is not None:
                report(RowError(number, column, message.format(first)))
            else:
                seen[key] = number
                batch.add(number, parsed)
        if held:
            release()
        if progress is not None and result.rows % 500 == 0:
            progress(result.rows)
    batch.flush()
    release(all_rows=True)
    if progress is not None:
        progress(result.rows)
    return result


def parse_rows(
    *, kind: str, actor, rows: Iterator[tuple[int, dict]], today: datetime.date | None = None
) -> Iterator[ParsedRow]:
    """The parsed rows of a file that `check_rows` passed."""
    parser = RowParser(kind=kind, actor=actor, today=today)

    def fail(error: RowError) -> None:
        raise ImportFileError(str(error))

    for number, raw in rows:
        parsed = parser.parse(number, raw, fail)
        if parsed is not None:
            yield parsed


# The template ------------------------------------------------------------------------------


def template_workbook(kind: str) -> bytes:
    """An empty import sheet with the headers, and a second sheet explaining each column."""
    notes = [
        [header, "必填" if header in REQUIRED[kind] else "", NOTES[header], example]
        for header, example in zip(HEADERS[kind], EXAMPLES[kind], strict=True)
    ]
    notes.append([])
    notes.append(
        ["说明", "", "导入只读取第一个工作表;全部行检查无误后才会写入,任何一行有错则不写入。"]
    )
    return xlsx.workbook_bytes(
        [
            xlsx.Sheet(
                title=KIND_LABELS[kind],
                headers=HEADERS[kind],
                widths=[max(12, len(h) * 2 + 4) for h in HEADERS[kind]],
            ),
            xlsx.Sheet(
                title="填写说明",
                headers=["列", "是否必填", "填写说明", "示例"],
                rows=notes,
                widths=(18, 10, 60, 30),
                freeze=None,
            ),
        ]
    )
