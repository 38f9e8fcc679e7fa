"""The security events 等保 2.0 asks to keep: password changes, lockouts and their release, and
every deletion made in the admin."""

import datetime

import time_machine
from axes.models import AccessAttempt, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory

from zhengtong.audit.admin import AuditedModelAdmin
from zhengtong.audit.models import Event
from zhengtong.test import PASSWORD, BaseTestCase

LOGIN_URL = "/accounts/login/"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


class PasswordChangeEventTestCase(BaseTestCase):
    def test_changing_ones_own_password_is_recorded_without_the_password(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "Liuji2026qiao",
                "new_password2": "Liuji2026qiao",
            },
        )
        self.assertRedirects(r, "/", fetch_redirect_response=False)
        event = Event.objects.get(action="password_change")
        self.assertEqual(event.actor, self.office)
        self.assertEqual(event.target_id, str(self.office.pk))
        self.assertEqual(event.reason, "本人修改密码")
        self.assertNotIn("Liuji2026qiao", str(event.changes) + event.reason)

    def test_a_refused_change_records_nothing(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(
            "/accounts/password/",
            {"old_password": "wrong", "new_password1": "a", "new_password2": "a"},
        )
        self.assertEqual(r.status_code, 200)
        self.assertFalse(Event.objects.filter(action="password_change").exists())


class LockoutEventTestCase(BaseTestCase):
    def fail(self, times: int) -> None:
        for _ in range(times):
            self.client.post(
                LOGIN_URL,
                {"username": "office", "password": "Wrong-pass-1"},
                REMOTE_ADDR="10.1.1.1",
            )

    def test_a_lockout_is_recorded_once_when_it_happens(self) -> None:
        with time_machine.travel(START, tick=False):
            self.fail(4)
            self.assertFalse(Event.objects.filter(action="login_locked_out").exists())
            self.fail(3)
        event = Event.objects.get(action="login_locked_out")
        self.assertEqual(event.target_repr, "office")
        self.assertEqual(event.ip, "10.1.1.1")
        self.assertEqual(event.changes["failures"], 5)
        self.assertIn("锁定 30 分钟", event.reason)

    def test_an_administrator_releasing_a_lockout_is_recorded(self) -> None:
        with time_machine.travel(START, tick=False):
            self.fail(5)
            self.client.force_login(self.admin)
            attempt = AccessAttempt.objects.get(username="office")
            r = self.client.post(
                "/admin/axes/accessattempt/",
                {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
            )
        self.assertEqual(r.status_code, 302)
        event = Event.objects.get(action="login_lockout_released")
        self.assertEqual(event.reason, "管理员解除登录锁定")
        self.assertEqual(event.target_repr, "office")
        self.assertTrue(Event.objects.filter(action="admin_delete", actor=self.admin).exists())

    def test_a_lockout_that_expired_is_recorded_as_released_when_next_seen(self) -> None:
        with time_machine.travel(START, tick=False):
            self.fail(5)
        with time_machine.travel(START + datetime.timedelta(minutes=31), tick=False):
            r = self.client.post(
                LOGIN_URL, {"username": "office", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
            )
        self.assertEqual(r.status_code, 302)
        event = Event.objects.get(action="login_lockout_released")
        self.assertEqual(event.reason, "登录锁定到期,自动解除")

    def test_failures_below_the_limit_release_nothing(self) -> None:
        with time_machine.travel(START, tick=False):
            self.fail(2)
            self.client.post(
                LOGIN_URL, {"username": "office", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
            )
        self.assertFalse(Event.objects.filter(action="login_lockout_released").exists())


class AdminDeleteEventTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.admin)

    def test_every_admin_page_that_can_write_writes_the_audit_log(self) -> None:
        """A model admin either records its writes or cannot write at all."""
        request = RequestFactory().get("/admin/")
        request.user = self.admin
        for model, model_admin in admin.site._registry.items():
            with self.subTest(model=model._meta.label):
                writes = (
                    model_admin.has_add_permission(request)
                    or model_admin.has_change_permission(request)
                    or model_admin.has_delete_permission(request)
                )
                if writes:
                    self.assertIsInstance(model_admin, AuditedModelAdmin)

    def test_bulk_deleting_access_logs_records_one_event_each(self) -> None:
        logs = [
            AccessLog.objects.create(username=f"u{n}", ip_address="10.1.1.1", user_agent="x")
            for n in range(3)
        ]
        r = self.client.post(
            "/admin/axes/accesslog/",
            {"action": "delete_selected", "_selected_action": [g.pk for g in logs], "post": "yes"},
        )
        self.assertEqual(r.status_code, 302)
        self.assertFalse(AccessLog.objects.filter(pk__in=[g.pk for g in logs]).exists())
        events = Event.objects.filter(action="admin_delete", target_type="axes.accesslog")
        self.assertEqual(sorted(e.changes["username"][0] for e in events), ["u0", "u1", "u2"])

    def test_deleting_a_group_is_recorded(self) -> None:
        group = Group.objects.create(name="窗口组")
        r = self.client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})
        self.assertEqual(r.status_code, 302)
        event = Event.objects.get(action="admin_delete", target_type="auth.group")
        self.assertEqual(event.changes["name"], ["窗口组", None])
