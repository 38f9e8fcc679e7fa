import json
import logging

from django.test import TestCase, override_settings

from zhengtong.lib.logs import JsonFormatter, MaskPersonalNumbersFilter
from zhengtong.test import BaseTestCase


def render(msg, *args) -> dict:
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, msg, args, None)
    MaskPersonalNumbersFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


class LogMaskingTestCase(TestCase):
    def test_id_and_phone_numbers_in_the_message_are_masked(self) -> None:
        line = render("申请人 11010519491231002X 电话 13812345678")
        self.assertEqual(line["message"], "申请人 110105********002X 电话 138****5678")

    def test_numbers_in_arguments_are_masked_too(self) -> None:
        line = render("%s 的电话是 %s", "11010519491231002X", 13812345678)
        self.assertNotIn("19491231", line["message"])
        self.assertIn("138****5678", line["message"])

    def test_other_numbers_are_left_alone(self) -> None:
        self.assertEqual(render("共 %d 条", 42)["message"], "共 42 条")


class RequestIdTestCase(BaseTestCase):
    @override_settings(TRUSTED_PROXY=True)
    def test_the_proxys_request_id_is_kept(self) -> None:
        r = self.client.get("/health/", HTTP_X_REQUEST_ID="abc123")
        self.assertEqual(r["X-Request-ID"], "abc123")

    @override_settings(TRUSTED_PROXY=False)
    def test_an_untrusted_request_id_is_replaced(self) -> None:
        r = self.client.get("/health/", HTTP_X_REQUEST_ID="abc123")
        self.assertNotEqual(r["X-Request-ID"], "abc123")
