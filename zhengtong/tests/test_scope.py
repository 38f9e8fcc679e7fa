"""The scoping door: a user sees their units' subtrees and never a sibling's."""

from zhengtong.accounts.models import Membership, OrgUnit, Role
from zhengtong.accounts.scope import can_act_in, forget, has_role, scope, unit_paths
from zhengtong.test import BaseTestCase, make_unit


class OrgUnitPathTestCase(BaseTestCase):
    def test_a_unit_path_lists_its_ancestors(self) -> None:
        """The path of 东村 runs 聊城市 → 东阿县 → 刘集镇 → 东村."""
        expected = f"/{self.city.pk}/{self.county.pk}/{self.town.pk}/{self.east_village.pk}/"
        self.assertEqual(self.east_village.path, expected)

    def test_moving_a_unit_moves_its_subtree(self) -> None:
        """A township moved under the zone carries its villages along."""
        self.town.parent = self.zone
        self.town.save()
        village = OrgUnit.objects.get(pk=self.east_village.pk)
        self.assertTrue(village.path.startswith(self.zone.path))
        self.assertTrue(village.is_within(self.zone))


class ScopeTestCase(BaseTestCase):
    def test_it_shows_the_subtree_of_the_users_unit(self) -> None:
        units = scope(OrgUnit.objects.all(), self.leader, [Role.LEADER], via="")
        self.assertIn(self.company, units)
        self.assertIn(self.zone, units)
        self.assertNotIn(self.town, units)
        self.assertNotIn(self.city, units)

    def test_a_village_worker_never_sees_the_sibling_village(self) -> None:
        units = scope(OrgUnit.objects.all(), self.outsider, [Role.VILLAGE_WORKER], via="")
        self.assertEqual(list(units), [self.east_village])

    def test_a_role_the_user_does_not_hold_gives_nothing(self) -> None:
        units = scope(OrgUnit.objects.all(), self.leader, [Role.AUDITOR], via="")
        self.assertEqual(units.count(), 0)

    def test_nested_memberships_are_not_counted_twice(self) -> None:
        Membership.objects.create(user=self.leader, org_unit=self.company, role=Role.LEADER)
        forget(self.leader)
        self.assertEqual(unit_paths(self.leader, [Role.LEADER]), [self.zone.path])

    def test_an_inactive_user_sees_nothing(self) -> None:
        self.leader.is_active = False
        self.assertEqual(unit_paths(self.leader, [Role.LEADER]), [])
        self.assertFalse(has_role(self.leader, Role.LEADER))

    def test_a_superuser_sees_nothing_without_a_role(self) -> None:
        """System administrators configure the system; data needs a role."""
        units = scope(OrgUnit.objects.all(), self.admin, [Role.LEADER, Role.VILLAGE_WORKER], via="")
        self.assertEqual(units.count(), 0)

    def test_can_act_in_checks_the_unit_against_the_roles(self) -> None:
        self.assertTrue(can_act_in(self.liaison, self.company, [Role.LIAISON]))
        self.assertFalse(can_act_in(self.liaison, self.other_company, [Role.LIAISON]))
        self.assertFalse(can_act_in(self.liaison, None, [Role.LIAISON]))

    def test_a_new_unit_under_a_village_is_in_that_village_scope(self) -> None:
        group = make_unit("东村一组", "LIUJI-E-1", OrgUnit.Kind.VILLAGE, self.east_village)
        units = scope(OrgUnit.objects.all(), self.outsider, [Role.VILLAGE_WORKER], via="")
        self.assertIn(group, units)
