"""The one xlsx import: a declared sheet, read cell by cell, checked, then written all or nothing.

An importer declares what differs from one ledger to the next:

    class EmploymentImporter(Importer):
        name = "就业登记"
        columns = [
            Column("姓名", "name", text(max_length=50), required=True),
            Column("公民身份号码", "id_number", id_number(), required=True),
            Column("就业类别", "kind", choice(EmploymentRecord.Kind), required=True),
            Column("就业日期", "employed_on", date(), required=True),
        ]
        key = ("id_number", "kind")           # a second row with the same key is a duplicate

        def apply(self, row):                 # one row through the module's audited action
            employment_record_create(actor=self.actor, **row.values)
            return Outcome.create(row, code=..., name=...)

and gets the rest: the template workbook (`template_workbook`), the header check with a
Chinese message naming missing, unknown and repeated columns, every cell parsed by its
column's parser with the row number and the column in each error, the duplicate check, and
`run_import()`: a dry run (every row parsed, checked and even applied, then rolled back) or the
real run in ONE transaction that is rolled back when any row fails. Every run leaves one audit
event (`xlsx_import_checked` / `_done` / `_failed`) naming the importer, the file and the
counts; the rows themselves are audited by the actions they go through.

An import too large for a request (the population register) uses the same pieces as a stream:
`Importer.read()` yields the rows one at a time and `Importer.check_stream()` keeps only the
errors, with the database lookups of `check_batch()` made 1,000 rows at a time.

Cells: a float that is a whole number reads as that number's text (Excel keeps 1 as 1.0), a
date cell reads as a date. Text that a spreadsheet would run as a formula (`=HYPERLINK(…)`) is
read as the plain text it is; the writer in `lib/xlsx.py` keeps it text on every export. The
workbook is opened read-only with cached values, so a formula cell reads as the value Excel
last computed for it, never as the formula.
"""

import datetime
import re
import secrets
import time
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar, cast
from xml.etree import ElementTree

from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections, models, router, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.context import acting, current
from zhengtong.audit.middleware import client_ip
from zhengtong.audit.models import Event
from zhengtong.lib import xlsx
from zhengtong.lib.encrypted import KINDS as ENCRYPTED_KINDS
from zhengtong.lib.encrypted import EncryptedField, blind_index, last_digits, load_keys
from zhengtong.lib.files import original_file_name
from zhengtong.lib.forms import StyledForm
from zhengtong.lib.idcard import IdNumber, parse_id_number
from zhengtong.lib.money import WAN, parse_amount

BATCH = 1000
MAX_STORED_ERRORS = 1000

ACTION_CHECKED = "xlsx_import_checked"
ACTION_DONE = "xlsx_import_done"
ACTION_FAILED = "xlsx_import_failed"
AUDIT_ACTIONS = (ACTION_CHECKED, ACTION_DONE, ACTION_FAILED)


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


class CellError(ValueError):
    """One cell cannot be read; the message (Chinese) goes into the row's error."""


@dataclass(frozen=True)
class RowError:
    """A problem of one cell: the Excel row number, the column header and what is wrong. A
    problem of the whole file has no row."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return f"第 {self.row} 行:字段 {self.column}:{self.message}"

    def as_dict(self) -> dict:
        """The stored form (a background job keeps its errors as JSON)."""
        return {"row": self.row, "field": self.column, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict) -> "RowError":
        return cls(data.get("row"), data.get("field", ""), data.get("message", ""))


# ------------------------------------------------------------------------------- cells


def cell_text(value) -> str:
    """A cell as the text a person typed: None is "", 3.0 is "3", a datetime its date."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


Parser = Callable[[Any], Any]


def text(*, max_length: int | None = None) -> Parser:
    def parse(value) -> str:
        result = cell_text(value)
        if max_length is not None and len(result) > max_length:
            raise CellError(f"不能超过 {max_length} 个字。")
        return result

    return parse


def integer(*, minimum: int | None = None, maximum: int | None = None) -> Parser:
    def parse(value) -> int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise CellError(f"“{cell_text(value)}”不是整数。")
        raw = cell_text(value).replace(",", "")
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise CellError(f"“{cell_text(value)}”不是整数。")
        number = int(raw)
        if minimum is not None and number < minimum:
            raise CellError(f"不能小于 {minimum}。")
        if maximum is not None and number > maximum:
            raise CellError(f"不能大于 {maximum}。")
        return number

    return parse


def amount(*, unit: str = "元", allow_zero: bool = False) -> Parser:
    """An amount typed in `unit` ("元" or "万元"), as Decimal 元 to the fen, checked by
    `lib.money.parse_amount` (the one reader of amounts). A 万元 cell keeps six decimals (every
    fen); a float cell is read through its shortest repr, so 300.000055 stays 300.000055."""
    scale = {"元": Decimal(1), "万元": WAN}[unit]

    def parse(value) -> Decimal:
        if isinstance(value, bool):
            raise CellError(f"应为数字({unit})。")
        raw = repr(value) if isinstance(value, float) else cell_text(value).replace(",", "")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise CellError(f"“{cell_text(value)}”不是数字({unit})。") from None
        if not number.is_finite():
            raise CellError(f"“{cell_text(value)}”不是数字({unit})。")
        if number < 0:
            raise CellError("不能为负数。")
        yuan = number * scale
        if scale != 1:
            yuan = yuan.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        try:
            return parse_amount(yuan, field="amount", label="", allow_zero=allow_zero)
        except ValidationError as exc:
            raise CellError(exc.message_dict["amount"][0]) from None

    return parse


DATE_HINT = "格式应为 2026-03-01"


def date(*, not_after_today: bool = False) -> Parser:
    """A date cell, or text such as 2026-03-01, 2026/3/1 or 2026.03.01."""

    def parse(value) -> datetime.date:
        if isinstance(value, datetime.datetime):
            day = value.date()
        elif isinstance(value, datetime.date):
            day = value
        else:
            raw = cell_text(value).replace("/", "-").replace(".", "-")
            match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
            try:
                if match is None:
                    raise ValueError
                day = datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise CellError(f"“{cell_text(value)}”不是有效日期({DATE_HINT})。") from None
        if not_after_today and day > timezone.localdate():
            raise CellError("不能晚于今天。")
        return day

    return parse


def choice(
    choices, *, aliases: dict[str, Any] | None = None, codes: bool = False, what: str = ""
) -> Parser:
    """A value chosen by its Chinese label: `choices` is a Django choices class or a
    {label: value} dict; `aliases` adds more labels; `codes` also accepts the stored values.
    A wrong value is named with `what` ("“工业”不是有效的类别。") or with the labels listed."""
    if isinstance(choices, dict):
        table = dict(choices)
    else:
        table = {str(label): value for value, label in choices.choices if str(label)}
        if codes:
            table.update({value: value for value in choices.values if value})
    labels = list(table)
    table.update(aliases or {})

    def parse(value):
        raw = cell_text(value)
        if raw not in table:
            if what:
                raise CellError(f"“{raw}”不是有效的{what}。")
            raise CellError(f"“{raw}”不是有效的选项,应为:" + "、".join(labels) + "。")
        return table[raw]

    parse.labels = labels  # type: ignore[attr-defined]
    return parse


_TODAY: dict[int, datetime.date] = {}


def local_today() -> datetime.date:
    """`timezone.localdate()`, worked out once a second (a parser runs for every row)."""
    second = int(time.time())
    if (today := _TODAY.get(second)) is None:
        _TODAY.clear()
        today = _TODAY[second] = timezone.localdate()
    return today


def id_number(*, max_age: int | None = None) -> Parser:
    """An 18-character resident ID number (`lib.idcard`): the parsed IdNumber."""

    def parse(value) -> IdNumber:
        try:
            parsed = parse_id_number(cell_text(value))
        except ValidationError as exc:
            raise CellError(exc.messages[0]) from None
        if max_age is not None and parsed.age_on(local_today()) > max_age:
            raise CellError(f"出生日期 {parsed.birth_date} 不合理(超过 {max_age} 岁)。")
        return parsed

    return parse


# ------------------------------------------------------------------------------- rows


def sheet_rows(
    wb, ws, *, max_rows: int = xlsx.MAX_ROWS, max_columns: int = xlsx.MAX_COLUMNS
) -> Iterator[tuple[int, tuple]]:
    """(Excel row number, cell values) of every row of `ws` that has cells, header first.

    The values are those of openpyxl's read-only `iter_rows(values_only=True)` (shared and
    inline strings, numbers, booleans, date cells as datetimes, a formula's cached value), read
    straight from the sheet's XML as it streams: openpyxl makes an object per cell, which costs
    four times the parse itself. A sheet of more than `max_rows` data rows or `max_columns`
    columns is refused (XlsxUploadError), as `xlsx.capped_rows` does.
    """
    too_many_rows = f"工作表超过 {max_rows} 行,请拆分后分批导入。"
    too_many_columns = f"工作表超过 {max_columns} 列,请使用导入模板填写。"
    if (ws.max_column or 0) > max_columns:
        raise xlsx.XlsxUploadError(too_many_columns)
    if (ws.max_row or 0) > max_rows + 1:
        raise xlsx.XlsxUploadError(too_many_rows)
    try:
        source = wb._archive.open(ws._worksheet_path)
    except (AttributeError, KeyError):
        # Not a read-only workbook's sheet: openpyxl's own reader (rows numbered from 1).
        yield from enumerate(xlsx.capped_rows(ws, max_rows=max_rows), start=1)
        return
    strings = wb.shared_strings
    dates, durations, epoch = wb._date_formats, wb._timedelta_formats, wb.epoch
    columns: dict[str, int] = {}

    def column_of(ref: str) -> int:
        letters = ref.rstrip("0123456789")
        if (index := columns.get(letters)) is None:
            index = columns[letters] = column_index_from_string(letters)
        return index

    def value_of(cell, kind: str, ns: str):
        if kind == "inlineStr":
            inline = cell.find(ns + "is")
            if inline is None:
                return None
            if len(inline) == 1 and inline[0].tag == ns + "t":
                return inline[0].text or ""
            parts = [inline.findtext(ns + "t") or ""]
            parts += [run.findtext(ns + "t") or "" for run in inline.iterfind(ns + "r")]
            return "".join(parts)
        raw = cell.findtext(ns + "v") or None
        if raw is None:
            return None
        if kind == "n":
            number = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
            style = int(cell.get("s", 0))
            if style in dates:
                try:
                    return from_excel(number, epoch, timedelta=style in durations)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return strings[int(raw)]
        if kind == "b":
            return bool(int(raw))
        if kind == "d":
            return from_ISO8601(raw)
        return raw  # "str" (a formula's text), "e" (an error such as #N/A)

    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(("end",))
    ns = row_tag = ""
    number = 0
    first = True
    with source:
        while chunk := source.read(1 << 16):
            if first:
                if b"<!DOCTYPE" in chunk:
                    # A worksheet has no DTD: entity declarations are refused, never expanded.
                    raise xlsx.XlsxUploadError(xlsx.CORRUPT)
                match = re.search(
                    rb"<(?:(\w+):)?worksheet\b[^>]*?xmlns(?::\1)?=\"([^\"]+)\"", chunk
                )
                ns = "{" + match.group(2).decode() + "}" if match else ""
                row_tag = ns + "row"
                first = False
            try:
                parser.feed(chunk)
                events = parser.read_events()
                for event in events:
                    _, element = cast(tuple[str, ElementTree.Element], event)
                    if element.tag != row_tag:
                        continue
                    ref = element.get("r")
                    number = int(float(ref)) if ref else number + 1
                    if number > max_rows + 1:
                        raise xlsx.XlsxUploadError(too_many_rows)
                    values: list = []
                    position = 0
                    for cell in element:
                        ref = cell.get("r")
                        position = column_of(ref) if ref else position + 1
                        value = value_of(cell, cell.get("t", "n"), ns)
                        if position > max_columns:
                            if value is not None:
                                raise xlsx.XlsxUploadError(too_many_columns)
                            continue
                        if position > len(values):
                            values.extend([None] * (position - len(values)))
                        values[position - 1] = value
                    # The row is read: its cells go (an empty element stays in the tree).
                    element.clear()
                    if values:
                        yield number, tuple(values)
            except ElementTree.ParseError:
                raise xlsx.XlsxUploadError(xlsx.CORRUPT) from None


def _read_only_size(ws) -> None:
    """The size a read-only worksheet gets from its `<dimension>`, read from the head of its
    XML. openpyxl's own `_get_size` runs when the workbook opens and, for a sheet written
    without that element (openpyxl's and `lib/xlsx`'s write-only files), parses the whole
    sheet to find out, in Python, before the first row is read; the result is the same."""
    with ws._get_source() as source:
        head = source.read(1 << 16)
    data = re.search(rb"<(?:\w+:)?sheetData\b", head)
    if data is None:
        _openpyxl_size(ws)  # a head larger than 64 KiB: openpyxl's way
        return
    found = re.search(rb"<(?:\w+:)?dimension\s[^>]*?ref=\"([^\"]+)\"", head[: data.start()])
    if found is not None:
        try:
            bounds = range_boundaries(found.group(1).decode())
        except (ValueError, TypeError):
            return
        ws._min_column, ws._min_row, ws._max_column, ws._max_row = bounds


_openpyxl_size = ReadOnlyWorksheet._get_size
ReadOnlyWorksheet._get_size = _read_only_size  # type: ignore[method-assign]


# ------------------------------------------------------------------------------- the sheet


@dataclass(frozen=True)
class Column:
    """One column of the sheet: its header, the key of its value in `Row.values`, the parser
    of a non-blank cell, and whether the column must be in the header row and filled in.
    An `ignored` column (written on export only) is accepted in the header row and not read."""

    header: str
    field: str
    parse: Parser = text()
    required: bool = False
    note: str = ""
    example: Any = ""
    ignored: bool = False


@dataclass
class Outcome:
    """What a row did (or, in a dry run, would do)."""

    row: int
    code: str
    name: str
    action: str = "create"  # "create", "update" or "unchanged"
    changed: list[str] = field(default_factory=list)

    LABELS: ClassVar[dict[str, str]] = {"create": "新增", "update": "更新", "unchanged": "无变化"}

    @property
    def action_label(self) -> str:
        return self.LABELS[self.action]


@dataclass
class Row:
    """One data row: its Excel row number, the cells by header, the parsed values by field."""

    number: int
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def text(self, header: str) -> str:
        return cell_text(self.raw.get(header))

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    """What the pages render: the counts, the errors (the first `MAX_STORED_ERRORS`, with the
    total in `error_count`) and, for a synchronous import, each row's outcome."""

    name: str = ""
    dry_run: bool = True
    rows: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(error)

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
        return not self.dry_run and not self.error_count

    @property
    def passed(self) -> bool:
        """True for a dry run without errors: the file may be imported for real."""
        return self.dry_run and not self.error_count

    @property
    def more_errors(self) -> int:
        return self.error_count - len(self.errors)


class Importer:
    """A declared import. Subclass, set the class attributes and override the hooks; an
    instance serves one run for one `actor` and may keep lookups on itself."""

    name: ClassVar[str] = ""
    columns: ClassVar[Sequence[Column]] = ()
    # Fields whose values together identify a row; a second row with the same key is refused.
    key: ClassVar[Sequence[str]] = ()
    key_column: ClassVar[str] = ""  # the header a duplicate is reported on (default: key[0]'s)
    duplicate_message: ClassVar[str] = "“{value}”与第 {first} 行重复。"
    # Every (not ignored) column must be in the header row, not only the required ones.
    strict_headers: ClassVar[bool] = False
    max_bytes: ClassVar[int] = xlsx.MAX_UPLOAD_BYTES
    max_rows: ClassVar[int] = xlsx.MAX_ROWS
    notes: ClassVar[Sequence[str]] = ()  # more lines on the template's instruction sheet
    # The template's first sheet carries one row of the columns' examples (to overwrite).
    sample_row: ClassVar[bool] = False
    # Model field names an action may name in its ValidationError, beyond the columns' fields.
    field_headers: ClassVar[dict[str, str]] = {}

    def __init__(self, actor):
        self.actor = actor

    # Hooks ---------------------------------------------------------------------------------

    def prepare(self, rows: list[Row]) -> None:
        """Look up, in a few queries, what the rows refer to (synchronous runs only)."""

    def check(self, row: Row) -> None:
        """Rules across the cells of one row; report with `row.error(header, message)`."""

    def check_batch(self, rows: list[Row]) -> None:
        """Rules against the database, for up to `BATCH` rows that passed `check`."""

    def apply(self, row: Row) -> Outcome:
        """Write one row through the module's audited action; raise ValidationError (with
        field names) or PermissionDenied to refuse it."""
        raise NotImplementedError

    # The sheet -----------------------------------------------------------------------------

    @classmethod
    def headers(cls) -> list[str]:
        """The headers of the import template (ignored columns are export-only)."""
        return [c.header for c in cls.columns if not c.ignored]

    @classmethod
    def template_name(cls) -> str:
        return f"{cls.name}导入模板.xlsx"

    @classmethod
    def template_workbook(cls) -> bytes:
        """An empty sheet with the headers, and a second sheet explaining every column."""
        columns = [c for c in cls.columns if not c.ignored]
        notes: list[list] = [
            [c.header, "必填" if c.required else "选填", c.note, c.example] for c in columns
        ]
        notes.append([])
        sample = [[c.example for c in columns]] if cls.sample_row else []
        if sample:
            notes.append(["说明", "", "第一个工作表第 2 行是示例,请改成实际数据或删除后再导入。"])
        for line in (
            *cls.notes,
            "导入只读取第一个工作表;全部行检查无误后才会写入,任何一行有错则整份文件不写入。",
        ):
            notes.append(["说明", "", line])
        return xlsx.workbook_bytes(
            [
                xlsx.Sheet(
                    title=cls.name,
                    headers=[c.header for c in columns],
                    rows=sample,
                    widths=[max(12, len(c.header) * 2 + 4) for c in columns],
                ),
                xlsx.Sheet(
                    title="填写说明",
                    headers=["列", "是否必填", "填写说明", "示例"],
                    rows=notes,
                    widths=(22, 10, 60, 30),
                    freeze=None,
                ),
            ]
        )

    @classmethod
    def check_headers(cls, headers: list[str]) -> None:
        """ImportFileError naming every missing, unknown and repeated column."""
        known = {c.header for c in cls.columns}
        wanted = [
            c.header for c in cls.columns if not c.ignored and (c.required or cls.strict_headers)
        ]
        missing = [h for h in wanted if h not in headers]
        unknown = [h or "(空)" for h in headers if h not in known]
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
        message = (
            "表头不正确(" + ";".join(problems) + ")。请使用导入模板,第一行应为:"
            "" + "、".join(cls.headers()) + "。"
        )
        ignored = [c.header for c in cls.columns if c.ignored]
        if ignored:
            message += "(“" + "”“".join(ignored) + "”仅在导出时填写,可保留。)"
        raise ImportFileError(message)

    # Reading -------------------------------------------------------------------------------

    @classmethod
    def read(
        cls, upload, *, estimate_rows: bool = False
    ) -> tuple[int, Generator[tuple[int, dict], None, None]]:
        """(estimated data rows, iterator of (Excel row number, {header: value})) of the
        first sheet, streamed from a read-only workbook; blank rows are skipped. The file and
        its header row are checked before this returns (ImportFileError); the workbook is
        closed when the iterator is exhausted or closed."""
        try:
            wb = xlsx.open_xlsx(upload, max_bytes=cls.max_bytes)
        except xlsx.XlsxUploadError as exc:
            raise ImportFileError(str(exc)) from None
        try:
            ws = wb.worksheets[0]
            rows = sheet_rows(wb, ws, max_rows=cls.max_rows)
            first = next(rows, None)
            headers = [cell_text(h) for h in first[1]] if first and first[0] == 1 else []
            while headers and not headers[-1]:
                headers.pop()
            cls.check_headers(headers)
            estimate = max((ws.max_row or _count_row_tags(wb, ws)) - 1, 0) if estimate_rows else 0
        except xlsx.XlsxUploadError as exc:
            wb.close()
            raise ImportFileError(str(exc)) from None
        except BaseException:
            wb.close()
            raise
        ignored = {c.header for c in cls.columns if c.ignored}

        def iterate() -> Generator[tuple[int, dict], None, None]:
            try:
                for number, values in rows:
                    if all(cell_text(v) == "" for v in values):
                        continue
                    yield (
                        number,
                        {
                            h: v
                            for h, v in zip(headers, values, strict=False)
                            if h and h not in ignored
                        },
                    )
            except xlsx.XlsxUploadError as exc:
                raise ImportFileError(str(exc)) from None
            finally:
                wb.close()

        return estimate, iterate()

    @classmethod
    def validate_upload(cls, upload) -> None:
        """Refuse early (ImportFileError) a file that is too large, not xlsx or whose header row
        is wrong; the upload is left at its start."""
        _, rows = cls.read(upload)
        rows.close()
        upload.seek(0)

    # Parsing -------------------------------------------------------------------------------

    def parse(self, number: int, raw: dict) -> Row:
        """The row with every cell parsed by its column (one error per bad cell) and then
        `check`ed."""
        row = Row(number=number, raw=raw)
        for column in self.columns:
            if column.ignored:
                continue
            value = raw.get(column.header)
            if cell_text(value) == "":
                row.values[column.field] = None
                if column.required:
                    row.error(column.header, "必填。")
                continue
            try:
                row.values[column.field] = column.parse(value)
            except CellError as exc:
                row.values[column.field] = None
                row.error(column.header, str(exc))
        self.check(row)
        return row

    def row_key(self, row: Row) -> Hashable | None:
        """The duplicate key of `row`, or None when a part of it is missing."""
        if not self.key:
            return None
        parts = tuple(row.values.get(name) for name in self.key)
        if any(part is None or part == "" for part in parts):
            return None
        return tuple(p.number if isinstance(p, IdNumber) else p for p in parts)

    def duplicate_error(self, row: Row, first: int) -> None:
        column = self.key_column or self.header_of(self.key[0])
        value = row.text(self.header_of(self.key[0]))
        row.error(column, self.duplicate_message.format(first=first, value=value))

    def header_of(self, name: str) -> str:
        """The column header an action's ValidationError on field `name` is about."""
        for column in self.columns:
            if column.field == name:
                return column.header
        return self.field_headers.get(name, "—")

    def check_stream(
        self,
        rows: Iterable[tuple[int, dict]],
        *,
        progress: Callable[[int], None] | None = None,
        keep: Callable[[Row], None] | None = None,
        database_checks: bool = True,
    ) -> ImportResult:
        """Parse and check every row, keeping only the errors (and what `keep` keeps): the
        database checks go `BATCH` rows at a time and the errors come out in row order.
        Without `database_checks` (`check_batch` is not called) the caller checks the rows
        against the database itself, e.g. in SQL once they are staged."""
        result = ImportResult(name=self.name)
        seen: dict[Hashable, int] = {}
        pending: list[Row] = []

        def flush() -> None:
            if database_checks:
                self.check_batch([r for r in pending if r.ok])
            for pending_row in pending:
                for error in sorted(pending_row.errors, key=lambda e: e.row or 0):
                    result.add(error)
                if keep is not None:
                    keep(pending_row)
            pending.clear()

        for number, raw in rows:
            result.rows += 1
            row = self.parse(number, raw)
            key = self.row_key(row)
            if key is not None:
                if key in seen:
                    self.duplicate_error(row, seen[key])
                else:
                    seen[key] = number
            pending.append(row)
            if len(pending) >= BATCH:
                flush()
            if progress is not None and result.rows % 500 == 0:
                progress(result.rows)
        flush()
        if progress is not None:
            progress(result.rows)
        return result

    def parsed_rows(self, rows: Iterable[tuple[int, dict]]) -> Iterator[Row]:
        """The parsed rows of a file that `check_stream` passed (for a second, writing pass)."""
        for number, raw in rows:
            row = self.parse(number, raw)
            if not row.ok:
                raise ImportFileError(str(row.errors[0]))
            yield row

    def action_errors(self, row: Row, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                for message in messages:
                    row.error(self.header_of(name), message)
        else:
            for message in exc.messages:
                row.error("—", message)


# ------------------------------------------------------------------------------- staging


class StagingTable:
    """Checked rows of one model, kept in a temporary table until they are written at once.

    An import too large for one request stages every row as it checks it (`add`), in batches
    of `BATCH` (COPY on PostgreSQL, a multi-row INSERT on SQLite), as the column values the
    model's fields make: sealed ID numbers with their blind index and mask, the foreign keys'
    ids. The rows that would break a unique column are found in SQL (`conflicts`), and the rows
    are written with ONE `INSERT … SELECT` (`write`) inside the caller's transaction, so the
    table's constraints (unique, foreign keys, NOT NULL) decide, as for any other insert. The
    temporary table belongs to the connection (and is dropped on leaving the `with` block):
    staging runs outside the writing transaction, so the progress it reports is seen.

    `add(number, values)` takes a row's Excel number and its values by model field name (a
    foreign key as the object or its id); a field not given takes its default, a date that
    the model sets on insert (`auto_now_add`) is the moment the staging began.
    """

    ROW = "zt_row"

    def __init__(self, model, *, batch: int = BATCH) -> None:
        self.model = model
        self.batch = batch
        self.connection = connections[router.db_for_write(model)]
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.name = f"zt_stage_{secrets.token_hex(6)}"
        self.now = timezone.now()
        self.rows = 0
        self._pending: list[list] = []
        self._makers = [self._maker(f) for f in self.fields]
        quote = self.connection.ops.quote_name
        self._columns = ", ".join(quote(str(f.column)) for f in self.fields)
        self._created = False

    def __enter__(self) -> "StagingTable":
        quote = self.connection.ops.quote_name
        columns = ", ".join(
            f"{quote(str(f.column))} {f.db_type(self.connection)}" for f in self.fields
        )
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.name} ({self.ROW} integer NOT NULL, {columns})"
            )
        self._created = True
        return self

    def __exit__(self, *exc_info) -> None:
        self._pending.clear()
        if not self._created or self.connection.needs_rollback:
            return  # a failed transaction is rolled back first; the table goes with the connection
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
        except DatabaseError:
            pass  # dropped with the connection

    # Column values ----------------------------------------------------------------------

    def _maker(self, f) -> Callable[[dict], Any]:
        """How the column of field `f` is made from a row's values."""
        connection = self.connection
        for source in self.fields:
            if isinstance(source, EncryptedField):
                made = self._companion(source, f)
                if made is not None:
                    return made
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            fixed = f.get_db_prep_save(self.now, connection)
            return lambda values: fixed
        if isinstance(f, EncryptedField):
            name = f.name

            def sealed(values: dict):
                return f.get_db_prep_save((values.get(name) or "").strip(), connection)

            return sealed
        default = f.get_db_prep_save(f.get_default(), connection)
        name, attname = f.name, f.attname
        if f.is_relation:

            def related(values: dict):
                if attname in values:
                    return values[attname]
                if (value := values.get(name)) is None:
                    return default
                return value.pk

            return related
        if isinstance(f, (models.CharField, models.TextField)):

            def char(values: dict):
                value = values.get(name)
                if value is None:
                    return default
                return value if isinstance(value, str) else str(value)

            return char

        def plain(values: dict):
            if name not in values:
                return default
            return f.get_db_prep_save(values[name], connection)

        return plain

    @staticmethod
    def _companion(source: EncryptedField, f) -> Callable[[dict], Any] | None:
        """The blind index, mask or last digits of an encrypted value, as its field sets them."""
        name = source.name
        if f.attname == source.index_attname:
            return lambda values: blind_index(source.kind, (values.get(name) or "").strip())
        if f.attname == source.mask_attname:
            mask = ENCRYPTED_KINDS[source.kind][1]
            return lambda values: mask((values.get(name) or "").strip())
        if source.suffix_field and f.attname == source.suffix_field:
            return lambda values: last_digits(values.get(name) or "")
        return None

    # Staging ----------------------------------------------------------------------------

    def add(self, number: int, values: dict) -> None:
        self._pending.append([number, *(make(values) for make in self._makers)])
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        if any(isinstance(f, EncryptedField) for f in self.fields):
            load_keys()  # nothing may query while COPY streams
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                sql = f"COPY {self.name} ({self.ROW}, {self._columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * (len(self.fields) + 1))
                cursor.executemany(
                    f"INSERT INTO {self.name} ({self.ROW}, {self._columns}) VALUES ({marks})",
                    rows,
                )
        self.rows += len(rows)

    def conflicts(self, field_name: str) -> list[int]:
        """The Excel numbers of the staged rows whose `field_name` (a unique column, such as a
        blind index) the model's table already holds, in row order."""
        self.flush()
        quote = self.connection.ops.quote_name
        column = quote(str(self.model._meta.get_field(field_name).column))
        table = quote(self.model._meta.db_table)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {self.name}")  # the planner knows the rows staged
            cursor.execute(
                f"SELECT s.{self.ROW} FROM {self.name} s WHERE EXISTS "
                f"(SELECT 1 FROM {table} t WHERE t.{column} = s.{column}) ORDER BY s.{self.ROW}"
            )
            return [number for (number,) in cursor.fetchall()]

    def lock(self) -> None:
        """Inside the writing transaction: wait for any other import into the same table to
        commit or roll back (PostgreSQL; SQLite writes one transaction at a time anyway)."""
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))",
                    [f"zhengtong import {self.model._meta.db_table}"],
                )

    def write(self) -> int:
        """INSERT … SELECT every staged row in row order; the number of rows written."""
        self.flush()
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({self._columns}) "
                f"SELECT {self._columns} FROM {self.name} ORDER BY {self.ROW}"
            )
            return cursor.rowcount


# ------------------------------------------------------------------------------- running


def run_import(
    importer_class: type[Importer],
    *,
    actor,
    upload,
    dry_run: bool = True,
    ip: str | None = None,
) -> ImportResult:
    """Parse, check and apply `upload` through the importer's actions, all or nothing.

    Raises ImportFileError when the file itself is unusable; row problems are in
    `result.errors`. Every row that parses is applied, in a savepoint of its own, inside one
    transaction, so a dry run reports what a real run would do, rule for rule; the transaction
    is rolled back for a dry run and when any row failed. One audit event records the run.
    """
    importer = importer_class(actor)
    _, stream = importer.read(upload)
    raw_rows = list(stream)
    result = ImportResult(name=importer.name, dry_run=dry_run)
    rows: list[Row] = []
    importer.prepare([Row(number, raw) for number, raw in raw_rows])
    checked = importer.check_stream(raw_rows, keep=rows.append)
    result.rows = checked.rows
    file_name = original_file_name(getattr(upload, "name", "") or "")

    def summary(action: str, kind: str) -> None:
        record_event(
            actor=actor,
            action=action,
            kind=kind,
            target_type="import",
            target_id=importer_class.__name__,
            target_repr=importer.name,
            changes={
                "file": file_name,
                "rows": result.rows,
                "dry_run": dry_run,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "errors": result.error_count,
            },
        )

    with acting(ip=ip, channel="import", request_id=current().request_id or None):
        with audited_atomic():
            for row in rows:
                if not row.ok:
                    continue
                try:
                    # A savepoint per row: a row refused half-way leaves nothing behind.
                    with transaction.atomic():
                        result.outcomes.append(importer.apply(row))
                except ValidationError as exc:
                    importer.action_errors(row, exc)
                except PermissionDenied:
                    row.error("—", "该行的数据不在您负责的范围内,不能导入。")
            for row in rows:
                for error in row.errors:
                    result.add(error)
            if result.rows == 0:
                result.add(RowError(None, "", "文件中没有数据行。"))
            if dry_run or result.error_count:
                transaction.set_rollback(True)
            else:
                summary(ACTION_DONE, Event.Kind.CREATE)
        if dry_run or result.error_count:
            with audited_atomic():
                summary(ACTION_FAILED if result.error_count else ACTION_CHECKED, Event.Kind.UPDATE)
    return result


def _count_row_tags(wb, ws) -> int:
    """How many <row> elements the sheet's XML has (a file written without its dimension),
    read in 1 MiB chunks (never all at once)."""
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


# ------------------------------------------------------------------------------- pages


class ImportForm(StyledForm):
    """The upload of every synchronous import page: the file, and 试导入 checked by default."""

    file = forms.FileField(
        label=gettext_lazy("文件(xlsx)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("试导入(只检查并预览,不写入数据)"), required=False, initial=True
    )
    confirm = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, max_bytes: int = xlsx.MAX_UPLOAD_BYTES, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = f"不超过 {max_bytes // (1024 * 1024)} MB;第一行为表头,请使用下载的导入模板。"

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("confirm"):
            self.add_error("file", "请选择要导入的 xlsx 文件。")
        return data


PENDING_DIR = "imports/pending"
PENDING_SALT = "zhengtong.lib.imports.pending"
PENDING_MAX_AGE = 60 * 60  # seconds a passed dry run may be confirmed


def _store_pending(upload, *, actor, importer_class: type[Importer]) -> str:
    """Keep a file whose dry run passed until it is confirmed; the signed token names it, the
    user and the importer, so nobody else can confirm it and it cannot go to another ledger."""
    _forget_stale_pending()
    upload.seek(0)
    name = default_storage.save(f"{PENDING_DIR}/{secrets.token_hex(16)}.xlsx", upload)
    data = {
        "file": name,
        "user": actor.pk,
        "importer": importer_class.__name__,
        "name": original_file_name(upload.name),
    }
    return signing.dumps(data, salt=PENDING_SALT)


def _forget_stale_pending() -> None:
    """Delete the kept files whose confirmation has expired (dry runs nobody confirmed)."""
    try:
        _, names = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - datetime.timedelta(seconds=PENDING_MAX_AGE)
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except FileNotFoundError:
            continue


def _load_pending(token: str, *, actor, importer_class: type[Importer]):
    """(stored name, the file opened, the uploader's file name) of a confirmable dry run."""
    expired = ImportFileError("确认已过期或无效,请重新上传文件并试导入。")
    try:
        data = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    name = data.get("file", "")
    if (
        data.get("user") != actor.pk
        or data.get("importer") != importer_class.__name__
        or not name.startswith(PENDING_DIR + "/")
        or not default_storage.exists(name)
    ):
        raise expired
    handle = default_storage.open(name, "rb")
    handle.name = data.get("name") or "导入文件.xlsx"
    return name, handle


def import_page(
    request,
    importer_class: type[Importer],
    *,
    template: str,
    context: dict | None = None,
    confirm: bool = True,
) -> HttpResponse:
    """The upload → dry-run report → confirm page of a synchronous import.

    GET shows the form (试导入 checked). A POST of a file runs it (dry or real, as ticked); a
    dry run that passes offers 确认导入 (with `confirm`), which imports the same file for real,
    checking every row again. The template gets `form`, `result`, `file_error`,
    `confirm_token`, `importer` and `context`.
    """
    result: ImportResult | None = None
    file_error = ""
    token = ""
    form = ImportForm(
        request.POST or None, request.FILES or None, max_bytes=importer_class.max_bytes
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["confirm"] and confirm:
                name, handle = _load_pending(
                    data["confirm"], actor=request.user, importer_class=importer_class
                )
                try:
                    result = run_import(
                        importer_class,
                        actor=request.user,
                        upload=handle,
                        dry_run=False,
                        ip=client_ip(request),
                    )
                finally:
                    handle.close()
                    if result is not None and result.applied:
                        default_storage.delete(name)
            elif data["file"]:
                result = run_import(
                    importer_class,
                    actor=request.user,
                    upload=data["file"],
                    dry_run=data["dry_run"],
                    ip=client_ip(request),
                )
                if confirm and result.passed:
                    token = _store_pending(
                        data["file"], actor=request.user, importer_class=importer_class
                    )
            else:
                file_error = "请选择要导入的 xlsx 文件。"
        except ImportFileError as exc:
            file_error = str(exc)
        # The next upload starts afresh, with 试导入 ticked again.
        form = ImportForm(max_bytes=importer_class.max_bytes)
    page = {
        "form": form,
        "result": result,
        "file_error": file_error,
        "confirm_token": token,
        "importer": importer_class,
        "headers": importer_class.headers(),
        "required": [c.header for c in importer_class.columns if c.required and not c.ignored],
        **(context or {}),
    }
    return render(request, template, page)


def template_response(importer_class: type[Importer]) -> HttpResponse:
    """The import template workbook as a download."""
    return xlsx.xlsx_response(importer_class.template_workbook(), importer_class.template_name())
