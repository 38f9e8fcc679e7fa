"""Who is acting and from where, for the duration of one request (or one command)."""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    request_id: str = ""
    channel: str = "system"  # web, api, admin, import, command, system


_NO_REQUEST = RequestInfo()
_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "audit_request", default=None
)


def current() -> RequestInfo:
    return _current.get() or _NO_REQUEST


@contextmanager
def acting(*, ip: str | None = None, channel: str = "system", request_id: str | None = None):
    token = _current.set(
        RequestInfo(ip=ip, request_id=request_id or uuid.uuid4().hex, channel=channel)
    )
    try:
        yield current()
    finally:
        _current.reset(token)
