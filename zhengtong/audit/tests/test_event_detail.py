from zhengtong.accounts.models import Role
from zhengtong.test import BaseTestCase, make_user

from .helpers import make_event


class EventDetailTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.event = make_event(
            actor=self.office,
            org_unit=self.social,
            action="admin_change",
            target_type="accounts.orgunit",
            target_id=str(self.social.pk),
            target_repr="社会事业局",
            changes={"name": ["社会事业局", "社会事业发展局"], "code": [None, "ZONE-SHSY2"]},
            reason="机构改革",
        )
        self.url = f"/audit/{self.event.pk}/"

    def test_it_shows_before_and_after_with_field_names_and_reason(self):
        self.client.force_login(self.auditor)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(
            [(row["label"], row["old"], row["new"]) for row in r.context["rows"]],
            [("名称", "社会事业局", "社会事业发展局"), ("编码", None, "ZONE-SHSY2")],
        )
        self.assertContains(r, "修改前")
        self.assertContains(r, "社会事业发展局")
        self.assertContains(r, "机构改革")
        self.assertContains(r, "10.9.9.9")

    def test_changes_that_are_not_pairs_are_shown_as_new_values(self):
        event = make_event(org_unit=self.zone, target_type="unknown.thing", changes={"note": "x"})
        self.client.force_login(self.auditor)
        r = self.client.get(f"/audit/{event.pk}/")
        self.assertEqual(
            [(row["label"], row["old"], row["new"]) for row in r.context["rows"]],
            [("其他", None, "x")],
        )

    def test_an_auditor_of_another_county_gets_404(self):
        county_auditor = make_user("county_auditor", memberships=[(Role.AUDITOR, self.county)])
        self.client.force_login(county_auditor)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_missing_event_is_404(self):
        self.client.force_login(self.auditor)
        self.assertEqual(self.client.get("/audit/999999/").status_code, 404)

    def test_non_auditors_get_403(self):
        for user in (self.admin, self.office, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
