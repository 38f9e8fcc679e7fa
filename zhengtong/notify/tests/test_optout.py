"""退订: an opted-out phone gets no reminder by SMS but still every notice the law or its case
requires; the decision is one table; the resident opts out on a public page with an SMS code,
or at the window on their case; no plain phone number is kept for it."""

import datetime
import tempfile
from pathlib import Path
from unittest import mock

import time_machine
from django.contrib.sessions.models import Session
from django.test import override_settings

from zhengtong.accounts.models import RateCounter
from zhengtong.audit.models import Event
from zhengtong.lib.encrypted import blind_index
from zhengtong.notify.events import EVENTS, ensure_default_templates
from zhengtong.notify.models import Message, MessageTemplate, OptOut, State
from zhengtong.notify.optout import SMS_DECISIONS, is_opted_out, optout_set
from zhengtong.notify.outbox import Recipient, notify
from zhengtong.notify.tasks import send_message
from zhengtong.services.actions.handling import application_request_correction
from zhengtong.services.tests.fixtures import SHANGHAI, CaseTestCase
from zhengtong.test import BaseTestCase

PHONE = "13905351234"
NOON = datetime.datetime(2026, 11, 16, 12, 0, tzinfo=SHANGHAI)
URL = "/public/sms/optout/"


def sms_template(event: str) -> None:
    """An SMS text for events whose seeded template is in-app only."""
    MessageTemplate.objects.get_or_create(
        event=event,
        channel="sms",
        item=None,
        defaults={"text": "政务提醒:{text}", "provider_template_code": f"SMS_{event.upper()}"},
    )


def send(event: str, key: str = "1") -> Message:
    [message] = notify(
        event=event,
        target=None,
        recipients=[Recipient.resident(PHONE, "刘芳")],
        context={"text": "待办事项今天到期。"},
        dedupe=f"test:{event}:{key}",
    )
    return message


@time_machine.travel(NOON, tick=False)
class DecisionTableTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        ensure_default_templates()
        for event in EVENTS:
            sms_template(event)
        optout_set(phone=PHONE, opted_out=True, source=OptOut.Source.PUBLIC)

    def test_every_event_is_decided_with_a_chinese_reason(self) -> None:
        self.assertEqual(set(SMS_DECISIONS), set(EVENTS))
        for event, decision in SMS_DECISIONS.items():
            self.assertRegex(decision.reason, r"[\u4e00-\u9fff]{4}", event)

    def test_case_notices_and_payments_still_go_to_an_opted_out_phone(self) -> None:
        for event in ("case_accepted", "case_notice", "case_done", "case_refused"):
            self.assertEqual(send(event).state, State.QUEUED, event)
        self.assertEqual(send("payment_approved").state, State.QUEUED)
        self.assertEqual(send("hazard_notice").state, State.QUEUED)
        self.assertEqual(send("sms_code").state, State.QUEUED)

    def test_reminders_and_callbacks_are_kept_as_opted_out_and_not_queued(self) -> None:
        for event in ("reminder", "callback_scheduled", "leader_digest"):
            with mock.patch("zhengtong.notify.outbox.enqueue_on_commit") as enqueue:
                message = send(event)
            self.assertEqual(message.state, State.OPTED_OUT, event)
            self.assertEqual(message.get_state_display(), "已退订未发送")
            self.assertIn("已退订", message.last_error)
            enqueue.assert_not_called()

    def test_each_event_follows_its_row_of_the_table(self) -> None:
        for event, decision in SMS_DECISIONS.items():
            state = send(event, key="table").state
            self.assertEqual(state == State.QUEUED, decision.essential, event)

    def test_an_in_app_message_is_not_touched_by_an_opt_out(self) -> None:
        [message] = notify(
            event="reminder",
            target=None,
            recipients=[Recipient.staff(self.clerk)],
            context={"text": "x"},
            dedupe="test:inapp",
        )
        self.assertEqual(message.state, State.QUEUED)

    def test_opting_back_in_lets_reminders_go_again(self) -> None:
        optout_set(phone=PHONE, opted_out=False, source=OptOut.Source.PUBLIC)
        self.assertFalse(is_opted_out(PHONE))
        self.assertEqual(send("reminder").state, State.QUEUED)
        self.assertEqual(OptOut.objects.count(), 1)

    def test_a_reminder_queued_before_the_opt_out_is_not_sent(self) -> None:
        optout_set(phone=PHONE, opted_out=False, source=OptOut.Source.PUBLIC)
        message = send("reminder")
        optout_set(phone=PHONE, opted_out=True, source=OptOut.Source.PUBLIC)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "sms.jsonl"
            with override_settings(SMS_FILE_PATH=path):
                send_message.call(message.pk)
            self.assertFalse(path.exists())  # nothing reached the backend
        message.refresh_from_db()
        self.assertEqual(message.state, State.OPTED_OUT)

    def test_the_outbox_shows_the_suppressed_message(self) -> None:
        send("reminder")
        self.client.force_login(self.admin)
        page = self.client.get("/notify/outbox/", {"state": "opted_out"})
        self.assertContains(page, "已退订未发送")
        self.assertContains(page, "待办提醒")


@time_machine.travel(NOON, tick=False)
class PublicOptOutPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        ensure_default_templates()

    def ask_code(self, phone: str = PHONE):
        return self.client.post(URL, {"step": "phone", "phone": phone})

    def last_code(self) -> str:
        return Message.objects.filter(event="sms_code").latest("pk").context["code"]

    def confirm(self, code: str, choice: str = "out"):
        return self.client.post(URL, {"step": "code", "code": code, "choice": choice})

    def test_the_page_lists_what_still_goes_after_opting_out(self) -> None:
        page = self.client.get(URL)
        self.assertContains(page, "获取验证码")
        self.assertContains(page, "补正告知")
        self.assertContains(page, "行政许可法第三十二条")
        self.assertContains(page, "不再发送")

    def test_a_resident_opts_out_with_the_code_and_back_in(self) -> None:
        with mock.patch("zhengtong.notify.outbox.enqueue_on_commit") as enqueue:
            r = self.ask_code("139 0535 1234")
        self.assertContains(r, "验证码已发送到 139****1234")
        message = Message.objects.get(event="sms_code")
        self.assertEqual((message.phone, message.urgent), (PHONE, True))
        self.assertIn(message.context["code"], message.text)
        enqueue.assert_called_once()
        r = self.confirm(self.last_code())
        self.assertContains(r, "139****1234 已退订非必要短信")
        self.assertTrue(is_opted_out(PHONE))
        self.assertEqual(OptOut.objects.get().source, OptOut.Source.PUBLIC)
        self.assertEqual(Event.objects.filter(action="sms_opted_out").count(), 1)
        # The code is spent: it cannot be used twice.
        self.assertContains(self.confirm(self.last_code()), "验证码已失效", status_code=400)
        self.ask_code()
        r = self.confirm(self.last_code(), choice="in")
        self.assertContains(r, "已恢复接收全部短信")
        self.assertFalse(is_opted_out(PHONE))

    def test_a_bad_phone_is_refused_and_sends_nothing(self) -> None:
        for phone in ("", "12345", "0635-8123456", "23905351234"):
            r = self.ask_code(phone)
            self.assertEqual(r.status_code, 400, phone)
        self.assertContains(self.ask_code("12345"), "手机号码格式不正确", status_code=400)
        self.assertFalse(Message.objects.exists())

    def test_a_wrong_code_is_refused_then_the_code_dies_after_five_tries(self) -> None:
        self.ask_code()
        right = self.last_code()
        wrong = "000000" if right != "000000" else "111111"
        r = self.confirm(wrong)
        self.assertContains(r, "验证码不正确,还可以再试 4 次", status_code=400)
        self.assertContains(self.confirm("12ab"), "验证码为 6 位数字", status_code=400)
        for _ in range(3):
            self.confirm(wrong)
        r = self.confirm(wrong)
        self.assertContains(r, "验证码错误次数过多,请重新获取验证码", status_code=429)
        self.assertContains(self.confirm(right), "验证码已失效", status_code=400)
        self.assertFalse(OptOut.objects.exists())

    def test_a_code_expires_after_ten_minutes(self) -> None:
        self.ask_code()
        code = self.last_code()
        with time_machine.travel(NOON + datetime.timedelta(minutes=11), tick=False):
            self.assertContains(self.confirm(code), "验证码已失效", status_code=400)
        self.assertFalse(OptOut.objects.exists())

    def test_a_code_without_asking_first_is_refused(self) -> None:
        self.assertContains(self.confirm("123456"), "验证码已失效", status_code=400)

    def test_too_many_codes_for_one_phone_are_refused(self) -> None:
        for _ in range(3):
            self.assertEqual(self.ask_code().status_code, 200)
        r = self.ask_code()
        self.assertContains(r, "获取验证码过于频繁", status_code=429)
        self.assertEqual(Message.objects.filter(event="sms_code").count(), 3)

    @override_settings(SMS_CODES_PER_ADDRESS=2)
    def test_too_many_codes_from_one_address_are_refused(self) -> None:
        self.ask_code("13905351234")
        self.ask_code("13905351235")
        self.assertEqual(self.ask_code("13905351236").status_code, 429)
        self.assertEqual(Message.objects.filter(event="sms_code").count(), 2)

    def test_no_plain_phone_is_kept_by_the_opt_out(self) -> None:
        self.ask_code()
        self.confirm(self.last_code())
        row = OptOut.objects.get()
        self.assertEqual(row.phone_index, blind_index("phone", PHONE))
        self.assertEqual(row.phone_mask, "139****1234")
        stored = [
            str(list(OptOut.objects.values_list())),
            str(list(Event.objects.values_list("changes", "target_repr"))),
            str(list(RateCounter.objects.values_list("key", flat=True))),
            str([s.get_decoded() for s in Session.objects.all()]),
        ]
        for text in stored:
            self.assertNotIn(PHONE, text)
            self.assertNotIn("05351234", text)


@time_machine.travel(NOON, tick=False)
class HallOptOutTestCase(CaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        ensure_default_templates()
        self.case = self.intake()  # the applicant's phone is 13805351234
        self.url = f"/services/{self.case.receipt_no}/sms-optout/"

    def test_a_clerk_records_the_opt_out_and_case_notices_still_go(self) -> None:
        self.client.force_login(self.clerk_c)  # a window clerk of the hall, not the handler
        r = self.client.post(self.url, {"opted_out": "1"}, follow=True)
        self.assertContains(r, "138****1234 退订非必要短信,办件通知仍会发送")
        self.assertContains(r, "已退订非必要短信(办件通知仍发送)")
        row = OptOut.objects.get()
        self.assertEqual(
            (row.source, row.recorded_by, row.application),
            (OptOut.Source.HALL, self.clerk_c, self.case),
        )
        self.assertTrue(Event.objects.filter(action="sms_opted_out", actor=self.clerk_c).exists())
        application_request_correction(
            actor=self.clerk_a, application=self.case, materials=["hukou"], note="复印件不清晰"
        )
        self.assertEqual(Message.objects.get(event="case_notice").state, State.QUEUED)
        r = self.client.post(self.url, {"opted_out": "0"}, follow=True)
        self.assertContains(r, "恢复接收全部短信")
        self.assertFalse(is_opted_out("13805351234"))

    def test_only_the_hall_clerks_may_record_it(self) -> None:
        self.assertEqual(self.client.post(self.url, {"opted_out": "1"}).status_code, 302)  # login
        for user in (self.town_leader, self.other_clerk):  # no sight of the hall's cases
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.url, {"opted_out": "1"}).status_code, 404)
        self.assertEqual(self.client.get(self.url).status_code, 405)
        self.assertFalse(OptOut.objects.exists())

    def test_a_landline_applicant_has_nothing_to_opt_out_of(self) -> None:
        case = self.intake(applicant={**self.applicant, "phone": "0635-8123456"})
        self.client.force_login(self.clerk_a)
        page = self.client.get(f"/services/{case.receipt_no}/")
        self.assertContains(page, "联系电话不是手机号码,不发送短信")
        self.assertNotContains(page, "登记申请人退订")
        r = self.client.post(f"/services/{case.receipt_no}/sms-optout/", follow=True)
        self.assertContains(r, "不是手机号码,不发送短信,无需退订")
        self.assertFalse(OptOut.objects.exists())
