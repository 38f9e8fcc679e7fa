"""The demo data for tests: `seed_demo` builds it once per test run (per moment it is built
at); every later test that asks for it gets a fresh copy of what it built.

Right after the first run the rows of every table are read out (SQLite: the stored values;
PostgreSQL: ``COPY … TO STDOUT``). A later call writes them back in place of whatever the
tables hold (SQLite: ``DELETE`` and ``INSERT``; PostgreSQL: ``TRUNCATE`` and ``COPY … FROM
STDIN``) and sets the id counters to where the first run left them, inside the caller's
transaction. So the same call works in a TestCase's ``setUpTestData`` (rolled back with the
class), in a transactional test (flushed after it) and behind a live server, and each test
starts from the same rows and the same next ids whatever ran before it. The audit chain is
copied row for row, so it verifies; the demo writes no checkpoint, so each test's empty
checkpoint directory stays right.

The demo depends on the moment it is built ("this year", "last month", due dates counted from
today, the roster, the 暂定 years): it is built with the clock frozen at `at`, by default
`DEMO_AT`, and once per distinct `at`. Tests that need no other day use the default, so the
whole run builds it a handful of times at most.

Call it first, before the test makes rows of its own: the copy replaces every table.
"""

import datetime
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, transaction

# The demo's day for tests: a Friday in November, so "this year" is 2026 with ten months of
# reports behind it and the hall open.
DEMO_AT = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# Bookkeeping of the migrations, not data: tests never change it and it is left alone.
# The summary tables are counted again from the restored rows (their triggers fire on the
# restore, so a copy of them would count every row twice).
ROLLUP_TABLES = {
    "rollups_caseday",
    "rollups_casehandlermonth",
    "rollups_caseitemmonth",
    "rollups_casemonth",
    "rollups_followupday",
    "rollups_followupmonth",
}
SKIPPED_TABLES = {"django_migrations", *ROLLUP_TABLES}


@dataclass(frozen=True)
class Snapshot:
    output: str
    # SQLite: (table, columns, rows); PostgreSQL: (table, None, COPY text).
    tables: tuple
    # SQLite only: the AUTOINCREMENT counters (sqlite_sequence rows).
    counters: tuple


_snapshots: dict[tuple[str, float], Snapshot] = {}


def seed_demo(at: datetime.datetime = DEMO_AT, *, using: str = "default") -> str:
    """Put the demo, as `manage.py seed_demo` builds it at `at`, into the test database and
    return what the command printed."""
    key = (using, at.timestamp())
    snapshot = _snapshots.get(key)
    if snapshot is None:
        output = _run_seed_demo(at)
        snapshot = _snapshots[key] = _take(connections[using], output)
    else:
        _restore(connections[using], snapshot)
    return snapshot.output


def _run_seed_demo(at: datetime.datetime) -> str:
    out = io.StringIO()
    with time_machine.travel(at, tick=False):
        call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _tables(connection, cursor) -> list[str]:
    names = connection.introspection.table_names(cursor)
    # Tables of unmanaged models (a test's own scratch model) come and go outside the demo.
    unmanaged = {m._meta.db_table for m in apps.get_models() if not m._meta.managed}
    return sorted(n for n in names if n not in SKIPPED_TABLES and n not in unmanaged)


def _take(connection, output: str) -> Snapshot:
    qn = connection.ops.quote_name
    # (table, its columns on SQLite, its rows: COPY text on PostgreSQL, value tuples on SQLite)
    tables: list[tuple[str, tuple | None, bytes | tuple]] = []
    counters: tuple = ()
    with connection.cursor() as cursor:
        for name in _tables(connection, cursor):
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {qn(name)} TO STDOUT") as copy:
                    data = b"".join(bytes(block) for block in copy)
                tables.append((name, None, data))
            else:
                columns = [
                    c.name for c in connection.introspection.get_table_description(cursor, name)
                ]
                # Unary plus hands back each value as stored: no column type, so no converter.
                cursor.execute(f"SELECT {', '.join('+' + qn(c) for c in columns)} FROM {qn(name)}")
                tables.append((name, tuple(columns), tuple(cursor.fetchall())))
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
            counters = tuple(cursor.fetchall())
        else:
            # The first caller gets the same next ids as every later one.
            _reset_sequences(connection, cursor)
    return Snapshot(output=output, tables=tuple(tables), counters=counters)


def _reset_sequences(connection, cursor) -> None:
    """PostgreSQL: each id sequence continues after the highest id of its table."""
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
    for sql in connection.ops.sequence_reset_sql(no_style(), models):
        cursor.execute(sql)


def _restore(connection, snapshot: Snapshot) -> None:
    qn = connection.ops.quote_name
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Check what the transaction has written so far, so TRUNCATE finds nothing pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            names = [name for name, _, _ in snapshot.tables] + sorted(ROLLUP_TABLES)
            cursor.execute("TRUNCATE " + ", ".join(qn(name) for name in names))
            for name, _, data in snapshot.tables:
                if data:
                    with cursor.cursor.copy(f"COPY {qn(name)} FROM STDIN") as copy:
                        copy.write(data)
            _reset_sequences(connection, cursor)
        else:
            for name, columns, rows in snapshot.tables:
                cursor.execute(f"DELETE FROM {qn(name)}")
                if rows:
                    cursor.executemany(
                        f"INSERT INTO {qn(name)} ({', '.join(qn(c) for c in columns)}) "
                        f"VALUES ({', '.join(['%s'] * len(columns))})",
                        rows,
                    )
            cursor.execute("DELETE FROM sqlite_sequence")
            cursor.executemany(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", snapshot.counters
            )
        from zhengtong.rollups.rebuild import rebuild

        rebuild(using=connection.alias)
    # Ids may differ from the ones cached in this process (after a flush that made them anew).
    ContentType.objects.clear_cache()
