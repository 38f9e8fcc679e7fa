"""Sign-ins, sign-outs and failed sign-ins go into the audit log (等保 2.0: 安全审计).

The client IP and channel come from the audit request context set by the middleware.
"""

from django.utils.translation import gettext as _

from zhengtong.audit.actions import record_event
from zhengtong.audit.middleware import client_ip
from zhengtong.audit.models import Event

from . import login_limits


def record_login(sender, request, user, **kwargs) -> None:
    record_event(actor=user, action="login", kind=Event.Kind.LOGIN, target=user)
    login_limits.record_success(username=user.get_username())


def record_logout(sender, request, user, **kwargs) -> None:
    # Logging out without a session still fires the signal, with no user.
    if user is None:
        return
    record_event(actor=user, action="logout", kind=Event.Kind.LOGIN, target=user)


def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Keep the attempted username, never the password (Django has already masked it)."""
    username = str(credentials.get("username") or "")[:150]
    locked = bool(getattr(request, "axes_locked_out", False))
    record_event(
        actor=None,
        action="login_failed",
        kind=Event.Kind.LOGIN,
        target_type="accounts.user",
        target_repr=username,
        changes={"username": [None, username]},
        reason=_("账号在本机已被锁定") if locked else _("用户名或密码错误"),
    )
    if username and request is not None:
        login_limits.record_failure(username=username, ip=client_ip(request))
