"""The second factor: who must use it, enrolment with a QR code, the verify step after the
password, recovery codes, and the audited reset."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengtong.audit.models import Event
from zhengtong.test import PASSWORD, BaseTestCase

LOGIN_URL = "/accounts/login/"
SETUP_URL = "/accounts/otp/"
VERIFY_URL = "/accounts/otp/verify/"
DEFAULT_ROLES = ["admin", "auditor", "leader"]
START = datetime.datetime(2026, 3, 2, 9, 0, 5, tzinfo=datetime.UTC)
# A TOTP code is good once: the next login happens a minute later, with the next code.
A_MINUTE_LATER = START + datetime.timedelta(minutes=1)


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()


def code_text(device: TOTPDevice) -> str:
    return f"{current_code(device):0{device.digits}d}"


class OtpTestCase(BaseTestCase):
    def login(self, username, password=PASSWORD):
        return self.client.post(
            LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR="10.1.1.1"
        )

    def enrol(self, username) -> list[str]:
        """Sign in with the password and bind an authenticator; returns the recovery codes."""
        self.login(username)
        self.client.get(SETUP_URL)
        device = TOTPDevice.objects.get(user__username=username, confirmed=False)
        r = self.client.post(SETUP_URL, {"token": code_text(device)})
        self.assertEqual(r.status_code, 200)
        return re.findall(r"<li>([a-z0-9]{8})</li>", r.content.decode())

    def relogin(self, username):
        self.client.post("/accounts/logout/")
        return self.login(username)


@time_machine.travel(START, tick=False)
@override_settings(OTP_REQUIRED_ROLES=DEFAULT_ROLES)
class RequiredRolesTestCase(OtpTestCase):
    def test_a_leader_without_an_authenticator_can_reach_nothing_but_enrolment(self) -> None:
        r = self.login("leader")
        self.assertEqual(self.client.session[SESSION_KEY], str(self.leader.pk))
        self.assertRedirects(r, "/", fetch_redirect_response=False)
        r = self.client.get("/")
        self.assertRedirects(r, SETUP_URL, fetch_redirect_response=False)
        r = self.client.get("/projects/")
        self.assertRedirects(r, SETUP_URL + "?next=%2Fprojects%2F", fetch_redirect_response=False)
        r = self.client.get("/admin/")
        self.assertEqual(r.status_code, 302)
        api = self.client.get("/api/v1/projects/")
        self.assertEqual(api.status_code, 403)
        self.assertEqual(api.json()["detail"], "您的账号须启用两步验证,请先绑定手机验证器。")
        page = self.client.get(SETUP_URL)
        self.assertContains(page, "您的账号须启用两步验证")
        self.assertContains(page, 'src="data:image/svg+xml')
        self.assertEqual(self.client.post("/accounts/logout/").status_code, 302)

    def test_auditor_and_administrator_must_enrol_too_but_a_clerk_need_not(self) -> None:
        for username in ("auditor", "admin"):
            self.login(username)
            self.assertRedirects(self.client.get("/"), SETUP_URL, fetch_redirect_response=False)
            self.client.post("/accounts/logout/")
        self.login("clerk")
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_enrolment_takes_one_right_code_and_shows_ten_recovery_codes_once(self) -> None:
        self.login("leader")
        self.client.get(SETUP_URL)
        device = TOTPDevice.objects.get(user=self.leader, confirmed=False)
        wrong = self.client.post(SETUP_URL, {"token": "000000"})
        self.assertContains(wrong, "验证码不正确")
        self.assertFalse(TOTPDevice.objects.get(pk=device.pk).confirmed)
        # A failure throttles the device for a moment; clear it rather than wait.
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        r = self.client.post(SETUP_URL, {"token": code_text(device)})
        codes = re.findall(r"<li>([a-z0-9]{8})</li>", r.content.decode())
        self.assertEqual(len(codes), 10)
        self.assertContains(r, 'href="data:text/plain;charset=utf-8,')
        self.assertContains(r, 'download="政通恢复码.txt"')
        self.assertTrue(TOTPDevice.objects.get(pk=device.pk).confirmed)
        event = Event.objects.get(action="otp_enrolled")
        self.assertEqual(event.actor, self.leader)
        for code in codes:
            self.assertNotIn(code, str(event.changes) + event.reason)
        # Enrolled and verified in this session: the work pages open.
        self.assertEqual(self.client.get("/").status_code, 200)
        # The codes are not shown again.
        self.assertNotContains(self.client.get(SETUP_URL), codes[0])

    def test_the_next_login_asks_for_the_code_after_the_password(self) -> None:
        self.enrol("leader")
        with time_machine.travel(A_MINUTE_LATER, tick=False):
            self.verify_after_password()

    def verify_after_password(self) -> None:
        self.relogin("leader")
        self.assertRedirects(self.client.get("/"), VERIFY_URL, fetch_redirect_response=False)
        self.assertEqual(self.client.get("/api/v1/projects/").status_code, 403)
        # An authenticated but unverified session cannot replace the authenticator.
        self.assertRedirects(
            self.client.get(SETUP_URL),
            VERIFY_URL + "?next=%2Faccounts%2Fotp%2F",
            fetch_redirect_response=False,
        )
        wrong = self.client.post(VERIFY_URL, {"token": "123456"})
        self.assertContains(wrong, "验证码不正确")
        self.assertTrue(Event.objects.filter(action="otp_verify_failed").exists())
        device = TOTPDevice.objects.get(user=self.leader)
        # A failure throttles the device for a moment; clear it rather than wait.
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        r = self.client.post(VERIFY_URL, {"token": code_text(device), "next": "/projects/"})
        self.assertRedirects(r, "/projects/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_a_recovery_code_works_once_and_is_audited(self) -> None:
        codes = self.enrol("leader")
        self.relogin("leader")
        r = self.client.post(VERIFY_URL, {"token": codes[3].upper()})
        self.assertRedirects(r, "/", fetch_redirect_response=False)
        event = Event.objects.get(action="otp_recovery_code_used")
        self.assertEqual(event.actor, self.leader)
        self.assertEqual(event.changes, {"recovery_codes_left": 9})
        self.relogin("leader")
        StaticDevice.objects.filter(user=self.leader).update(throttling_failure_count=0)
        again = self.client.post(VERIFY_URL, {"token": codes[3]})
        self.assertContains(again, "验证码不正确")
        self.assertEqual(StaticToken.objects.filter(device__user=self.leader).count(), 9)

    def test_a_unit_flag_requires_the_second_factor_for_its_whole_subtree(self) -> None:
        self.zone.otp_required = True
        self.zone.save()
        self.login("clerk")  # 社会事业局 lies below the zone
        self.assertRedirects(self.client.get("/"), SETUP_URL, fetch_redirect_response=False)
        self.relogin("outsider")  # 东村 is outside the zone
        self.assertEqual(self.client.get("/").status_code, 200)


@time_machine.travel(START, tick=False)
class OptionalTestCase(OtpTestCase):
    def test_with_the_requirement_off_a_leader_signs_in_with_the_password_alone(self) -> None:
        self.assertEqual(settings.OTP_REQUIRED_ROLES, [])
        self.login("leader")
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_a_clerk_may_enrol_by_choice_and_is_asked_for_the_code_from_then_on(self) -> None:
        self.login("clerk")
        self.assertContains(self.client.get(SETUP_URL), "启用后,每次登录除密码外")
        self.enrol("clerk")
        self.relogin("clerk")
        self.assertRedirects(self.client.get("/"), VERIFY_URL, fetch_redirect_response=False)

    def test_an_administrator_resets_a_lost_authenticator_and_the_reset_is_audited(self) -> None:
        self.enrol("clerk")
        self.client.post("/accounts/logout/")
        self.client.force_login(self.admin)
        r = self.client.post(
            "/admin/accounts/user/",
            {"action": "reset_second_factor", "_selected_action": [self.clerk.pk]},
        )
        self.assertEqual(r.status_code, 302)
        self.assertFalse(TOTPDevice.objects.filter(user=self.clerk).exists())
        self.assertFalse(StaticDevice.objects.filter(user=self.clerk).exists())
        event = Event.objects.get(action="otp_reset")
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(event.target_id, str(self.clerk.pk))
        # The clerk signs in with the password alone again (the requirement is off here).
        self.client.logout()
        self.login("clerk")
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_a_non_administrator_cannot_reset(self) -> None:
        self.enrol("clerk")
        self.client.force_login(self.office)
        r = self.client.post(
            "/admin/accounts/user/",
            {"action": "reset_second_factor", "_selected_action": [self.clerk.pk]},
        )
        self.assertEqual(r.status_code, 302)
        self.assertTrue(TOTPDevice.objects.filter(user=self.clerk).exists())
        self.assertFalse(Event.objects.filter(action="otp_reset").exists())


class RequiredRolesSettingTestCase(BaseTestCase):
    """`OTP_REQUIRED_ROLES`: unset names the three roles, empty turns the requirement off."""

    def roles_with(self, **env) -> str:
        environ = {k: v for k, v in os.environ.items() if k != "OTP_REQUIRED_ROLES"}
        environ.update(env, DEBUG="True", DJANGO_SETTINGS_MODULE="zhengtong.settings")
        code = "from django.conf import settings; print(','.join(settings.OTP_REQUIRED_ROLES))"
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=environ,
            cwd=Path(settings.BASE_DIR),
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    def test_unset_means_administrator_auditor_and_leader(self) -> None:
        self.assertEqual(self.roles_with(), "admin,auditor,leader")

    def test_empty_turns_it_off_and_a_list_is_taken_as_given(self) -> None:
        self.assertEqual(self.roles_with(OTP_REQUIRED_ROLES=""), "")
        self.assertEqual(
            self.roles_with(OTP_REQUIRED_ROLES=" admin , window_clerk"), "admin,window_clerk"
        )
