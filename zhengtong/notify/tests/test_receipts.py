"""Delivery receipts: each provider's receipt call against its stand-in (which checks the
signature), and the periodic pull that marks an SMS delivered or failed once, leaves a pending
one "sent", and asks again after a provider error."""

import datetime
import os
import tempfile
from pathlib import Path
from unittest import mock

import time_machine
from django.test import TestCase, override_settings

from zhengtong.audit.models import Event
from zhengtong.jobs.schedule import SCHEDULE
from zhengtong.notify.events import ensure_default_templates
from zhengtong.notify.models import Channel, Message, State
from zhengtong.notify.sms import SentSms, SmsMessage, get_backend
from zhengtong.notify.sms.aliyun import AliyunBackend
from zhengtong.notify.sms.base import carrier_reason
from zhengtong.notify.sms.console import FileBackend
from zhengtong.notify.sms.tencent import TencentBackend
from zhengtong.notify.tasks import pull_delivery_receipts, send_message
from zhengtong.services.tests.fixtures import SHANGHAI, CaseTestCase

from . import standins
from .helpers import SmsTestCase, closed_port_url

PHONE = "13800138000"
OTHER = "13900139000"
ALIYUN = "zhengtong.notify.sms.aliyun.AliyunBackend"
TENCENT = "zhengtong.notify.sms.tencent.TencentBackend"


def aliyun_backend(provider, **options) -> AliyunBackend:
    options.setdefault("endpoint", provider.url)
    options.setdefault("access_key_secret", "aliyun-secret")
    return AliyunBackend(access_key_id="LTAI-test", region="cn-hangzhou", **options)


def tencent_backend(provider, **options) -> TencentBackend:
    options.setdefault("endpoint", provider.url)
    options.setdefault("secret_key", "tencent-secret")
    return TencentBackend(
        secret_id="AKID-test",
        sdk_app_id="1400006666",
        region="ap-guangzhou",
        template_params={"100001": ["receipt_no", "due_date"], "100002": []},
        **options,
    )


def sent(result, phone=PHONE) -> SentSms:
    assert result.ok, result
    return SentSms(
        message_id=result.message_id, phone=phone, sent_at=datetime.datetime.now(SHANGHAI)
    )


class AliyunReceiptTestCase(SmsTestCase):
    """QuerySendDetails, one signed call per message (phone, Beijing day, BizId)."""

    def provider(self, **config):
        return self.start(standins.aliyun(**config))

    def send(self, backend, phone=PHONE) -> SentSms:
        return sent(backend.send(SmsMessage(phone, "SMS_100002", sign_name="政通")), phone)

    def test_a_delivered_and_a_failed_message_with_the_reason(self) -> None:
        provider = self.provider(delivery={OTHER: "UNDELIV"}, per_phone_limit=5)
        backend = aliyun_backend(provider)
        first, second = self.send(backend), self.send(backend, OTHER)
        pull = backend.delivery_reports([first, second])
        self.assertEqual(pull.errors, [])
        self.assertEqual(provider.problems, [])
        delivered, failed = pull.reports
        self.assertEqual((delivered.message_id, delivered.delivered), (first.message_id, True))
        self.assertIsNotNone(delivered.received_at)
        self.assertEqual((failed.message_id, failed.delivered), (second.message_id, False))
        self.assertIn("无法送达", failed.reason)
        self.assertIn("UNDELIV", failed.reason)
        query = provider.requests[-1]["params"]
        self.assertEqual(query["Action"], "QuerySendDetails")
        self.assertEqual(query["PhoneNumber"], OTHER)
        self.assertEqual(query["BizId"], second.message_id)
        self.assertEqual(query["SendDate"], datetime.datetime.now(SHANGHAI).strftime("%Y%m%d"))

    def test_a_message_waiting_for_its_receipt_gives_no_report(self) -> None:
        provider = self.provider(delivery={PHONE: None})
        backend = aliyun_backend(provider)
        pull = backend.delivery_reports([self.send(backend)])
        self.assertEqual((pull.reports, pull.errors, provider.problems), ([], [], []))

    def test_a_wrong_secret_is_refused_by_the_signature_check(self) -> None:
        provider = self.provider()
        message = self.send(aliyun_backend(provider))
        pull = aliyun_backend(provider, access_key_secret="wrong").delivery_reports([message])
        self.assertEqual(pull.reports, [])
        self.assertIn("阿里云拒绝了请求签名", pull.errors[0])

    def test_throttling_and_an_unreachable_provider_are_errors_not_reports(self) -> None:
        provider = self.provider()
        backend = aliyun_backend(provider)
        message = self.send(backend)
        provider.mode = "throttled"
        pull = backend.delivery_reports([message])
        self.assertEqual(pull.reports, [])
        self.assertIn("限流", pull.errors[0])
        pull = aliyun_backend(provider, endpoint=closed_port_url()).delivery_reports([message])
        self.assertEqual(pull.reports, [])
        self.assertIn("无法连接阿里云短信服务", pull.errors[0])


class TencentReceiptTestCase(SmsTestCase):
    """PullSmsSendStatus: the app's receipts, each handed out once, signed as SendSms."""

    def provider(self, **config):
        return self.start(standins.tencent(**config))

    def send(self, backend, phone=PHONE) -> SentSms:
        return sent(backend.send(SmsMessage(phone, "100002", sign_name="政通")), phone)

    def test_a_delivered_and_a_failed_message_with_the_reason(self) -> None:
        provider = self.provider(delivery={OTHER: "用户手机号码停机"})
        backend = tencent_backend(provider)
        first, second = self.send(backend), self.send(backend, OTHER)
        pull = backend.delivery_reports([first, second])
        self.assertEqual((pull.errors, provider.problems), ([], []))
        by_id = {r.message_id: r for r in pull.reports}
        self.assertTrue(by_id[first.message_id].delivered)
        self.assertFalse(by_id[second.message_id].delivered)
        self.assertEqual(by_id[second.message_id].reason, "用户手机号码停机")
        request = provider.requests[-1]
        self.assertEqual(request["headers"]["x-tc-action"], "PullSmsSendStatus")
        self.assertEqual(request["body"], {"SmsSdkAppId": "1400006666", "Limit": 100})
        # Handed out once: the next pull finds nothing.
        self.assertEqual(backend.delivery_reports([first, second]).reports, [])

    def test_a_carrier_code_reads_in_chinese(self) -> None:
        provider = self.provider(delivery={PHONE: "EXPIRED"})
        backend = tencent_backend(provider)
        (report,) = backend.delivery_reports([self.send(backend)]).reports
        self.assertIn("超时未送达", report.reason)
        self.assertIn("EXPIRED", report.reason)

    def test_a_message_without_a_receipt_yet_gives_no_report(self) -> None:
        provider = self.provider(delivery={PHONE: None})
        backend = tencent_backend(provider)
        pull = backend.delivery_reports([self.send(backend)])
        self.assertEqual((pull.reports, pull.errors), ([], []))

    def test_a_wrong_key_and_the_rate_limit_are_errors(self) -> None:
        provider = self.provider()
        message = self.send(tencent_backend(provider))
        wrong = tencent_backend(provider, secret_key="wrong").delivery_reports([message])
        self.assertEqual(wrong.reports, [])
        self.assertIn("腾讯云拒绝了请求签名", wrong.errors[0])
        provider.mode = "throttled"
        limited = tencent_backend(provider).delivery_reports([message])
        self.assertEqual(limited.reports, [])
        self.assertIn("频繁", limited.errors[0])
        # The receipt was not handed out by a refused call: it is still there.
        provider.mode = ""
        self.assertEqual(len(tencent_backend(provider).delivery_reports([message]).reports), 1)

    def older(self, message: SentSms, minutes: int) -> SentSms:
        return SentSms(
            message.message_id, message.phone, message.sent_at - datetime.timedelta(minutes=minutes)
        )

    def test_a_receipt_taken_from_the_queue_and_lost_is_asked_for_by_number(self) -> None:
        provider = self.provider(delivery={OTHER: "用户手机号码停机"})
        backend = tencent_backend(provider)
        first, second = self.send(backend), self.send(backend, OTHER)
        # A run that pulled the queue and died before saving: the queue is empty now.
        self.assertEqual(len(backend.delivery_reports([first, second]).reports), 2)
        # Sent a moment ago, the messages are not asked for by number yet.
        self.assertEqual(backend.delivery_reports([first, second]).reports, [])
        self.assertNotIn(
            "PullSmsSendStatusByPhoneNumber",
            [r["headers"]["x-tc-action"] for r in provider.requests],
        )
        # Half an hour later they are, one call per number, and the receipts come back.
        first, second = self.older(first, 31), self.older(second, 31)
        pull = backend.delivery_reports([first, second])
        self.assertEqual((pull.errors, provider.problems), ([], []))
        by_id = {r.message_id: r for r in pull.reports}
        self.assertTrue(by_id[first.message_id].delivered)
        self.assertEqual(by_id[second.message_id].reason, "用户手机号码停机")
        asked = [r for r in provider.requests if r["headers"]["x-tc-action"].endswith("Number")]
        self.assertEqual(
            sorted(r["body"]["PhoneNumber"] for r in asked), sorted([f"+86{OTHER}", f"+86{PHONE}"])
        )
        # Asking again answers the same receipts: nothing depends on one run finishing.
        self.assertEqual(len(backend.delivery_reports([first, second]).reports), 2)

    def test_only_the_numbers_own_messages_are_reported(self) -> None:
        provider = self.provider()
        backend = tencent_backend(provider)
        mine, other = self.send(backend), self.send(backend, OTHER)
        backend.delivery_reports([mine, other])  # the queue is emptied, both lost
        pull = backend.delivery_reports([self.older(mine, 40)])
        self.assertEqual([r.message_id for r in pull.reports], [mine.message_id])

    def test_a_refused_queue_pull_asks_nothing_by_number(self) -> None:
        provider = self.provider()
        message = self.older(self.send(tencent_backend(provider)), 60)
        provider.mode = "throttled"
        pull = tencent_backend(provider).delivery_reports([message])
        self.assertEqual(pull.reports, [])
        self.assertEqual(len(pull.errors), 1)


class CarrierReasonTestCase(TestCase):
    def test_codes_and_descriptions_read_in_chinese(self) -> None:
        self.assertEqual(carrier_reason("", "用户停机"), "用户停机")
        self.assertEqual(carrier_reason("REJECTD"), "被运营商拒收(运营商回执 REJECTD)")
        self.assertEqual(carrier_reason("XY:9999"), "运营商未能送达(运营商回执 XY:9999)")


class ReceiptScheduleTestCase(TestCase):
    def test_the_pull_runs_every_ten_minutes(self) -> None:
        (entry,) = [e for e in SCHEDULE if e.name == "pull_delivery_receipts"]
        self.assertEqual(entry.every_minutes, 10)
        self.assertIs(entry.task(), pull_delivery_receipts)


MONDAY = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)


@time_machine.travel(MONDAY, tick=False)
class ReceiptPullTestCase(CaseTestCase):
    """The periodic task over real case messages, through the configured backend."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        ensure_default_templates()

    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.dict(os.environ, {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"})
        patcher.start()
        self.addCleanup(patcher.stop)

    def aliyun(self, **config):
        config.setdefault("templates", {"SMS_CASE_ACCEPTED": ["receipt_no"]})
        config.setdefault("per_phone_limit", 10)
        provider = standins.aliyun(**config)
        self.addCleanup(provider.stop)
        settings = override_settings(
            SMS_BACKEND=ALIYUN,
            SMS_ALIYUN_ACCESS_KEY_ID="LTAI-test",
            SMS_ALIYUN_ACCESS_KEY_SECRET="aliyun-secret",
            SMS_ALIYUN_ENDPOINT=provider.url,
            SMS_SIGN_NAME="政通",
        )
        settings.enable()
        self.addCleanup(settings.disable)
        return provider

    def sent_case(self):
        """A case accepted at the window, its SMS sent by the provider."""
        case = self.intake()
        message = Message.objects.get(target_id=str(case.pk), channel=Channel.SMS)
        send_message.call(message.pk)
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT, message.last_error)
        return case, message

    def receipt_events(self, message) -> list[str]:
        return list(
            Event.objects.filter(action__in=["message_delivered", "message_undelivered"])
            .filter(changes__message=[None, message.pk])
            .values_list("action", flat=True)
        )

    def test_a_delivered_sms_shows_delivered_in_the_api_page_and_timeline(self) -> None:
        provider = self.aliyun()
        case, message = self.sent_case()
        result = pull_delivery_receipts.call()
        self.assertIn("送达 1 条", result)
        message.refresh_from_db()
        self.assertEqual(message.state, State.DELIVERED)
        self.assertIsNotNone(message.receipt_at)
        self.assertEqual(provider.problems, [])
        self.client.force_login(self.clerk_a)
        data = self.client.get(f"/api/v1/services/applications/{case.receipt_no}/").json()
        self.assertEqual(
            data["notifications"][-1],
            {
                "event": "case_accepted",
                "channel": "sms",
                "state": "delivered",
                "created_at": data["notifications"][-1]["created_at"],
            },
        )
        self.assertNotIn(message.phone, str(data))
        page = self.client.get(f"/services/{case.receipt_no}/").content.decode()
        self.assertIn("短信已送达:办件受理", page)
        section = page[page.index('<h2 class="h6">通知</h2>') :]
        self.assertIn("已送达", section)

    def test_a_failed_delivery_keeps_the_reason_for_the_outbox_and_the_case(self) -> None:
        self.aliyun(delivery={"13805351234": "UNDELIV"})
        case, message = self.sent_case()
        self.assertIn("送达失败 1 条", pull_delivery_receipts.call())
        message.refresh_from_db()
        self.assertEqual(message.state, State.FAILED)
        self.assertIn("无法送达", message.last_error)
        self.assertEqual(self.receipt_events(message), ["message_undelivered"])
        self.client.force_login(self.clerk_a)
        data = self.client.get(f"/api/v1/services/applications/{case.receipt_no}/").json()
        self.assertEqual(data["notifications"][-1]["state"], "failed")
        page = self.client.get(f"/services/{case.receipt_no}/").content.decode()
        self.assertIn("短信送达失败:办件受理(无法送达", page)
        section = page[page.index('<h2 class="h6">通知</h2>') :]
        self.assertIn("送达失败", section)
        self.assertIn("原因:无法送达", section)
        self.assertNotIn("发送失败", section)
        self.client.force_login(self.admin)
        outbox = self.client.get("/notify/outbox/").content.decode()
        self.assertIn("送达失败", outbox)
        self.assertIn("原因:无法送达", outbox)

    def test_a_pending_message_stays_sent_and_is_asked_for_again(self) -> None:
        provider = self.aliyun(delivery={"13805351234": None})
        _case, message = self.sent_case()
        self.assertIn("仍在等待回执 1 条", pull_delivery_receipts.call())
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)
        self.assertEqual(self.receipt_events(message), [])
        provider.config["delivery"] = {}
        pull_delivery_receipts.call()
        message.refresh_from_db()
        self.assertEqual(message.state, State.DELIVERED)

    def test_a_provider_error_is_reported_and_the_next_run_asks_again(self) -> None:
        provider = self.aliyun()
        _case, message = self.sent_case()
        provider.mode = "throttled"
        result = pull_delivery_receipts.call()
        self.assertIn("查询出错,下次再查", result)
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)
        provider.mode = ""
        with time_machine.travel(MONDAY + datetime.timedelta(minutes=10), tick=False):
            pull_delivery_receipts.call()
        message.refresh_from_db()
        self.assertEqual(message.state, State.DELIVERED)

    def test_running_the_pull_again_changes_nothing(self) -> None:
        provider = self.aliyun()
        _case, message = self.sent_case()
        pull_delivery_receipts.call()
        asked = len(provider.requests)
        self.assertIn("没有等待回执", pull_delivery_receipts.call())
        self.assertEqual(len(provider.requests), asked)
        message.refresh_from_db()
        self.assertEqual(message.state, State.DELIVERED)
        self.assertEqual(self.receipt_events(message), ["message_delivered"])

    def test_a_late_receipt_for_a_final_message_is_ignored(self) -> None:
        """A queue-style provider may hand out a receipt again (another worker's pull): the
        message's first final state stays, with one audit row."""
        from zhengtong.notify.sms import DeliveryReport
        from zhengtong.notify.tasks import apply_receipt

        self.aliyun()
        _case, message = self.sent_case()
        now = datetime.datetime.now(SHANGHAI)
        self.assertTrue(apply_receipt(DeliveryReport(message.provider_message_id, True), now))
        late = DeliveryReport(message.provider_message_id, False, reason="运营商未能送达")
        self.assertFalse(apply_receipt(late, now))
        message.refresh_from_db()
        self.assertEqual(message.state, State.DELIVERED)
        self.assertEqual(self.receipt_events(message), ["message_delivered"])

    def test_the_tencent_pull_marks_the_case_message_delivered(self) -> None:
        provider = standins.tencent(templates={"3001": 1}, delivery={})
        self.addCleanup(provider.stop)
        Message.objects.all().delete()
        from zhengtong.notify.models import MessageTemplate

        MessageTemplate.objects.filter(event="case_accepted").update(provider_template_code="3001")
        with override_settings(
            SMS_BACKEND=TENCENT,
            SMS_TENCENT_SECRET_ID="AKID-test",
            SMS_TENCENT_SECRET_KEY="tencent-secret",
            SMS_TENCENT_SDK_APP_ID="1400006666",
            SMS_TENCENT_ENDPOINT=provider.url,
            SMS_TENCENT_TEMPLATE_PARAMS={"3001": ["receipt_no"]},
            SMS_SIGN_NAME="政通",
        ):
            _case, message = self.sent_case()
            self.assertIn("送达 1 条", pull_delivery_receipts.call())
        message.refresh_from_db()
        self.assertEqual(message.state, State.DELIVERED)
        self.assertEqual(provider.problems, [])

    def test_the_file_backend_marks_its_messages_delivered_at_once(self) -> None:
        with override_settings(SMS_FILE_PATH=Path(tempfile.mkdtemp()) / "sms.jsonl"):
            self.assertIsInstance(get_backend(), FileBackend)
            _case, message = self.sent_case()
            pull_delivery_receipts.call()
        message.refresh_from_db()
        self.assertEqual(message.state, State.DELIVERED)
