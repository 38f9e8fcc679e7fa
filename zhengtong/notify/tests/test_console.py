"""The development backend: one JSON line per message, holding what the message held."""

import json
import tempfile
from datetime import datetime
from pathlib import Path

from django.test import override_settings

from zhengtong.notify.sms import SmsMessage, get_backend
from zhengtong.notify.sms.console import FileBackend

from .helpers import SmsTestCase

MESSAGE = SmsMessage(
    phone="13800138000",
    template_code="SMS_CASE_ACCEPTED",
    params={"receipt_no": "SQ-2026-000123", "due_date": "2026年12月9日", "item": "低保申请"},
    sign_name="政通",
)


class FileBackendTestCase(SmsTestCase):
    def setUp(self) -> None:
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.path = Path(directory.name) / "var" / "sms-outbox.jsonl"

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.path.read_text("utf-8").splitlines()]

    def test_a_message_is_one_line_with_exactly_what_it_was_given(self) -> None:
        """The line: the generated id, the time, and the message's own fields, nothing more."""
        with override_settings(SMS_FILE_PATH=self.path, SMS_ALIYUN_ACCESS_KEY_SECRET="s3cr3t"):
            result = get_backend().send(MESSAGE)
        self.assertTrue(result.ok)
        self.assertFalse(result.retryable)
        (line,) = self.lines()
        sent_at = datetime.fromisoformat(line.pop("sent_at"))
        self.assertIsNotNone(sent_at.tzinfo)
        self.assertEqual(
            line,
            {
                "message_id": result.message_id,
                "phone": "13800138000",
                "sign_name": "政通",
                "template_code": "SMS_CASE_ACCEPTED",
                "params": MESSAGE.params,
            },
        )
        self.assertNotIn("s3cr3t", self.path.read_text("utf-8"))

    def test_chinese_is_written_as_text(self) -> None:
        FileBackend(path=self.path).send(MESSAGE)
        self.assertIn("低保申请", self.path.read_text("utf-8"))

    def test_messages_are_appended_with_distinct_ids(self) -> None:
        backend = FileBackend(path=self.path)
        first = backend.send(MESSAGE)
        second = backend.send(SmsMessage("13900139000", "SMS_CASE_DONE", {}, "政通"))
        self.assertNotEqual(first.message_id, second.message_id)
        self.assertEqual(
            [line["message_id"] for line in self.lines()], [first.message_id, second.message_id]
        )
        self.assertEqual(self.lines()[1]["params"], {})

    @override_settings(SMS_SIGN_NAME="聊城经开区")
    def test_the_configured_signature_fills_an_empty_one(self) -> None:
        FileBackend(path=self.path).send(SmsMessage("13800138000", "SMS_CASE_DONE"))
        self.assertEqual(self.lines()[0]["sign_name"], "聊城经开区")

    def test_the_log_line_masks_the_phone_and_leaves_out_the_params(self) -> None:
        with self.assertLogs("zhengtong.notify.sms", "INFO") as logs:
            result = FileBackend(path=self.path).send(MESSAGE)
        output = "\n".join(logs.output)
        self.assertIn("138****8000", output)
        self.assertIn(result.message_id, output)
        self.assertNotIn("13800138000", output)
        self.assertNotIn("SQ-2026-000123", output)

    def test_the_file_is_private_to_its_owner(self) -> None:
        FileBackend(path=self.path).send(MESSAGE)
        self.assertEqual(self.path.stat().st_mode & 0o077, 0)

    def test_an_incomplete_message_is_refused_and_not_written(self) -> None:
        result = FileBackend(path=self.path, sign_name="").send(
            SmsMessage("13800138000", "SMS_CASE_DONE")
        )
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, False, "NO_SIGN_NAME")
        )
        self.assertIn("SMS_SIGN_NAME", result.error_message)
        result = FileBackend(path=self.path).send(SmsMessage("13800138000", "", {}, "政通"))
        self.assertEqual(result.error_code, "NO_TEMPLATE")
        self.assertFalse(self.path.exists())

    def test_an_unwritable_file_is_retryable(self) -> None:
        self.path.mkdir(parents=True)  # a directory where the file should be
        with self.assertLogs("zhengtong.notify.sms", "WARNING"):
            result = FileBackend(path=self.path).send(MESSAGE)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, True, "FILE_ERROR")
        )
