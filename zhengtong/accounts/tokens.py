"""Personal API tokens: made, checked and revoked here, each step audited.

A token is `zt_` and 43 random URL-safe characters (256 bits). The database keeps its SHA-256
only, so a copy of the database gives no working token; checking one costs a hash of
microseconds, not a password hash of a second.
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.audit.actions import record_event
from zhengtong.audit.models import Event

from .models import ApiToken

TOKEN_PREFIX = "zt_"
MAX_LIFETIME_DAYS = 365
# Write last_used_at at most this often, so a busy client does not write on every call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user, name: str, scope: str, modules: list[str], expires_at: datetime.datetime
) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns the row and the token (shown once, never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=token[:8],
        token_hash=token_digest(token),
        scope=scope,
        modules=sorted(modules),
        expires_at=expires_at,
    )
    record_event(
        actor=user,
        action="api_token_created",
        kind=Event.Kind.CREATE,
        target=row,
        changes={
            "name": [None, name],
            "scope": [None, scope],
            "modules": [None, row.modules],
            "expires_at": [None, expires_at.isoformat()],
        },
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(
        actor=actor,
        action="api_token_revoked",
        kind=Event.Kind.UPDATE,
        target=token,
        changes={"revoked_at": [None, token.revoked_at.isoformat()]},
    )
    return token


def api_token_denied(*, token: ApiToken, reason: str) -> None:
    record_event(
        actor=None,
        action="api_token_denied",
        kind=Event.Kind.DENIED,
        target=token,
        reason=reason,
        changes={"user": [None, token.user.username]},
    )


def api_token_used(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def denied_reason(token: ApiToken) -> str | None:
    if token.revoked_at is not None:
        return _("令牌已吊销。")
    if token.is_expired:
        return _("令牌已过期,请重新创建。")
    if not token.user.is_active:
        return _("令牌所属账号已停用。")
    return None
