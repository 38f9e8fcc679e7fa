"""Checks shared by the livelihood actions: dates, amounts and the department that may act."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhengtong.lib.money import parse_amount

from ..selectors import can_edit_row, keeping_unit_for

# Nothing in these ledgers happened before the zone's records begin.
EARLIEST_DATE = datetime.date(2000, 1, 1)


def today() -> datetime.date:
    return timezone.localdate()


def past_date(value, *, field: str, label: str, not_before: datetime.date | None = None):
    """A date that has already happened: not in the future, not absurdly early."""
    if not isinstance(value, datetime.date):
        raise ValidationError({field: f"请填写{label}。"})
    if value > today():
        raise ValidationError({field: f"{label}不能晚于今天。"})
    if value < EARLIEST_DATE:
        raise ValidationError({field: f"{label}不能早于 {EARLIEST_DATE:%Y年%m月%d日}。"})
    if not_before is not None and value < not_before:
        raise ValidationError({field: f"{label}不能早于 {not_before:%Y年%m月%d日}。"})
    return value


def money(value, *, field: str, label: str, maximum: Decimal) -> Decimal:
    """A positive amount in 元 with at most two decimals and at most `maximum`."""
    return parse_amount(value, field=field, label=label, maximum=maximum)


def text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}。"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字。"})
    return value


def acting_unit(actor, org_unit=None):
    """The department a new row is kept by: the actor's own livelihood department.

    Passing `org_unit` (seed scripts, admins with several posts) is allowed only when the actor
    is a clerk there.
    """
    if org_unit is None:
        org_unit = keeping_unit_for(actor)
        if org_unit is None:
            raise PermissionDenied("只有社会事业局经办人员可以登记民生台账。")
    elif not can_edit_row(actor, org_unit):
        raise PermissionDenied("无权在该单位登记民生台账。")
    return org_unit


def require_edit(actor, org_unit) -> None:
    if not can_edit_row(actor, org_unit):
        raise PermissionDenied("无权修改该单位的民生台账。")
