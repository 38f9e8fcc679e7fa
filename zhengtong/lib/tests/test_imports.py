"""The import framework (lib/imports.py) on its own: the header check, each cell parser, per-row
errors with row number and column, duplicates, the dry run that writes nothing, the real run
that writes all rows or none (on SQLite and, with DATABASE_URL, PostgreSQL), the audit record
of every run, formula-like cells, the upload checks and the template workbook."""

import datetime
import io
import zipfile
from decimal import Decimal
from unittest import mock

import openpyxl
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase

from zhengtong.audit.models import Event
from zhengtong.lib import imports
from zhengtong.lib.imports import CellError, Column, Importer, Outcome, Row, run_import
from zhengtong.people.actions import person_get_or_register
from zhengtong.people.models import Person
from zhengtong.projects.models import Stage
from zhengtong.test import BaseTestCase, make_id_number

TODAY = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
HEADERS = ["姓名", "公民身份号码", "补助金额", "人数", "核实日期", "阶段", "备注(导出)"]


class PeopleImporter(Importer):
    """A small importer for the tests: each row registers a person through the people actions."""

    name = "测试人员"
    columns = (
        Column("姓名", "name", imports.text(max_length=10), required=True),
        Column("公民身份号码", "id_number", imports.id_number(), required=True),
        Column("补助金额", "amount", imports.amount()),
        Column("人数", "count", imports.integer(minimum=1, maximum=9)),
        Column("核实日期", "verified_on", imports.date(not_after_today=True)),
        Column("阶段", "stage", imports.choice(Stage)),
        Column("备注(导出)", "note", ignored=True),
    )
    key = ("id_number",)
    duplicate_message = "与第 {first} 行的身份证号码重复。"

    def check(self, row: Row) -> None:
        if row.values["count"] == 7 and not row.values["amount"]:
            row.error("补助金额", "人数为 7 时必须填写补助金额。")

    def apply(self, row: Row) -> Outcome:
        person = person_get_or_register(
            actor=self.actor, id_number=row.values["id_number"].number, name=row.values["name"]
        )
        return Outcome(row=row.number, code=person.id_number[-4:], name=person.name)


def number(seq: int) -> str:
    return make_id_number(datetime.date(1980, 1, 1), female=False, seq=seq)


def workbook(rows, headers=HEADERS, *, name="人员.xlsx") -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(headers))
    for values in rows:
        ws.append(list(values))
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def row(seq: int, name: str = "", **cells) -> list:
    values = {"姓名": name or f"张{seq}", "公民身份号码": number(seq), **cells}
    return [values.get(h) for h in HEADERS]


class ParserTestCase(SimpleTestCase):
    def refuses(self, parser, value) -> str:
        with self.assertRaises(CellError) as ctx:
            parser(value)
        return str(ctx.exception)

    def test_text_is_stripped_whole_floats_read_as_integers_and_length_is_capped(self) -> None:
        parse = imports.text(max_length=4)
        self.assertEqual(parse("  张三 "), "张三")
        self.assertEqual(parse(1234.0), "1234")
        self.assertEqual(self.refuses(parse, "张三李四王五"), "不能超过 4 个字。")

    def test_integers_refuse_fractions_text_and_out_of_range_values(self) -> None:
        parse = imports.integer(minimum=1, maximum=9)
        self.assertEqual(parse(3.0), 3)
        self.assertEqual(parse(" 4 "), 4)
        self.assertEqual(self.refuses(parse, 3.5), "“3.5”不是整数。")
        self.assertEqual(self.refuses(parse, "三"), "“三”不是整数。")
        self.assertEqual(self.refuses(parse, True), "“是”不是整数。")
        self.assertEqual(self.refuses(parse, 0), "不能小于 1。")
        self.assertEqual(self.refuses(parse, 10), "不能大于 9。")

    def test_amounts_go_through_parse_amount_in_yuan_or_wan(self) -> None:
        yuan = imports.amount()
        self.assertEqual(yuan("1,200.50"), Decimal("1200.50"))
        self.assertEqual(yuan(950), Decimal("950.00"))
        self.assertEqual(self.refuses(yuan, "abc"), "“abc”不是数字(元)。")
        self.assertEqual(self.refuses(yuan, "NaN"), "“NaN”不是数字(元)。")
        self.assertEqual(self.refuses(yuan, True), "应为数字(元)。")
        self.assertEqual(self.refuses(yuan, -5), "不能为负数。")
        self.assertEqual(self.refuses(yuan, 0), "必须大于 0 元。")
        self.assertEqual(self.refuses(yuan, "0.001"), "最多保留两位小数(分)。")
        self.assertIn("1 万亿元", self.refuses(yuan, "1000000000000"))
        wan = imports.amount(unit="万元", allow_zero=True)
        # A float cell keeps its shortest repr: 120000.000055 万元 is every fen of 元.
        self.assertEqual(wan(120000.000055), Decimal("1200000000.55"))
        self.assertEqual(wan(0), Decimal("0.00"))
        self.assertIn("1 万亿元", self.refuses(wan, 100000000))

    @time_machine.travel(TODAY, tick=False)
    def test_dates_read_cells_and_typed_text_and_refuse_impossible_days(self) -> None:
        parse = imports.date(not_after_today=True)
        cell = datetime.datetime(2026, 3, 1, 0, 0)  # noqa: DTZ001 - Excel cells have no zone
        self.assertEqual(parse(cell), datetime.date(2026, 3, 1))
        self.assertEqual(parse(datetime.date(2026, 3, 1)), datetime.date(2026, 3, 1))
        self.assertEqual(parse("2026/3/1"), datetime.date(2026, 3, 1))
        self.assertEqual(parse("2026.03.01"), datetime.date(2026, 3, 1))
        self.assertEqual(
            self.refuses(parse, "2026-13-01"), "“2026-13-01”不是有效日期(格式应为 2026-03-01)。"
        )
        self.assertEqual(self.refuses(parse, "昨天"), "“昨天”不是有效日期(格式应为 2026-03-01)。")
        self.assertEqual(self.refuses(parse, "2026-06-16"), "不能晚于今天。")

    def test_choices_are_read_by_chinese_label_with_aliases_and_codes(self) -> None:
        parse = imports.choice(Stage, aliases={"施工": Stage.UNDER_CONSTRUCTION})
        self.assertEqual(parse("在建"), Stage.UNDER_CONSTRUCTION)
        self.assertEqual(parse("施工"), Stage.UNDER_CONSTRUCTION)
        message = self.refuses(parse, Stage.UNDER_CONSTRUCTION.value)
        self.assertTrue(message.startswith(f"“{Stage.UNDER_CONSTRUCTION.value}”不是有效的选项"))
        self.assertIn("、".join(str(label) for label in Stage.labels), message)
        with_codes = imports.choice(Stage, codes=True, what="阶段")
        self.assertEqual(with_codes(Stage.UNDER_CONSTRUCTION.value), Stage.UNDER_CONSTRUCTION)
        self.assertEqual(self.refuses(with_codes, "施工中"), "“施工中”不是有效的阶段。")
        yes_no = imports.choice({"是": True, "否": False})
        self.assertIs(yes_no("否"), False)
        # A TRUE/FALSE cell reads as 是/否.
        self.assertIs(yes_no(True), True)

    @time_machine.travel(TODAY, tick=False)
    def test_id_numbers_are_checked_by_the_one_validator(self) -> None:
        parse = imports.id_number(max_age=120)
        good = number(1)
        self.assertEqual(parse(good.lower()).number, good)
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        self.assertEqual(self.refuses(parse, bad), "身份证号码校验位错误。")
        self.assertEqual(self.refuses(parse, "12345"), "身份证号码应为 18 位。")
        old = make_id_number(datetime.date(1900, 1, 1), female=True)
        self.assertIn("超过 120 岁", self.refuses(parse, old))

    def test_a_row_error_names_its_row_and_column(self) -> None:
        error = imports.RowError(3, "公民身份号码", "身份证号码校验位错误。")
        self.assertEqual(str(error), "第 3 行:字段 公民身份号码:身份证号码校验位错误。")
        self.assertEqual(imports.RowError.from_dict(error.as_dict()), error)
        self.assertEqual(
            str(imports.RowError(None, "", "文件中没有数据行。")), "文件中没有数据行。"
        )


class HeaderTestCase(SimpleTestCase):
    def message(self, headers) -> str:
        with self.assertRaises(imports.ImportFileError) as ctx:
            PeopleImporter.check_headers(headers)
        return str(ctx.exception)

    def test_missing_unknown_and_repeated_columns_are_named_in_one_message(self) -> None:
        message = self.message(["姓名", "电话", "人数", "人数", ""])
        self.assertIn("缺少列:公民身份号码", message)
        self.assertIn("无法识别的列:电话、(空)", message)
        self.assertIn("重复的列:人数", message)
        self.assertIn("第一行应为:" + "、".join(PeopleImporter.headers()), message)
        self.assertIn("“备注(导出)”仅在导出时填写,可保留", message)

    def test_optional_and_export_only_columns_may_be_left_out_in_any_order(self) -> None:
        PeopleImporter.check_headers(["公民身份号码", "姓名"])
        PeopleImporter.check_headers(list(reversed(HEADERS)))

    def test_a_strict_importer_wants_every_column(self) -> None:
        class Strict(PeopleImporter):
            strict_headers = True

        message = self.message_of(Strict, ["姓名", "公民身份号码"])
        self.assertIn("缺少列:补助金额、人数、核实日期、阶段", message)
        self.assertNotIn("备注(导出)、", message.split("。")[0])

    def message_of(self, importer, headers) -> str:
        with self.assertRaises(imports.ImportFileError) as ctx:
            importer.check_headers(headers)
        return str(ctx.exception)


@time_machine.travel(TODAY, tick=False)
class RunImportTestCase(BaseTestCase):
    def run_file(self, upload, *, dry_run=False, actor=None):
        return run_import(PeopleImporter, actor=actor or self.clerk, upload=upload, dry_run=dry_run)

    def summary(self) -> Event:
        return Event.objects.get(action__in=imports.AUDIT_ACTIONS)

    def test_a_clean_file_is_written_through_the_actions_with_one_summary_event(self) -> None:
        result = self.run_file(workbook([row(1), row(2, 补助金额="1,200.5", 人数=2)]))
        self.assertTrue(result.applied)
        self.assertEqual((result.rows, result.created, result.error_count), (2, 2, 0))
        self.assertEqual(Person.objects.count(), 2)
        self.assertEqual(
            Event.objects.filter(action="person_registered", channel="import").count(), 2
        )
        summary = self.summary()
        self.assertEqual(summary.action, imports.ACTION_DONE)
        self.assertEqual((summary.actor, summary.channel), (self.clerk, "import"))
        self.assertEqual(summary.target_repr, "测试人员")
        self.assertEqual(summary.changes["file"], "人员.xlsx")
        self.assertEqual((summary.changes["rows"], summary.changes["created"]), (2, 2))

    def test_a_dry_run_applies_every_row_then_writes_nothing_but_its_audit_record(self) -> None:
        result = self.run_file(workbook([row(1), row(2)]), dry_run=True)
        self.assertTrue(result.passed)
        self.assertFalse(result.applied)
        self.assertEqual([o.name for o in result.outcomes], ["张1", "张2"])
        self.assertFalse(Person.objects.exists())
        self.assertEqual(Event.objects.exclude(kind=Event.Kind.LOGIN).count(), 1)
        self.assertEqual(self.summary().action, imports.ACTION_CHECKED)

    def test_every_bad_cell_is_reported_with_its_excel_row_and_column(self) -> None:
        bad_id = number(3)[:17] + ("0" if number(3)[17] != "0" else "1")
        rows = [
            row(1),
            [None] * len(HEADERS),  # a blank row is skipped; the numbering stays Excel's
            row(2, 人数="三", 核实日期="2026-13-01"),
            [None, bad_id, "-1", None, None, "施工中", "不读取"],
            row(1, name="张一"),
            row(5, 人数=7),
        ]
        result = self.run_file(workbook(rows))
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "第 4 行:字段 人数:“三”不是整数。",
                "第 4 行:字段 核实日期:“2026-13-01”不是有效日期(格式应为 2026-03-01)。",
                "第 5 行:字段 姓名:必填。",
                "第 5 行:字段 公民身份号码:身份证号码校验位错误。",
                "第 5 行:字段 补助金额:不能为负数。",
                "第 5 行:字段 阶段:“施工中”不是有效的选项,应为:"
                + "、".join(str(label) for label in Stage.labels)
                + "。",
                "第 6 行:字段 公民身份号码:与第 2 行的身份证号码重复。",
                "第 7 行:字段 补助金额:人数为 7 时必须填写补助金额。",
            ],
        )
        self.assertEqual(result.rows, 5)
        self.assertFalse(Person.objects.exists())
        self.assertEqual(self.summary().action, imports.ACTION_FAILED)
        self.assertEqual(self.summary().changes["errors"], 8)

    def test_an_action_refusing_the_last_row_rolls_back_every_row(self) -> None:
        """Rows 2 and 3 are written in the transaction before row 4 is refused by the action
        (the number is registered under another name): nothing is kept."""
        Person.objects.create(
            id_number=number(9), name="李四", sex="M", birth_date=datetime.date(1980, 1, 1)
        )
        result = self.run_file(workbook([row(1), row(2), row(9, name="王五")]))
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 4 行:字段 姓名:姓名与该身份证号码已登记的姓名不一致,请核对。"],
        )
        self.assertFalse(result.applied)
        self.assertEqual(list(Person.objects.values_list("name", flat=True)), ["李四"])
        self.assertFalse(Event.objects.filter(action="person_registered").exists())

    def test_a_crash_mid_write_leaves_nothing_behind(self) -> None:
        calls = []
        original = PeopleImporter.apply

        def apply(importer, parsed):
            calls.append(parsed.number)
            if len(calls) == 2:
                raise RuntimeError("simulated crash")
            return original(importer, parsed)

        with mock.patch.object(PeopleImporter, "apply", apply), self.assertRaises(RuntimeError):
            self.run_file(workbook([row(1), row(2), row(3)]))
        self.assertEqual(calls, [2, 3])
        self.assertFalse(Person.objects.exists())
        self.assertFalse(Event.objects.filter(action__in=imports.AUDIT_ACTIONS).exists())

    def test_a_refused_permission_is_a_row_error_not_a_403(self) -> None:
        with mock.patch.object(PeopleImporter, "apply", side_effect=PermissionDenied):
            result = self.run_file(workbook([row(1)]))
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 2 行:字段 —:该行的数据不在您负责的范围内,不能导入。"],
        )

    def test_an_action_error_without_a_field_is_kept_for_the_row(self) -> None:
        with mock.patch.object(
            PeopleImporter, "apply", side_effect=ValidationError("本月已结账,不能导入。")
        ):
            result = self.run_file(workbook([row(1)]))
        self.assertEqual([str(e) for e in result.errors], ["第 2 行:字段 —:本月已结账,不能导入。"])

    def test_a_file_without_data_rows_is_an_error(self) -> None:
        result = self.run_file(workbook([]))
        self.assertEqual([str(e) for e in result.errors], ["文件中没有数据行。"])

    def test_the_stored_errors_are_capped_and_the_total_counted(self) -> None:
        rows = [[None, "1"] for _ in range(15)]
        with mock.patch.object(imports, "MAX_STORED_ERRORS", 10):
            result = self.run_file(workbook(rows))
        self.assertEqual((len(result.errors), result.error_count, result.more_errors), (10, 30, 20))

    def test_formula_like_text_is_read_as_the_text_it_is(self) -> None:
        """A name typed as =HYPERLINK(…) (kept as text by a quote prefix) reads as that text;
        a formula cell reads as its cached value, so one Excel never computed is blank."""
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(HEADERS)
        ws.append(row(1, name="=A1"))
        ws["A2"].data_type = "s"
        ws["A2"].quotePrefix = True
        ws.append(row(2))
        ws["A3"] = '=CONCAT("张","三")'  # a real formula, no cached value
        buffer = io.BytesIO()
        wb.save(buffer)
        result = self.run_file(SimpleUploadedFile("f.xlsx", buffer.getvalue()), dry_run=True)
        self.assertEqual([str(e) for e in result.errors], ["第 3 行:字段 姓名:必填。"])
        self.assertEqual([o.name for o in result.outcomes], ["=A1"])

    def test_files_that_are_not_sane_xlsx_are_refused_before_parsing(self) -> None:
        cases = {
            "empty": (b"", "文件是空的"),
            "csv": ("姓名,公民身份号码\n张三,1\n".encode(), "不是 Excel 2007 及以上版本的 xlsx"),
        }
        docx = io.BytesIO()
        with zipfile.ZipFile(docx, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        cases["docx"] = (docx.getvalue(), "不是 Excel 2007 及以上版本的 xlsx")
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", b"0" * (20 * 1024 * 1024))
        cases["bomb"] = (bomb.getvalue(), "疑似压缩炸弹")
        for label, (data, message) in cases.items():
            with self.subTest(label), self.assertRaises(imports.ImportFileError) as ctx:
                self.run_file(SimpleUploadedFile("a.xlsx", data))
            self.assertIn(message, str(ctx.exception))

        class Small(PeopleImporter):
            max_bytes = 1024 * 1024

        big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * (1024 * 1024))
        with self.assertRaises(imports.ImportFileError) as ctx:
            run_import(Small, actor=self.clerk, upload=big)
        self.assertIn("文件超过 1 MB,请拆分后分批导入。", str(ctx.exception))
        self.assertFalse(Event.objects.filter(action__in=imports.AUDIT_ACTIONS).exists())

    def test_a_wrong_header_row_refuses_the_file(self) -> None:
        with self.assertRaises(imports.ImportFileError) as ctx:
            self.run_file(workbook([["张三", number(1)]], headers=["名字", "公民身份号码"]))
        self.assertIn("缺少列:姓名", str(ctx.exception))
        self.assertIn("无法识别的列:名字", str(ctx.exception))

    def test_the_template_has_the_headers_and_an_instruction_sheet(self) -> None:
        wb = openpyxl.load_workbook(io.BytesIO(PeopleImporter.template_workbook()))
        self.assertEqual([c.value for c in wb.worksheets[0][1]], PeopleImporter.headers())
        self.assertNotIn("备注(导出)", PeopleImporter.headers())
        notes = wb.worksheets[1]
        self.assertEqual(notes.title, "填写说明")
        self.assertEqual([notes["A2"].value, notes["B2"].value], ["姓名", "必填"])
        self.assertEqual(notes["B4"].value, "选填")
        self.assertEqual(PeopleImporter.template_name(), "测试人员导入模板.xlsx")

    def test_a_template_filled_in_imports(self) -> None:
        wb = openpyxl.load_workbook(io.BytesIO(PeopleImporter.template_workbook()))
        wb.worksheets[0].append(row(1)[:6])
        buffer = io.BytesIO()
        wb.save(buffer)
        result = self.run_file(SimpleUploadedFile("t.xlsx", buffer.getvalue()))
        self.assertTrue(result.applied, result.errors)
