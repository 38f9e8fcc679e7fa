"""The audit chain's one lock: every transaction that appends to the chain holds it to commit.

Events are chained by hash, so two transactions must never read the same head. Taking a row
lock on "the newest event" is not enough under READ COMMITTED: a second writer waiting on that
row wakes after the first commits and still holds a row that is no longer the newest. A
transaction-scoped advisory lock on one fixed key serialises appenders instead; after it is
granted, the next statement sees every chain row committed before.

Take it first: a transaction that locks other rows (a counter, a case) and then appends to the
chain must have taken the chain lock before those rows, or two such transactions can deadlock.
`zhengtong.lib.tx.write_action` does that for every action.

SQLite needs nothing: its transactions start with BEGIN IMMEDIATE (see settings), so writers
run one at a time.
"""

from contextlib import ContextDecorator

from django.db import connection, connections, transaction

# Any fixed 64-bit number; it names the lock in pg_locks (objid). "ZT audit" in ASCII.
CHAIN_LOCK_KEY = 0x5A54_6175_6469_74


def lock_chain(using=None) -> None:
    """Wait for, and hold to the end of the current transaction, the audit chain's lock."""
    conn = connections[using] if using else connection
    if conn.vendor != "postgresql":
        return
    if not conn.in_atomic_block:
        raise RuntimeError("lock_chain() must be called inside a transaction")
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


class AuditedAtomic(ContextDecorator):
    """`transaction.atomic` for a change that will be audited: the chain's lock comes first.

    Every action is decorated with it instead of `transaction.atomic`, so the lock order is
    the same in every transaction (chain, then whatever rows the action locks) and no two
    actions can deadlock on a counter or a case row while waiting for the chain. Nested use
    costs nothing more than a savepoint: the lock is re-entrant and held to commit.
    """

    def __init__(self, using=None):
        self.using = using
        self._atomics: list = []

    def _recreate_cm(self):
        # A fresh instance per call, so recursion and threads do not share the atomic block.
        return type(self)(self.using)

    def __enter__(self):
        atomic = transaction.atomic(using=self.using)
        atomic.__enter__()
        self._atomics.append(atomic)
        try:
            lock_chain(self.using)
        except BaseException as exc:
            self._atomics.pop().__exit__(type(exc), exc, exc.__traceback__)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        return self._atomics.pop().__exit__(exc_type, exc, tb)


def audited_atomic(using=None):
    """Use as `@audited_atomic`, `@audited_atomic(using=...)` or `with audited_atomic():`."""
    if callable(using):
        return AuditedAtomic()(using)
    return AuditedAtomic(using)
