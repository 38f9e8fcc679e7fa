"""Slow down password spraying without letting an attacker lock an office out.

django-axes locks one username+IP pair after 5 failures. A sprayer who tries a few passwords on
many accounts, or one account from many addresses, never trips it. Two more counters, both kept
by the rate-counter door (`zhengtong.lib.ratelimit`):

- per account, across addresses: after `LOGIN_ACCOUNT_FAILURE_LIMIT` failures in a window;
- per address, across accounts: after `LOGIN_ADDRESS_FAILURE_LIMIT` failures in a window.

Past a limit the next attempt waits: 30 s after the last failure, doubling with every further
failure, at most the window. A waiting attempt is refused before the password is checked, so it
costs no hash and tells nothing. Nothing is locked for good: the right password works again once
the wait is over. Crossing a limit writes one alert event (`login_spray_suspected`) per key and
window, however many attempts follow.
"""

import datetime
import math

from django.conf import settings
from django.utils import timezone

from zhengtong.audit.actions import record_event
from zhengtong.audit.models import Event
from zhengtong.lib import ratelimit

SPRAY_ACTION = "login_spray_suspected"
WAIT_MESSAGE = "登录尝试过于频繁,请 {seconds} 秒后再试。"


def _window_seconds() -> int:
    return int(settings.LOGIN_FAILURE_WINDOW_MINUTES) * 60


def _keys(username: str, ip: str | None) -> list[tuple[str, int, str]]:
    """(counter key, limit, scope) for the account and the address of one attempt."""
    return [
        (
            f"login_fail:user:{username.strip().lower()}",
            settings.LOGIN_ACCOUNT_FAILURE_LIMIT,
            "user",
        ),
        (f"login_fail:ip:{ip or '-'}", settings.LOGIN_ADDRESS_FAILURE_LIMIT, "ip"),
    ]


def _wait_after(failures: int, limit: int) -> int:
    """Seconds to wait after the last failure, once `failures` reached `limit`."""
    if failures < limit:
        return 0
    base = int(settings.LOGIN_DELAY_BASE_SECONDS)
    return min(base * 2 ** min(failures - limit, 20), _window_seconds())


def wait_seconds(*, username: str, ip: str | None) -> int:
    """How long this attempt must wait before the password may be checked; 0 when it may now."""
    now = timezone.now()
    longest = 0
    for key, limit, _scope in _keys(username, ip):
        failures, last_at = ratelimit.peek(key, window_seconds=_window_seconds(), now=now)
        if last_at is None:
            continue
        until = last_at + datetime.timedelta(seconds=_wait_after(failures, limit))
        longest = max(longest, math.ceil((until - now).total_seconds()))
    return longest


def wait_message(seconds: int) -> str:
    return WAIT_MESSAGE.format(seconds=seconds)


def record_failure(*, username: str, ip: str | None) -> None:
    """Count a failed password check against the account and the address."""
    for key, limit, scope in _keys(username, ip):
        failures = ratelimit.increment(key, window_seconds=_window_seconds())
        # The upsert hands each count out once, so exactly one request sees the limit reached.
        if failures == limit:
            minutes = settings.LOGIN_FAILURE_WINDOW_MINUTES
            reason = (
                f"同一账号 {minutes} 分钟内登录失败 {failures} 次,疑似密码喷洒,已启用延迟"
                if scope == "user"
                else f"同一地址 {minutes} 分钟内登录失败 {failures} 次,疑似密码喷洒,已启用延迟"
            )
            record_event(
                actor=None,
                action=SPRAY_ACTION,
                kind=Event.Kind.DENIED,
                target_type="accounts.user" if scope == "user" else "accounts.address",
                target_repr=(username if scope == "user" else (ip or ""))[:200],
                changes={"scope": scope, "failures": failures},
                reason=reason,
            )


def record_success(*, username: str) -> None:
    """The right password ends the account's wait; the address keeps its count."""
    ratelimit.reset(_keys(username, None)[0][0])
