from zhengtong.accounts.models import Membership, Role
from zhengtong.audit.models import AuditLogIsAppendOnly, Event
from zhengtong.test import BaseTestCase

from .helpers import make_event


class AppendOnlyTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.event = make_event(org_unit=self.zone, reason="原因")

    def test_saving_an_existing_row_is_refused(self):
        self.event.reason = "改过"
        with self.assertRaises(AuditLogIsAppendOnly):
            self.event.save()
        self.assertEqual(Event.objects.get(pk=self.event.pk).reason, "原因")

    def test_deleting_a_row_is_refused(self):
        with self.assertRaises(AuditLogIsAppendOnly):
            self.event.delete()
        self.assertTrue(Event.objects.filter(pk=self.event.pk).exists())

    def test_queryset_update_and_delete_are_refused(self):
        with self.assertRaises(AuditLogIsAppendOnly):
            Event.objects.filter(pk=self.event.pk).update(reason="改过")
        with self.assertRaises(AuditLogIsAppendOnly):
            Event.objects.all().delete()
        self.assertEqual(Event.objects.get(pk=self.event.pk).reason, "原因")


class EventAdminTestCase(BaseTestCase):
    """The admin shows the log read-only, and only to staff auditors."""

    def setUp(self):
        super().setUp()
        self.event = make_event(org_unit=self.zone, reason="原因")
        self.auditor.is_staff = True
        self.auditor.save(update_fields=["is_staff"])

    def test_a_superuser_without_the_auditor_role_cannot_see_it(self):
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get("/admin/audit/event/").status_code, 403)
        r = self.client.get("/admin/")
        self.assertNotContains(r, "/admin/audit/event/")

    def test_a_superuser_cannot_add_change_or_delete_even_as_auditor(self):
        Membership.objects.create(user=self.admin, role=Role.AUDITOR, org_unit=self.city)
        self.client.force_login(self.admin)
        base = f"/admin/audit/event/{self.event.pk}"
        self.assertEqual(self.client.get("/admin/audit/event/").status_code, 200)
        self.assertEqual(self.client.get("/admin/audit/event/add/").status_code, 403)
        self.assertEqual(self.client.post(f"{base}/change/", {"reason": "改"}).status_code, 403)
        self.assertEqual(self.client.post(f"{base}/delete/", {"post": "yes"}).status_code, 403)
        r = self.client.post(
            "/admin/audit/event/",
            {"action": "delete_selected", "_selected_action": [self.event.pk], "post": "yes"},
        )
        self.assertIn(r.status_code, (200, 302))
        self.assertEqual(Event.objects.get(pk=self.event.pk).reason, "原因")

    def test_a_staff_auditor_views_rows_read_only(self):
        self.client.force_login(self.auditor)
        r = self.client.get(f"/admin/audit/event/{self.event.pk}/change/")
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, 'name="_save"')
        self.assertNotContains(r, "deletelink")

    def test_a_staff_auditor_sees_only_their_scope_in_the_admin(self):
        other = make_event(org_unit=self.town, reason="县里的")
        self.client.force_login(self.auditor)
        self.assertEqual(self.client.get(f"/admin/audit/event/{other.pk}/change/").status_code, 302)
        r = self.client.get("/admin/audit/event/")
        self.assertNotContains(r, f"/admin/audit/event/{other.pk}/change/")
        self.assertContains(r, f"/admin/audit/event/{self.event.pk}/change/")
