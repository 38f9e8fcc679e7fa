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


def record_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """The moment django-axes locks a username+IP pair (not each refused attempt after it)."""
    from django.conf import settings

    # Each refused attempt during the lockout fires the signal again, with a higher count.
    if getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT:
        return
    username = str(username or "")[:150]
    record_event(
        actor=None,
        action="login_locked_out",
        kind=Event.Kind.DENIED,
        target_type="accounts.user",
        target_repr=username,
        changes={"username": [None, username], "failures": request.axes_failures_since_start},
        reason=_("连续登录失败 %(n)d 次,该账号在本机锁定 30 分钟")
        % {"n": request.axes_failures_since_start},
    )


def record_lockout_released(sender, instance, **kwargs) -> None:
    """A lockout ends when its access attempt goes: by an administrator, or once it expired."""
    from axes.helpers import get_cool_off
    from django.conf import settings
    from django.utils import timezone

    from zhengtong.audit.context import current

    if instance.failures_since_start < settings.AXES_FAILURE_LIMIT:
        return
    cool_off = get_cool_off()
    if current().channel == "admin":
        reason = _("管理员解除登录锁定")
    elif cool_off is not None and instance.attempt_time + cool_off <= timezone.now():
        reason = _("登录锁定到期,自动解除")
    else:
        reason = _("登录锁定已解除")
    record_event(
        actor=None,
        action="login_lockout_released",
        kind=Event.Kind.UPDATE,
        target_type="accounts.user",
        target_repr=str(instance.username or "")[:150],
        changes={"username": [None, instance.username], "ip": [None, instance.ip_address]},
        reason=reason,
    )


def record_password_change(*, user, actor) -> None:
    """A password changed by its owner (the admin's reset is recorded by the user admin)."""
    record_event(
        actor=actor,
        action="password_change",
        kind=Event.Kind.UPDATE,
        target=user,
        reason=_("本人修改密码"),
    )
