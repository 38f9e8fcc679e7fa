"""Read 《国务院办公厅关于YYYY年部分节假日安排的通知》 into days off and make-up working days.

Every notice since 2008 has one line per festival, "一、元旦:…", whose sentences say which days
are off ("…放假", "…放假调休", "…调休放假", "…补休") and which weekend days are worked ("…上班").
Dates may carry weekday or 农历 remarks in brackets ("1月1日(周四)", "2月15日(农历腊月二十八、
周日)"), a range may cross months or years ("4月29日至5月1日", "2018年12月30日至2019年1月1日",
"12月30日至1月1日"), a day may follow a date with its month left out ("2月20日(星期六)、21日").
Sentences that only explain ("其中,1月1日为法定节假日…调至…") name no day off or working day.

A section that yields no day off, a date that does not exist, a count "共N天" that disagrees with
the range, a working day that is not a weekend day: each is refused with the line that failed.
Also the xlsx/CSV form, one row per date: 日期, 休/班, 名称.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

ONE_DAY = datetime.timedelta(days=1)

OFF = "休"
WORK = "班"

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "抗战胜利纪念日")
NUMERALS = "一二三四五六七八九十"
SECTION = re.compile(
    rf"^\s*[{NUMERALS}]{{1,3}}\s*[\u3001.\uff0e]\s*(?P<name>[^:]{{1,40}}?)\s*:(?P<body>.*)$"
)
BRACKETS = re.compile(r"\([^()]*\)")
DATE = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日")
RANGE_SEP = re.compile(r"^\s*(?:至|到|—+|－|–|-|~|～)\s*$")
COUNT = re.compile(r"共\s*(\d{1,2})\s*天")
TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年\s*部分节假日安排")
BODY_YEAR = re.compile(r"现将\s*(\d{4})\s*年")
FULLWIDTH = str.maketrans(
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff08\uff09\uff1a\u3000",
    "0123456789(): ",
)


class NoticeError(ValueError):
    """The notice (or the file) does not parse; `line` is the text that failed, 1-based `number`."""

    def __init__(self, message: str, *, number: int | None = None, line: str = ""):
        self.number = number
        self.line = line.strip()
        self.reason = message
        if number is not None:
            message = f"第 {number} 行无法识别:“{self.line}”。{message}"
        super().__init__(message)


@dataclass(frozen=True)
class NoticeDay:
    date: datetime.date
    is_workday: bool
    name: str

    @property
    def mark(self) -> str:
        return WORK if self.is_workday else OFF


@dataclass
class ParsedNotice:
    year: int
    days: list[NoticeDay] = field(default_factory=list)

    @property
    def holidays(self) -> list[NoticeDay]:
        return [d for d in self.days if not d.is_workday]

    @property
    def makeups(self) -> list[NoticeDay]:
        return [d for d in self.days if d.is_workday]

    def summary(self) -> str:
        other = sorted({d.date.year for d in self.days} - {self.year})
        text = f"{self.year} 年:放假 {len(self.holidays)} 天,调休上班 {len(self.makeups)} 天"
        if other:
            text += ",其中含 " + "、".join(f"{y} 年" for y in other) + "的日期"
        return text + "。"


def _year_of(text: str, year: int | None) -> int:
    found = TITLE_YEAR.search(text) or BODY_YEAR.search(text)
    if found:
        named = int(found.group(1))
        if year is not None and named != year:
            raise NoticeError(f"通知标明的是 {named} 年,与所选的 {year} 年不一致。")
        return named
    if year is None:
        raise NoticeError(
            "未能识别通知的年份:请粘贴含标题“国务院办公厅关于××××年部分节假日安排的通知”的全文,或选择年份。"
        )
    return year


def _dates(clause: str, *, year: int, new_year_section: bool) -> list[datetime.date]:
    """Every date a clause names, ranges expanded; a missing month or year is carried over."""
    out: list[datetime.date] = []
    prev: datetime.date | None = None
    prev_end = 0
    for match in DATE.finditer(clause):
        y, m, d = match.group("y"), match.group("m"), match.group("d")
        if m is None:
            if prev is None:
                raise ValueError("日期缺少月份")
            yy = int(y) if y is not None else prev.year
            mm = prev.month
        else:
            mm = int(m)
            if y is not None:
                yy = int(y)
            elif prev is not None:
                yy = prev.year if mm >= prev.month else prev.year + 1
            else:
                # 元旦 may start in December of the year before: "12月30日至1月1日".
                yy = year - 1 if new_year_section and mm == 12 else year
        day = datetime.date(yy, mm, int(d))  # ValueError for 2月30日
        if prev is not None and RANGE_SEP.match(clause[prev_end : match.start()]):
            if day <= prev:
                raise ValueError("日期范围的终止日早于起始日")
            span = []
            cursor = prev + ONE_DAY
            while cursor <= day:
                span.append(cursor)
                cursor += ONE_DAY
            out.extend(span)
        else:
            out.append(day)
        prev, prev_end = day, match.end()
    return out


def _section(name: str, body: str, *, year: int) -> tuple[list[datetime.date], list[datetime.date]]:
    """(days off, make-up working days) of one festival line."""
    off: list[datetime.date] = []
    work: list[datetime.date] = []
    new_year_section = "元旦" in name
    for sentence in re.split("[\u3002]", body):
        sentence_off: list[datetime.date] = []
        count = None
        for clause in re.split("[,;\uff0c\uff1b]", sentence):
            found = COUNT.search(clause)
            if found:
                count = int(found.group(1))
            if "上班" in clause and "不上班" not in clause:
                work.extend(_dates(clause, year=year, new_year_section=new_year_section))
            elif "放假" in clause or "补休" in clause:
                sentence_off.extend(_dates(clause, year=year, new_year_section=new_year_section))
        if count is not None and sentence_off and len(set(sentence_off)) != count:
            raise ValueError(f"写明共 {count} 天,但日期范围是 {len(set(sentence_off))} 天")
        off.extend(sentence_off)
    return off, work


def parse_notice(text: str, *, year: int | None = None) -> ParsedNotice:
    """The days the notice names; NoticeError (with the failing line) when it does not parse."""
    original = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not original.strip():
        raise NoticeError("通知内容为空,请粘贴通知全文。")
    year = _year_of(original.translate(FULLWIDTH), year)
    days: dict[datetime.date, NoticeDay] = {}
    sections = 0
    for number, raw in enumerate(original.split("\n"), start=1):
        match = SECTION.match(raw.translate(FULLWIDTH))
        if not match:
            continue
        name = match.group("name").strip()
        if not any(f in name for f in FESTIVALS):
            if "放假" in raw or "上班" in raw:
                raise NoticeError("未识别的节日名称。", number=number, line=raw)
            continue
        body = BRACKETS.sub("", match.group("body"))
        try:
            off, work = _section(name, body, year=year)
        except ValueError as exc:
            reason = str(exc)
            if "day is out of range" in reason or "month must be" in reason:
                reason = "日期不存在"
            raise NoticeError(f"{reason}。", number=number, line=raw) from None
        if not off:
            raise NoticeError("这一行没有找到放假日期。", number=number, line=raw)
        sections += 1
        for day in off:
            if day.year not in (year - 1, year):
                raise NoticeError(
                    f"{day:%Y-%m-%d} 不在 {year} 年的安排内。", number=number, line=raw
                )
            days[day] = NoticeDay(day, False, name)
        for day in work:
            if day.weekday() < 5:
                raise NoticeError(
                    f"调休上班日 {day:%Y-%m-%d} 不是周六或周日。", number=number, line=raw
                )
            if day in days and not days[day].is_workday:
                raise NoticeError(f"{day:%Y-%m-%d} 既放假又上班。", number=number, line=raw)
            days[day] = NoticeDay(day, True, name)
    if not sections:
        raise NoticeError("未找到“一、元旦:1月1日放假…”形式的放假安排,请粘贴通知全文。")
    return ParsedNotice(year, sorted(days.values(), key=lambda d: d.date))


# --- xlsx / CSV ----------------------------------------------------------------------------------

MARKS = {"休": False, "放假": False, "假": False, "班": True, "上班": True, "调休上班": True}


def _cell_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    text = re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})日", r"\1-\2-\3", text)
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError("日期应写作 2027-01-01")
    return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))


def parse_rows(rows, *, year: int | None = None) -> ParsedNotice:
    """Rows of (日期, 休/班, 名称); a first row of column titles is skipped."""
    days: dict[datetime.date, NoticeDay] = {}
    for number, row in enumerate(rows, start=1):
        cells = ["" if c is None else c for c in list(row)[:3]]
        if not any(str(c).strip() for c in cells):
            continue
        cells += [""] * (3 - len(cells))
        shown = ",".join(
            c.isoformat() if isinstance(c, datetime.date) else str(c) for c in cells
        ).strip(",")
        if number == 1 and "日期" in str(cells[0]):
            continue
        try:
            day = _cell_date(cells[0])
        except ValueError as exc:
            reason = "日期不存在" if "range" in str(exc) or "must be" in str(exc) else str(exc)
            raise NoticeError(f"{reason}。", number=number, line=shown) from None
        mark = str(cells[1]).strip()
        if mark not in MARKS:
            raise NoticeError("第二列应为“休”或“班”。", number=number, line=shown)
        if day in days:
            raise NoticeError(f"{day:%Y-%m-%d} 重复出现。", number=number, line=shown)
        if MARKS[mark] and day.weekday() < 5:
            raise NoticeError(
                f"调休上班日 {day:%Y-%m-%d} 不是周六或周日。", number=number, line=shown
            )
        days[day] = NoticeDay(day, MARKS[mark], str(cells[2]).strip()[:50])
    if not days:
        raise NoticeError("文件中没有日期。")
    if year is None:
        counts: dict[int, int] = {}
        for day in days:
            counts[day.year] = counts.get(day.year, 0) + 1
        year = max(counts, key=lambda y: (counts[y], y))
    stray = [d for d in days if d.year not in (year - 1, year)]
    if stray:
        raise NoticeError(f"{stray[0]:%Y-%m-%d} 不在 {year} 年的安排内。")
    return ParsedNotice(year, sorted(days.values(), key=lambda d: d.date))


def parse_file(name: str, content: bytes, *, year: int | None = None) -> ParsedNotice:
    """An uploaded .xlsx or .csv of dates."""
    lower = (name or "").lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer to the user
            raise NoticeError("无法读取该 Excel 文件,请确认是 .xlsx 格式。") from None
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        return parse_rows(rows, year=year)
    if lower.endswith(".csv") or lower.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise NoticeError("无法识别文件编码,请另存为 UTF-8 编码的 CSV。")
        return parse_rows(list(csv.reader(io.StringIO(text))), year=year)
    raise NoticeError("只接受 .xlsx 或 .csv 文件(三列:日期、休/班、名称)。")


def as_rows_text(parsed: ParsedNotice) -> str:
    """The canonical CSV form of a parsed year, carried from the preview to the confirmation."""
    return "\n".join(f"{d.date.isoformat()},{d.mark},{d.name}" for d in parsed.days)
