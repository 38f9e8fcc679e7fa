"""Password spraying meets a delay, per account across addresses and per address across
accounts; nobody is locked out for good and each limit raises one alert."""

import datetime

import time_machine
from django.contrib.auth import SESSION_KEY

from zhengtong.audit.models import Event
from zhengtong.test import PASSWORD, BaseTestCase, make_user

LOGIN_URL = "/accounts/login/"
START = datetime.datetime(2026, 3, 2, 9, 0, 10, tzinfo=datetime.UTC)


def at(seconds: float):
    return time_machine.travel(START + datetime.timedelta(seconds=seconds), tick=False)


class SprayTestCase(BaseTestCase):
    def login(self, username, password, ip):
        return self.client.post(
            LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    def test_48_passwords_over_12_accounts_from_one_address_are_slowed_down(self) -> None:
        names = [f"staff{n}" for n in range(12)]
        for name in names:
            make_user(name)
        statuses = []
        with at(0):
            for n in range(48):
                r = self.login(names[n % 12], f"Guess-{n}-pass", ip="10.5.5.5")
                statuses.append(r.status_code)
            # Twenty wrong passwords were checked; every attempt after them waited.
            self.assertEqual(statuses[:20], [200] * 20)
            self.assertEqual(set(statuses[20:]), {429})
            self.assertContains(r, "登录尝试过于频繁,请 30 秒后再试", status_code=429)
            self.assertEqual(Event.objects.filter(action="login_failed").count(), 20)
            # Even the right password waits: it is not checked, so it tells nothing.
            r = self.login("office", PASSWORD, ip="10.5.5.5")
            self.assertEqual(r.status_code, 429)
            self.assertNotIn(SESSION_KEY, self.client.session)
            # The office next door, on another address, is not slowed down.
            self.assertEqual(self.login("office", PASSWORD, ip="10.6.6.6").status_code, 302)
        alerts = Event.objects.filter(action="login_spray_suspected")
        self.assertEqual(alerts.count(), 1)
        self.assertEqual(alerts.get().target_repr, "10.5.5.5")
        self.assertEqual(alerts.get().kind, Event.Kind.DENIED)

    def test_one_account_tried_from_many_addresses_waits_and_then_works_again(self) -> None:
        with at(0):
            for n in range(10):
                self.assertEqual(
                    self.login("office", "Wrong-pass-1", ip=f"10.7.0.{n}").status_code, 200
                )
            r = self.login("office", PASSWORD, ip="10.7.1.1")
            self.assertContains(r, "登录尝试过于频繁,请 30 秒后再试", status_code=429)
            self.assertNotIn(SESSION_KEY, self.client.session)
            # A different spelling of the name is the same account.
            self.assertEqual(self.login("OFFICE", "Wrong-pass-1", ip="10.7.1.2").status_code, 429)
            # Other accounts are not held up.
            self.assertEqual(self.login("leader", PASSWORD, ip="10.7.1.1").status_code, 302)
            self.client.logout()
        with at(31):
            r = self.login("office", PASSWORD, ip="10.7.1.1")
            self.assertEqual(r.status_code, 302)
            self.assertEqual(self.client.session[SESSION_KEY], str(self.office.pk))
        alerts = Event.objects.filter(action="login_spray_suspected")
        self.assertEqual(alerts.count(), 1)
        self.assertEqual(alerts.get().target_repr, "office")

    def test_the_wait_doubles_with_every_failure_past_the_limit(self) -> None:
        with at(0):
            for n in range(10):
                self.login("office", "Wrong-pass-1", ip=f"10.8.0.{n}")
        with at(31):
            self.assertEqual(self.login("office", "Wrong-pass-2", ip="10.8.1.1").status_code, 200)
            r = self.login("office", PASSWORD, ip="10.8.1.2")
            self.assertContains(r, "请 60 秒后再试", status_code=429)
        with at(31 + 40):
            self.assertContains(
                self.login("office", PASSWORD, ip="10.8.1.3"), "请 20 秒后再试", status_code=429
            )
        with at(31 + 61):
            self.assertEqual(self.login("office", PASSWORD, ip="10.8.1.4").status_code, 302)
        # Many attempts, one alert for the window.
        self.assertEqual(Event.objects.filter(action="login_spray_suspected").count(), 1)

    def test_a_success_clears_the_accounts_count(self) -> None:
        with at(0):
            for n in range(9):
                self.login("office", "Wrong-pass-1", ip=f"10.9.0.{n}")
            self.assertEqual(self.login("office", PASSWORD, ip="10.9.1.1").status_code, 302)
            self.client.logout()
            self.assertEqual(self.login("office", "Wrong-pass-1", ip="10.9.1.2").status_code, 200)
            self.assertEqual(self.login("office", PASSWORD, ip="10.9.1.3").status_code, 302)
