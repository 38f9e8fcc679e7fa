"""`record_event()` is the only way rows enter the audit log; `record_public_event()` is the
door for anonymous public reads (办件查询, 证件核验), which must not wait on the chain's lock.

A public read's row goes first to `PendingEvent` with one plain INSERT, MACed under the audit
key; `seal_pending()` moves pending rows into the chain in order, under the chain lock, and
deletes them in the same transaction. It runs every minute (job `audit_seal_pending`), before
`audit_verify` checks the chain and before the audit log page lists it.
"""

import datetime
import decimal
import ipaddress
import threading
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from zhengtong.lib.masking import mask_for_audit

from .chain import lock_chain
from .context import current
from .integrity import verify_chain_report
from .models import Event, PendingEvent
from .sealing import CARRIED_FIELDS, Keyring, get_keyring, mac_pending, seal

if TYPE_CHECKING:
    from zhengtong.accounts.models import OrgUnit


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    # An empty FieldFile raises ValueError on `.url`, so test the type, not the attributes.
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The current values of `fields` (all concrete fields by default), JSON-ready."""
    if fields is None:
        fields = [f.name for f in instance._meta.concrete_fields if f.name not in ("id",)]
    data = {}
    for name in fields:
        field = instance._meta.get_field(name)
        column = field.attname if isinstance(field, models.Field) and field.is_relation else name
        value = getattr(instance, column)
        data[name] = _plain(value)
    return data


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _normalized_ip(ip: str | None) -> str | None:
    """The address as the database will keep it, or None when it is not an IP address.

    The hash is computed before saving, so it must see the stored form: Django compresses IPv6
    addresses on save, and PostgreSQL's inet column refuses garbage from a spoofed header.
    """
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if address.version == 4:
        return str(address)
    return clean_ipv6_address(str(address))


KEY_ROTATED = "audit_key_rotated"
HEAD_FIELDS = ("id", "hash", "key_id")


def _head() -> Event | None:
    """The newest row: the only one an append reads."""
    return Event.objects.order_by("-id").only(*HEAD_FIELDS).first()


def _append(event: Event, last: Event | None, ring: Keyring) -> Event:
    """Seal `event` as the successor of `last` and insert it. The chain lock must be held."""
    event.id = last.id + 1 if last else 1
    event.key_id = ring.current_id
    event.prev_hash = last.hash if last else ""
    event.hash = seal(event, ring.current)
    event.save()
    return event


def _rotation_event(last: Event, ring: Keyring) -> Event:
    info = current()
    return Event(
        created_at=timezone.now(),
        actor=None,
        actor_label=(info.channel or "system")[:150],
        ip=_normalized_ip(info.ip),
        channel=info.channel,
        request_id=info.request_id,
        kind=Event.Kind.UPDATE,
        action=KEY_ROTATED,
        target_type="audit.event",
        target_id=ring.current_id,
        target_repr="审计链密钥",
        changes={"key_id": [last.key_id, ring.current_id]},
        reason="审计链改用新的密钥封存;此前的记录仍用旧密钥校验。",
    )


def _record_rotation(last: Event | None, ring: Keyring) -> Event | None:
    """When the key changed since the head was sealed, the chain says so before going on."""
    if last is None or last.key_id == ring.current_id:
        return last
    return _append(_rotation_event(last, ring), last, ring)


@transaction.atomic
def record_key_rotation() -> Event | None:
    """Append the rotation event now, if the current key is not the one the head carries."""
    ring = get_keyring()
    lock_chain()
    last = _head()
    rotated = _record_rotation(last, ring)
    return rotated if rotated is not last else None


@transaction.atomic
def record_event(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    kind: str = Event.Kind.UPDATE,
    changes: dict | None = None,
    reason: str = "",
    org_unit: "OrgUnit | None" = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
) -> Event:
    """Append one audit row. Call it inside the transaction of the change it records."""
    info = current()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)[:200]
        if org_unit is None:
            org_unit = getattr(target, "org_unit", None)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    # No key, no row: the write fails rather than leave an unsealed trace.
    ring = get_keyring()
    # Serialise appenders, then read the head: see chain.py for why a row lock is not enough.
    lock_chain()
    last = _record_rotation(_head(), ring)
    event = Event(
        created_at=timezone.now(),
        actor=actor if authenticated else None,
        actor_label=(str(actor) if authenticated else (info.channel or "system"))[:150],
        **_row_fields(info, kind, action, target_type, target_id, target_repr, org_unit,
                      changes, reason),
    )  # fmt: skip
    return _append(event, last, ring)


def _row_fields(info, kind, action, target_type, target_id, target_repr, org_unit, changes, reason):
    """The columns a chain row and a pending public read fill alike, masked and cut to size."""
    return {
        "ip": _normalized_ip(info.ip),
        "channel": info.channel,
        "request_id": info.request_id,
        "kind": kind,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_repr": target_repr[:200],
        "org_unit": org_unit if isinstance(org_unit, models.Model) else None,
        "changes": mask_for_audit(changes or {}),
        "reason": mask_for_audit(reason)[:500],
    }


SEAL_BATCH = 1000


# Ids of pending rows are taken from the sequence in blocks, so a lookup costs one INSERT. The
# blocks of two processes interleave: ids say nothing about time, and sealing takes every row
# there is, whatever its id, so a row committed late is sealed by the next run.
ID_BLOCK = 50
_ids_lock = threading.Lock()
_reserved: dict[str, list[int]] = {}


def _next_pending_id() -> int:
    """The id the next pending row takes; it is part of the row's MAC, so it is known first."""
    table = PendingEvent._meta.db_table
    if connection.vendor != "postgresql":
        # SQLite runs one writer at a time (BEGIN IMMEDIATE): the caller's transaction holds
        # the write lock, so nobody else takes this number.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            return int(cursor.fetchone()[0])
    with _ids_lock:
        # One block per database (tests switch databases; each has its own sequence).
        ids = _reserved.setdefault(connection.settings_dict["NAME"], [])
        if not ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, ID_BLOCK],
                )
                ids.extend(sorted((row[0] for row in cursor.fetchall()), reverse=True))
        return int(ids.pop())


def record_public_event(
    *,
    action: str,
    kind: str = Event.Kind.READ,
    changes: dict | None = None,
    reason: str = "",
    org_unit: "OrgUnit | None" = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
) -> PendingEvent:
    """Append one audit row for an anonymous public read, without taking the chain's lock.

    The row is MACed now and sealed into the chain within the minute (`seal_pending`); until
    then it is a `PendingEvent`. Only for reads by anyone on the public side: a change made by
    staff goes through `record_event` in the transaction of the change.
    """
    info = current()
    ring = get_keyring()
    # PostgreSQL: one INSERT in autocommit. SQLite: the id and the INSERT in one transaction.
    atomic = transaction.atomic() if connection.vendor != "postgresql" else nullcontext()
    with atomic:
        pending = PendingEvent(
            id=_next_pending_id(),
            created_at=timezone.now(),
            actor_label=(info.channel or "system")[:150],
            key_id=ring.current_id,
            **_row_fields(
                info, kind, action, target_type, target_id, target_repr, org_unit, changes, reason
            ),
        )
        pending.mac = mac_pending(pending, ring.current)
        pending.save()
    return pending


def pending_intact(pending: PendingEvent, ring: Keyring) -> bool:
    """True when the pending row is as it was inserted (its MAC holds under its key)."""
    key = ring.get(pending.key_id)
    return key is not None and mac_pending(pending, key) == pending.mac


@dataclass
class SealResult:
    sealed: int = 0
    # Pending rows whose MAC fails (changed in the database): left pending, reported by
    # audit_verify, never sealed as if they were genuine.
    refused: list[int] = field(default_factory=list)


def seal_pending(*, batch: int = SEAL_BATCH) -> SealResult:
    """Move every intact pending row into the chain, oldest first, `batch` rows a transaction.

    Each batch takes the chain lock, appends its rows after the head and deletes them from the
    pending table before it commits: a crash leaves them pending for the next run, and two
    sealers running at once seal each row once (the second waits on the lock, then finds the
    rows gone).
    """
    result = SealResult()
    while True:
        with transaction.atomic():
            ring = get_keyring()
            lock_chain()
            rows = list(PendingEvent.objects.exclude(id__in=result.refused).order_by("id")[:batch])
            if not rows:
                break
            last = _record_rotation(_head(), ring)
            events, done = [], []
            for pending in rows:
                if not pending_intact(pending, ring):
                    result.refused.append(pending.id)
                    continue
                event = Event(**{name: getattr(pending, name) for name in CARRIED_FIELDS})
                event.id = last.id + 1 if last else 1
                event.key_id = ring.current_id
                event.prev_hash = last.hash if last else ""
                event.hash = seal(event, ring.current)
                events.append(event)
                done.append(pending.id)
                last = event
            Event.objects.bulk_create(events)
            # The pending table refuses deletes through its manager; only sealing removes rows.
            models.QuerySet(PendingEvent).filter(id__in=done).delete()
            result.sealed += len(done)
        if len(rows) < batch:
            break
    return result


def seal_pending_if_any() -> SealResult:
    """`seal_pending()`, after one cheap look (no lock) when nothing is waiting."""
    if not PendingEvent.objects.exists():
        return SealResult()
    return seal_pending()


def verify_chain() -> list[int]:
    """Ids of rows that fail their seal, their link or a checkpoint; empty when intact.

    `verify_chain_report()` (integrity.py) says why, and also finds rows missing after a
    checkpoint, which have no id to list.
    """
    return verify_chain_report().broken_ids
