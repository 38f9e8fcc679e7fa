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
