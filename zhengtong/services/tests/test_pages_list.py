"""The queue page /services/: my cases, B 代 A while A is on leave, filters, overdue counts."""

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.services.models import Application, Leave, Pause
from zhengtong.services.selectors import queue_for

from .fixtures import PageTestCase

# Monday 2026-11-16: due dates around it are ordinary working days.
TODAY = datetime.date(2026, 11, 16)
URL = "/services/"


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class ApplicationListTestCase(PageTestCase):
    def test_a_clerk_sees_the_cases_they_handle_with_a_countdown(self) -> None:
        mine = self.make_case(serial=1, due_on=TODAY + datetime.timedelta(days=1))
        others = self.make_case(serial=2, handler=self.clerk_c, due_on=TODAY)
        self.client.force_login(self.clerk_a)
        response = self.client.get(URL)
        self.assertContains(response, mine.receipt_no)
        self.assertNotContains(response, others.receipt_no)
        self.assertContains(response, "剩 1 个工作日")  # yellow: one working day or less
        response = self.client.get(URL, {"scope": "all"})
        self.assertContains(response, others.receipt_no)

    def test_b_gets_as_cases_while_a_is_on_leave_and_loses_them_afterwards(self) -> None:
        case = self.make_case(serial=3, due_on=TODAY + datetime.timedelta(days=3))
        Leave.objects.create(
            user=self.clerk_a,
            start_on=TODAY,
            end_on=TODAY + datetime.timedelta(days=2),
            reason="病假",
            created_by=self.clerk_a,
        )
        self.client.force_login(self.clerk_b)
        response = self.client.get(URL)
        self.assertContains(response, case.receipt_no)
        self.assertContains(response, "李强 代 张敏")
        with time_machine.travel(datetime.datetime(2026, 11, 19, 10, 0, tzinfo=datetime.UTC)):
            self.client.force_login(self.clerk_b)  # the 15-minute session has long expired
            self.assertNotContains(self.client.get(URL), case.receipt_no)

    def test_filters_narrow_the_list(self) -> None:
        late = self.make_case(serial=4, due_on=TODAY - datetime.timedelta(days=3))
        proof = self.make_case(serial=5, item=self.proof, due_on=TODAY + datetime.timedelta(days=7))
        pending = self.make_case(serial=6, status=Application.Status.PENDING)
        self.client.force_login(self.clerk_a)
        cases = {
            "overdue": ({"overdue": "on"}, late),
            "item": ({"item": "TEST-LDHY"}, proof),
            "status": ({"status": "pending"}, pending),
            "window": ({"window": "2号窗口"}, proof),
        }
        for name, (params, expected) in cases.items():
            with self.subTest(name):
                response = self.client.get(URL, params)
                shown = [a.receipt_no for a in response.context["page"]]
                self.assertEqual(shown, [expected.receipt_no])
        response = self.client.get(URL, {"scope": "all", "clerk": self.clerk_c.pk})
        self.assertEqual(list(response.context["page"]), [])

    def test_overdue_cases_are_counted_per_window_and_per_clerk(self) -> None:
        self.make_case(serial=7, due_on=TODAY - datetime.timedelta(days=1))
        self.make_case(serial=8, due_on=TODAY - datetime.timedelta(days=7))
        self.make_case(
            serial=9,
            item=self.proof,
            handler=self.clerk_c,
            due_on=TODAY - datetime.timedelta(days=2),
        )
        self.make_case(serial=10, due_on=TODAY + datetime.timedelta(days=7))  # not overdue
        self.make_case(
            serial=11,
            org_unit=self.other_town,
            handler=self.other_clerk,
            due_on=TODAY - datetime.timedelta(days=2),
        )
        self.client.force_login(self.clerk_a)
        response = self.client.get(URL)
        by_window = {r["item__window"]: r["count"] for r in response.context["overdue_by_window"]}
        self.assertEqual(by_window, {"3号窗口": 2, "2号窗口": 1})
        by_clerk = {r["handler_id"]: r["count"] for r in response.context["overdue_by_clerk"]}
        self.assertEqual(by_clerk, {self.clerk_a.pk: 2, self.clerk_c.pk: 1})
        self.assertContains(response, "超期 1 个工作日")

    def test_an_overdue_case_with_two_closed_pauses_is_listed_and_counted_once(self) -> None:
        """The pauses are history: they neither hide the case nor repeat it."""
        case = self.make_case(
            serial=14,
            accepted_on=TODAY - datetime.timedelta(days=21),
            due_on=TODAY - datetime.timedelta(days=2),
            paused_workdays=4,
        )
        for started, ended in ((20, 18), (14, 12)):
            Pause.objects.create(
                application=case,
                started_on=TODAY - datetime.timedelta(days=started),
                ended_on=TODAY - datetime.timedelta(days=ended),
                workdays=2,
                reason="补正",
            )
        self.client.force_login(self.clerk_a)
        for scope in ("mine", "all"):
            with self.subTest(scope=scope):
                response = self.client.get(URL, {"scope": scope, "overdue": "on"})
                shown = [a.receipt_no for a in response.context["page"]]
                self.assertEqual(shown, [case.receipt_no])
                self.assertEqual(response.context["page"].paginator.count, 1)
                by_window = [
                    (r["item__window"], r["count"]) for r in response.context["overdue_by_window"]
                ]
                self.assertEqual(by_window, [("3号窗口", 1)])
                by_clerk = [
                    (r["handler_id"], r["count"]) for r in response.context["overdue_by_clerk"]
                ]
                self.assertEqual(by_clerk, [(self.clerk_a.pk, 1)])

    def test_cases_without_a_due_date_come_after_the_dated_ones(self) -> None:
        """Pending cases (no due date) sort last on SQLite and PostgreSQL alike, oldest first."""
        pending = self.make_case(serial=15, status=Application.Status.PENDING)
        later = self.make_case(serial=16, due_on=TODAY + datetime.timedelta(days=5))
        sooner = self.make_case(serial=17, due_on=TODAY + datetime.timedelta(days=1))
        expected = [sooner.receipt_no, later.receipt_no, pending.receipt_no]
        self.assertEqual([a.receipt_no for a in queue_for(self.clerk_a, today=TODAY)], expected)
        self.client.force_login(self.clerk_a)
        for scope in ("mine", "all"):
            with self.subTest(scope=scope):
                response = self.client.get(URL, {"scope": scope})
                self.assertEqual([a.receipt_no for a in response.context["page"]], expected)

    def test_the_query_count_does_not_grow_with_the_rows(self) -> None:
        """3 rows or 30 (two pages), the page asks the database the same number of times."""
        for serial in range(1, 4):
            self.make_case(serial=serial, due_on=TODAY - datetime.timedelta(days=serial))
        self.client.force_login(self.clerk_a)
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get(URL).status_code, 200)
        for serial in range(4, 31):
            self.make_case(serial=serial, due_on=TODAY + datetime.timedelta(days=serial))
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get(URL)
        self.assertEqual(len(response.context["page"].object_list), 25)
        self.assertContains(response, "第 1 / 2 页")

    def test_an_htmx_request_gets_the_results_fragment_only(self) -> None:
        self.make_case(serial=12, due_on=TODAY)
        self.client.force_login(self.clerk_a)
        response = self.client.get(URL, headers={"HX-Request": "true"})
        self.assertContains(response, 'id="results"')
        self.assertNotContains(response, "<html")

    def test_another_townships_clerk_sees_none_of_these_cases(self) -> None:
        case = self.make_case(serial=13, due_on=TODAY)
        self.client.force_login(self.other_clerk)
        self.assertNotContains(self.client.get(URL, {"scope": "all"}), case.receipt_no)

    def test_other_roles_are_refused_and_visitors_sent_to_login(self) -> None:
        for user in (self.outsider, self.leader, self.auditor):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403)
        self.client.logout()
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
