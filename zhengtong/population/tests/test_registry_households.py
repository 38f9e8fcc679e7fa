"""Households and their derived flags: 留守老人, 留守儿童, 单亲, 计生特殊家庭."""

import datetime

import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event
from zhengtong.people.models import Household, HouseholdMember, Person
from zhengtong.people.tests.fixtures import RegistryTestCase, make_person
from zhengtong.population.actions.registry import household_create, household_member_add
from zhengtong.population.models import FloatingRecord
from zhengtong.population.selectors import away_person_ids, household_flags

TODAY = datetime.date(2025, 6, 1)
R = HouseholdMember.Relation


def codes(household: Household) -> set[str]:
    ids = [m.person_id for m in household.members.all()]
    return {f.code for f in household_flags(household, TODAY, away_person_ids(ids, TODAY))}


@time_machine.travel(datetime.datetime(2025, 6, 1, 9, tzinfo=datetime.UTC), tick=False)
class HouseholdFlagsTestCase(RegistryTestCase):
    """The fixture household: grandmother 70, head and spouse in their thirties, a child of 10."""

    def setUp(self) -> None:
        super().setUp()
        v = self.east_village
        self.household = Household.objects.create(org_unit=v, address="东村 12 号")
        self.grandma = make_person(
            "赵老太", org_unit=v, birth=datetime.date(1955, 1, 1), female=True, seq=41
        )
        self.father = make_person(
            "赵大军",
            org_unit=v,
            birth=datetime.date(1988, 2, 2),
            female=False,
            seq=42,
            marital_status=Person.MaritalStatus.MARRIED,
        )
        self.mother = make_person(
            "钱小红",
            org_unit=v,
            birth=datetime.date(1990, 3, 3),
            female=True,
            seq=43,
            marital_status=Person.MaritalStatus.MARRIED,
        )
        self.child = make_person(
            "赵小宝", org_unit=v, birth=datetime.date(2015, 4, 4), female=False, seq=44
        )
        for person, relation in (
            (self.grandma, R.PARENT),
            (self.father, R.HEAD),
            (self.mother, R.SPOUSE),
            (self.child, R.CHILD),
        ):
            HouseholdMember.objects.create(
                household=self.household, person=person, relation=relation
            )

    def leave(self, person: Person, *, ended_on=None) -> None:
        FloatingRecord.objects.create(
            person=person,
            direction=FloatingRecord.Direction.OUT,
            org_unit=self.east_village,
            place="青岛市黄岛区",
            started_on=datetime.date(2025, 2, 10),
            ended_on=ended_on,
            created_by=self.east_worker,
        )

    def test_nobody_away_means_no_flags(self) -> None:
        self.assertEqual(codes(self.household), set())

    def test_both_parents_away_flag_the_elder_and_the_child(self) -> None:
        self.leave(self.father)
        self.leave(self.mother)
        self.assertEqual(codes(self.household), {"left_behind_elder", "left_behind_child"})

    def test_one_parent_away_flags_nobody(self) -> None:
        self.leave(self.father)
        self.assertEqual(codes(self.household), set())

    def test_a_parent_back_home_ends_the_flags(self) -> None:
        self.leave(self.father)
        self.leave(self.mother, ended_on=datetime.date(2025, 5, 1))
        self.assertEqual(codes(self.household), set())

    def test_a_child_of_16_is_not_left_behind_but_the_elder_is(self) -> None:
        self.child.birth_date = datetime.date(2009, 1, 1)
        self.child.save()
        self.leave(self.father)
        self.leave(self.mother)
        self.assertEqual(codes(self.household), {"left_behind_elder"})

    def test_an_elder_under_60_is_not_flagged(self) -> None:
        self.grandma.birth_date = datetime.date(1966, 1, 1)
        self.grandma.save()
        self.leave(self.father)
        self.leave(self.mother)
        self.assertEqual(codes(self.household), {"left_behind_child"})

    def test_a_divorced_parent_alone_with_a_child_is_single_parent(self) -> None:
        HouseholdMember.objects.filter(person=self.mother).delete()
        self.father.marital_status = Person.MaritalStatus.DIVORCED
        self.father.save()
        self.assertEqual(codes(self.household), {"single_parent"})

    def test_a_special_family_is_flagged_from_the_office_record(self) -> None:
        self.household.special_family = Household.SpecialFamily.LOST_ONLY_CHILD
        self.household.save()
        self.assertEqual(codes(self.household), {"special_family"})

    def test_the_household_page_shows_the_flags_and_members(self) -> None:
        self.leave(self.father)
        self.leave(self.mother)
        self.client.force_login(self.east_worker)
        r = self.client.get(f"/population/households/{self.household.pk}/")
        self.assertContains(r, "留守老人(赵老太)")
        self.assertContains(r, "留守儿童(赵小宝)")
        self.assertContains(r, self.child.masked_id)
        self.assertNotContains(r, self.child.id_number)

    def test_the_household_list_has_a_fixed_query_count(self) -> None:
        self.client.force_login(self.east_worker)
        self.client.get("/population/households/")  # warm up the session
        with CaptureQueriesContext(connection) as few:
            r = self.client.get("/population/households/")
        self.assertContains(r, "东村 12 号")
        for n in range(5):
            h = Household.objects.create(org_unit=self.east_village, address=f"东村 {20 + n} 号")
            p = make_person(
                f"孙{n}",
                org_unit=self.east_village,
                birth=datetime.date(1950, 1, 1),
                female=False,
                seq=60 + n,
            )
            HouseholdMember.objects.create(household=h, person=p, relation=R.HEAD)
        with self.assertNumQueries(len(few.captured_queries)):
            r = self.client.get("/population/households/")
        self.assertContains(r, "共 6 条")


class HouseholdActionsTestCase(RegistryTestCase):
    def test_a_worker_creates_a_household_and_adds_a_member(self) -> None:
        household = household_create(
            actor=self.east_worker, org_unit=self.east_village, address="东村 5 号"
        )
        household_member_add(
            actor=self.east_worker, household=household, person=self.east_person, relation=R.HEAD
        )
        self.assertEqual(self.east_person.membership.household, household)
        self.assertEqual(
            list(
                Event.objects.filter(target_id=str(household.pk))
                .order_by("id")
                .values_list("action", flat=True)
            ),
            ["household_created", "household_member_added"],
        )

    def test_a_second_head_is_refused(self) -> None:
        household = household_create(
            actor=self.town_worker, org_unit=self.west_village, address="西村 9 号"
        )
        household_member_add(
            actor=self.town_worker, household=household, person=self.west_person, relation=R.HEAD
        )
        other = make_person(
            "周强",
            org_unit=self.west_village,
            birth=datetime.date(1980, 1, 1),
            female=False,
            seq=70,
        )
        with self.assertRaises(ValidationError) as ctx:
            household_member_add(
                actor=self.town_worker, household=household, person=other, relation=R.HEAD
            )
        self.assertIn("relation", ctx.exception.message_dict)

    def test_a_household_in_another_village_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            household_create(
                actor=self.east_worker, org_unit=self.west_village, address="西村 9 号"
            )
        self.assertIn("org_unit", ctx.exception.message_dict)
        self.assertFalse(Household.objects.filter(address="西村 9 号").exists())

    def test_an_empty_address_is_refused_on_the_page(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            "/population/households/new/", {"org_unit": self.east_village.pk, "address": ""}
        )
        self.assertEqual(r.status_code, 200)
        self.assertIn("address", r.context["form"].errors)
        self.assertFalse(Household.objects.filter(org_unit=self.east_village).exists())

    def test_adding_a_member_by_id_number_on_the_page(self) -> None:
        household = household_create(
            actor=self.east_worker, org_unit=self.east_village, address="东村 5 号"
        )
        self.client.force_login(self.east_worker)
        url = f"/population/households/{household.pk}/members/"
        r = self.client.post(url, {"id_number": self.east_person.id_number, "relation": "head"})
        self.assertRedirects(r, f"/population/households/{household.pk}/")
        r = self.client.post(url, {"id_number": self.west_person.id_number, "relation": "child"})
        self.assertEqual(r.status_code, 400)
        self.assertNotContains(r, self.west_person.name, status_code=400)
        self.assertEqual(household.members.count(), 1)
