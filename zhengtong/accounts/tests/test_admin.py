from axes.models import AccessAttempt

from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.audit.models import Event
from zhengtong.test import PASSWORD, BaseTestCase, make_unit

EMPTY_INLINE = {
    "memberships-TOTAL_FORMS": "0",
    "memberships-INITIAL_FORMS": "0",
    "memberships-MIN_NUM_FORMS": "0",
    "memberships-MAX_NUM_FORMS": "1000",
}


class OrgUnitAdminTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.admin)

    def test_the_tree_is_listed_indented_by_depth(self):
        r = self.client.get("/admin/accounts/orgunit/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, '<span style="padding-left: 0.0em">聊城市</span>', html=False)
        self.assertContains(r, '<span style="padding-left: 1.5em">└ 聊城经济技术开发区</span>')
        self.assertContains(r, '<span style="padding-left: 4.5em">└ 东村</span>')

    def test_search_and_kind_filter(self):
        r = self.client.get("/admin/accounts/orgunit/", {"q": "LIUJI"})
        self.assertContains(r, '<td class="field-code">LIUJI</td>')
        self.assertNotContains(r, '<td class="field-code">ZONE-SHSY</td>')
        r = self.client.get("/admin/accounts/orgunit/", {"kind__exact": "village"})
        self.assertContains(r, '<td class="field-code">LIUJI-E</td>')
        self.assertNotContains(r, '<td class="field-code">LIUJI</td>')

    def test_creating_a_unit_records_its_values(self):
        r = self.client.post(
            "/admin/accounts/orgunit/add/",
            {"name": "教育局", "code": "ZONE-JYJ", "kind": "department", "parent": self.zone.pk},
        )
        self.assertEqual(r.status_code, 302)
        unit = OrgUnit.objects.get(code="ZONE-JYJ")
        event = Event.objects.get(action="admin_add", target_type="accounts.orgunit")
        self.assertEqual(event.kind, Event.Kind.CREATE)
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(event.target_id, str(unit.pk))
        self.assertEqual(event.org_unit, unit)
        self.assertEqual(event.changes["name"], [None, "教育局"])
        self.assertEqual(event.changes["parent"], [None, self.zone.pk])
        self.assertEqual(event.channel, "admin")

    def test_changing_a_unit_records_only_what_changed(self):
        r = self.client.post(
            f"/admin/accounts/orgunit/{self.social.pk}/change/",
            {
                "name": "社会事业发展局",
                "code": "ZONE-SHSY",
                "kind": "department",
                "parent": self.zone.pk,
            },
        )
        self.assertEqual(r.status_code, 302)
        event = Event.objects.get(action="admin_change")
        self.assertEqual(event.kind, Event.Kind.UPDATE)
        self.assertEqual(event.changes, {"name": ["社会事业局", "社会事业发展局"]})
        self.assertEqual(event.org_unit, self.social)

    def test_saving_without_changes_records_nothing(self):
        self.client.post(
            f"/admin/accounts/orgunit/{self.social.pk}/change/",
            {
                "name": "社会事业局",
                "code": "ZONE-SHSY",
                "kind": "department",
                "parent": self.zone.pk,
            },
        )
        self.assertFalse(Event.objects.filter(action="admin_change").exists())

    def test_deleting_a_unit_records_its_last_values_under_the_parent(self):
        unit = make_unit("临时工作组", "ZONE-TMP", OrgUnit.Kind.DEPARTMENT, self.zone)
        pk = unit.pk
        r = self.client.post(f"/admin/accounts/orgunit/{pk}/delete/", {"post": "yes"})
        self.assertEqual(r.status_code, 302)
        self.assertFalse(OrgUnit.objects.filter(pk=pk).exists())
        event = Event.objects.get(action="admin_delete")
        self.assertEqual(event.kind, Event.Kind.DELETE)
        self.assertEqual(event.target_id, str(pk))
        self.assertEqual(event.target_repr, "临时工作组")
        self.assertEqual(event.changes["name"], ["临时工作组", None])
        self.assertEqual(event.org_unit, self.zone)

    def test_a_bad_unit_is_refused_and_nothing_is_recorded(self):
        r = self.client.post(
            "/admin/accounts/orgunit/add/", {"name": "", "code": "ZONE", "kind": "nonsense"}
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "该字段是必填项。")
        self.assertFalse(Event.objects.exclude(action="login").exists())

    def test_a_non_staff_user_cannot_open_the_admin(self):
        self.client.force_login(self.office)
        r = self.client.get("/admin/accounts/orgunit/")
        self.assertEqual(r.status_code, 302)


class UserAdminTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.admin)
        self.membership = Membership.objects.get(user=self.office)

    def user_form(self, **overrides):
        data = {
            "username": "office",
            "full_name": "赵主任",
            "staff_no": "",
            "post": "",
            "phone": "",
            "email": "",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(self.membership.pk),
            "memberships-0-user": str(self.office.pk),
            "memberships-0-org_unit": str(self.zone.pk),
            "memberships-0-role": Role.PROJECT_OFFICE,
        }
        data.update(overrides)
        return data

    def test_the_change_form_is_in_chinese_sections(self):
        r = self.client.get(f"/admin/accounts/user/{self.office.pk}/change/")
        self.assertContains(r, "个人信息")
        self.assertContains(r, "任职(角色与单位)")
        self.assertContains(r, "重要日期")

    def test_changing_a_user_and_adding_a_membership_records_both(self):
        data = self.user_form(
            full_name="赵主任(兼)",
            phone="13800138000",
            **{
                "memberships-TOTAL_FORMS": "2",
                "memberships-1-user": str(self.office.pk),
                "memberships-1-org_unit": str(self.social.pk),
                "memberships-1-role": Role.DEPT_CLERK,
            },
        )
        r = self.client.post(f"/admin/accounts/user/{self.office.pk}/change/", data)
        self.assertEqual(r.status_code, 302)
        user_event = Event.objects.get(target_type="accounts.user", action="admin_change")
        self.assertEqual(user_event.changes["full_name"], ["赵主任", "赵主任(兼)"])
        # Phones are masked in the log.
        self.assertEqual(user_event.changes["phone"], ["", "138****8000"])
        self.assertNotIn("password", user_event.changes)
        added = Membership.objects.get(user=self.office, role=Role.DEPT_CLERK)
        m_event = Event.objects.get(target_type="accounts.membership", action="admin_add")
        self.assertEqual(m_event.kind, Event.Kind.CREATE)
        self.assertEqual(m_event.target_id, str(added.pk))
        self.assertEqual(m_event.org_unit, self.social)
        self.assertEqual(m_event.changes["role"], [None, Role.DEPT_CLERK])

    def test_removing_a_membership_inline_records_a_delete(self):
        data = self.user_form(**{"memberships-0-DELETE": "on"})
        r = self.client.post(f"/admin/accounts/user/{self.office.pk}/change/", data)
        self.assertEqual(r.status_code, 302)
        self.assertFalse(Membership.objects.filter(user=self.office).exists())
        event = Event.objects.get(target_type="accounts.membership", action="admin_delete")
        self.assertEqual(event.target_id, str(self.membership.pk))
        self.assertEqual(event.org_unit, self.zone)
        self.assertEqual(event.changes["role"], [Role.PROJECT_OFFICE, None])

    def test_changing_a_membership_inline_records_the_change(self):
        data = self.user_form(**{"memberships-0-org_unit": str(self.dept.pk)})
        self.client.post(f"/admin/accounts/user/{self.office.pk}/change/", data)
        event = Event.objects.get(target_type="accounts.membership", action="admin_change")
        self.assertEqual(event.changes, {"org_unit": [self.zone.pk, self.dept.pk]})

    def test_group_changes_are_recorded(self):
        from django.contrib.auth.models import Group

        group = Group.objects.create(name="值班")
        data = self.user_form(groups=[str(group.pk)])
        self.client.post(f"/admin/accounts/user/{self.office.pk}/change/", data)
        event = Event.objects.get(target_type="accounts.user", action="admin_change")
        self.assertEqual(event.changes, {"groups": [[], ["值班"]]})

    def test_adding_a_user_never_logs_the_password(self):
        r = self.client.post(
            "/admin/accounts/user/add/",
            {
                "username": "newclerk",
                "full_name": "新经办",
                "usable_password": "true",
                "password1": "Liuji2026qiao",
                "password2": "Liuji2026qiao",
                **EMPTY_INLINE,
            },
        )
        self.assertEqual(r.status_code, 302)
        user = User.objects.get(username="newclerk")
        event = Event.objects.get(target_type="accounts.user", action="admin_add")
        self.assertEqual(event.target_id, str(user.pk))
        self.assertEqual(event.changes["username"], [None, "newclerk"])
        self.assertNotIn("password", event.changes)
        self.assertNotIn(user.password, str(event.changes))
        self.assertNotIn("Liuji2026qiao", str(event.changes))

    def test_adding_a_user_with_a_weak_password_is_refused(self):
        r = self.client.post(
            "/admin/accounts/user/add/",
            {
                "username": "weak",
                "usable_password": "true",
                "password1": "abcdefgh",
                "password2": "abcdefgh",
                **EMPTY_INLINE,
            },
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "至少三类")
        self.assertFalse(User.objects.filter(username="weak").exists())
        self.assertFalse(Event.objects.filter(action="admin_add").exists())

    def test_setting_a_password_records_an_event_without_the_password(self):
        r = self.client.post(
            f"/admin/accounts/user/{self.office.pk}/password/",
            {"usable_password": "true", "password1": "Liuji2026qiao", "password2": "Liuji2026qiao"},
        )
        self.assertEqual(r.status_code, 302)
        self.office.refresh_from_db()
        self.assertTrue(self.office.check_password("Liuji2026qiao"))
        event = Event.objects.get(action="admin_password_change")
        self.assertEqual(event.target_id, str(self.office.pk))
        self.assertEqual(event.changes, {})
        self.assertEqual(event.reason, "管理员重设密码")

    def test_a_user_with_audit_history_cannot_be_deleted(self):
        """The log keeps pointing at the account, so it is deactivated instead."""
        self.client.force_login(self.office)  # Records a login event by office.
        self.client.force_login(self.admin)
        r = self.client.post(f"/admin/accounts/user/{self.office.pk}/delete/", {"post": "yes"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(User.objects.filter(pk=self.office.pk).exists())
        self.assertFalse(Event.objects.filter(action="admin_delete").exists())

    def test_a_refused_password_records_nothing(self):
        self.client.post(
            f"/admin/accounts/user/{self.office.pk}/password/",
            {"usable_password": "true", "password1": "abcd1234", "password2": "abcd1234"},
        )
        self.office.refresh_from_db()
        self.assertTrue(self.office.check_password(PASSWORD))
        self.assertFalse(Event.objects.filter(action="admin_password_change").exists())


class MembershipAdminTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.admin)

    def test_bulk_delete_records_one_event_per_row(self):
        rows = list(Membership.objects.filter(role=Role.LEADER))
        r = self.client.post(
            "/admin/accounts/membership/",
            {
                "action": "delete_selected",
                "_selected_action": [str(m.pk) for m in rows],
                "post": "yes",
            },
        )
        self.assertEqual(r.status_code, 302)
        self.assertFalse(Membership.objects.filter(role=Role.LEADER).exists())
        events = Event.objects.filter(action="admin_delete", target_type="accounts.membership")
        self.assertEqual(sorted(e.target_id for e in events), sorted(str(m.pk) for m in rows))
        self.assertTrue(all(e.org_unit_id == self.zone.pk for e in events))

    def test_adding_a_membership_records_it(self):
        r = self.client.post(
            "/admin/accounts/membership/add/",
            {"user": self.clerk.pk, "org_unit": self.dept.pk, "role": Role.DEPT_CLERK},
        )
        self.assertEqual(r.status_code, 302)
        event = Event.objects.get(action="admin_add")
        self.assertEqual(event.target_type, "accounts.membership")
        self.assertEqual(event.org_unit, self.dept)


class UnlockTestCase(BaseTestCase):
    def test_unlocking_a_pair_in_the_admin_is_audited(self):
        for _ in range(5):
            self.client.post(
                "/accounts/login/",
                {"username": "office", "password": "Wrong-pass-1"},
                REMOTE_ADDR="10.1.1.1",
            )
        attempt = AccessAttempt.objects.get(username="office")
        self.client.force_login(self.admin)
        r = self.client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
        self.assertEqual(r.status_code, 302)
        event = Event.objects.get(action="admin_delete", target_type="axes.accessattempt")
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(event.changes["username"], ["office", None])
        self.assertNotIn("post_data", event.changes)
        self.client.logout()
        r = self.client.post(
            "/accounts/login/", {"username": "office", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
        )
        self.assertEqual(r.status_code, 302)
