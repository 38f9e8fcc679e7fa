"""Report queries on a read replica when one is configured (REPLICA_DATABASE_URL).

Reads made inside `on_replica()` (or a view wrapped in `@reads_from_replica`) go to the
"replica" database; everything else, and every write, stays on "default". Without a
replica configured the router answers None and Django uses "default" as always.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

REPLICA = "replica"
_reading = contextvars.ContextVar("zhengtong_replica_reads", default=False)


@contextmanager
def on_replica() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_from_replica(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with on_replica():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as default.
        return True

    def allow_migrate(self, db, app_label, **hints):
        # The replica follows the primary; it is never migrated directly.
        return db != REPLICA
