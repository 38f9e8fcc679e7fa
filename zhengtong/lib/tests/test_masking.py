"""Masking per audience: staff see 6+4, the public sees no ID, audit rows never keep full values."""

from zhengtong.lib.masking import (
    mask_for_audit,
    mask_id_internal,
    mask_id_public,
    mask_name_public,
    mask_phone_internal,
)
from zhengtong.test import BaseTestCase

ID = "11010519491231002X"
MASKED_ID = "110105********002X"


class InternalMaskingTestCase(BaseTestCase):
    def test_staff_lists_show_the_first_six_and_last_four(self) -> None:
        """An 18-character ID keeps 110105 and 002X with eight stars between."""
        self.assertEqual(mask_id_internal(ID), MASKED_ID)

    def test_short_or_empty_ids_reveal_nothing(self) -> None:
        """A value too short for 6+4 is all stars; empty stays empty."""
        self.assertEqual(mask_id_internal("123456789"), "*********")
        self.assertEqual(mask_id_internal(""), "")
        self.assertEqual(mask_id_internal(None), "")

    def test_phones_keep_three_and_four(self) -> None:
        """13812345678 → 138****5678; a short value is left alone."""
        self.assertEqual(mask_phone_internal("13812345678"), "138****5678")
        self.assertEqual(mask_phone_internal("110"), "110")
        self.assertEqual(mask_phone_internal(""), "")


class PublicMaskingTestCase(BaseTestCase):
    def test_public_pages_show_no_id_at_all(self) -> None:
        """Not even the region or check digits appear."""
        self.assertEqual(mask_id_public(ID), "")

    def test_names_keep_only_the_first_character(self) -> None:
        """张三 → 张*, 欧阳娜娜 → 欧***, a one-character name still gets a star."""
        self.assertEqual(mask_name_public("张三"), "张*")
        self.assertEqual(mask_name_public("欧阳娜娜"), "欧***")
        self.assertEqual(mask_name_public("张"), "张*")
        self.assertEqual(mask_name_public(""), "")


class AuditMaskingTestCase(BaseTestCase):
    def test_ids_and_phones_nested_in_dicts_and_lists_are_masked(self) -> None:
        """However deep a value sits in the change record, only its masked form is kept."""
        changes = {
            "id_number": [None, ID],
            "household": {"members": [{"id_number": "440524188001010014", "phone": "13812345678"}]},
            "contacts": ("13987654321",),
            "count": 3,
            "flag": True,
            "missing": None,
        }
        self.assertEqual(
            mask_for_audit(changes),
            {
                "id_number": [None, MASKED_ID],
                "household": {
                    "members": [{"id_number": "440524********0014", "phone": "138****5678"}]
                },
                "contacts": ["139****4321"],
                "count": 3,
                "flag": True,
                "missing": None,
            },
        )

    def test_values_inside_chinese_text_are_masked(self) -> None:
        """An ID or phone written straight after Chinese characters is still found."""
        text = "申请人身份证11010519491231002X,联系电话13812345678。"
        self.assertEqual(
            mask_for_audit(text), "申请人身份证110105********002X,联系电话138****5678。"
        )

    def test_lowercase_x_and_country_code_are_masked(self) -> None:
        """11010519491231002x and +8613812345678 keep no middle digits."""
        self.assertEqual(mask_for_audit("11010519491231002x"), "110105********002x")
        self.assertEqual(mask_for_audit("+8613812345678"), "+86138****5678")

    def test_longer_numbers_are_left_alone(self) -> None:
        """A 20-digit order number is neither an ID nor a phone."""
        self.assertEqual(mask_for_audit("12345678901234567890"), "12345678901234567890")

    def test_record_event_stores_masked_changes(self) -> None:
        """The audit log itself never holds the full number."""
        from zhengtong.audit.actions import record_event

        event = record_event(
            actor=self.admin, action="test_masking", changes={"note": f"身份证{ID}"}
        )
        event.refresh_from_db()
        self.assertEqual(event.changes, {"note": f"身份证{MASKED_ID}"})
