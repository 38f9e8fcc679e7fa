"""就业见习基地: the department applies to the city for recognition → 已认定 or 未认定.

The year's count is the number of bases applied for (and recognised) in the calendar year.
"""

import datetime

from django.core.exceptions import ValidationError

from zhengtong.audit.actions import record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event

from ..models import InternshipBase
from ._common import acting_unit, past_date, require_edit, text

MAX_POSITIONS = 1000
S = InternshipBase.Status


@audited_atomic
def internship_base_apply(
    *,
    actor,
    name: str,
    employer: str,
    applied_on: datetime.date,
    positions: int = 0,
    level: str = "市级",
    org_unit=None,
) -> InternshipBase:
    org_unit = acting_unit(actor, org_unit)
    name = text(name, field="name", label="基地名称", max_length=100)
    employer = text(employer, field="employer", label="依托单位", max_length=100)
    level = text(level, field="level", label="级别", max_length=10)
    past_date(applied_on, field="applied_on", label="申报日期")
    if not isinstance(positions, int) or not 0 <= positions <= MAX_POSITIONS:
        raise ValidationError({"positions": f"见习岗位数应在 0 至 {MAX_POSITIONS} 之间。"})
    duplicate = InternshipBase.objects.filter(
        org_unit=org_unit, name=name, status__in=[S.APPLIED, S.APPROVED]
    ).exists()
    if duplicate:
        raise ValidationError({"name": f"“{name}”已申报或已认定,不能重复申报。"})
    base = InternshipBase.objects.create(
        name=name,
        employer=employer,
        org_unit=org_unit,
        level=level,
        positions=positions,
        applied_on=applied_on,
    )
    record_event(
        actor=actor,
        action="internship_base_applied",
        kind=Event.Kind.CREATE,
        target=base,
        changes=snapshot(base, ["name", "employer", "level", "positions", "applied_on", "status"]),
    )
    return base


@audited_atomic
def internship_base_decide(
    *, actor, base: InternshipBase, approved: bool, decided_on: datetime.date, reason: str = ""
) -> InternshipBase:
    """Record the city's decision on an application: 已认定 or 未认定 (with a reason)."""
    base = InternshipBase.objects.select_for_update().select_related("org_unit").get(pk=base.pk)
    require_edit(actor, base.org_unit)
    if base.status != S.APPLIED:
        raise ValidationError({"status": "该基地已有认定结果,不能重复认定。"})
    past_date(decided_on, field="decided_on", label="认定日期", not_before=base.applied_on)
    reason = text(reason, field="reason", label="未认定理由", max_length=300, required=not approved)
    old = base.status
    base.status = S.APPROVED if approved else S.REJECTED
    base.decided_on = decided_on
    base.save(update_fields=["status", "decided_on"])
    record_event(
        actor=actor,
        action="internship_base_approved" if approved else "internship_base_rejected",
        target=base,
        changes={"status": [old, base.status], "decided_on": [None, decided_on.isoformat()]},
        reason=reason,
    )
    return base
