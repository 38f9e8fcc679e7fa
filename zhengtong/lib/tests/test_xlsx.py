"""The one export writer: formula-like text defused, numbers and dates kept as they are."""

import datetime
import io
from decimal import Decimal

import openpyxl
from django.test import SimpleTestCase

from zhengtong.lib import xlsx


class WriterTestCase(SimpleTestCase):
    def test_csv_cells_that_start_a_formula_get_an_apostrophe(self) -> None:
        text = xlsx.csv_bytes(["名称", "金额"], [["=1+2", -5], ["@cmd", 3.5], ["+1", 0]])
        lines = text.decode("utf-8-sig").splitlines()
        self.assertEqual(lines[1:], ["'=1+2,-5", "'@cmd,3.5", "'+1,0"])

    def test_xlsx_keeps_formula_like_text_as_text_and_numbers_as_numbers(self) -> None:
        rows = [["=1+2", Decimal("-12.50"), datetime.date(2026, 3, 1)], ["\r=cmd", -3, None]]
        content = xlsx.workbook_bytes([xlsx.Sheet("台账", ["名称", "金额", "日期"], rows)])
        ws = openpyxl.load_workbook(io.BytesIO(content)).active
        self.assertEqual([c.value for c in ws[1]], ["名称", "金额", "日期"])
        self.assertEqual(
            (ws["A2"].value, ws["A2"].data_type, ws["A2"].quotePrefix), ("=1+2", "s", True)
        )
        self.assertEqual(ws["A3"].data_type, "s")
        self.assertEqual((ws["B2"].value, ws["B2"].data_type), (-12.5, "n"))
        self.assertEqual(ws["B3"].value, -3)
        self.assertEqual(ws["C2"].value.date(), datetime.date(2026, 3, 1))


class RoundTripTestCase(SimpleTestCase):
    """A workbook written by the export writer and read back by the import reader."""

    def test_chinese_text_numbers_and_iso_dates_come_back_as_written(self) -> None:
        headers = ["项目名称", "总投资(元)", "户数", "开工日期", "备注"]
        rows = [
            [
                "刘集镇周公路改建工程",
                Decimal("658000000.50"),
                35,
                datetime.date(2025, 9, 26),
                "国庆节后复工",
            ],
            ["“晾晒”进度:东村 3 组", -12, 0, datetime.date(2026, 2, 28), None],
        ]
        content = xlsx.workbook_bytes([xlsx.Sheet("重点项目台账", headers, rows)])
        wb = xlsx.open_xlsx(io.BytesIO(content))
        ws = wb.worksheets[0]
        self.assertEqual(ws.title, "重点项目台账")
        header, first, second = list(xlsx.capped_rows(ws))
        self.assertEqual(list(header), headers)
        self.assertEqual(first[0], "刘集镇周公路改建工程")
        self.assertEqual(Decimal(str(first[1])), Decimal("658000000.50"))
        self.assertEqual(first[2], 35)
        self.assertEqual(first[3].date(), datetime.date(2025, 9, 26))
        self.assertEqual(first[4], "国庆节后复工")
        # A trailing empty cell is not read back: the row ends at its last value.
        self.assertEqual(list(second), ["“晾晒”进度:东村 3 组", -12, 0, second[3]])
        self.assertEqual(second[3].date(), datetime.date(2026, 2, 28))
        wb.close()
        # Dates carry the ISO display format, so Excel shows 2025-09-26 rather than a locale date.
        cells = openpyxl.load_workbook(io.BytesIO(content)).active
        self.assertEqual(cells["D2"].number_format, xlsx.DATE_FORMAT)
        self.assertEqual(xlsx.DATE_FORMAT, "yyyy-mm-dd")

    def test_csv_keeps_chinese_text_for_excel_and_writes_dates_in_iso(self) -> None:
        text = xlsx.csv_bytes(
            ["姓名", "金额", "日期"], [["张敏", Decimal("71000"), datetime.date(2025, 3, 1)]]
        )
        self.assertTrue(text.startswith("\ufeff".encode()))
        self.assertEqual(
            text.decode("utf-8-sig").splitlines(), ["姓名,金额,日期", "张敏,71000,2025-03-01"]
        )
