"""City works (城建工程): quantities installed against a physical target.

The installed total of a target never exceeds its planned quantity; the check locks the target
row so two entries recorded at the same moment cannot both pass it. Views decide who may call.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from zhengtong.audit.actions import record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event

from ..models import WorkQuantity, WorkTarget
from .funds import clean_past_date

QUANTITY_MAX = Decimal("9999999999.99")


def format_quantity(value: Decimal) -> str:
    """1156.00 → "1156", 3.50 → "3.5": quantities read as people write them."""
    text = format(Decimal(value).quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def clean_quantity(value) -> Decimal:
    error = ValidationError({"quantity": _("完成量必须是数字。")})
    if isinstance(value, float) or value is None or isinstance(value, bool):
        raise error
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise error from None
    if not quantity.is_finite():
        raise error
    if quantity <= 0:
        raise ValidationError({"quantity": _("完成量必须大于 0。")})
    if quantity > QUANTITY_MAX:
        raise ValidationError({"quantity": _("完成量过大。")})
    if quantity != quantity.quantize(Decimal("0.01")):
        raise ValidationError({"quantity": _("完成量最多保留两位小数。")})
    return quantity.quantize(Decimal("0.01"))


@audited_atomic
def quantity_record(
    *,
    actor,
    target: WorkTarget,
    recorded_on: datetime.date,
    quantity,
    note: str = "",
) -> WorkQuantity:
    """Record `quantity` installed on `recorded_on`; the total stays within the plan."""
    quantity = clean_quantity(quantity)
    recorded_on = clean_past_date(recorded_on, field="recorded_on", label=_("日期"))
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("说明不能超过 200 个字。")})
    # Lock the target so two entries recorded at once see each other's quantity.
    target = (
        WorkTarget.objects.select_for_update().select_related("project__org_unit").get(pk=target.pk)
    )
    installed = target.entries.aggregate(total=Sum("quantity"))["total"] or Decimal("0")
    after = installed + quantity
    if after > target.planned_quantity:
        raise ValidationError(
            {
                "quantity": _(
                    "完成量:登记后%(measure)s累计完成 %(after)s%(unit)s,超过计划量 %(planned)s%(unit)s"
                    "(已完成 %(installed)s%(unit)s)。"
                )
                % {
                    "measure": target.get_measure_display(),
                    "after": format_quantity(after),
                    "planned": format_quantity(target.planned_quantity),
                    "installed": format_quantity(installed),
                    "unit": target.unit,
                }
            }
        )
    entry = WorkQuantity.objects.create(
        target=target, recorded_on=recorded_on, quantity=quantity, note=note, created_by=actor
    )
    record_event(
        actor=actor,
        action="work_quantity_recorded",
        target=entry,
        kind=Event.Kind.CREATE,
        changes={
            **{
                k: [None, v]
                for k, v in snapshot(entry, ["target", "recorded_on", "quantity", "note"]).items()
            },
            "installed_total": [str(installed), str(after)],
        },
        org_unit=target.project.org_unit,
    )
    return entry
