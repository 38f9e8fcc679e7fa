import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import Membership, Role
from zhengtong.audit.models import Event
from zhengtong.test import BaseTestCase, make_user

from .helpers import make_event

URL = "/audit/"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


class EventListAccessTestCase(BaseTestCase):
    def test_anonymous_users_are_sent_to_login(self):
        r = self.client.get(URL)
        self.assertRedirects(r, "/accounts/login/?next=/audit/", fetch_redirect_response=False)

    def test_only_auditors_may_read_the_log(self):
        """The system administrator configures the system and does not read the log."""
        for user in (self.admin, self.office, self.leader, self.liaison, self.clerk, self.outsider):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
                self.assertEqual(self.client.get(f"{URL}1/").status_code, 403)

    def test_an_admin_who_is_also_auditor_may_read_it(self):
        Membership.objects.create(user=self.admin, role=Role.AUDITOR, org_unit=self.city)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(URL).status_code, 200)

    def test_the_log_cannot_be_changed_through_its_urls(self):
        event = make_event(org_unit=self.zone, reason="原因")
        self.client.force_login(self.auditor)
        for url in (URL, f"{URL}{event.pk}/"):
            self.assertEqual(self.client.post(url, {"reason": "改"}).status_code, 405)
            self.assertEqual(self.client.delete(url).status_code, 405)
            self.assertEqual(self.client.put(url).status_code, 405)
        self.assertEqual(Event.objects.get(pk=event.pk).reason, "原因")


class EventListScopeTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.zone_event = make_event(org_unit=self.social, target_repr="社会事业局的记录")
        self.county_event = make_event(org_unit=self.town, target_repr="刘集镇的记录")
        self.system_event = make_event(org_unit=None, target_repr="无单位的记录")

    def test_an_auditor_sees_their_subtree_and_unit_less_events(self):
        self.client.force_login(self.auditor)
        r = self.client.get(URL)
        self.assertContains(r, "社会事业局的记录")
        self.assertContains(r, "无单位的记录")
        self.assertNotContains(r, "刘集镇的记录")

    def test_an_auditor_of_the_county_does_not_see_the_zone(self):
        county_auditor = make_user("county_auditor", memberships=[(Role.AUDITOR, self.county)])
        self.client.force_login(county_auditor)
        r = self.client.get(URL)
        self.assertContains(r, "刘集镇的记录")
        self.assertContains(r, "无单位的记录")
        self.assertNotContains(r, "社会事业局的记录")

    def test_a_city_auditor_sees_both(self):
        city_auditor = make_user("city_auditor", memberships=[(Role.AUDITOR, self.city)])
        self.client.force_login(city_auditor)
        r = self.client.get(URL)
        self.assertContains(r, "刘集镇的记录")
        self.assertContains(r, "社会事业局的记录")


class EventListFilterTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.auditor)

    def shown(self, **params) -> set[str]:
        r = self.client.get(URL, params)
        self.assertEqual(r.status_code, 200)
        return {e.target_repr for e in r.context["page"].object_list}

    def test_filter_by_actor_username(self):
        make_event(actor=self.office, org_unit=self.zone, target_repr="A")
        make_event(actor=self.leader, org_unit=self.zone, target_repr="B")
        self.assertEqual(self.shown(actor="office"), {"A"})

    def test_filter_by_action_kind_target_type_and_id(self):
        make_event(org_unit=self.zone, action="problem_resolved", target_repr="A", kind="update")
        make_event(
            org_unit=self.zone,
            action="project_created",
            target_repr="B",
            kind="create",
            target_type="projects.keyproject",
            target_id="7",
        )
        make_event(
            org_unit=self.zone,
            action="project_created",
            target_repr="C",
            kind="create",
            target_type="projects.keyproject",
            target_id="8",
        )
        self.assertEqual(self.shown(action="problem_resolved"), {"A"})
        self.assertEqual(self.shown(kind="create"), {"B", "C"})
        self.assertEqual(self.shown(target_type="projects.keyproject"), {"B", "C"})
        self.assertEqual(self.shown(target_type="projects.keyproject", target_id="8"), {"C"})

    def test_filter_by_ip(self):
        make_event(org_unit=self.zone, ip="10.0.0.1", target_repr="A")
        make_event(org_unit=self.zone, ip="10.0.0.2", target_repr="B")
        self.assertEqual(self.shown(ip="10.0.0.2"), {"B"})

    def test_date_range_uses_shanghai_calendar_days(self):
        """23:30 on 1 March in Shanghai is 15:30 UTC: it belongs to 1 March."""
        late = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)
        early = datetime.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI)
        with time_machine.travel(late, tick=False):
            make_event(org_unit=self.zone, target_repr="late")
        with time_machine.travel(early, tick=False):
            make_event(org_unit=self.zone, target_repr="early")
        self.assertEqual(self.shown(date_from="2026-03-01", date_to="2026-03-01"), {"late"})
        self.assertEqual(self.shown(date_from="2026-03-02", date_to="2026-03-02"), {"early"})
        self.assertEqual(
            self.shown(date_from="2026-03-01", date_to="2026-03-02"), {"late", "early"}
        )

    def test_a_bad_date_shows_a_chinese_error_and_no_rows(self):
        make_event(org_unit=self.zone, target_repr="A")
        r = self.client.get(URL, {"date_from": "2026-13-45"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "开始日期格式不正确")
        self.assertEqual(list(r.context["page"].object_list), [])

    def test_a_bad_ip_and_a_reversed_range_are_refused_in_chinese(self):
        r = self.client.get(URL, {"ip": "999.1.1.1"})
        self.assertContains(r, "IP 地址格式不正确。")
        r = self.client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-01"})
        self.assertContains(r, "结束日期不能早于开始日期。")
        r = self.client.get(URL, {"kind": "nonsense"})
        self.assertContains(r, "类别不存在。")

    def test_htmx_requests_get_only_the_results(self):
        make_event(org_unit=self.zone, target_repr="A")
        r = self.client.get(URL, {"action": "holidays_loaded"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, 'id="results"')
        self.assertNotContains(r, "<html")
        self.assertNotContains(r, "<form")


class EventListPaginationTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.auditor)

    def test_fifty_rows_a_page(self):
        for i in range(120):
            make_event(org_unit=self.zone, target_repr=f"row{i}")
        r = self.client.get(URL, {"action": "holidays_loaded"})
        self.assertEqual(len(r.context["page"].object_list), 50)
        self.assertContains(r, "第 1 / 3 页,共 120 条")
        r = self.client.get(URL, {"action": "holidays_loaded", "page": 3})
        self.assertEqual(len(r.context["page"].object_list), 20)
        # Newest first.
        self.assertEqual(r.context["page"].object_list[19].target_repr, "row0")

    def test_the_number_of_queries_does_not_grow_with_the_rows(self):
        for _ in range(3):
            make_event(org_unit=self.zone, actor=self.office)
        self.client.get(URL)  # Warm up the session.
        with CaptureQueriesContext(connection) as few:
            self.client.get(URL)
        for _ in range(27):
            make_event(org_unit=self.social, actor=self.leader)
        with self.assertNumQueries(len(few.captured_queries)):
            r = self.client.get(URL)
        self.assertGreaterEqual(len(r.context["page"].object_list), 30)


class NumberedPagesTestCase(BaseTestCase):
    def test_pages_are_numbered_with_the_ends_and_the_neighbours_and_keep_the_filter(self):
        for i in range(50 * 12):
            make_event(org_unit=self.zone, target_repr=f"row{i}")
        self.client.force_login(self.auditor)
        r = self.client.get(URL, {"action": "holidays_loaded", "page": 6})
        self.assertContains(
            r,
            '<li class="page-item active" aria-current="page"><span class="page-link">6</span></li>',
            html=True,
        )
        # 1–8 (the start reaches the current page's neighbours), …, the last two.
        for number in (1, 2, 3, 4, 5, 7, 8, 11, 12):
            self.assertContains(r, f'href="?action=holidays_loaded&amp;page={number}"')
        for number in (9, 10):
            self.assertNotContains(r, f'page={number}"')
        self.assertContains(r, "…")
        self.assertContains(r, "共 600 条,每页 50 条")
