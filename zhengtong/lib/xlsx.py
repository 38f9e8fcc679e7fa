"""The one writer of every xlsx and CSV file the system hands out, and the one check of every
xlsx file it takes in.

Writing: Chinese headers in bold, amounts and counts as numbers, dates as dates. A text that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return, e.g. a
project named `=HYPERLINK("http://x","点我")`) is stored as plain text in xlsx, and prefixed
with an apostrophe in CSV (which has no cell types). Numbers are never touched.

Reading: `check_xlsx_upload()` refuses, with a Chinese message, anything that is not a small,
sane xlsx workbook before openpyxl parses it: a renamed .exe or PNG, an empty or corrupt file,
a zip bomb (declared uncompressed size or compression ratio too large), too many parts.
`open_xlsx()` then opens it and caps the rows and columns read.
"""

import csv
import datetime
import decimal
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import openpyxl
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Limits of an uploaded workbook. An honest ledger of a few thousand rows is well below them.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 500
MAX_ROWS = 20_000
MAX_COLUMNS = 100
ZIP_MAGIC = b"PK\x03\x04"


# ------------------------------------------------------------------------------- writing


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_safe(value):
    """A CSV cell: a formula-like text gets a leading apostrophe; anything else unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


@dataclass
class Sheet:
    """One worksheet: a title, the header row, the data rows, and optional column widths."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence] = ()
    widths: Sequence[float] = ()
    freeze: str | None = "A2"
    number_formats: dict[int, str] = field(default_factory=dict)  # column index → format


def _cell(ws, value, number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if is_formula_like(value):
        # openpyxl takes any text starting with "=" as a formula: keep it a string, with
        # Excel's quote prefix (the hidden apostrophe) so editing the cell keeps it text.
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    if number_format and isinstance(value, (int, float, decimal.Decimal)):
        cell.number_format = number_format
    return cell


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An xlsx workbook of `sheets`, streamed row by row (write-only mode)."""
    wb = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        widths = sheet.widths or [max(10, len(str(h)) * 2 + 4) for h in sheet.headers]
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        if sheet.freeze:
            ws.freeze_panes = sheet.freeze
        header = []
        for text in sheet.headers:
            cell = _cell(ws, text)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for values in sheet.rows:
            ws.append(
                [
                    _cell(ws, value, sheet.number_formats.get(index))
                    for index, value in enumerate(values)
                ]
            )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel reads the Chinese), formula-like cells defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(h) for h in headers])
    for values in rows:
        writer.writerow(
            [
                "" if v is None else csv_safe(v.isoformat() if hasattr(v, "isoformat") else v)
                for v in values
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


# ------------------------------------------------------------------------------- reading


class XlsxUploadError(ValueError):
    """An uploaded file refused before it is parsed; the message is for the user."""


NOT_XLSX = (
    "文件不是 Excel 2007 及以上版本的 xlsx 工作簿(可能是改了扩展名的其他文件),"
    "请另存为 .xlsx 后再导入。"
)
CORRUPT = "文件无法作为 xlsx 工作簿打开,可能已损坏或不是导入文件。"


def check_xlsx_upload(upload, *, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse (XlsxUploadError) a file that is empty, too large, not an xlsx zip, corrupt, or a
    zip bomb. `upload` is a file object or a path. Only the zip's directory is read, never the
    inflated content."""
    if isinstance(upload, (str, bytes)) or hasattr(upload, "__fspath__"):
        with open(upload, "rb") as fh:
            _check(fh, size=None, max_bytes=max_bytes)
        return
    _check(upload, size=getattr(upload, "size", None), max_bytes=max_bytes)


def _check(fh, *, size, max_bytes: int) -> None:
    if size is None:
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
    if not size:
        raise XlsxUploadError("文件是空的(0 字节),请选择填好的 xlsx 文件。")
    if size > max_bytes:
        raise XlsxUploadError(f"文件超过 {max_bytes // (1024 * 1024)} MB,请拆分后分批导入。")
    fh.seek(0)
    if fh.read(4) != ZIP_MAGIC:
        fh.seek(0)
        raise XlsxUploadError(NOT_XLSX)
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise XlsxUploadError(CORRUPT) from None
    finally:
        fh.seek(0)
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise XlsxUploadError(NOT_XLSX)
    if len(members) > MAX_MEMBERS:
        raise XlsxUploadError("文件结构异常(压缩包内文件过多),已拒绝导入。")
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNCOMPRESSED_BYTES or any(
        m.file_size > MAX_RATIO * max(m.compress_size, 1024) for m in members
    ):
        raise XlsxUploadError(
            "文件解压后体积异常(疑似压缩炸弹),已拒绝导入;请导出正常的 xlsx 文件再试。"
        )


def open_xlsx(upload, *, max_bytes: int = MAX_UPLOAD_BYTES):
    """The workbook of an upload (file object or path) after `check_xlsx_upload()`, read-only
    and values only; XlsxUploadError when openpyxl cannot read it or it has no worksheet."""
    check_xlsx_upload(upload, max_bytes=max_bytes)
    try:
        wb = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - zipfile, lxml and openpyxl each raise their own errors
        raise XlsxUploadError(CORRUPT) from None
    if not wb.worksheets:
        wb.close()
        raise XlsxUploadError("工作簿里没有工作表,请使用导入模板填写。")
    return wb


def capped_rows(ws, *, max_rows: int = MAX_ROWS, max_columns: int = MAX_COLUMNS) -> Iterator:
    """The rows of `ws` as value tuples (header first), refusing (XlsxUploadError) a sheet of
    more than `max_rows` data rows or `max_columns` columns."""
    too_many_rows = f"工作表超过 {max_rows} 行,请拆分后分批导入。"
    if (ws.max_column or 0) > max_columns:
        raise XlsxUploadError(f"工作表超过 {max_columns} 列,请使用导入模板填写。")
    if (ws.max_row or 0) > max_rows + 1:
        raise XlsxUploadError(too_many_rows)
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if number > max_rows + 1:
            raise XlsxUploadError(too_many_rows)
        if len(values) > max_columns and any(v is not None for v in values[max_columns:]):
            raise XlsxUploadError(f"工作表超过 {max_columns} 列,请使用导入模板填写。")
        yield values[:max_columns]
