"""Choosing the backend (SMS_BACKEND) and the system checks that catch a wrong configuration."""

from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from zhengtong.notify.sms import get_backend
from zhengtong.notify.sms.aliyun import AliyunBackend
from zhengtong.notify.sms.checks import sms_backend_check, sms_dev_backend_check
from zhengtong.notify.sms.console import FileBackend
from zhengtong.notify.sms.tencent import TencentBackend

from .helpers import SmsTestCase

ALIYUN = "zhengtong.notify.sms.aliyun.AliyunBackend"
TENCENT = "zhengtong.notify.sms.tencent.TencentBackend"


class GetBackendTestCase(SmsTestCase):
    def test_the_default_is_the_development_file(self) -> None:
        self.assertIsInstance(get_backend(), FileBackend)

    @override_settings(SMS_BACKEND=ALIYUN)
    def test_the_setting_chooses_the_provider(self) -> None:
        self.assertIsInstance(get_backend(), AliyunBackend)
        self.assertIsInstance(get_backend(TENCENT), TencentBackend)

    def test_options_override_the_settings(self) -> None:
        backend = get_backend(ALIYUN, endpoint="http://127.0.0.1:9/", timeout=1.5)
        self.assertEqual((backend.endpoint, backend.timeout), ("http://127.0.0.1:9/", 1.5))

    def test_a_wrong_path_is_a_configuration_error(self) -> None:
        for path in [
            "zhengtong.notify.sms.nowhere.Backend",
            "zhengtong.notify.sms.base.SmsMessage",
        ]:
            with self.subTest(path=path), self.assertRaisesMessage(ImproperlyConfigured, path):
                get_backend(path)


class ChecksTestCase(SmsTestCase):
    def ids(self, messages) -> list[str]:
        return [message.id for message in messages]

    def test_the_development_backend_passes_and_warns_on_deploy(self) -> None:
        self.assertEqual(sms_backend_check(), [])
        self.assertEqual(self.ids(sms_dev_backend_check()), ["notify.W001"])

    @override_settings(SMS_BACKEND="zhengtong.notify.sms.nowhere.Backend")
    def test_a_backend_that_cannot_load_is_an_error(self) -> None:
        self.assertEqual(self.ids(sms_backend_check()), ["notify.E001"])
        self.assertEqual(sms_dev_backend_check(), [])

    @override_settings(
        SMS_BACKEND=ALIYUN, SMS_ALIYUN_ACCESS_KEY_ID="", SMS_ALIYUN_ACCESS_KEY_SECRET=""
    )
    def test_aliyun_without_keys_names_them(self) -> None:
        errors = sms_backend_check()
        self.assertEqual(self.ids(errors), ["notify.E002", "notify.E002"])
        text = " ".join(error.msg for error in errors)
        self.assertIn("SMS_ALIYUN_ACCESS_KEY_ID", text)
        self.assertIn("SMS_ALIYUN_ACCESS_KEY_SECRET", text)

    @override_settings(
        SMS_BACKEND=TENCENT,
        SMS_TENCENT_SECRET_ID="AKID-test",
        SMS_TENCENT_SECRET_KEY="tencent-secret",
        SMS_TENCENT_SDK_APP_ID="1400006666",
        SMS_TENCENT_ENDPOINT="http://sms.tencentcloudapi.com/",
    )
    def test_a_plain_http_endpoint_is_an_error_except_on_this_machine(self) -> None:
        (error,) = sms_backend_check()
        self.assertIn("https", error.msg)
        with override_settings(SMS_TENCENT_ENDPOINT="http://127.0.0.1:8080/"):
            self.assertEqual(sms_backend_check(), [])

    @override_settings(
        SMS_BACKEND=TENCENT,
        SMS_TENCENT_SECRET_ID="AKID-test",
        SMS_TENCENT_SECRET_KEY="tencent-secret",
        SMS_TENCENT_SDK_APP_ID="1400006666",
    )
    def test_a_complete_provider_configuration_passes(self) -> None:
        self.assertEqual(sms_backend_check(), [])
        self.assertEqual(sms_dev_backend_check(), [])
