"""The person scope reads persons by village and transfers by old village through one UNION of
ids; it must show exactly the rows the former `own OR pk IN (transfers away)` predicate showed."""

from django.db.models import Q
from django.test import TestCase
from django.utils import timezone

from zhengtong.accounts.models import Membership, OrgUnit, User
from zhengtong.accounts.scope import scope_q
from zhengtong.demo.testing import seed_demo
from zhengtong.people.models import Person
from zhengtong.population.models import Transfer
from zhengtong.population.selectors import POPULATION_ROLES, persons_visible_to


def former_predicate(user):
    own = scope_q(user, POPULATION_ROLES, via="org_unit")
    away = Transfer.objects.filter(scope_q(user, POPULATION_ROLES, via="from_unit"))
    return Person.objects.filter(own | Q(pk__in=away.values("person_id"))).filter(
        merged_into__isnull=True
    )


class ScopePredicateTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo()
        villages = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE).order_by("path"))
        assert len(villages) >= 2, "the demo has at least two villages"
        cls.moved = []
        # Two persons of every village move to the next village, one of them twice (there and
        # back), so the transfers and the own village overlap.
        for n, village in enumerate(villages):
            target = villages[(n + 1) % len(villages)]
            for person in Person.objects.filter(org_unit=village).order_by("pk")[:2]:
                cls.transfer(person, village, target)
                cls.moved.append(person.pk)
            back = Person.objects.filter(org_unit=target).order_by("pk").first()
            if back is not None:
                cls.transfer(back, target, village)
                cls.transfer(back, village, target)
        # A merged duplicate stays hidden on both sides even when it was transferred.
        duplicate = Person.objects.get(pk=cls.moved[0])
        keeper = Person.objects.exclude(pk=duplicate.pk).order_by("pk").first()
        Person.objects.filter(pk=duplicate.pk).update(merged_into=keeper)
        cls.users = list(
            User.objects.filter(
                pk__in=Membership.objects.filter(role__in=POPULATION_ROLES).values("user_id")
            ).order_by("username")
        )

    @classmethod
    def transfer(cls, person, from_unit, to_unit) -> None:
        Transfer.objects.create(
            person=person,
            from_unit=from_unit,
            to_unit=to_unit,
            reason="婚后定居",
            transferred_at=timezone.now(),
            transferred_by=User.objects.order_by("pk").first(),
        )
        Person.objects.filter(pk=person.pk).update(org_unit=to_unit)

    def test_every_population_user_sees_the_same_persons_as_before(self) -> None:
        self.assertGreaterEqual(len(self.users), 2)
        for user in self.users:
            with self.subTest(user=user.username):
                new = list(persons_visible_to(user).values_list("pk", flat=True))
                old = list(former_predicate(user).values_list("pk", flat=True))
                self.assertEqual(new, old)
                self.assertEqual(persons_visible_to(user).count(), len(old))

    def test_a_village_still_sees_who_moved_away_but_not_the_merged_duplicate(self) -> None:
        seen = set()
        for user in self.users:
            seen |= set(persons_visible_to(user).values_list("pk", flat=True))
        self.assertNotIn(self.moved[0], seen)
        self.assertIn(self.moved[1], seen)
        village = Transfer.objects.filter(person_id=self.moved[1]).first().from_unit
        worker = next(u for u in self.users if u.memberships.filter(org_unit=village).exists())
        self.assertTrue(persons_visible_to(worker).filter(pk=self.moved[1]).exists())
        self.assertNotEqual(Person.objects.get(pk=self.moved[1]).org_unit, village)

    def test_a_user_without_a_population_role_sees_nobody(self) -> None:
        outsider = User.objects.exclude(pk__in=[u.pk for u in self.users]).first()
        self.assertEqual(persons_visible_to(outsider).count(), 0)
