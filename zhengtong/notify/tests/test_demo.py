"""The demo: its seeded cases, made through the actions, fill the outbox; seeding again adds
no message."""

import io

import time_machine
from django.core.management import call_command
from django.test import TestCase

from zhengtong.accounts.models import User
from zhengtong.demo.testing import DEMO_AT, seed_demo
from zhengtong.notify.models import Channel, Message
from zhengtong.services.models import Application


class DemoOutboxTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo()

    def test_the_seeded_cases_made_their_messages_once_each(self) -> None:
        events = set(Message.objects.values_list("event", flat=True))
        self.assertLessEqual({"case_accepted", "case_notice", "case_done"}, events)
        accepted = Application.objects.exclude(accepted_on=None).count()
        self.assertEqual(Message.objects.filter(event="case_accepted").count(), accepted)
        sms = Message.objects.filter(channel=Channel.SMS, event__startswith="case_")
        for message in sms.order_by("pk")[:50]:
            case = Application.objects.select_related("applicant").get(pk=message.target_id)
            self.assertNotIn(case.applicant.name, message.text)
        # Sent by the worker once the seed commits (here the test's transaction never does).
        self.assertGreater(Message.objects.filter(state="queued").count(), 100)

    def test_the_admin_sees_them_in_the_outbox(self) -> None:
        self.client.force_login(User.objects.filter(is_superuser=True).first())
        response = self.client.get("/notify/outbox/", {"channel": "sms"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "办件受理")
        self.assertNotContains(response, "没有符合条件的消息")

    def test_seeding_again_adds_no_message(self) -> None:
        before = Message.objects.count()
        with time_machine.travel(DEMO_AT, tick=False):
            call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
        self.assertEqual(Message.objects.count(), before)
