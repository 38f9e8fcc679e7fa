"""Receipt and certificate numbers: per-hall, per-day and per-item counters, one atomic
statement each."""

import datetime
import re

from django.db import connection

from ..models import (
    Sequence,
    ServiceItem,
)


def sequence_next(key: str) -> int:
    """The next number of the named counter, in one atomic statement.

    The upsert takes the counter row's lock and holds it to commit, so two transactions asking
    for the same key get consecutive numbers and a rolled-back one gives its number back.
    Actions take the audit chain's lock before this one (`audited_atomic`), so a counter is
    never waited for by a transaction that holds the chain.
    """
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, last_number) VALUES (%s, 1) "  # noqa: S608 - table name
            f"ON CONFLICT (key) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [key],
        )
        return cursor.fetchone()[0]


def hall_prefix(org_unit) -> str:
    """Receipt-number prefix of a hall: its unit code, letters and digits only."""
    return re.sub(r"[^A-Z0-9]", "", org_unit.code.upper())[:10]


def next_receipt_no(org_unit, day: datetime.date) -> str:
    serial = sequence_next(f"receipt:{org_unit.pk}:{day:%Y%m%d}")
    return f"{hall_prefix(org_unit)}{day:%Y%m%d}{serial:04d}"


def next_certificate_no(item: ServiceItem, year: int) -> str:
    serial = sequence_next(f"cert:{item.code}:{year}")
    return f"{item.certificate_prefix or item.code}{year}{serial:06d}"
