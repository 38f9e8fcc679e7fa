"""Reads of personal data, audited: the one helper every access door calls.

A door (`get_application_for_user`, `get_person_for_user`, `get_loan_for_user`…) fetches a row
for a user and calls `record_read()`, so a page, PDF or API endpoint that goes through the door
cannot forget the audit row. Lists write one row per page view naming how many persons were
shown (`record_list_read`), exports one row per file with the filter and the row count
(`record_export`). A row the user may not see is a 404 and a `denied` row (`record_denied`).

One request writes one read row per record: a page that reaches the same person through two
doors (the person, then the person's follow-up) logs it once.
"""

import contextvars

from django.db import models

from .actions import record_event
from .context import current
from .models import Event

# (request id, {(actor id, target type, target id)}) of the reads already written.
_seen: contextvars.ContextVar[tuple[str, set] | None] = contextvars.ContextVar(
    "audit_reads_seen", default=None
)


def _first_time(actor, target_type: str, target_id: str) -> bool:
    """False when this request already logged `actor` reading that target."""
    request_id = current().request_id
    if not request_id:
        return True
    state = _seen.get()
    if state is None or state[0] != request_id:
        state = (request_id, set())
        _seen.set(state)
    key = (getattr(actor, "pk", None), target_type, target_id)
    if key in state[1]:
        return False
    state[1].add(key)
    return True


def _unit_of(target):
    unit = getattr(target, "org_unit", None)
    return unit if isinstance(unit, models.Model) else None


def record_read(
    *,
    actor,
    target: models.Model,
    purpose: str = "",
    org_unit=None,
    action: str = "",
    details: dict | None = None,
) -> Event | None:
    """One `read` row: `actor` was shown `target` (a record holding a resident's personal data).

    `purpose` says what was shown (详情页, 受理回执 PDF, 接口…); `org_unit` defaults to the
    target's own unit, so the auditor of that unit sees the row. Returns None when this request
    already logged the same read.
    """
    target_type = target._meta.label_lower
    if not _first_time(actor, target_type, str(target.pk)):
        return None
    changes = dict(details or {})
    if purpose:
        changes["purpose"] = purpose
    return record_event(
        actor=actor,
        action=action or f"{target._meta.model_name}_viewed",
        kind=Event.Kind.READ,
        target=target,
        org_unit=org_unit if org_unit is not None else _unit_of(target),
        changes=changes,
    )


def record_list_read(
    *,
    actor,
    model: type[models.Model],
    count: int,
    purpose: str = "列表",
    filters: dict | None = None,
    org_unit=None,
) -> Event:
    """One `read` row per list page view: which list, how many persons it showed, with what
    filter."""
    label = str(model._meta.verbose_name)
    return record_event(
        actor=actor,
        action=f"{model._meta.model_name}_list_viewed",
        kind=Event.Kind.READ,
        target_type=model._meta.label_lower,
        target_repr=f"{label}{purpose}({count} 条)",
        org_unit=org_unit,
        changes={"purpose": purpose, "count": count, "filters": _plain_filters(filters)},
    )


def record_export(
    *,
    actor,
    name: str,
    model: type[models.Model],
    count: int,
    filters: dict | None = None,
    org_unit=None,
) -> Event:
    """One `read` row per export file: its name, the filter and the number of rows written."""
    return record_event(
        actor=actor,
        action=f"{model._meta.model_name}_exported",
        kind=Event.Kind.READ,
        target_type=model._meta.label_lower,
        target_repr=f"导出《{name}》({count} 行)",
        org_unit=org_unit,
        changes={
            "purpose": "导出",
            "name": name,
            "count": count,
            "filters": _plain_filters(filters),
        },
    )


def record_denied(*, actor, model: type[models.Model], pk, action: str = "", write: bool = False):
    """One `denied` row: `actor` asked for a row outside their scope (the caller answers 404)."""
    return record_event(
        actor=actor,
        action=action or f"{model._meta.model_name}_access_denied",
        kind=Event.Kind.DENIED,
        target_type=model._meta.label_lower,
        target_id=str(pk)[:40],
        target_repr="",
        changes={"write": True} if write else {},
    )


def _plain_filters(filters: dict | None) -> dict:
    """The filter values as text, empty ones left out (an ID number is masked by record_event)."""
    plain = {}
    for key, value in (filters or {}).items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, models.Model):
            value = str(value)
        elif isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        elif not isinstance(value, (int, bool)):
            value = str(value)
        plain[key] = value
    return plain
