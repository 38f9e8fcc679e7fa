import datetime
import re

import time_machine
from django.contrib.auth import SESSION_KEY

from zhengtong.audit.models import Event
from zhengtong.test import PASSWORD, BaseTestCase

LOGIN_URL = "/accounts/login/"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def error_block(content: bytes) -> str:
    match = re.search(r'<div class="alert alert-danger"[^>]*>(.*?)</div>', content.decode(), re.S)
    return match.group(1).strip() if match else ""


class LoginTestCase(BaseTestCase):
    def login(self, username, password, ip="10.1.1.1"):
        return self.client.post(
            LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    def test_the_login_page_is_chinese(self):
        r = self.client.get(LOGIN_URL)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<title>登录")
        self.assertContains(r, "用户名")
        self.assertContains(r, "密码")

    def test_the_right_password_signs_in_and_redirects_home(self):
        r = self.login("office", PASSWORD)
        self.assertRedirects(r, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.session[SESSION_KEY], str(self.office.pk))

    def test_unknown_user_and_wrong_password_get_the_same_message(self):
        """Neither response tells whether the username exists."""
        unknown = self.login("nobody", PASSWORD)
        wrong = self.login("office", "Wrong-pass-1")
        self.assertEqual(unknown.status_code, 200)
        self.assertEqual(wrong.status_code, 200)
        self.assertEqual(error_block(unknown.content), "用户名或密码错误。")
        self.assertEqual(error_block(unknown.content), error_block(wrong.content))
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_an_inactive_user_gets_the_same_message(self):
        self.office.is_active = False
        self.office.save(update_fields=["is_active"])
        r = self.login("office", PASSWORD)
        self.assertEqual(error_block(r.content), "用户名或密码错误。")

    def test_empty_fields_are_refused_in_chinese(self):
        r = self.client.post(LOGIN_URL, {"username": "", "password": ""}, REMOTE_ADDR="10.1.1.1")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "该字段是必填项。")
        self.assertNotIn(SESSION_KEY, self.client.session)


class LockoutTestCase(BaseTestCase):
    """等保 2.0: 5 failures lock the username+IP pair for 30 minutes."""

    def login(self, username, password, ip="10.1.1.1"):
        return self.client.post(
            LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    def fail_five_times(self):
        for _ in range(5):
            r = self.login("office", "Wrong-pass-1")
        return r

    def test_the_sixth_attempt_is_refused_even_with_the_right_password(self):
        with time_machine.travel(START, tick=False):
            self.fail_five_times()
            r = self.login("office", PASSWORD)
            self.assertEqual(r.status_code, 429)
            self.assertContains(r, "已被锁定 30 分钟", status_code=429)
            self.assertNotIn(SESSION_KEY, self.client.session)

    def test_four_failures_do_not_lock(self):
        with time_machine.travel(START, tick=False):
            for _ in range(4):
                self.login("office", "Wrong-pass-1")
            r = self.login("office", PASSWORD)
            self.assertEqual(r.status_code, 302)
            self.assertEqual(self.client.session[SESSION_KEY], str(self.office.pk))

    def test_another_ip_is_not_locked(self):
        with time_machine.travel(START, tick=False):
            self.fail_five_times()
            r = self.login("office", PASSWORD, ip="10.2.2.2")
            self.assertEqual(r.status_code, 302)
            self.assertEqual(self.client.session[SESSION_KEY], str(self.office.pk))

    def test_another_username_from_the_same_ip_is_not_locked(self):
        with time_machine.travel(START, tick=False):
            self.fail_five_times()
            r = self.login("leader", PASSWORD)
            self.assertEqual(r.status_code, 302)
            self.assertEqual(self.client.session[SESSION_KEY], str(self.leader.pk))

    def test_the_lock_is_still_on_after_29_minutes(self):
        with time_machine.travel(START, tick=False):
            self.fail_five_times()
        with time_machine.travel(START + datetime.timedelta(minutes=29), tick=False):
            r = self.login("office", PASSWORD)
        self.assertEqual(r.status_code, 429)

    def test_the_right_password_works_again_after_30_minutes(self):
        with time_machine.travel(START, tick=False):
            self.fail_five_times()
        with time_machine.travel(START + datetime.timedelta(minutes=30, seconds=1), tick=False):
            r = self.login("office", PASSWORD)
            self.assertEqual(r.status_code, 302)
            self.assertEqual(self.client.session[SESSION_KEY], str(self.office.pk))

    def test_a_locked_attempt_is_audited_as_locked(self):
        with time_machine.travel(START, tick=False):
            self.fail_five_times()
            self.login("office", PASSWORD)
        last = Event.objects.filter(action="login_failed").order_by("-id").first()
        self.assertEqual(last.target_repr, "office")
        self.assertEqual(last.reason, "账号在本机已被锁定")


class IdleTimeoutTestCase(BaseTestCase):
    """A session ends 15 minutes after the last request, not after the login."""

    def test_activity_keeps_the_session_and_15_idle_minutes_end_it(self):
        with time_machine.travel(START, tick=False):
            self.client.post(
                LOGIN_URL, {"username": "office", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
            )
            self.assertEqual(self.client.get("/").status_code, 200)
        with time_machine.travel(START + datetime.timedelta(minutes=14), tick=False):
            self.assertEqual(self.client.get("/").status_code, 200)
        with time_machine.travel(START + datetime.timedelta(minutes=14 + 16), tick=False):
            r = self.client.get("/")
        self.assertRedirects(r, "/accounts/login/?next=/", fetch_redirect_response=False)

    def test_a_session_idle_for_14_minutes_twice_is_still_alive(self):
        with time_machine.travel(START, tick=False):
            self.client.post(
                LOGIN_URL, {"username": "office", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
            )
        for minutes in (14, 28, 42):
            with time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False):
                self.assertEqual(self.client.get("/").status_code, 200)


class LoginAuditTestCase(BaseTestCase):
    """Sign-in, sign-out and failed sign-ins land in the audit log with the client IP."""

    def test_a_login_is_recorded(self):
        self.client.post(
            LOGIN_URL, {"username": "office", "password": PASSWORD}, REMOTE_ADDR="10.3.3.3"
        )
        event = Event.objects.get(action="login")
        self.assertEqual(event.kind, Event.Kind.LOGIN)
        self.assertEqual(event.actor, self.office)
        self.assertEqual(event.ip, "10.3.3.3")
        self.assertEqual(event.channel, "web")
        self.assertIsNone(event.org_unit)

    def test_a_logout_is_recorded(self):
        self.client.force_login(self.office)
        r = self.client.post("/accounts/logout/", REMOTE_ADDR="10.3.3.3")
        self.assertEqual(r.status_code, 302)
        event = Event.objects.get(action="logout")
        self.assertEqual(event.actor, self.office)
        self.assertEqual(event.ip, "10.3.3.3")

    def test_a_failed_login_records_the_username_and_ip_but_not_the_password(self):
        self.client.post(
            LOGIN_URL, {"username": "office", "password": "Secret-typo-9"}, REMOTE_ADDR="10.4.4.4"
        )
        event = Event.objects.get(action="login_failed")
        self.assertEqual(event.kind, Event.Kind.LOGIN)
        self.assertIsNone(event.actor)
        self.assertEqual(event.target_repr, "office")
        self.assertEqual(event.ip, "10.4.4.4")
        self.assertEqual(event.reason, "用户名或密码错误")
        self.assertNotIn("Secret-typo-9", str(event.changes) + event.reason + event.target_repr)

    def test_a_failed_login_of_an_unknown_user_is_recorded_too(self):
        self.client.post(LOGIN_URL, {"username": "ghost", "password": "x"}, REMOTE_ADDR="10.4.4.4")
        self.assertEqual(Event.objects.get(action="login_failed").target_repr, "ghost")
        self.assertFalse(Event.objects.filter(action="login").exists())


class SessionWriteTestCase(BaseTestCase):
    """An unchanged session is written at most once a minute; the idle timeout still holds."""

    def expiry(self):
        from django.contrib.sessions.models import Session

        return Session.objects.get(session_key=self.client.session.session_key).expire_date

    def at(self, seconds):
        return time_machine.travel(START + datetime.timedelta(seconds=seconds), tick=False)

    def sign_in(self):
        with self.at(0):
            self.client.post(
                LOGIN_URL, {"username": "office", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
            )
        return self.expiry()

    def test_requests_within_a_minute_do_not_write_the_session(self):
        signed_in = self.sign_in()
        for seconds in (10, 30, 59):
            with self.at(seconds):
                self.assertEqual(self.client.get("/").status_code, 200)
        self.assertEqual(self.expiry(), signed_in)

    def test_a_request_after_a_minute_moves_the_expiry(self):
        signed_in = self.sign_in()
        with self.at(61):
            self.assertEqual(self.client.get("/").status_code, 200)
        self.assertEqual(self.expiry(), signed_in + datetime.timedelta(seconds=61))

    def test_clicks_every_half_minute_keep_the_session_for_an_hour(self):
        self.sign_in()
        for seconds in range(30, 3600, 30):
            with self.at(seconds):
                self.assertEqual(self.client.get("/").status_code, 200, seconds)

    def test_15_minutes_after_the_last_write_the_session_is_over(self):
        self.sign_in()
        with self.at(50):
            self.assertEqual(self.client.get("/").status_code, 200)
        with self.at(15 * 60 + 1):
            r = self.client.get("/")
        self.assertRedirects(r, "/accounts/login/?next=/", fetch_redirect_response=False)

    def test_an_anonymous_visit_creates_no_session(self):
        from django.contrib.sessions.models import Session

        self.client.get("/public/disclosure/")
        self.assertFalse(Session.objects.exists())
