"""The one-stop hall's events: the case actions write the applicant's SMS in their transaction,
once per state change; the case API lists them without the phone number."""

import datetime
import tempfile
from pathlib import Path

import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings

from zhengtong.lib.encrypted import blind_index
from zhengtong.notify.events import ensure_default_templates
from zhengtong.notify.models import Channel, Message, State
from zhengtong.notify.tasks import send_message
from zhengtong.services.actions.decisions import application_approve, application_refuse
from zhengtong.services.actions.handling import (
    application_handover,
    application_request_correction,
    application_supplement,
)
from zhengtong.services.tests.fixtures import SHANGHAI, CaseTestCase

MONDAY = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)


@time_machine.travel(MONDAY, tick=False)
class CaseEventsTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        ensure_default_templates()

    def events(self, application) -> list[str]:
        return list(
            Message.objects.filter(target_id=str(application.pk))
            .order_by("pk")
            .values_list("event", flat=True)
        )

    def test_the_stored_message_holds_the_phone_only_sealed(self) -> None:
        self.intake()
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM notify_message")
            cells = [cell for row in cursor.fetchall() for cell in row]
        self.assertTrue(cells)
        for cell in cells:
            raw = bytes(cell) if isinstance(cell, (bytes, memoryview)) else str(cell).encode()
            self.assertNotIn(b"05351234", raw)

    def test_an_accepted_case_queues_one_sms_with_receipt_item_and_due_date(self) -> None:
        with self.captureOnCommitCallbacks() as callbacks:
            case = self.intake()
        message = Message.objects.get()
        self.assertEqual(message.event, "case_accepted")
        self.assertEqual(message.channel, Channel.SMS)
        self.assertEqual(message.phone, "13805351234")
        self.assertEqual(
            message.dedupe_key,
            f"case:{case.receipt_no}:case_accepted:sms:p{blind_index('phone', '13805351234')}",
        )
        self.assertIn(case.receipt_no, message.text)
        self.assertIn("测试证明", message.text)
        due = case.due_on
        self.assertIn(f"{due.year}年{due.month}月{due.day}日", message.text)
        self.assertIn("刘*您好", message.text)
        self.assertNotIn("刘芳", message.text)
        self.assertEqual(len(callbacks), 1)

    def test_a_failed_intake_writes_no_message(self) -> None:
        with self.assertRaises(ValidationError):
            self.intake(applicant={**self.applicant, "phone": "12"})
        self.assertFalse(Message.objects.exists())

    def test_the_first_notice_lists_the_missing_materials_then_acceptance(self) -> None:
        case = self.intake(materials=("id",))
        message = Message.objects.get()
        self.assertEqual(message.event, "case_notice")
        self.assertIn("需补正以下材料:户口簿", message.text)
        self.assertIn("3号窗口", message.text)
        application_supplement(actor=self.clerk_a, application=case, materials=["hukou"])
        self.assertEqual(self.events(case), ["case_notice", "case_accepted"])

    def test_a_correction_notice_and_the_resumption(self) -> None:
        case = self.intake()
        application_request_correction(
            actor=self.clerk_a, application=case, materials=["hukou"], note="复印件不清晰"
        )
        application_supplement(actor=self.clerk_a, application=case, materials=["hukou"])
        # The resumed clock is no second acceptance.
        self.assertEqual(self.events(case), ["case_accepted", "case_notice"])
        self.assertIn("户口簿", Message.objects.get(event="case_notice").text)

    def test_done_says_where_to_collect_and_refused_gives_the_reason(self) -> None:
        done = self.intake()
        application_approve(actor=self.clerk_a, application=done)
        text = Message.objects.get(event="case_done").text
        self.assertIn("已办结", text)
        self.assertIn("到刘集镇便民服务中心3号窗口领取测试证明", text)
        self.assertIn("3号窗口", text)
        refused = self.intake()
        application_refuse(actor=self.clerk_a, application=refused, reason="不符合办理条件")
        self.assertIn("理由:不符合办理条件", Message.objects.get(event="case_refused").text)

    def test_a_repeated_action_makes_no_second_message(self) -> None:
        case = self.intake()
        application_approve(actor=self.clerk_a, application=case)
        with self.assertRaises(ValidationError):
            application_approve(actor=self.clerk_a, application=case)
        self.assertEqual(self.events(case), ["case_accepted", "case_done"])

    def test_a_handover_tells_the_new_handler_in_app(self) -> None:
        case = self.intake()
        application_handover(
            actor=self.clerk_a, application=case, to_user=self.clerk_c, reason="请假"
        )
        message = Message.objects.get(event="case_handed_over")
        self.assertEqual(message.user, self.clerk_c)
        self.assertEqual(message.channel, Channel.INAPP)
        self.assertIn(case.receipt_no, message.text)
        self.client.force_login(self.clerk_c)
        page = self.client.get(f"/notify/{message.pk}/")
        self.assertContains(page, f'href="/services/{case.receipt_no}/"')

    def test_the_sent_sms_is_in_the_case_timeline(self) -> None:
        case = self.intake()
        with override_settings(SMS_FILE_PATH=Path(tempfile.mkdtemp()) / "sms.jsonl"):
            send_message.call(Message.objects.get().pk)
        self.assertEqual(Message.objects.get().state, State.SENT)
        self.client.force_login(self.clerk_a)
        data = self.client.get(f"/api/v1/services/applications/{case.receipt_no}/").json()
        self.assertIn("message_sent", [e["action"] for e in data["timeline"]])
        self.assertEqual(data["notifications"][0]["state"], "sent")
        self.assertNotIn("13805351234", str(data["timeline"]))

    def test_the_api_lists_the_case_notifications_newest_last_without_the_phone(self) -> None:
        case = self.intake(materials=("id",))
        with time_machine.travel(MONDAY + datetime.timedelta(hours=1), tick=False):
            application_supplement(actor=self.clerk_a, application=case, materials=["hukou"])
        self.client.force_login(self.clerk_a)
        response = self.client.get(f"/api/v1/services/applications/{case.receipt_no}/")
        self.assertEqual(response.status_code, 200)
        notifications = response.json()["notifications"]
        self.assertEqual([n["event"] for n in notifications], ["case_notice", "case_accepted"])
        self.assertEqual(set(notifications[0]), {"event", "channel", "state", "created_at"})
        self.assertEqual(notifications[0]["channel"], "sms")
        self.assertEqual(notifications[0]["state"], "queued")
        self.assertNotIn("13805351234", response.content.decode())
        self.assertNotIn("5351234", str(notifications))
        # Another hall's clerk gets no case, so no notifications.
        self.client.force_login(self.other_clerk)
        self.assertEqual(
            self.client.get(f"/api/v1/services/applications/{case.receipt_no}/").status_code, 404
        )

    def test_the_case_page_lists_its_notifications_without_the_phone(self) -> None:
        case = self.intake(materials=("id",))
        application_supplement(actor=self.clerk_a, application=case, materials=["hukou"])
        self.client.force_login(self.clerk_a)
        response = self.client.get(f"/services/{case.receipt_no}/")
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        section = body[body.index('<h2 class="h6">通知</h2>') :]
        self.assertLess(section.index("补正告知"), section.index("办件受理"))
        self.assertIn("待发送", section)
        self.assertNotIn("5351234", section)
