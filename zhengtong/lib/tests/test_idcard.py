"""Resident ID numbers (FEATURES §3.4, GB 11643-1999)."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError

from zhengtong.lib.idcard import parse_id_number, validate_id_number
from zhengtong.test import BaseTestCase


class ValidIdNumberTestCase(BaseTestCase):
    def test_the_reference_female_number_is_valid(self) -> None:
        """11010519491231002X: born 1949-12-31, even sequence digit → female."""
        parsed = parse_id_number("11010519491231002X")
        self.assertEqual(parsed.number, "11010519491231002X")
        self.assertEqual(parsed.birth_date, datetime.date(1949, 12, 31))
        self.assertEqual(parsed.sex, "F")
        self.assertEqual(parsed.sex_display, "女")

    def test_the_reference_male_number_is_valid(self) -> None:
        """440524188001010014: born 1880-01-01, odd sequence digit → male."""
        parsed = parse_id_number("440524188001010014")
        self.assertEqual(parsed.birth_date, datetime.date(1880, 1, 1))
        self.assertEqual(parsed.sex, "M")
        self.assertEqual(parsed.sex_display, "男")

    def test_a_third_reference_number_is_valid(self) -> None:
        """360426199101010071 passes the check digit."""
        parsed = parse_id_number("360426199101010071")
        self.assertEqual(parsed.birth_date, datetime.date(1991, 1, 1))
        self.assertEqual(parsed.sex, "M")

    def test_lowercase_x_and_spaces_are_normalised(self) -> None:
        """A typed lowercase x and surrounding spaces become the canonical number."""
        self.assertEqual(parse_id_number(" 11010519491231002x ").number, "11010519491231002X")
        validate_id_number("11010519491231002x")

    def test_age_counts_completed_years(self) -> None:
        """Born 1991-01-01: 34 on 2025-12-31, 35 on 2026-01-01."""
        parsed = parse_id_number("360426199101010071")
        self.assertEqual(parsed.age_on(datetime.date(2025, 12, 31)), 34)
        self.assertEqual(parsed.age_on(datetime.date(2026, 1, 1)), 35)


class InvalidIdNumberTestCase(BaseTestCase):
    def assertRejected(self, value: str, code: str, message: str) -> None:
        with self.assertRaises(ValidationError) as ctx:
            parse_id_number(value)
        self.assertEqual(ctx.exception.code, code)
        self.assertEqual(ctx.exception.messages, [message])

    def test_a_wrong_check_character_is_rejected(self) -> None:
        """110105194912310021 differs from the valid number only in the check character."""
        self.assertRejected("110105194912310021", "id_checksum", "身份证号码校验位错误。")

    def test_an_impossible_birth_date_is_rejected(self) -> None:
        """February 30 and month 13 do not exist, even with a fine region code."""
        for value in ["110105194902300010", "110105194913010010", "110105194900000010"]:
            with self.subTest(value=value):
                self.assertRejected(value, "id_birth_date", "身份证号码中的出生日期不存在。")

    def test_a_wrong_length_is_rejected(self) -> None:
        """15-, 17- and 19-character values and the empty string name the length."""
        for value in ["110105491231002", "11010519491231002", "11010519491231002X1", "", None]:
            with self.subTest(value=value):
                self.assertRejected(value, "id_length", "身份证号码应为 18 位。")

    def test_letters_are_rejected(self) -> None:
        """Only digits and a final X are allowed."""
        for value in ["11010519491231002Y", "A10105194912310021", "1101051949123X002X"]:
            with self.subTest(value=value):
                self.assertRejected(value, "id_format", "身份证号码只能由数字和末位 X 组成。")

    @time_machine.travel(datetime.datetime(2026, 6, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    def test_a_birth_date_in_the_future_is_rejected(self) -> None:
        """At 00:30 on 2026-06-01 (Shanghai) a number born 2026-06-02 is refused, one born that day is not."""
        self.assertRejected(
            "110105202606020013", "id_birth_date", "身份证号码中的出生日期晚于今天。"
        )
        self.assertEqual(
            parse_id_number("110105202606010018").birth_date, datetime.date(2026, 6, 1)
        )
