"""腾讯云短信: the documented TC3-HMAC-SHA256 signature, and SendSms against the local stand-in."""

from django.test import override_settings

from zhengtong.notify.sms import SmsMessage
from zhengtong.notify.sms.tencent import (
    TencentBackend,
    authorization,
    canonical_request,
    e164,
    sha256_hex,
    string_to_sign,
    utc_date,
)

from . import standins
from .helpers import SmsTestCase, closed_port_url

ACCEPTED = SmsMessage(
    phone="13800138000",
    template_code="100001",
    # Given in another order than the template's: the backend must put them in its order.
    params={"due_date": "2026年12月9日", "receipt_no": "SQ-2026-000123"},
    sign_name="政通",
)
ORDER = {"100001": ["receipt_no", "due_date"], "100002": []}


class DocumentedSignatureTestCase(SmsTestCase):
    """The worked example of 签名方法 v3 (DescribeInstances in ap-guangzhou), step by step."""

    PAYLOAD = (
        b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    )
    HEADERS = {"Content-Type": "application/json; charset=utf-8", "Host": "cvm.tencentcloudapi.com"}

    def test_the_hashed_payload(self) -> None:
        self.assertEqual(
            sha256_hex(self.PAYLOAD),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
        )

    def test_the_canonical_request_and_string_to_sign(self) -> None:
        canonical = canonical_request(
            method="POST",
            query="",
            headers=self.HEADERS,
            signed=["content-type", "host"],
            payload=self.PAYLOAD,
        )
        self.assertEqual(
            canonical,
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\n"
            "host:cvm.tencentcloudapi.com\n\ncontent-type;host\n"
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
        )
        self.assertEqual(
            string_to_sign(timestamp=1551113065, service="cvm", canonical=canonical),
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
        )

    def test_the_authorization_header(self) -> None:
        self.assertEqual(
            authorization(
                secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                service="cvm",
                timestamp=1551113065,
                headers=self.HEADERS,
                signed=["content-type", "host"],
                payload=self.PAYLOAD,
            ),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/"
            "tc3_request, SignedHeaders=content-type;host, "
            "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
        )

    def test_the_date_is_the_utc_day(self) -> None:
        """1551113065 is 2019-02-26 00:44 in Beijing but 2019-02-25 in UTC: the scope says 25."""
        self.assertEqual(utc_date(1551113065), "2019-02-25")

    def test_phone_numbers_become_e164(self) -> None:
        self.assertEqual(e164("13800138000"), "+8613800138000")
        self.assertEqual(e164("138 0013 8000"), "+8613800138000")
        self.assertEqual(e164("008613800138000"), "+8613800138000")
        self.assertEqual(e164("8613800138000"), "+8613800138000")
        self.assertEqual(e164("+8613800138000"), "+8613800138000")


class TencentSendTestCase(SmsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.provider = self.start(standins.tencent())

    def backend(self, **options) -> TencentBackend:
        options.setdefault("secret_id", "AKID-test")
        options.setdefault("secret_key", "tencent-secret")
        options.setdefault("sdk_app_id", "1400006666")
        options.setdefault("region", "ap-guangzhou")
        options.setdefault("endpoint", self.provider.url)
        options.setdefault("template_params", ORDER)
        return TencentBackend(**options)

    def test_a_message_is_sent_with_params_in_the_templates_order(self) -> None:
        """The stand-in verifies the signature; the body has +86 and the ordered params."""
        result = self.backend().send(ACCEPTED)
        self.assertTrue(result.ok, result)
        self.assertTrue(result.message_id.startswith("2640:"), result.message_id)
        self.assertEqual(self.provider.problems, [])
        (request,) = self.provider.requests
        self.assertEqual(
            request["body"],
            {
                "PhoneNumberSet": ["+8613800138000"],
                "SmsSdkAppId": "1400006666",
                "SignName": "政通",
                "TemplateId": "100001",
                "TemplateParamSet": ["SQ-2026-000123", "2026年12月9日"],
            },
        )
        self.assertEqual(request["headers"]["x-tc-region"], "ap-guangzhou")
        self.assertIn(
            "SignedHeaders=content-type;host;x-tc-action,", request["headers"]["authorization"]
        )

    def test_the_secret_never_travels(self) -> None:
        self.backend().send(ACCEPTED)
        self.assertNotIn("tencent-secret", str(self.provider.requests))

    @override_settings(
        SMS_SIGN_NAME="政通",
        SMS_TENCENT_SECRET_ID="AKID-test",
        SMS_TENCENT_SECRET_KEY="tencent-secret",
        SMS_TENCENT_SDK_APP_ID="1400006666",
        SMS_TENCENT_TEMPLATE_PARAMS={"100002": []},
    )
    def test_settings_configure_the_backend(self) -> None:
        backend = TencentBackend(endpoint=self.provider.url)
        result = backend.send(SmsMessage(phone="13800138000", template_code="100002"))
        self.assertTrue(result.ok, result)
        self.assertEqual(self.provider.requests[0]["body"]["SignName"], "政通")
        self.assertEqual(self.provider.requests[0]["body"]["TemplateParamSet"], [])

    def test_the_phone_limit_is_retryable(self) -> None:
        backend = self.backend()
        self.assertTrue(backend.send(ACCEPTED).ok)
        result = backend.send(ACCEPTED)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code),
            (False, True, "LimitExceeded.PhoneNumberThirtySecondLimit"),
        )
        self.assertIn("频繁", result.error_message)

    def test_an_unknown_template_is_final(self) -> None:
        message = SmsMessage("13800138000", "999999", {}, "政通")
        result = self.backend().send(message)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code),
            (False, False, "FailedOperation.TemplateIncorrectOrUnapproved"),
        )
        self.assertIn("模板", result.error_message)

    def test_an_unapproved_signature_is_final(self) -> None:
        message = SmsMessage("13800138000", "100001", ACCEPTED.params, "某某公司")
        result = self.backend().send(message)
        self.assertEqual(
            (result.retryable, result.error_code),
            (False, "FailedOperation.SignatureIncorrectOrUnapproved"),
        )

    def test_an_invalid_phone_is_final(self) -> None:
        message = SmsMessage("12345", "100001", ACCEPTED.params, "政通")
        result = self.backend().send(message)
        self.assertEqual(
            (result.retryable, result.error_code),
            (False, "InvalidParameterValue.IncorrectPhoneNumber"),
        )
        self.assertIn("手机号码", result.error_message)

    def test_a_wrong_secret_gets_the_providers_signature_error(self) -> None:
        result = self.backend(secret_key="not-the-secret").send(ACCEPTED)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code),
            (False, False, "AuthFailure.SignatureFailure"),
        )
        self.assertIn("SMS_TENCENT_SECRET_KEY", result.error_message)
        self.assertEqual(self.provider.problems, [])

    def test_a_wrong_app_id_is_final(self) -> None:
        result = self.backend(sdk_app_id="1400000000").send(ACCEPTED)
        self.assertEqual(
            (result.retryable, result.error_code),
            (False, "UnauthorizedOperation.SmsSdkAppIdVerifyFail"),
        )

    def test_a_template_order_with_too_few_names_is_the_providers_mismatch(self) -> None:
        backend = self.backend(template_params={"100001": ["receipt_no"]})
        result = backend.send(ACCEPTED)
        self.assertEqual(
            (result.retryable, result.error_code),
            (False, "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"),
        )

    def test_a_template_without_configured_order_is_refused_before_any_request(self) -> None:
        result = self.backend(template_params={}).send(ACCEPTED)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code),
            (False, False, "TEMPLATE_PARAMS_ORDER_MISSING"),
        )
        self.assertIn("SMS_TENCENT_TEMPLATE_PARAMS", result.error_message)
        self.assertEqual(self.provider.requests, [])

    def test_a_missing_param_is_refused_before_any_request(self) -> None:
        message = SmsMessage("13800138000", "100001", {"receipt_no": "SQ-1"}, "政通")
        result = self.backend().send(message)
        self.assertEqual((result.retryable, result.error_code), (False, "TEMPLATE_PARAMS_MISSING"))
        self.assertIn("due_date", result.error_message)
        self.assertEqual(self.provider.requests, [])

    def test_a_message_without_signature_is_refused_before_any_request(self) -> None:
        result = self.backend(sign_name="").send(SmsMessage("13800138000", "100002"))
        self.assertEqual((result.retryable, result.error_code), (False, "NO_SIGN_NAME"))
        self.assertEqual(self.provider.requests, [])


class TencentTroubleTestCase(SmsTestCase):
    """A provider that is down, slow, rate-limiting or failing: always retryable."""

    def send(self, endpoint: str, timeout: float = 5):
        backend = TencentBackend(
            secret_id="AKID-test",
            secret_key="tencent-secret",
            sdk_app_id="1400006666",
            region="ap-guangzhou",
            endpoint=endpoint,
            template_params=ORDER,
            timeout=timeout,
        )
        return backend.send(ACCEPTED)

    def test_the_api_rate_limit_is_retryable(self) -> None:
        provider = self.start(standins.tencent(mode="throttled"))
        result = self.send(provider.url)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, True, "RequestLimitExceeded")
        )
        self.assertEqual(provider.problems, [])

    def test_an_internal_error_is_retryable(self) -> None:
        provider = self.start(standins.tencent(mode="internal"))
        result = self.send(provider.url)
        self.assertEqual((result.retryable, result.error_code), (True, "InternalError.OtherError"))

    def test_a_503_page_is_retryable(self) -> None:
        provider = self.start(standins.tencent(mode="unavailable"))
        result = self.send(provider.url)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, True, "HTTP_503")
        )

    def test_a_redirect_is_not_followed(self) -> None:
        """The signed request goes nowhere else: one request, and the 302 is the answer."""
        provider = self.start(standins.tencent(mode="redirect"))
        result = self.send(provider.url)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, True, "HTTP_302")
        )
        self.assertEqual(len(provider.requests), 1)

    def test_a_closed_port_is_retryable(self) -> None:
        with self.assertLogs("zhengtong.notify.sms", "WARNING"):
            result = self.send(closed_port_url())
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, True, "NETWORK_ERROR")
        )
        self.assertIn("无法连接腾讯云短信", result.error_message)

    def test_no_answer_within_the_timeout_is_retryable(self) -> None:
        provider = self.start(standins.tencent(mode="slow"))
        result = self.send(provider.url, timeout=0.2)
        self.assertEqual(
            (result.ok, result.retryable, result.error_code), (False, True, "NETWORK_ERROR")
        )
