"""Transfer of a person's record to another township (流入地 ↔ 户籍地).

The owning unit changes; history stays where it was recorded (its `org_unit` is the source
unit the timeline shows). Open work moves with the person so the new owner gets the tasks.
The old owner keeps read access to the history up to the transfer (see selectors).
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.people.models import Person

from .. import models as m
from ..selectors import can_write_person, unit_of


def _open_rows(person: Person) -> dict:
    """The rows that are still work to do; closed ones stay as history with their source."""
    return {
        "floating_records": m.FloatingRecord.objects.filter(person=person, ended_on__isnull=True),
        "followup_plans": m.FollowUpPlan.objects.filter(person=person, active=True),
        "contraception_reports": m.ContraceptionReport.objects.filter(person=person).exclude(
            status=m.ContraceptionReport.Status.VERIFIED
        ),
        "pregnancies": m.Pregnancy.objects.filter(person=person).filter(
            Q(delivered_on__isnull=True) | Q(visits__done_on__isnull=True)
        ),
        "pairings": m.Pairing.objects.filter(person=person, active=True),
    }


def township_of(unit: OrgUnit | None) -> OrgUnit | None:
    """The township (镇/街道) a unit lies in, or the unit itself above that level."""
    node = unit
    while node is not None:
        if node.kind == OrgUnit.Kind.TOWN:
            return node
        node = node.parent
    return unit


@audited_atomic
def person_transfer(*, actor, person: Person, to_unit: OrgUnit, reason: str) -> m.Transfer:
    """Hand `person` over to `to_unit` (a village or township of another township)."""
    person = (
        Person.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=person.pk)
    )
    if not can_write_person(actor, person):
        raise ValidationError({"person": "只有该人员的现属地可以办理转移。"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写转移原因。"})
    if len(reason) > 200:
        raise ValidationError({"reason": "转移原因不能超过 200 个字。"})
    if to_unit is None:
        raise ValidationError({"to_unit": "请选择转入单位。"})
    if to_unit.kind not in (OrgUnit.Kind.TOWN, OrgUnit.Kind.VILLAGE):
        raise ValidationError({"to_unit": "转入单位应为乡镇或村。"})
    if township_of(to_unit) == township_of(person.org_unit):
        raise ValidationError({"to_unit": "转入单位与现属地在同一乡镇,请直接修改所属村。"})
    from_unit = unit_of(person)
    transfer = m.Transfer.objects.create(
        person=person,
        from_unit=from_unit,
        to_unit=to_unit,
        reason=reason,
        transferred_at=timezone.now(),
        transferred_by=actor,
    )
    moved = {}
    for name, rows in _open_rows(person).items():
        ids = list(rows.values_list("pk", flat=True).distinct())
        if ids:
            rows.model.objects.filter(pk__in=ids).update(org_unit=to_unit)
            moved[name] = len(ids)
    person.org_unit = to_unit
    person.save(update_fields=["org_unit", "updated_at"])
    record_event(
        actor=actor,
        action="person_transferred",
        target=person,
        reason=reason,
        org_unit=from_unit,
        changes={"org_unit": [str(from_unit), str(to_unit)], "moved_open_rows": moved},
    )
    return transfer
