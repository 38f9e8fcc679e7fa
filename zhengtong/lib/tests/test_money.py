"""Amounts in 元, shown as 万元/亿元 (FEATURES X8), never through floats."""

from decimal import Decimal

from zhengtong.lib.money import format_excess, format_yuan, percent, to_decimal, wan_to_yuan
from zhengtong.test import BaseTestCase


class FormatYuanTestCase(BaseTestCase):
    def test_the_key_project_total_renders_in_yi(self) -> None:
        """65,800,000,000 元 → 658.00亿元, from int, Decimal and a string with commas."""
        for value in [65_800_000_000, Decimal("65800000000"), "65,800,000,000"]:
            with self.subTest(value=value):
                self.assertEqual(format_yuan(value), "658.00亿元")

    def test_the_relief_total_renders_in_wan(self) -> None:
        """71,000 元 → 7.10万元."""
        self.assertEqual(format_yuan(71_000), "7.10万元")

    def test_small_amounts_stay_in_yuan(self) -> None:
        """950 → 950.00元; None → an em dash."""
        self.assertEqual(format_yuan(950), "950.00元")
        self.assertEqual(format_yuan(None), "—")

    def test_unit_boundaries(self) -> None:
        """9,999 元 is still 元; 10,000 is 1.00万元; 100,000,000 is 1.00亿元."""
        self.assertEqual(format_yuan(9_999), "9999.00元")
        self.assertEqual(format_yuan(10_000), "1.00万元")
        self.assertEqual(format_yuan(99_999_999), "10000.00万元")
        self.assertEqual(format_yuan(100_000_000), "1.00亿元")

    def test_negative_amounts_keep_their_sign(self) -> None:
        """-71,000 → -7.10万元."""
        self.assertEqual(format_yuan(-71_000), "-7.10万元")

    def test_a_forced_unit_is_used(self) -> None:
        """unit="万元" shows 658 亿 as 6580000.00万元."""
        self.assertEqual(format_yuan(65_800_000_000, unit="万元"), "6580000.00万元")

    def test_rounding_is_half_up(self) -> None:
        """0.005 元 → 0.01元; 12,250 元 → 1.23万元 (banker's rounding would give 1.22)."""
        self.assertEqual(format_yuan(Decimal("0.005")), "0.01元")
        self.assertEqual(format_yuan(12_250), "1.23万元")
        self.assertEqual(format_yuan(12_345), "1.23万元")


class FloatRefusedTestCase(BaseTestCase):
    def test_floats_raise_type_error(self) -> None:
        """0.1 + 0.2 style errors never reach money: a float raises with a Chinese message."""
        for call in [
            lambda: format_yuan(71000.0),
            lambda: to_decimal(0.1),
            lambda: percent(1.0, 3),
            lambda: percent(1, 3.0),
            lambda: wan_to_yuan(7.1),
        ]:
            with self.assertRaisesMessage(TypeError, "金额不能使用浮点数。"):
                call()

    def test_unreadable_text_raises_value_error(self) -> None:
        """A value that is not a number names itself in the message."""
        with self.assertRaisesMessage(ValueError, "无法识别的金额:七万"):
            format_yuan("七万")


class PercentTestCase(BaseTestCase):
    def test_percent_rounds_half_up(self) -> None:
        """1/8 = 12.5%; 1/16 = 6.25 → 6.3 at one place (half-up, not banker's 6.2)."""
        self.assertEqual(percent(1, 8), Decimal("12.5"))
        self.assertEqual(percent(1, 16), Decimal("6.3"))
        self.assertEqual(percent(1, 16, "0.01"), Decimal("6.25"))
        self.assertEqual(percent(1, 3, "0.01"), Decimal("33.33"))

    def test_annual_plan_share_of_total(self) -> None:
        """117亿 of 658亿 is 17.8% (FEATURES §3.7)."""
        self.assertEqual(percent(11_700_000_000, 65_800_000_000), Decimal("17.8"))

    def test_a_zero_whole_gives_none(self) -> None:
        """No division by zero: the share is unknown."""
        self.assertIsNone(percent(5, 0))

    def test_wan_input_converts_to_yuan(self) -> None:
        """7.1 typed as 万元 (a string or Decimal) is 71,000 元."""
        self.assertEqual(wan_to_yuan("7.1"), Decimal("71000.0"))
        self.assertEqual(format_yuan(wan_to_yuan(Decimal("7.1"))), "7.10万元")


class ParseAmountTestCase(BaseTestCase):
    """The one reader of typed amounts: Decimal to the fen or a Chinese error on the field."""

    def test_good_amounts_come_back_to_the_fen(self) -> None:
        from zhengtong.lib.money import parse_amount

        self.assertEqual(parse_amount("1,234.5", field="a", label="金额"), Decimal("1234.50"))
        self.assertEqual(parse_amount(Decimal("7"), field="a", label="金额"), Decimal("7.00"))
        self.assertEqual(
            parse_amount("0", field="a", label="金额", allow_zero=True), Decimal("0.00")
        )

    def test_bad_amounts_are_refused_on_their_field_in_chinese(self) -> None:
        from django.core.exceptions import ValidationError

        from zhengtong.lib.money import parse_amount

        cases = [
            (None, "须填写金额数字"),
            ("", "须填写金额数字"),
            (1.5, "须填写金额数字"),
            (True, "须填写金额数字"),
            ("abc", "不是有效的金额"),
            ("NaN", "不是有效的金额"),
            ("Infinity", "不是有效的金额"),
            ("-1", "必须大于 0 元"),
            ("0", "必须大于 0 元"),
            ("1.234", "最多保留两位小数"),
            ("1000000000000", "不能达到 1 万亿元"),
        ]
        for value, message in cases:
            with self.subTest(value=value):
                with self.assertRaises(ValidationError) as raised:
                    parse_amount(value, field="amount", label="拨付金额")
                self.assertIn(message, raised.exception.message_dict["amount"][0])
                self.assertTrue(raised.exception.message_dict["amount"][0].startswith("拨付金额"))


class FormatExcessTestCase(BaseTestCase):
    def test_whole_hundreds_read_in_wan_and_anything_else_in_yuan_to_the_fen(self) -> None:
        cases = {
            "3500": "0.35万元",
            "20000": "2.00万元",
            "0.01": "0.01元",
            "0.50": "0.50元",
            "12345.67": "12345.67元",
            "99": "99.00元",
        }
        for value, text in cases.items():
            with self.subTest(value=value):
                self.assertEqual(format_excess(Decimal(value)), text)
