"""社会保险扩面征缴: the year's targets per insurance and where they stand, recorded or corrected
by the department that keeps them."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from zhengtong.audit.actions import diff, record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.money import parse_amount

from ..models import InsuranceDrive
from ._common import acting_unit, past_date

FIELDS = ["enrol_target", "enrolled", "collect_target", "collected", "as_of"]


def _count(value, field: str, label: str, *, positive: bool = False) -> int:
    if value is None or not isinstance(value, int) or value < (1 if positive else 0):
        raise ValidationError({field: f"{label}{'必须大于 0' if positive else '不能为负数'}。"})
    return value


@audited_atomic
def insurance_drive_record(
    *,
    actor,
    year: int,
    insurance: str,
    enrol_target: int,
    enrolled: int,
    collect_target: Decimal,
    collected: Decimal,
    as_of: datetime.date,
    org_unit=None,
) -> InsuranceDrive:
    """Record (or correct) one insurance's targets and progress for `year`, as of `as_of`."""
    org_unit = acting_unit(actor, org_unit)
    if insurance not in InsuranceDrive.Insurance.values:
        raise ValidationError({"insurance": "请选择险种。"})
    past_date(as_of, field="as_of", label="截至日期")
    if not isinstance(year, int) or as_of.year != year:
        raise ValidationError({"as_of": f"截至日期应在 {year} 年内。"})
    values = {
        "enrol_target": _count(enrol_target, "enrol_target", "扩面目标", positive=True),
        "enrolled": _count(enrolled, "enrolled", "新增参保人数"),
        "collect_target": parse_amount(collect_target, field="collect_target", label="征缴目标"),
        "collected": parse_amount(
            collected, field="collected", label="已征缴金额", allow_zero=True
        ),
        "as_of": as_of,
    }
    drive = (
        InsuranceDrive.objects.select_for_update()
        .filter(org_unit=org_unit, year=year, insurance=insurance)
        .first()
    )
    if drive is None:
        drive = InsuranceDrive.objects.create(
            org_unit=org_unit, year=year, insurance=insurance, created_by=actor, **values
        )
        record_event(
            actor=actor,
            action="insurance_drive_recorded",
            kind=Event.Kind.CREATE,
            target=drive,
            org_unit=org_unit,
            changes=snapshot(drive, ["year", "insurance", *FIELDS]),
        )
        return drive
    if as_of < drive.as_of:
        raise ValidationError(
            {"as_of": f"已有截至 {drive.as_of:%Y-%m-%d} 的数据,截至日期不能更早。"}
        )
    before = snapshot(drive, FIELDS)
    for name, value in values.items():
        setattr(drive, name, value)
    changes = diff(before, snapshot(drive, FIELDS))
    if not changes:
        return drive
    drive.save(update_fields=FIELDS)
    record_event(
        actor=actor,
        action="insurance_drive_updated",
        target=drive,
        org_unit=org_unit,
        changes=changes,
    )
    return drive
