"""How a value is shown to a person: the one place that turns stored values into Chinese text.

Choices read as their labels, money in 元/万元/亿元 (lib.money), percentages to one decimal,
dates as 2026-12-01, date-times to the minute in local time, booleans as 是/否, lists joined
with 、, nothing as —. Pages reach it through the `zt` template filters; the audit log and the
change histories through `show`.
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils import timezone

from .money import format_yuan, to_decimal

EMPTY = "—"
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def percent_text(value) -> str:
    """85.25 → "85.3%"; None → "—"."""
    if value is None or value == "":
        return EMPTY
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return EMPTY
    return f"{number.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def date_text(value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _is_money(field) -> bool:
    return isinstance(field, models.DecimalField) and "元" in str(field.verbose_name)


def show(
    value,
    field: models.Field | None = None,
    *,
    money: bool = False,
    names: dict[str, str] | None = None,
) -> str:
    """`value` (a Python value or its JSON form in an audit row) as text for a person.

    `field` is the model field the value belongs to, when known: it gives the choice labels
    and says whether the number is an amount of money. `names` names the keys of a dict
    value (a list page's filters, say); a key it does not name reads 其他.
    """
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple, set)):
        items = [show(v, field, money=money, names=names) for v in value]
        return "、".join(items) if items else EMPTY
    if isinstance(value, dict):
        names = names or {}
        # Sorted: PostgreSQL's jsonb does not keep the order the keys were written in.
        parts = [f"{names.get(k, '其他')}:{show(v, names=names)}" for k, v in sorted(value.items())]
        return ";".join(parts) if parts else EMPTY
    choices = dict(field.flatchoices) if field is not None and field.choices else None
    if choices is not None and value in choices:
        return str(choices[value])
    if money or (field is not None and _is_money(field)):
        try:
            return format_yuan(to_decimal(value))
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return date_text(value)
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            return date_text(datetime.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)
