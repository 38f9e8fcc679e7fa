"""站内消息 and the outbox page: who sees what, marking read, the navbar's count, fixed queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.notify.models import Channel, Message, State
from zhengtong.test import BaseTestCase


def inapp(user, n: int, **fields) -> Message:
    return Message.objects.create(
        user=user,
        channel=Channel.INAPP,
        event="case_handed_over",
        text=fields.pop("text", f"办件BM{n:03d}已移交给您承办。"),
        dedupe_key=f"test:{user.pk}:{n}",
        state=State.SENT,
        **fields,
    )


def sms(n: int, **fields) -> Message:
    return Message.objects.create(
        phone=fields.pop("phone", "13805351234"),
        recipient_name="刘芳",
        channel=Channel.SMS,
        event="case_accepted",
        text=f"刘*您好,您申请的测试证明已受理,受理编号BM{n:03d}。",
        dedupe_key=f"sms:{n}",
        **fields,
    )


class InboxTestCase(BaseTestCase):
    def test_the_list_shows_my_messages_unread_first_and_not_others(self) -> None:
        from django.utils import timezone

        inapp(self.clerk, 1, text="已读的那条", read_at=timezone.now())
        inapp(self.clerk, 2, text="未读的那条")
        inapp(self.leader, 3, text="别人的消息")
        self.client.force_login(self.clerk)
        response = self.client.get("/notify/")
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertLess(body.index("未读的那条"), body.index("已读的那条"))
        self.assertNotIn("别人的消息", body)
        self.assertContains(response, "全部标为已读")

    def test_the_navbar_counts_my_unread_messages(self) -> None:
        inapp(self.clerk, 1)
        inapp(self.clerk, 2)
        inapp(self.leader, 3)
        self.client.force_login(self.clerk)
        response = self.client.get("/")
        self.assertContains(response, 'title="未读消息">2</span>', html=False)
        self.client.force_login(self.office)
        self.assertNotContains(self.client.get("/"), "未读消息")

    def test_opening_a_message_marks_it_read(self) -> None:
        message = inapp(self.clerk, 1, text="请处理办件BM001")
        self.client.force_login(self.clerk)
        response = self.client.get(f"/notify/{message.pk}/")
        self.assertContains(response, "请处理办件BM001")
        message.refresh_from_db()
        self.assertIsNotNone(message.read_at)
        self.assertNotContains(self.client.get("/"), "未读消息")

    def test_another_users_message_by_id_is_404_and_stays_unread(self) -> None:
        message = inapp(self.leader, 1)
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(f"/notify/{message.pk}/").status_code, 404)
        message.refresh_from_db()
        self.assertIsNone(message.read_at)

    def test_an_sms_is_not_an_in_app_message(self) -> None:
        message = sms(1)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(f"/notify/{message.pk}/").status_code, 404)

    def test_mark_all_read_marks_only_mine_and_needs_post(self) -> None:
        mine = [inapp(self.clerk, n) for n in range(3)]
        other = inapp(self.leader, 9)
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get("/notify/read-all/").status_code, 405)
        response = self.client.post("/notify/read-all/", follow=True)
        self.assertContains(response, "已将 3 条消息标为已读")
        self.assertFalse(Message.objects.filter(pk__in=[m.pk for m in mine], read_at=None).exists())
        other.refresh_from_db()
        self.assertIsNone(other.read_at)

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        response = self.client.get("/notify/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        inapp(self.clerk, 0)
        self.client.force_login(self.clerk)
        self.client.get("/notify/")
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get("/notify/").status_code, 200)
        for n in range(1, 40):
            inapp(self.clerk, n)
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get("/notify/")
        self.assertEqual(len(response.context["page"].object_list), 25)


class OutboxPageTestCase(BaseTestCase):
    def test_the_admin_sees_every_message_with_the_phone_masked(self) -> None:
        sms(1, state=State.FAILED, last_error="该手机号今日已收到 5 条短信,达到每日上限")
        inapp(self.clerk, 2)
        self.client.force_login(self.admin)
        response = self.client.get("/notify/outbox/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "138****1234")
        self.assertNotContains(response, "13805351234")
        self.assertContains(response, "刘*")
        self.assertNotContains(response, "刘芳")
        self.assertContains(response, "达到每日上限")
        self.assertContains(response, self.clerk.display_name)

    def test_filter_by_state_and_channel(self) -> None:
        sms(1, state=State.FAILED)
        sms(2, state=State.SENT)
        inapp(self.clerk, 3)
        self.client.force_login(self.admin)
        response = self.client.get("/notify/outbox/", {"state": "failed", "channel": "sms"})
        self.assertContains(response, "BM001")
        self.assertNotContains(response, "BM002")
        self.assertNotContains(response, "BM003")
        bad = self.client.get("/notify/outbox/", {"state": "nonsense"})
        self.assertEqual(bad.status_code, 200)
        self.assertContains(bad, "没有这个状态")

    def test_non_admins_are_refused(self) -> None:
        for user in (self.clerk, self.leader, self.auditor, self.office):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/notify/outbox/").status_code, 403, user)

    def test_the_outbox_runs_a_fixed_number_of_queries(self) -> None:
        sms(0)
        inapp(self.clerk, 1000)
        self.client.force_login(self.admin)
        self.client.get("/notify/outbox/")
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get("/notify/outbox/").status_code, 200)
        for n in range(1, 20):
            sms(n)
            inapp(self.leader if n % 2 else self.clerk, 1000 + n)
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get("/notify/outbox/")
        self.assertEqual(len(response.context["page"].object_list), 25)
