"""An audit event's before/after values as rows a person reads: the audit log's event page
and every change-history page (e.g. a key project's) show them the same way."""

from typing import Any

from django.apps import apps

from zhengtong.lib.display import show

from .labels import CHANGE_LABELS


def _target_fields(target_type: str) -> dict[str, tuple[int, Any]]:
    """{field name: (position, field)} of the target model, when it is known."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return {}
    fields = [f for f in model._meta.get_fields() if hasattr(f, "verbose_name")]
    return {f.name: (i, f) for i, f in enumerate(fields)}


def change_rows(event) -> list[dict]:
    """{field: [old, new]} as table rows in the model's field order (PostgreSQL's jsonb does
    not keep key order), named and shown in Chinese; a value that is not a pair counts as the
    new value."""
    known = _target_fields(event.target_type)
    changes = event.changes if isinstance(event.changes, dict) else {"": event.changes}
    rows = []
    for name, value in changes.items():
        if isinstance(value, (list, tuple)) and len(value) == 2:
            old, new = value
        else:
            old, new = None, value
        position, field = known.get(name, (len(known), None))
        label = str(field.verbose_name) if field is not None else CHANGE_LABELS.get(name, "其他")
        money = field is None and "(元)" in CHANGE_LABELS.get(name, "")
        rows.append(
            {
                "field": name,
                "label": label,
                "old": None if old is None else show(old, field, money=money, names=CHANGE_LABELS),
                "new": None if new is None else show(new, field, money=money, names=CHANGE_LABELS),
                "position": position,
            }
        )
    rows.sort(key=lambda row: (row["position"], row["field"]))
    return rows
