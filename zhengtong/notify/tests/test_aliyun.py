"""阿里云短信服务: the documented signature, and SendSms against the local stand-in."""

import json

from django.test import override_settings

from zhengtong.notify.sms import SmsMessage
from zhengtong.notify.sms.aliyun import (
    AliyunBackend,
    percent_encode,
    signature,
    string_to_sign,
)

from . import standins
from .helpers import SmsTestCase, closed_port_url

ACCEPTED = SmsMessage(
    phone="13800138000",
    template_code="SMS_100001",
    params={"receipt_no": "SQ-2026-000123", "due_date": "2026年12月9日"},
    sign_name="政通",
)


class DocumentedSignatureTestCase(SmsTestCase):
    """The worked example of the 签名机制 document, reproduced exactly."""

    PARAMS = {
        "TimeStamp": "2016-02-23T12:46:24Z",
        "Format": "XML",
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    }

    def test_the_string_to_sign_of_the_example(self) -> None:
        self.assertEqual(
            string_to_sign("GET", self.PARAMS),
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
            "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-"
            "4e0ad82fd6cf%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z"
            "%26Version%3D2014-05-26",
        )

    def test_the_signature_of_the_example(self) -> None:
        """testsecret → the HMAC key testsecret& → CT9X0VtwR86fNWSnsc6v8YGOjuE=."""
        self.assertEqual(
            signature("testsecret", "GET", self.PARAMS), "CT9X0VtwR86fNWSnsc6v8YGOjuE="
        )

    def test_percent_encoding_follows_rfc_3986(self) -> None:
        """Space is %20 (not +), * is %2A, ~ stays, Chinese is UTF-8."""
        self.assertEqual(percent_encode("a b*c~d+e"), "a%20b%2Ac~d%2Be")
        self.assertEqual(percent_encode("政通"), "%E6%94%BF%E9%80%9A")


class AliyunSendTestCase(SmsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.provider = self.start(standins.aliyun())

    def backend(self, **options) -> AliyunBackend:
        options.setdefault("access_key_id", "LTAI-test")
        options.setdefault("access_key_secret", "aliyun-secret")
        options.setdefault("endpoint", self.provider.url)
        options.setdefault("region", "cn-hangzhou")
        return AliyunBackend(**options)

    def test_a_message_is_sent_and_keeps_the_provider_id(self) -> None:
        """The stand-in verifies the signature and answers OK; the result carries its BizId."""
        result = self.backend().send(ACCEPTED)
        self.assertTrue(result.ok, result)
        self.assertEqual(self.provider.problems, [])
        (request,) = self.provider.requests
        params = request["params"]
        self.assertEqual(params["PhoneNumbers"], "13800138000")
        self.assertEqual(params["SignName"], "政通")
        self.assertEqual(params["TemplateCode"], "SMS_100001")
        self.assertEqual(json.loads(params["TemplateParam"]), ACCEPTED.params)
        self.assertTrue(result.message_id.endswith("^1"), result.message_id)
        self.assertFalse(result.retryable)

    def test_the_secret_never_travels(self) -> None:
        self.backend().send(ACCEPTED)
        (request,) = self.provider.requests
        self.assertNotIn("aliyun-secret", json.dumps(request, ensure_ascii=False))

    @override_settings(SMS_SIGN_NAME="政通")
    def test_the_configured_signature_is_used_when_the_message_names_none(self) -> None:
        message = SmsMessage(phone="+86 138 0013 8000", template_code="SMS_100002")
        result = self.backend().send(message)
        self.assertTrue(result.ok, result)
        (request,) = self.provider.requests
        self.assertEqual(request["params"]["SignName"], "政通")
        self.assertEqual(request["params"]["PhoneNumbers"], "13800138000")
        self.assertNotIn("TemplateParam", request["params"])

    def test_reserved_characters_and_chinese_survive_the_signature(self) -> None:
        params = {"receipt_no": "A&B=C +*~/%", "due_date": "12月9日(周三)"}
        message = SmsMessage("13800138000", "SMS_100001", params, "政通")
        result = self.backend().send(message)
        self.assertTrue(result.ok, result)
        self.assertEqual(json.loads(self.provider.requests[0]["params"]["TemplateParam"]), params)

    def test_each_request_has_a_new_nonce(self) -> None:
        """The provider refuses a nonce seen before; two messages are two nonces."""
        other = SmsMessage("13900139000", "SMS_100001", ACCEPTED.params, "政通")
        self.assertTrue(self.backend().send(ACCEPTED).ok)
        self.assertTrue(self.backend().send(other).ok)
        self.assertEqual(self.provider.problems, [])

    def test_the_phone_limit_is_retryable(self) -> None:
        """A second message to the same phone within the minute: isv.BUSINESS_LIMIT_CONTROL."""
        backend = self.backend()
        self.assertTrue(backend.send(ACCEPTED).ok)
        result = backend.send(ACCEPTED)
        self.assertFalse(result.ok)
        self.assertTrue(result.retryable)
        self.assertEqual(result.error_code, "isv.BUSINESS_LIMIT_CONTROL")
        self.assertIn("限流", result.error_message)

    def test_an_unknown_template_is_final(self) -> None:
        message = SmsMessage("13800138000", "SMS_999999", ACCEPTED.params, "政通")
        result = self.backend().send(message)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code),
            (False, False, "isv.SMS_TEMPLATE_ILLEGAL"),
        )
        self.assertIn("模板", result.error_message)
        self.assertEqual(self.provider.problems, [])

    def test_an_unapproved_signature_is_final(self) -> None:
        message = SmsMessage("13800138000", "SMS_100001", ACCEPTED.params, "某某公司")
        result = self.backend().send(message)
        self.assertEqual(
            (result.retryable, result.error_code), (False, "isv.SMS_SIGNATURE_ILLEGAL")
        )
        self.assertIn("签名", result.error_message)

    def test_an_invalid_phone_is_final(self) -> None:
        message = SmsMessage("12345", "SMS_100001", ACCEPTED.params, "政通")
        result = self.backend().send(message)
        self.assertEqual(
            (result.retryable, result.error_code), (False, "isv.MOBILE_NUMBER_ILLEGAL")
        )
        self.assertIn("手机号码", result.error_message)

    def test_a_missing_template_variable_is_final(self) -> None:
        message = SmsMessage("13800138000", "SMS_100001", {"receipt_no": "SQ-1"}, "政通")
        result = self.backend().send(message)
        self.assertEqual(
            (result.retryable, result.error_code), (False, "isv.TEMPLATE_MISSING_PARAMETERS")
        )

    def test_a_wrong_secret_gets_the_providers_signature_error(self) -> None:
        result = self.backend(access_key_secret="not-the-secret").send(ACCEPTED)
        self.assertEqual((result.ok, result.retryable), (False, False))
        self.assertEqual(result.error_code, "SignatureDoesNotMatch")
        self.assertIn("SMS_ALIYUN_ACCESS_KEY_SECRET", result.error_message)
        self.assertEqual(len(self.provider.requests), 1)

    def test_an_unknown_access_key_is_final(self) -> None:
        result = self.backend(access_key_id="LTAI-nobody").send(ACCEPTED)
        self.assertEqual(
            (result.retryable, result.error_code), (False, "InvalidAccessKeyId.NotFound")
        )

    def test_a_backend_without_keys_is_refused_before_any_request(self) -> None:
        result = self.backend(access_key_id="").send(ACCEPTED)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, False, "NOT_CONFIGURED")
        )
        self.assertIn("SMS_ALIYUN_ACCESS_KEY_ID", result.error_message)
        self.assertEqual(self.provider.requests, [])

    def test_a_message_without_phone_is_refused_before_any_request(self) -> None:
        result = self.backend().send(SmsMessage(" ", "SMS_100001", {}, "政通"))
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, False, "NO_PHONE")
        )
        self.assertEqual(self.provider.requests, [])


class AliyunTroubleTestCase(SmsTestCase):
    """A provider that is down, slow, rate-limiting or failing: always retryable."""

    def send(self, endpoint: str, timeout: float = 5):
        backend = AliyunBackend(
            access_key_id="LTAI-test",
            access_key_secret="aliyun-secret",
            endpoint=endpoint,
            region="cn-hangzhou",
            timeout=timeout,
        )
        return backend.send(ACCEPTED)

    def test_api_throttling_is_retryable(self) -> None:
        provider = self.start(standins.aliyun(mode="throttled"))
        result = self.send(provider.url)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, True, "Throttling.User")
        )

    def test_an_internal_error_is_retryable(self) -> None:
        provider = self.start(standins.aliyun(mode="internal"))
        result = self.send(provider.url)
        self.assertEqual((result.retryable, result.error_code), (True, "InternalError"))

    def test_a_503_page_is_retryable(self) -> None:
        provider = self.start(standins.aliyun(mode="unavailable"))
        result = self.send(provider.url)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, True, "HTTP_503")
        )
        self.assertIn("阿里云", result.error_message)

    def test_a_closed_port_is_retryable(self) -> None:
        with self.assertLogs("zhengtong.notify.sms", "WARNING"):
            result = self.send(closed_port_url())
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, True, "NETWORK_ERROR")
        )
        self.assertIn("无法连接阿里云短信服务", result.error_message)

    def test_no_answer_within_the_timeout_is_retryable(self) -> None:
        provider = self.start(standins.aliyun(mode="slow"))
        result = self.send(provider.url, timeout=0.2)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, True, "NETWORK_ERROR")
        )
