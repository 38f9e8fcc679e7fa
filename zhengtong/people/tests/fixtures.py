"""Residents of 东村 and 西村 for the registry tests, and a second township to transfer to."""

import datetime

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.people.models import Household, HouseholdMember, Person
from zhengtong.test import BaseTestCase, make_id_number, make_unit, make_user


def make_person(
    name: str,
    *,
    org_unit,
    birth: datetime.date,
    female: bool,
    seq: int = 1,
    **extra,
) -> Person:
    number = make_id_number(birth, female=female, seq=seq)
    parsed_sex = Person.Sex.FEMALE if female else Person.Sex.MALE
    return Person.objects.create(
        id_number=number, name=name, sex=parsed_sex, birth_date=birth, org_unit=org_unit, **extra
    )


class RegistryTestCase(BaseTestCase):
    """Adds: east_worker (村专干 of 东村), west_worker (村专干 of 西村), town_worker (刘集镇计生办,
    sees both villages), and 姜楼镇 with its village 南村 and its worker other_town_worker.
    Persons: east_person 王秀英 (东村, woman born 1990), west_person 李桂兰 (西村)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        K = OrgUnit.Kind
        cls.other_town = make_unit("姜楼镇", "JIANGLOU", K.TOWN, cls.county)
        cls.south_village = make_unit("南村", "JIANGLOU-S", K.VILLAGE, cls.other_town)
        cls.east_worker = make_user(
            "east_worker",
            full_name="东村专干",
            memberships=[(Role.VILLAGE_WORKER, cls.east_village)],
        )
        cls.west_worker = make_user(
            "west_worker",
            full_name="西村专干",
            memberships=[(Role.VILLAGE_WORKER, cls.west_village)],
        )
        cls.town_worker = make_user(
            "town_worker", full_name="镇计生办", memberships=[(Role.VILLAGE_WORKER, cls.town)]
        )
        cls.other_town_worker = make_user(
            "jl_worker",
            full_name="姜楼专干",
            memberships=[(Role.VILLAGE_WORKER, cls.other_town)],
        )
        cls.east_person = make_person(
            "王秀英",
            org_unit=cls.east_village,
            birth=datetime.date(1990, 3, 8),
            female=True,
            seq=11,
            phone="13905351111",
        )
        cls.west_person = make_person(
            "李桂兰",
            org_unit=cls.west_village,
            birth=datetime.date(1985, 6, 1),
            female=True,
            seq=12,
            phone="13905352222",
        )
        cls.west_household = Household.objects.create(
            org_unit=cls.west_village, address="西村 3 号"
        )
        HouseholdMember.objects.create(
            household=cls.west_household,
            person=cls.west_person,
            relation=HouseholdMember.Relation.HEAD,
        )
