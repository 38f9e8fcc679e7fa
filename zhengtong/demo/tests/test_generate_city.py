from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import TestCase

from zhengtong.accounts.models import OrgUnit, Role, User
from zhengtong.accounts.scope import scope
from zhengtong.demo.city import CitySize
from zhengtong.lib.idcard import parse_id_number
from zhengtong.people.models import Household, HouseholdMember, Person
from zhengtong.population.models import FloatingRecord

SIZE = CitySize(counties=2).scaled(0.001)


class GenerateCityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command(
            "generate_city",
            scale=0.001,
            counties=2,
            stdout=open("/dev/null", "w"),
        )

    def test_counts_match_the_options(self):
        # scale 0.001: a tenth along each of the three dimensions, at least one of each.
        self.assertEqual((SIZE.towns, SIZE.villages, SIZE.persons_per_village), (4, 12, 30))
        self.assertEqual(OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY).count(), 2)
        self.assertEqual(OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWN).count(), 4)
        self.assertEqual(OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE).count(), 12)
        self.assertEqual(Person.objects.count(), 12 * 30)
        # One in ten at the township, the rest in households of three at the village.
        town_people = Person.objects.filter(org_unit__kind=OrgUnit.Kind.TOWN).count()
        self.assertEqual(town_people, 12 * 3)
        self.assertEqual(HouseholdMember.objects.count(), 12 * 27)
        self.assertEqual(Household.objects.count(), 12 * 9)
        self.assertEqual(User.objects.filter(memberships__role=Role.VILLAGE_WORKER).count(), 12)
        self.assertEqual(User.objects.filter(memberships__role=Role.WINDOW_CLERK).count(), 4)

    def test_rows_are_what_the_app_would_write(self):
        for person in Person.objects.all():
            parsed = parse_id_number(person.id_number)
            self.assertEqual(parsed.birth_date, person.birth_date)
        self.assertEqual(
            HouseholdMember.objects.filter(relation=HouseholdMember.Relation.HEAD).count(),
            Household.objects.count(),
        )
        self.assertTrue(FloatingRecord.objects.exists())

    def test_the_database_constraints_hold(self):
        person = Person.objects.first()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Person.objects.create(
                id_number=person.id_number,
                name="重复",
                sex=person.sex,
                birth_date=person.birth_date,
            )
        if connection.vendor == "postgresql":
            # Deferred foreign keys checked now: every generated reference points at a row.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def test_a_village_worker_sees_only_their_village(self):
        worker = User.objects.filter(memberships__role=Role.VILLAGE_WORKER).first()
        village = worker.memberships.get().org_unit
        seen = scope(Person.objects.all(), worker, [Role.VILLAGE_WORKER])
        self.assertEqual(set(seen), set(Person.objects.filter(org_unit=village)))
        self.assertLess(seen.count(), Person.objects.count())
        moves = scope(FloatingRecord.objects.all(), worker, [Role.VILLAGE_WORKER])
        self.assertTrue(all(m.org_unit_id == village.pk for m in moves))
        self.assertLess(moves.count(), FloatingRecord.objects.count())

    def test_a_second_city_needs_another_prefix(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "已存在"):
            call_command("generate_city", scale=0.001, stdout=open("/dev/null", "w"))
