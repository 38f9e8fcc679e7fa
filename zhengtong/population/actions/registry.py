"""Households: create, edit, and who lives in them. The flags (留守老人, 留守儿童, 单亲) are
derived from the members, see `zhengtong.population.selectors.household_flags`."""

from django.core.exceptions import ValidationError

from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import diff, record_event, snapshot
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.people.models import Household, HouseholdMember, Person

from ..selectors import POPULATION_ROLES, can_write_person

HOUSEHOLD_FIELDS = ["org_unit", "address", "special_family"]


def _clean_household(*, actor, org_unit, address: str, special_family: str) -> dict:
    address = (address or "").strip()
    if not address:
        raise ValidationError({"address": "请填写住址。"})
    if len(address) > 200:
        raise ValidationError({"address": "住址不能超过 200 个字。"})
    special_family = special_family or ""
    if special_family not in Household.SpecialFamily.values:
        raise ValidationError({"special_family": "计生特殊家庭类别不在可选范围内。"})
    if org_unit is None:
        raise ValidationError({"org_unit": "请选择所属村。"})
    if not can_act_in(actor, org_unit, POPULATION_ROLES):
        raise ValidationError({"org_unit": "您无权在该村登记家庭户。"})
    return {"org_unit": org_unit, "address": address, "special_family": special_family}


@audited_atomic
def household_create(*, actor, org_unit, address: str, special_family: str = "") -> Household:
    """Register a household in a village of the actor's area."""
    data = _clean_household(
        actor=actor, org_unit=org_unit, address=address, special_family=special_family
    )
    household = Household.objects.create(**data)
    record_event(
        actor=actor,
        action="household_created",
        kind=Event.Kind.CREATE,
        target=household,
        changes=diff({}, snapshot(household, HOUSEHOLD_FIELDS)),
    )
    return household


@audited_atomic
def household_update(
    *, actor, household: Household, address: str, special_family: str, org_unit=None
) -> Household:
    """Change the address or the 计生特殊家庭 fact the office recorded."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not can_act_in(actor, household.org_unit, POPULATION_ROLES):
        raise ValidationError({"org_unit": "您无权修改该家庭户。"})
    data = _clean_household(
        actor=actor,
        org_unit=org_unit or household.org_unit,
        address=address,
        special_family=special_family,
    )
    before = snapshot(household, HOUSEHOLD_FIELDS)
    for key, value in data.items():
        setattr(household, key, value)
    changes = diff(before, snapshot(household, HOUSEHOLD_FIELDS))
    if changes:
        household.save(update_fields=[*data, "updated_at"])
        record_event(actor=actor, action="household_updated", target=household, changes=changes)
    return household


@audited_atomic
def household_member_add(
    *, actor, household: Household, person: Person, relation: str
) -> HouseholdMember:
    """Put `person` in `household`; a person already in another household moves (one household
    per person), and the move is in the same audit row."""
    if relation not in HouseholdMember.Relation.values:
        raise ValidationError({"relation": "与户主关系不在可选范围内。"})
    if not can_act_in(actor, household.org_unit, POPULATION_ROLES):
        raise ValidationError({"household": "您无权修改该家庭户。"})
    if person.merged_into_id is not None or not can_write_person(actor, person):
        raise ValidationError({"person": "您无权修改该人员。"})
    if (
        relation == HouseholdMember.Relation.HEAD
        and household.members.filter(relation=HouseholdMember.Relation.HEAD)
        .exclude(person=person)
        .exists()
    ):
        raise ValidationError({"relation": "该户已有户主。"})
    member = HouseholdMember.objects.select_for_update().filter(person=person).first()
    changes: dict = {"person": [None, person.name], "relation": [None, relation]}
    if member is None:
        member = HouseholdMember.objects.create(
            household=household, person=person, relation=relation
        )
    else:
        if member.household_id != household.pk:
            changes["from_household"] = [str(member.household), None]
        changes["relation"] = [member.relation, relation]
        member.household = household
        member.relation = relation
        member.save(update_fields=["household", "relation"])
    record_event(
        actor=actor,
        action="household_member_added",
        target=household,
        changes=changes,
    )
    return member


@audited_atomic
def household_member_remove(*, actor, member: HouseholdMember) -> None:
    """Take a person out of a household (moved away, deceased, registered by mistake)."""
    household = member.household
    if not can_act_in(actor, household.org_unit, POPULATION_ROLES):
        raise ValidationError({"household": "您无权修改该家庭户。"})
    changes = {"person": [member.person.name, None], "relation": [member.relation, None]}
    member.delete()
    record_event(
        actor=actor,
        action="household_member_removed",
        kind=Event.Kind.DELETE,
        target=household,
        changes=changes,
    )
