"""The outbox: one message per change however often it is saved, nothing for a rolled-back
change, and the send task's rules (quiet hours, daily cap, backoff, masking, audit)."""

import datetime
import json
import tempfile
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction
from django.test import TestCase, override_settings
from django_tasks import task_backends

from zhengtong.audit.models import Event
from zhengtong.notify.events import ensure_default_templates
from zhengtong.notify.models import Channel, Message, MessageTemplate, State
from zhengtong.notify.outbox import Recipient, notify
from zhengtong.notify.rendering import UnsafeContent, render
from zhengtong.notify.sms import SmsResult
from zhengtong.notify.tasks import send_message
from zhengtong.test import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
PHONE = "13805351234"
CONTEXT = {
    "name": "刘芳",
    "receipt_no": "BM001",
    "item": "测试证明",
    "due_on": "2026年11月27日",
    "hall": "刘集镇便民服务中心",
    "window": "3号窗口",
}


def at(hour: int, minute: int = 0, day: int = 20) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def queued_jobs() -> list:
    return task_backends["default"].results  # type: ignore[attr-defined]


@override_settings(TASKS=DUMMY)
class OutboxTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        ensure_default_templates()
        cls.staff = make_user("staff", full_name="王芳")

    def setUp(self) -> None:
        task_backends["default"].results.clear()  # type: ignore[attr-defined]
        self.sms_dir = Path(tempfile.mkdtemp())
        patcher = override_settings(SMS_FILE_PATH=self.sms_dir / "sms.jsonl")
        patcher.enable()
        self.addCleanup(patcher.disable)

    def accepted(self, *, dedupe="case:BM001:case_accepted", phone=PHONE, urgent=False):
        with self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                return notify(
                    event="case_accepted",
                    target=self.staff,
                    recipients=[Recipient.resident(phone, "刘芳")],
                    context=CONTEXT,
                    dedupe=dedupe,
                    urgent=urgent,
                )

    def sms_lines(self) -> list[dict]:
        path = self.sms_dir / "sms.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    # ---- the door --------------------------------------------------------------------

    def test_the_same_change_saved_twice_makes_one_message_and_one_job(self) -> None:
        first = self.accepted()
        second = self.accepted()
        self.assertEqual(Message.objects.count(), 1)
        self.assertEqual(first[0].pk, second[0].pk)
        self.assertEqual(len(queued_jobs()), 1)
        self.assertEqual(queued_jobs()[0].args, [first[0].pk])

    def test_a_rolled_back_change_writes_and_queues_nothing(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            with self.assertRaises(RuntimeError), transaction.atomic():
                notify(
                    event="case_accepted",
                    target=self.staff,
                    recipients=[Recipient.resident(PHONE, "刘芳")],
                    context=CONTEXT,
                    dedupe="case:BM001:case_accepted",
                )
                raise RuntimeError("业务操作失败")
        self.assertEqual(callbacks, [])
        self.assertFalse(Message.objects.exists())
        self.assertEqual(queued_jobs(), [])

    def test_the_sms_text_shows_the_name_masked(self) -> None:
        message = self.accepted()[0]
        self.assertIn("刘*您好", message.text)
        self.assertNotIn("刘芳", message.text)
        self.assertIn("受理编号BM001", message.text)
        self.assertIn("承诺办结日期2026年11月27日", message.text)
        self.assertEqual(message.state, State.QUEUED)

    def test_a_full_id_number_is_refused(self) -> None:
        with self.assertRaises(UnsafeContent):
            notify(
                event="case_accepted",
                target=None,
                recipients=[Recipient.resident(PHONE, "刘芳")],
                context={**CONTEXT, "item": "身份证 11010519491231002X"},
                dedupe="x",
            )
        self.assertFalse(Message.objects.exists())

    def test_a_full_name_anywhere_in_an_sms_is_masked(self) -> None:
        text = render(
            "{reason},请{hall}联系",
            {"reason": "刘芳材料不齐", "hall": "大厅"},
            channel="sms",
            recipient_name="刘芳",
        )
        self.assertEqual(text, "刘*材料不齐,请大厅联系")
        inapp = render("{name}", {"name": "刘芳"}, channel="inapp")
        self.assertEqual(inapp, "刘芳")

    def test_an_item_template_overrides_the_general_one(self) -> None:
        from zhengtong.services.models import ServiceItem

        item = ServiceItem.objects.create(
            code="X1",
            name="特别事项",
            department="d",
            legal_basis="b",
            promised_workdays=5,
            legal_workdays=20,
        )
        MessageTemplate.objects.create(
            event="case_accepted",
            channel="sms",
            item=item,
            text="特别:{receipt_no}",
            provider_template_code="SMS_X",
        )
        message = notify(
            event="case_accepted",
            target=None,
            recipients=[Recipient.resident(PHONE, "刘芳")],
            context=CONTEXT,
            dedupe="y",
            item=item,
        )[0]
        self.assertEqual(message.text, "特别:BM001")
        self.assertEqual(message.template_code, "SMS_X")

    def test_a_landline_gets_a_failed_message_and_no_job(self) -> None:
        message = self.accepted(phone="0535-6281234")[0]
        self.assertEqual(message.state, State.FAILED)
        self.assertIn("不是手机号码", message.last_error)
        self.assertEqual(queued_jobs(), [])

    def test_an_event_without_an_active_template_sends_nothing(self) -> None:
        MessageTemplate.objects.filter(event="case_accepted").update(is_active=False)
        self.assertEqual(self.accepted(), [])
        self.assertFalse(Message.objects.exists())

    # ---- the send task ---------------------------------------------------------------

    def test_an_sms_in_office_hours_is_sent_once_and_audited_without_the_phone(self) -> None:
        message = self.accepted()[0]
        with time_machine.travel(at(10), tick=False):
            send_message.call(message.pk)
            again = send_message.call(message.pk)  # a retried job: nothing more
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)
        self.assertEqual(message.attempts, 1)
        self.assertTrue(message.provider_message_id.startswith("dev-"))
        self.assertIn("不再发送", again)
        lines = self.sms_lines()
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0]["phone"], PHONE)
        self.assertEqual(lines[0]["template_code"], "SMS_CASE_ACCEPTED")
        self.assertEqual(lines[0]["params"]["name"], "刘*")
        events = Event.objects.filter(action="message_sent")
        self.assertEqual(events.count(), 1)
        self.assertNotIn("5351234", json.dumps(events[0].changes, ensure_ascii=False))
        self.assertNotIn("1234", events[0].target_repr)

    def test_in_app_messages_are_sent_at_once_even_at_night(self) -> None:
        message = notify(
            event="case_handed_over",
            target=None,
            recipients=[Recipient.staff(self.staff)],
            context={
                "receipt_no": "BM001",
                "item": "测试证明",
                "from_user": "张敏",
                "reason": "请假",
            },
            dedupe="h",
        )[0]
        with time_machine.travel(at(23), tick=False):
            send_message.call(message.pk)
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)
        self.assertEqual(message.channel, Channel.INAPP)

    def test_quiet_hours_move_an_sms_to_eight_in_the_morning(self) -> None:
        message = self.accepted()[0]
        queued_jobs().clear()
        with (
            time_machine.travel(at(21, 30), tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            send_message.call(message.pk)
        message.refresh_from_db()
        self.assertEqual(message.state, State.QUEUED)
        self.assertEqual(message.attempts, 0)
        self.assertEqual(message.next_attempt_at, at(8, day=21))
        self.assertEqual(len(queued_jobs()), 1)
        self.assertEqual(queued_jobs()[0].task.run_after, at(8, day=21))
        self.assertEqual(self.sms_lines(), [])
        # Early in the morning too: the same day's 08:00.
        with time_machine.travel(at(7, 59, day=21), tick=False):
            self.assertIn("未到发送时间", send_message.call(message.pk))
        with time_machine.travel(at(8, day=21), tick=False):
            send_message.call(message.pk)
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)

    def test_an_urgent_sms_is_sent_in_quiet_hours(self) -> None:
        message = self.accepted(urgent=True)[0]
        with time_machine.travel(at(23), tick=False):
            send_message.call(message.pk)
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)

    @override_settings(NOTIFY_SMS_DAILY_CAP=2)
    def test_the_daily_cap_per_phone_fails_the_next_sms(self) -> None:
        with time_machine.travel(at(10), tick=False):
            for n in range(3):
                send_message.call(self.accepted(dedupe=f"case:{n}")[0].pk)
        states = list(Message.objects.order_by("pk").values_list("state", flat=True))
        self.assertEqual(states, [State.SENT, State.SENT, State.FAILED])
        self.assertIn("每日上限", Message.objects.order_by("pk").last().last_error)
        self.assertEqual(len(self.sms_lines()), 2)
        # The next day counts afresh.
        with time_machine.travel(at(10, day=21), tick=False):
            send_message.call(self.accepted(dedupe="case:next")[0].pk)
        self.assertEqual(Message.objects.get(dedupe_key__startswith="case:next").state, State.SENT)

    def test_provider_errors_are_retried_after_1_5_and_30_minutes_then_failed(self) -> None:
        message = self.accepted()[0]
        busy = SmsResult.failed("Throttling", "短信平台繁忙,稍后重试。", retryable=True)
        now = at(10)
        waits = []
        with mock.patch("zhengtong.notify.tasks.get_backend") as backend:
            backend.return_value.send.return_value = busy
            for _ in range(4):
                queued_jobs().clear()
                with (
                    time_machine.travel(now, tick=False),
                    self.captureOnCommitCallbacks(execute=True),
                ):
                    send_message.call(message.pk)
                message.refresh_from_db()
                if message.state == State.QUEUED:
                    waits.append(message.next_attempt_at - now)
                    self.assertEqual(queued_jobs()[0].task.run_after, message.next_attempt_at)
                    now = message.next_attempt_at
        minutes = [int(w.total_seconds() // 60) for w in waits]
        self.assertEqual(minutes, [1, 5, 30])
        self.assertEqual(message.state, State.FAILED)
        self.assertEqual(message.attempts, 4)
        self.assertEqual(message.last_error, "短信平台繁忙,稍后重试。")
        self.assertFalse(Event.objects.filter(action="message_sent").exists())

    def test_a_retry_that_succeeds_sends_exactly_once(self) -> None:
        message = self.accepted()[0]
        busy = SmsResult.failed("Throttling", "短信平台繁忙。", retryable=True)
        with mock.patch("zhengtong.notify.tasks.get_backend") as backend:
            backend.return_value.send.side_effect = [busy, SmsResult.sent("p-1")]
            with time_machine.travel(at(10), tick=False):
                send_message.call(message.pk)
            with time_machine.travel(at(10, 1), tick=False):
                send_message.call(message.pk)
                send_message.call(message.pk)
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)
        self.assertEqual(message.provider_message_id, "p-1")
        self.assertEqual(backend.return_value.send.call_count, 2)
        self.assertEqual(Event.objects.filter(action="message_sent").count(), 1)

    def test_a_non_retryable_error_fails_at_once(self) -> None:
        message = self.accepted()[0]
        bad = SmsResult.failed(
            "isv.SMS_TEMPLATE_ILLEGAL", "短信模板不存在或未审核通过。", retryable=False
        )
        with mock.patch("zhengtong.notify.tasks.get_backend") as backend:
            backend.return_value.send.return_value = bad
            with (
                time_machine.travel(at(10), tick=False),
                self.captureOnCommitCallbacks() as callbacks,
            ):
                send_message.call(message.pk)
        message.refresh_from_db()
        self.assertEqual(message.state, State.FAILED)
        self.assertEqual(message.attempts, 1)
        self.assertEqual(message.last_error, "短信模板不存在或未审核通过。")
        self.assertEqual(callbacks, [])
