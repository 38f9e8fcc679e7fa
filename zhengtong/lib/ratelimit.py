"""The one door for rate limits: count hits per key in fixed windows, atomically.

`hit()` adds one to the counter of (key, current window) with a single
`INSERT ... ON CONFLICT ... DO UPDATE ... RETURNING` statement, so twenty concurrent requests get
the counts 1..20, each exactly once, on PostgreSQL and on SQLite ≥ 3.35 alike. Nothing reads a
count and then writes it back. Ended windows are pruned by the first hit of each new window.
"""

import datetime

from django.db import connection
from django.utils import timezone


def window_bounds(
    window_seconds: int, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """The fixed window containing `now`: [start, end), aligned on the epoch."""
    now = now or timezone.now()
    epoch = int(now.timestamp())
    start = epoch - epoch % window_seconds
    begin = datetime.datetime.fromtimestamp(start, tz=datetime.UTC)
    return begin, begin + datetime.timedelta(seconds=window_seconds)


def increment(key: str, *, window_seconds: int, now: datetime.datetime | None = None) -> int:
    """Count one hit for `key` in the current window and return the count including it."""
    from zhengtong.accounts.models import RateCounter

    now = now or timezone.now()
    start, end = window_bounds(window_seconds, now)
    q = connection.ops.quote_name
    table = q(RateCounter._meta.db_table)
    key_col, start_col, end_col, count_col, at_col = (
        q(name) for name in ("key", "window_start", "window_end", "count", "updated_at")
    )
    sql = (
        f"INSERT INTO {table} ({key_col}, {start_col}, {end_col}, {count_col}, {at_col}) "
        "VALUES (%s, %s, %s, 1, %s) "
        f"ON CONFLICT ({key_col}, {start_col}) DO UPDATE "
        f"SET {count_col} = {table}.{count_col} + 1, {at_col} = EXCLUDED.{at_col} "
        f"RETURNING {count_col}"
    )
    params = [key[:200], _db_datetime(start), _db_datetime(end), _db_datetime(now)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count = cursor.fetchone()[0]
    if count == 1:
        # The first hit of a key's new window also clears the windows that have ended: one
        # indexed DELETE now and then, and the table holds little more than the live windows.
        prune(now=now)
    return count


def hit(key: str, *, window_seconds: int, limit: int, now: datetime.datetime | None = None) -> bool:
    """Count one hit; True while the window's count stays within `limit`."""
    return increment(key, window_seconds=window_seconds, now=now) <= limit


def address_throttled(
    action: str, ip: str | None, *, window: datetime.timedelta, limit: int
) -> bool:
    """Count one attempt of a public `action` from the client address `ip`; True when it goes
    beyond `limit` attempts in the window (the page then answers 请稍后再试)."""
    key = f"{action}:{ip or '-'}"
    return not hit(key, window_seconds=int(window.total_seconds()), limit=limit)


def peek(
    key: str, *, window_seconds: int, now: datetime.datetime | None = None
) -> tuple[int, datetime.datetime | None]:
    """The current window's count for `key` and the time of its last hit, without counting."""
    from zhengtong.accounts.models import RateCounter

    start, _end = window_bounds(window_seconds, now)
    row = (
        RateCounter.objects.filter(key=key[:200], window_start=start)
        .values_list("count", "updated_at")
        .first()
    )
    return row if row else (0, None)


def reset(key: str) -> None:
    """Forget every window of `key` (e.g. an account after a successful login)."""
    from zhengtong.accounts.models import RateCounter

    RateCounter.objects.filter(key=key[:200]).delete()


def prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the windows that have ended; returns how many rows went."""
    from zhengtong.accounts.models import RateCounter

    deleted, _ = RateCounter.objects.filter(window_end__lte=now or timezone.now()).delete()
    return deleted


def _db_datetime(value: datetime.datetime):
    # Raw SQL bypasses the field's conversion: let the backend adapt the aware datetime.
    return connection.ops.adapt_datetimefield_value(value)
