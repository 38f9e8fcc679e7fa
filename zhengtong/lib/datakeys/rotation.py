"""Re-encrypt every encrypted column under a new version of the data key, in batches.

Each sealed value starts with the version of the key that sealed it (2 bytes, big-endian), so
the rows still to do are those whose value is below ``current version`` as bytes: comparing
blobs compares their first bytes first, on SQLite and PostgreSQL alike. A run that is killed
has committed its finished batches; the next run finds the rest by the same comparison and
goes on with the same version. Only when no row is left below the current version does a run
start a new version.

The blind index is not re-keyed: it has a key of its own (``blind-index``), and changing it
would rewrite every unique index at once; a new index key is a separate migration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL

from zhengtong.lib import encrypted
from zhengtong.lib.datakeys import keys

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Column:
    model: type[models.Model]
    field: encrypted.EncryptedField

    @property
    def label(self) -> str:
        return f"{self.model._meta.verbose_name}·{self.field.verbose_name}"


def encrypted_columns(purpose: str = encrypted.DATA_PURPOSE) -> list[Column]:
    """Every concrete encrypted column of the project's models (not unmanaged scratch ones)."""
    return [
        Column(model, field)
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
        for field in model._meta.local_concrete_fields
        if isinstance(field, encrypted.EncryptedField) and field.purpose == purpose
    ]


def _older_than(column: Column, version: int) -> RawSQL:
    table = connection.ops.quote_name(column.model._meta.db_table)
    name = connection.ops.quote_name(str(column.field.column))
    prefix = connection.Database.Binary(version.to_bytes(2, "big"))  # type: ignore[attr-defined]
    return RawSQL(
        f"{table}.{name} IS NOT NULL AND {table}.{name} < %s",
        [prefix],
        output_field=models.BooleanField(),
    )


def stale_rows(column: Column, version: int) -> models.QuerySet:
    """The rows of ``column`` sealed under a key older than ``version``."""
    return (
        column.model._base_manager.alias(stale=_older_than(column, version))
        .filter(stale=True)
        .order_by("pk")
    )


def stale_count(version: int, purpose: str = encrypted.DATA_PURPOSE) -> int:
    return sum(stale_rows(c, version).count() for c in encrypted_columns(purpose))


def start(purpose: str = encrypted.DATA_PURPOSE) -> tuple[int, bool]:
    """The version to re-encrypt under, and whether it is new (False: an unfinished run)."""
    version, _ = keys.current_key(purpose)
    if stale_count(version, purpose):
        return version, False
    version, _ = keys.new_version(purpose)
    return version, True


def reencrypt(
    column: Column, version: int, *, batch_size: int = BATCH_SIZE
) -> Iterator[tuple[int, int]]:
    """Re-seal the stale rows of one column, one transaction per batch; yields (done, total)."""
    total = stale_rows(column, version).count()
    done = 0
    name = column.field.name
    while True:
        with transaction.atomic():
            rows = list(
                stale_rows(column, version).select_for_update().only("pk", name)[:batch_size]
            )
            if not rows:
                return
            # The rows load sealed; bulk_update reads each value (decrypting it) and seals it
            # under the current key. The index and mask do not change, so only the value
            # column is written.
            column.model._base_manager.bulk_update(rows, [name])
        done += len(rows)
        yield done, total


def rotate(
    *,
    purpose: str = encrypted.DATA_PURPOSE,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str], None] = lambda line: None,
) -> dict:
    """Re-encrypt every encrypted column under a new key version (or finish the last run)."""
    version, new = start(purpose)
    progress(
        f"新建数据密钥第 {version} 版,开始重新加密。"
        if new
        else f"继续上次未完成的轮换:重新加密到第 {version} 版。"
    )
    rows = 0
    columns = {}
    for column in encrypted_columns(purpose):
        count = 0
        for done, total in reencrypt(column, version, batch_size=batch_size):
            count = done
            progress(f"{column.label}:已重新加密 {done}/{total} 行")
        columns[f"{column.model._meta.db_table}.{column.field.column}"] = count
        rows += count
    return {"version": version, "new_version": new, "rows": rows, "columns": columns}
