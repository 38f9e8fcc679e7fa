"""`record_event()` is the only way rows enter the audit log."""

import datetime
import decimal
import ipaddress
from collections.abc import Iterable

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from zhengtong.lib.masking import mask_for_audit

from .chain import lock_chain
from .context import current
from .models import Event


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
        value = getattr(instance, field.attname if field.is_relation else name)
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


@transaction.atomic
def record_event(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    kind: str = Event.Kind.UPDATE,
    changes: dict | None = None,
    reason: str = "",
    org_unit=None,
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
    # Serialise appenders, then read the head: see chain.py for why a row lock is not enough.
    lock_chain()
    last = Event.objects.order_by("-id").only("hash").first()
    event = Event(
        created_at=timezone.now(),
        actor=actor if authenticated else None,
        actor_label=(str(actor) if authenticated else (info.channel or "system"))[:150],
        ip=_normalized_ip(info.ip),
        channel=info.channel,
        request_id=info.request_id,
        kind=kind,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr[:200],
        org_unit=org_unit if isinstance(org_unit, models.Model) else None,
        changes=mask_for_audit(changes or {}),
        reason=mask_for_audit(reason)[:500],
        prev_hash=last.hash if last else "",
    )
    event.hash = event.compute_hash()
    event.save()
    return event


def verify_chain() -> list[int]:
    """Ids of rows whose hash does not match their content or predecessor; empty when intact."""
    broken = []
    prev = ""
    for event in Event.objects.order_by("id").iterator():
        if event.prev_hash != prev or event.hash != event.compute_hash():
            broken.append(event.pk)
        prev = event.hash
    return broken
