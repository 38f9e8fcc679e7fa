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

from django.db import connection, connections

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
