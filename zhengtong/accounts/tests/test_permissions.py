"""role_required and may_open: the gate a page applies is the answer the menu gets."""

from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from zhengtong.accounts.models import Membership, Role
from zhengtong.accounts.permissions import access_of, may_open, role_required
from zhengtong.accounts.scope import forget
from zhengtong.test import BaseTestCase


class RoleRequiredTestCase(BaseTestCase):
    def test_it_sends_a_visitor_to_the_login_page(self) -> None:
        r = self.client.get("/projects/")
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r["Location"].startswith("/accounts/login/"))

    def test_it_answers_403_in_chinese_to_a_user_without_the_role(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.get("/projects/")
        self.assertEqual(r.status_code, 403)
        self.assertContains(r, "没有权限", status_code=403)

    def test_it_lets_the_role_through(self) -> None:
        self.client.force_login(self.liaison)
        self.assertEqual(self.client.get("/projects/").status_code, 200)

    def test_a_test_decides_beyond_the_role_and_its_message_is_shown(self) -> None:
        # The zone's leader holds a report role but no service hall lies under the zone.
        self.client.force_login(self.leader)
        r = self.client.get("/services/reports/weekly/")
        self.assertContains(r, "您没有查看服务大厅报表的权限。", status_code=403)

    def test_the_declaration_survives_the_decorators_above_it(self) -> None:
        from zhengtong.services import report_views

        access = access_of(report_views.weekly)
        self.assertIsNotNone(access)
        self.assertEqual(set(access.roles), {Role.WINDOW_CLERK, Role.LEADER})
        self.assertIs(access.test, report_views.has_hall)

    def test_a_refused_test_is_asked_once_per_request(self) -> None:
        calls = []

        def test(user):
            calls.append(user)
            return False

        view = role_required(test=test)(lambda request: None)
        request = RequestFactory().get("/")
        request.user = self.clerk
        for _ in range(2):
            with self.assertRaises(PermissionDenied):
                view(request)
        self.assertEqual(len(calls), 1)


class MayOpenTestCase(BaseTestCase):
    def test_it_answers_from_the_views_declaration(self) -> None:
        self.assertTrue(may_open(self.office, "projects:cockpit"))
        self.assertFalse(may_open(self.liaison, "projects:cockpit"))
        self.assertTrue(may_open(self.liaison, "projects:project_list"))
        self.assertFalse(may_open(self.clerk, "projects:project_list"))

    def test_it_knows_the_unit_specific_gates(self) -> None:
        # 护理补贴与救助 is for 民政 clerks and leaders, not for a 社会事业局 clerk.
        self.assertFalse(may_open(self.clerk, "welfare:assessment_list"))
        self.assertTrue(may_open(self.leader, "welfare:assessment_list"))
        # The zone's leader has no hall; a clerk of 刘集镇's hall has.
        clerk_a = self._user_with(Role.WINDOW_CLERK, self.town)
        self.assertFalse(may_open(self.leader, "service_reports:weekly"))
        self.assertTrue(may_open(clerk_a, "service_reports:weekly"))

    def test_it_answers_no_to_a_visitor_and_to_an_inactive_user(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        self.assertFalse(may_open(AnonymousUser(), "home"))
        self.office.is_active = False
        self.assertFalse(may_open(self.office, "projects:project_list"))

    def test_a_page_without_a_declaration_is_open_to_every_signed_in_user(self) -> None:
        self.assertTrue(may_open(self.outsider, "home"))
        self.assertTrue(may_open(self.outsider, "accounts:password_change"))

    def test_the_admin_site_answers_with_its_own_rule(self) -> None:
        self.assertTrue(may_open(self.admin, "admin:index"))
        self.assertFalse(may_open(self.office, "admin:index"))

    def test_an_unknown_url_name_opens_nothing(self) -> None:
        self.assertFalse(may_open(self.office, "projects:no_such_page"))

    def test_a_new_membership_counts_after_forget(self) -> None:
        self.assertFalse(may_open(self.clerk, "audit:event_list"))
        Membership.objects.create(user=self.clerk, role=Role.AUDITOR, org_unit=self.zone)
        forget(self.clerk)
        self.assertTrue(may_open(self.clerk, "audit:event_list"))

    def _user_with(self, role, unit):
        from zhengtong.test import make_user

        return make_user(f"u-{role}-{unit.code}", memberships=[(role, unit)])
