"""The notice parser against chinesecalendar, day by day, for eleven years since 2008; the
refusals; load_holidays --notice; xlsx/CSV."""

import datetime
import io
import tempfile
from pathlib import Path

import chinese_calendar
from chinese_calendar import constants
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from zhengtong.audit.models import Event
from zhengtong.test import BaseTestCase
from zhengtong.workdays import year_status
from zhengtong.workdays.models import CalendarYear, Holiday, Source
from zhengtong.workdays.notice import NoticeError, parse_file, parse_notice

from .notices import N2026, N2027_TEST, NOTICES

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)

# 国办发明电〔2020〕1号 extended the 2020 Spring Festival to 2 February after the notice: the
# 2020 notice itself says 1月24日至30日 with 2月1日 worked, chinesecalendar has the extension.
AMENDED_LATER = {2020: {D(2020, 1, 31), D(2020, 2, 1)}}


def _next_years_new_year(day: datetime.date, year: int) -> bool:
    """Late-December days of `year` that the following year's notice arranges (its 元旦)."""
    name = constants.holidays.get(day) or constants.workdays.get(day)
    return day.year == year and day.month == 12 and day.day >= 25 and str(name) == "New Year's Day"


def fw(text: str) -> str:
    """The full-width punctuation of the published texts."""
    return text.translate(str.maketrans("(),:", "\uff08\uff09\uff0c\uff1a"))


class NoticeAgainstChineseCalendarTestCase(BaseTestCase):
    def test_every_fixture_year_agrees_day_by_day(self) -> None:
        """Each day of the year (and each day named in the year before): the parser's answer,
        weekends otherwise, equals chinesecalendar's; so do the make-up days exactly."""
        for year, text in NOTICES.items():
            with self.subTest(year=year):
                parsed = parse_notice(text)
                self.assertEqual(parsed.year, year)
                named = {d.date: d.is_workday for d in parsed.days}
                days = [d for d in named if d.year < year]
                day = D(year, 1, 1)
                while day.year == year:
                    days.append(day)
                    day += ONE_DAY
                wrong = [
                    d
                    for d in days
                    if not _next_years_new_year(d, year)
                    and named.get(d, d.weekday() < 5) != chinese_calendar.is_workday(d)
                ]
                self.assertEqual(set(wrong), AMENDED_LATER.get(year, set()))
                makeups = {d for d, work in named.items() if work}
                expected = {
                    d
                    for d in constants.workdays
                    if (d.year == year or d in named) and not _next_years_new_year(d, year)
                }
                allowed = AMENDED_LATER.get(year, set())
                self.assertEqual((makeups ^ expected) - allowed, set())
                weekday_off = {d for d, work in named.items() if not work and d.weekday() < 5}
                expected_off = {
                    d
                    for d in constants.holidays
                    if d.weekday() < 5
                    and (d.year == year or d in named)
                    and not _next_years_new_year(d, year)
                }
                self.assertEqual(
                    weekday_off ^ expected_off, AMENDED_LATER.get(year, set()) & expected_off
                )

    def test_days_of_the_year_before_are_named_with_their_year(self) -> None:
        """2008: 元旦 from 2007-12-30, 2007-12-29 worked; 2012: 2011-12-31 worked."""
        days_2008 = {d.date: d.mark for d in parse_notice(NOTICES[2008]).days}
        self.assertEqual(days_2008[D(2007, 12, 29)], "班")
        self.assertEqual(days_2008[D(2007, 12, 30)], "休")
        self.assertEqual(days_2008[D(2008, 1, 1)], "休")
        days_2012 = {d.date: d.mark for d in parse_notice(NOTICES[2012]).days}
        self.assertEqual(days_2012[D(2011, 12, 31)], "班")

    def test_forms_of_the_text(self) -> None:
        """Weekday brackets, 农历 remarks, ranges across months, a month left out, 补休."""
        days = {d.date: d for d in parse_notice(N2026).days}
        self.assertEqual(
            sorted(d for d in days if d.month == 2 and not days[d].is_workday)[0], D(2026, 2, 15)
        )
        self.assertEqual(days[D(2026, 2, 23)].name, "春节")
        self.assertTrue(days[D(2026, 2, 28)].is_workday)
        days = {d.date: d for d in parse_notice(NOTICES[2014]).days}
        self.assertFalse(days[D(2014, 4, 7)].is_workday)  # 4月7日(星期一)补休
        self.assertFalse(days[D(2014, 2, 3)].is_workday)  # 1月31日至2月6日
        days = {d.date: d for d in parse_notice(NOTICES[2010]).days}
        self.assertTrue(days[D(2010, 2, 21)].is_workday)  # 2月20日(星期六)、21日(星期日)上班

    def test_a_december_range_without_years(self) -> None:
        text = (
            "国务院办公厅关于2030年部分节假日安排的通知\n"
            "一、元旦:12月30日至1月1日放假调休,共3天。12月29日(星期日)上班。"
        )
        parsed = parse_notice(text)
        self.assertEqual(
            [(d.date, d.mark) for d in parsed.days],
            [
                (D(2029, 12, 29), "班"),
                (D(2029, 12, 30), "休"),
                (D(2029, 12, 31), "休"),
                (D(2030, 1, 1), "休"),
            ],
        )

    def test_the_test_notice_of_2027_parses(self) -> None:
        parsed = parse_notice(N2027_TEST)
        self.assertEqual(parsed.year, 2027)
        self.assertEqual(len(parsed.makeups), 5)


class NoticeRefusalTestCase(BaseTestCase):
    def assertRefused(self, text: str, line_number: int | None, *fragments: str) -> NoticeError:
        with self.assertRaises(NoticeError) as ctx:
            parse_notice(text)
        self.assertEqual(ctx.exception.number, line_number)
        for fragment in fragments:
            self.assertIn(fragment, str(ctx.exception))
        return ctx.exception

    def test_a_date_that_does_not_exist_names_the_line(self) -> None:
        bad = N2026.replace(fw("至23日(农历正月初七、周一)"), fw("至30日(农历正月初七、周一)"))
        self.assertRefused(bad, 7, "第 7 行", "二、春节", "日期不存在")

    def test_a_count_that_disagrees_with_the_range(self) -> None:
        bad = N2026.replace(fw("放假调休,共7天"), fw("放假调休,共8天"))
        self.assertRefused(bad, 12, "七、国庆节", "共 8 天")

    def test_a_weekday_named_as_make_up_day(self) -> None:
        bad = N2026.replace(fw("5月9日(周六)上班"), fw("5月8日(周五)上班"))
        self.assertRefused(bad, 9, "四、劳动节", "2026-05-08 不是周六或周日")

    def test_a_line_without_a_day_off(self) -> None:
        bad = N2026.replace(
            fw("三、清明节:4月4日(周六)至6日(周一)放假,共3天。"), fw("三、清明节:另行通知。")
        )
        self.assertRefused(bad, 8, "三、清明节", "没有找到放假日期")

    def test_text_that_is_not_a_notice(self) -> None:
        self.assertRefused(
            "国务院办公厅关于2027年部分节假日安排的通知\n请各单位做好值班。", None, "未找到"
        )
        self.assertRefused("一、元旦:1月1日放假。", None, "未能识别通知的年份")
        self.assertRefused("   ", None, "通知内容为空")


class LoadHolidaysNoticeTestCase(BaseTestCase):
    def notice_file(self, text: str) -> str:
        handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8")
        handle.write(text)
        handle.close()
        self.addCleanup(Path(handle.name).unlink)
        return handle.name

    def test_dry_run_prints_each_day_and_saves_nothing(self) -> None:
        out = io.StringIO()
        before = Holiday.objects.count()
        call_command(
            "load_holidays", "--notice", self.notice_file(NOTICES[2008]), "--dry-run", stdout=out
        )
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[0], "2007-12-29 班")
        self.assertEqual(lines[1], "2007-12-30 休")
        self.assertIn("2008-10-05 休", lines)
        self.assertEqual(len(lines), 29 + 6 + 1)
        self.assertIn("放假 29 天,调休上班 6 天", lines[-1])
        self.assertEqual(Holiday.objects.count(), before)
        self.assertFalse(Event.objects.filter(action="calendar_year_confirmed").exists())

    def test_without_dry_run_the_year_is_saved_as_official(self) -> None:
        self.assertEqual(year_status(2027), "provisional")
        call_command(
            "load_holidays", "--notice", self.notice_file(N2027_TEST), stdout=io.StringIO()
        )
        self.assertEqual(year_status(2027), "official")
        self.assertEqual(CalendarYear.objects.get(year=2027).source, Source.NOTICE)
        self.assertTrue(Holiday.objects.get(date=D(2027, 2, 14)).is_workday)
        [event] = Event.objects.filter(action="calendar_year_confirmed")
        self.assertIn("2027-02-14 班 春节", event.changes["days"][1])

    def test_a_bad_notice_is_refused_and_nothing_saved(self) -> None:
        bad = N2027_TEST.replace(fw("至7日(周四)"), fw("至7日(周四)再"))
        bad = bad.replace("共7天", "共6天")
        with self.assertRaises(CommandError) as ctx:
            call_command("load_holidays", "--notice", self.notice_file(bad), stdout=io.StringIO())
        self.assertIn("七、国庆节", str(ctx.exception))
        self.assertEqual(year_status(2027), "provisional")
        self.assertFalse(Holiday.objects.filter(date__year=2027).exists())


class FileTestCase(BaseTestCase):
    def test_a_csv_of_dates(self) -> None:
        content = "日期,休/班,名称\n2027-01-01,休,元旦\n2027-02-14,班,春节\n".encode()
        parsed = parse_file("2027.csv", content)
        self.assertEqual(parsed.year, 2027)
        self.assertEqual(
            [(d.date, d.mark) for d in parsed.days], [(D(2027, 1, 1), "休"), (D(2027, 2, 14), "班")]
        )

    def test_an_xlsx_of_dates(self) -> None:
        book = Workbook()
        sheet = book.active
        sheet.append(["日期", "休/班", "名称"])
        sheet.append([datetime.date(2027, 10, 1), "休", "国庆节"])
        sheet.append(["2027-10-09", "班", "国庆节"])
        buffer = io.BytesIO()
        book.save(buffer)
        parsed = parse_file("2027.xlsx", buffer.getvalue())
        self.assertEqual(
            [(d.date, d.is_workday) for d in parsed.days],
            [(D(2027, 10, 1), False), (D(2027, 10, 9), True)],
        )

    def test_a_bad_row_names_its_line(self) -> None:
        with self.assertRaises(NoticeError) as ctx:
            parse_file("x.csv", "2027-01-01,休,元旦\n2027-02-30,休,春节\n".encode())
        self.assertEqual(ctx.exception.number, 2)
        self.assertIn("日期不存在", str(ctx.exception))
        with self.assertRaises(NoticeError):
            parse_file("x.csv", "2027-01-01,放,元旦\n".encode())
        with self.assertRaises(NoticeError):
            parse_file("x.pdf", b"%PDF")
