"""Who may see and change population records: the only door to persons and their rows.

A village worker (`Role.VILLAGE_WORKER`) at a village sees that village; at the township (刘集镇
计生办) all its villages. After a transfer the old owner keeps READ access to the person and to the
history up to the transfer; only the new owner writes.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.accounts.scope import can_act_in, scope, scope_q, unit_kinds, unit_paths
from zhengtong.audit.actions import record_event
from zhengtong.audit.models import Event
from zhengtong.audit.reads import record_denied, record_read
from zhengtong.lib.encrypted import match
from zhengtong.people.models import Household, HouseholdMember, Person

from .models import FamilyCampaign, FloatingRecord, MarriageCertificate, Transfer, WeeklyPost

POPULATION_ROLES = [Role.VILLAGE_WORKER]
TOWNSHIP_KINDS = [OrgUnit.Kind.CITY, OrgUnit.Kind.COUNTY, OrgUnit.Kind.ZONE, OrgUnit.Kind.TOWN]


def persons_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Persons `user` may read: in scope, or transferred away from the user's units; never a
    merged duplicate."""
    if qs is None:
        qs = Person.objects.all()
    # One id set from two indexed reads (persons by village, transfers by old village) joined by
    # UNION, instead of OR-ing a subquery into the village filter: with the OR the planner had to
    # scan every person to count a page.
    own = Person.objects.filter(scope_q(user, POPULATION_ROLES, via="org_unit")).order_by()
    transferred_away = Transfer.objects.filter(
        scope_q(user, POPULATION_ROLES, via="from_unit")
    ).order_by()
    visible = own.values("pk").union(transferred_away.values("person_id"))
    return qs.filter(pk__in=visible, merged_into__isnull=True)


def rows_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Any population row with an `org_unit`, limited to the user's villages."""
    return scope(queryset, user, POPULATION_ROLES, via="org_unit")


def can_write_person(user, person: Person) -> bool:
    """Only the current owner (the unit the person belongs to now) changes the record."""
    if person.merged_into_id is not None:
        return False
    return can_act_in(user, person.org_unit, POPULATION_ROLES)


def unit_of(person: Person) -> OrgUnit:
    """The unit a person belongs to, for rows filed under it. can_write_person() has already
    refused a person with none, so the error is a last guard."""
    if person.org_unit is None:
        raise ValidationError({"person": "该人员没有所属单位,请先在人员信息中补全所属村。"})
    return person.org_unit


def record_person_denied(user, pk, *, write: bool = False) -> None:
    """Audit an attempt on a person the user may not see (or not change)."""
    record_denied(actor=user, model=Person, pk=pk, action="person_access_denied", write=write)


def get_person_for_user(user, pk, *, for_write: bool = False, purpose: str = "人员档案") -> Person:
    """The person `pk` if `user` may read it, the read audited (once per request); 404
    otherwise, audited as denied.

    With `for_write`, an old owner after a transfer gets 403 (it may still read the history).
    `purpose` names what the page shows of the person (档案, 随访, 孕产…).
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    person = (
        persons_visible_to(user, Person.objects.select_related("org_unit")).filter(pk=pk).first()
    )
    if person is None:
        record_person_denied(user, pk, write=for_write)
        raise Http404
    if for_write and not can_write_person(user, person):
        record_person_denied(user, pk, write=True)
        raise PermissionDenied("该人员已转出,原属地只能查阅历史记录。")
    record_read(actor=user, target=person, purpose=purpose, action="person_viewed")
    return person


def find_persons_by_id_number_for_user(user, id_number: str, *, purpose: str) -> list[Person]:
    """The persons in the user's area with this (normalised) ID number, each read audited."""
    persons = list(
        match(
            persons_visible_to(user, Person.objects.select_related("org_unit")),
            "id_number",
            id_number,
        )
    )
    for person in persons:
        record_read(actor=user, target=person, purpose=purpose, action="person_viewed")
    return persons


def read_cutoff_for(user, person: Person):
    """None when `user` owns the person now; else the moment of the latest transfer away from the
    user's units (the old owner sees the history up to then)."""
    if can_act_in(user, person.org_unit, POPULATION_ROLES):
        return None
    transfer = (
        Transfer.objects.filter(person=person)
        .filter(scope_q(user, POPULATION_ROLES, via="from_unit"))
        .order_by("-transferred_at")
        .first()
    )
    return transfer.transferred_at if transfer else None


def get_row_for_user(user, queryset: QuerySet, pk, *, purpose: str = "详情"):
    """A population row (household, floating record…) in the user's area, its read audited;
    or 404 audited like a person: the page says nothing about whether the row exists."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    row = rows_visible_to(user, queryset).filter(pk=pk).first()
    if row is None:
        record_event(
            actor=user,
            action="person_access_denied",
            kind=Event.Kind.DENIED,
            target_type=queryset.model._meta.label_lower,
            target_id=str(pk),
            target_repr="",
        )
        raise Http404
    person = getattr(row, "person", None)
    if isinstance(person, Person):
        # A person's row (floating record…) is a read of that person: the auditor asking who
        # read a resident finds it under the person.
        record_read(
            actor=user,
            target=person,
            purpose=purpose,
            action="person_viewed",
            org_unit=row.org_unit,
            details={"record": f"{row._meta.label_lower}:{row.pk}"},
        )
    else:
        record_read(actor=user, target=row, purpose=purpose)
    return row


# ---- Floating population -------------------------------------------------------------------


def away_on(today: datetime.date) -> QuerySet:
    """流出 records under way on `today`: started, not yet returned."""
    return FloatingRecord.objects.filter(
        direction=FloatingRecord.Direction.OUT, started_on__lte=today
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))


def away_person_ids(person_ids, today: datetime.date) -> set[int]:
    """Of `person_ids`, those currently away (流出 started, not returned) on `today`."""
    return set(
        away_on(today).filter(person_id__in=list(person_ids)).values_list("person_id", flat=True)
    )


def certificates_overdue(user, today: datetime.date) -> QuerySet:
    """婚育证明 of arrived women not presented by the due day: overdue from the day after."""
    return (
        MarriageCertificate.objects.filter(
            record__in=rows_visible_to(user, FloatingRecord.objects.all()),
            record__direction=FloatingRecord.Direction.IN,
            presented_on__isnull=True,
            due_on__lt=today,
        )
        .select_related("record__person", "record__org_unit")
        .order_by("due_on", "id")
    )


# ---- Households and their derived flags --------------------------------------------------------

ELDER_AGE = 60
CHILD_AGE = 16  # 留守儿童: under 16 (国发〔2016〕13号)
MINOR_AGE = 18


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    who: str  # the member(s) the flag is about

    def __str__(self) -> str:
        return f"{self.label}({self.who})" if self.who else self.label


FLAG_LABELS = {
    "left_behind_elder": _("留守老人"),
    "left_behind_child": _("留守儿童"),
    "single_parent": _("单亲"),
    "special_family": _("计生特殊家庭"),
}


def _age(person: Person, today: datetime.date) -> int:
    b = person.birth_date
    return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


def household_flags(household: Household, today: datetime.date, away: set[int]) -> list[Flag]:
    """The flags of one household, from its members (prefetched) and who is away (`away`).

    - 留守老人: a member aged 60+ whose children in the household are all away (流出).
    - 留守儿童: a child under 16 whose parents in the household are all away.
    - 单亲: a child under 18 with one parent in the household, that parent single, divorced or
      widowed.
    - 计生特殊家庭: recorded by the office on the household.
    Relations are to the head: the head's and spouse's children are CHILD members, the head's
    parents' children are the head (and spouse); the parents of a GRANDCHILD are the adult
    CHILD members.
    """
    R = HouseholdMember.Relation
    members = list(household.members.all())
    by_rel: dict[str, list[Person]] = {}
    for member in members:
        by_rel.setdefault(member.relation, []).append(member.person)
    heads = by_rel.get(R.HEAD, []) + by_rel.get(R.SPOUSE, [])
    children_of_head = by_rel.get(R.CHILD, [])
    adult_children = [p for p in children_of_head if _age(p, today) >= MINOR_AGE]

    def children_of(relation: str) -> list[Person]:
        if relation in (R.HEAD, R.SPOUSE):
            return children_of_head
        if relation == R.PARENT:
            return heads
        return []

    def parents_of(relation: str) -> list[Person]:
        if relation == R.CHILD:
            return heads
        if relation == R.GRANDCHILD:
            return adult_children
        return []

    flags: list[Flag] = []
    elders, left_children, single = [], [], []
    for member in members:
        person, age = member.person, _age(member.person, today)
        if age >= ELDER_AGE:
            kids = children_of(member.relation)
            if kids and all(k.pk in away for k in kids):
                elders.append(person.name)
        parents = parents_of(member.relation)
        if age < CHILD_AGE and parents and all(p.pk in away for p in parents):
            left_children.append(person.name)
        if (
            age < MINOR_AGE
            and len(parents) == 1
            and parents[0].marital_status
            in (
                Person.MaritalStatus.SINGLE,
                Person.MaritalStatus.DIVORCED,
                Person.MaritalStatus.WIDOWED,
            )
        ):
            single.append(person.name)
    if elders:
        flags.append(
            Flag("left_behind_elder", str(FLAG_LABELS["left_behind_elder"]), "、".join(elders))
        )
    if left_children:
        flags.append(
            Flag(
                "left_behind_child", str(FLAG_LABELS["left_behind_child"]), "、".join(left_children)
            )
        )
    if single:
        flags.append(Flag("single_parent", str(FLAG_LABELS["single_parent"]), "、".join(single)))
    if household.special_family:
        flags.append(
            Flag(
                "special_family",
                str(FLAG_LABELS["special_family"]),
                household.get_special_family_display(),
            )
        )
    return flags


def households_with_away(households: QuerySet, today: datetime.date) -> QuerySet:
    """`households` with each member's 流出 records under way on `today` prefetched (on
    `member.person.away_now`), one query for a whole page: `household_flags_of()` then reads
    the flags of each row without a query."""
    return households.prefetch_related(
        Prefetch("members__person__floating_records", away_on(today), to_attr="away_now")
    )


def household_flags_of(household: Household, today: datetime.date) -> list[Flag]:
    """The flags of a household fetched through `households_with_away()`."""
    # `away_now` is the prefetch's attribute: a household fetched otherwise fails loudly here
    # rather than showing nobody away.
    members = household.members.all()
    away = {m.person_id for m in members if m.person.away_now}  # type: ignore[attr-defined]
    return household_flags(household, today, away)


def households_visible_to(user) -> QuerySet:
    return (
        rows_visible_to(user, Household.objects.all())
        .select_related("org_unit")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=HouseholdMember.objects.select_related("person").order_by(
                    "relation", "id"
                ),
            )
        )
    )


def transfers_visible_to(user) -> QuerySet:
    """Transfers into and out of the user's area."""
    q = scope_q(user, POPULATION_ROLES, via="from_unit") | scope_q(
        user, POPULATION_ROLES, via="to_unit"
    )
    return Transfer.objects.filter(q)


# ---------------------------------------------------------------------------- 计生采风

# The township 计生办 (village workers held at the township) writes the post; a township leader
# approves it.
WEEKLY_APPROVER_ROLES = [Role.LEADER]
WEEKLY_ROLES = [*POPULATION_ROLES, *WEEKLY_APPROVER_ROLES]


def weekly_towns_for(user, roles=None) -> QuerySet:
    """The townships (镇/街道 units) that lie under a unit where `user` holds `roles`: a village's
    worker holds none, the township's 计生办 and leaders hold theirs."""
    return scope(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWN), user, roles or WEEKLY_ROLES, via=""
    )


def has_weekly_town(user) -> bool:
    # Decided from the memberships read for every page where it can be (the menu asks on each
    # one): held at a township, yes; only at villages, companies or departments, no.
    kinds = unit_kinds(user, WEEKLY_ROLES)
    if OrgUnit.Kind.TOWN in kinds:
        return True
    if not kinds & {OrgUnit.Kind.CITY, OrgUnit.Kind.COUNTY, OrgUnit.Kind.ZONE}:
        return False
    return weekly_towns_for(user).exists()


def weekly_posts_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Posts of the user's townships: all of them for the 计生办, all but drafts for a leader."""
    if qs is None:
        qs = WeeklyPost.objects.all()
    office = scope_q(user, POPULATION_ROLES, via="org_unit")
    leader = scope_q(user, WEEKLY_APPROVER_ROLES, via="org_unit") & ~Q(
        status=WeeklyPost.Status.DRAFT
    )
    return qs.filter(office | leader)


def weekly_town_workers(town: OrgUnit) -> QuerySet:
    """The 管区 (village) workers of a township: village workers held at a village under it."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.VILLAGE_WORKER,
            memberships__org_unit__kind=OrgUnit.Kind.VILLAGE,
            memberships__org_unit__path__startswith=town.path,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def weekly_town_staff(town: OrgUnit) -> QuerySet:
    """Who may be the week's 工作标兵: the township's 计生办 and its 管区 workers."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.VILLAGE_WORKER,
            memberships__org_unit__path__startswith=town.path,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def family_campaigns_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """文明家庭 campaigns of the user's townships: those under the user's units (the 计生办,
    a county) and the one of the township above a village worker's village."""
    if qs is None:
        qs = FamilyCampaign.objects.all()
    paths = unit_paths(user, POPULATION_ROLES)
    above = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    return qs.filter(scope_q(user, POPULATION_ROLES) | Q(org_unit_id__in=above))


def works_at_township(user) -> bool:
    """A worker of a township's office (or above), not of one village: the people who open
    campaigns, evaluate and decide."""
    return Membership.objects.filter(
        user=user, role=Role.VILLAGE_WORKER, org_unit__kind__in=TOWNSHIP_KINDS
    ).exists()
