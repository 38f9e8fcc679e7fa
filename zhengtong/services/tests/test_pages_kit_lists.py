"""The hall's smaller kit lists (leave, duty roster, rectifications) and the case list's export:
a fixed number of queries whatever the row count, scope, filters and bad input."""

import datetime
import io

import openpyxl
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.services.models import Application, DutyEntry, Leave, Rating, Rectification
from zhengtong.test import make_user

from .fixtures import PageTestCase

TODAY = datetime.date(2026, 11, 16)
DAY = datetime.timedelta(days=1)


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class KitListsTestCase(PageTestCase):
    def assert_fixed_queries(self, url: str, add_rows, params=None) -> None:
        """`url` asks the same number of queries with 2 rows as with 30 (over two pages)."""
        self.client.get(url, params)  # the first request after signing in refreshes the session
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get(url, params).status_code, 200)
        add_rows()
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get(url, params)
        self.assertEqual(len(response.context["page"].object_list), 25)

    def leave(self, user, start: datetime.date, days: int = 1, reason: str = "年休假") -> Leave:
        return Leave.objects.create(
            user=user, start_on=start, end_on=start + days * DAY, reason=reason, created_by=user
        )

    def rectification(self, serial: int, **fields) -> Rectification:
        case = self.make_case(serial=serial, status=Application.Status.APPROVED)
        rating = Rating.objects.create(application=case, level=1, comment="态度差")
        return Rectification.objects.create(
            rating=rating, owner=self.clerk_a, due_on=TODAY + 3 * DAY, **fields
        )

    # ---- 请假 ------------------------------------------------------------------------

    def test_the_leave_list_asks_a_fixed_number_of_queries(self) -> None:
        self.leave(self.clerk_a, TODAY)
        self.leave(self.clerk_b, TODAY + 5 * DAY)
        self.client.force_login(self.clerk_c)

        def more():
            for n in range(30):
                self.leave(self.clerk_c, TODAY + (10 + 3 * n) * DAY)

        self.assert_fixed_queries("/services/leave/", more)

    def test_the_leave_list_filters_and_stays_in_the_hall(self) -> None:
        current = self.leave(self.clerk_a, TODAY - DAY, days=2, reason="病假")
        past = self.leave(self.clerk_b, TODAY - 10 * DAY)
        coming = self.leave(self.clerk_c, TODAY + 7 * DAY, reason="培训")
        elsewhere = self.leave(self.other_clerk, TODAY, reason="外镇请假")
        self.client.force_login(self.clerk_b)
        url = "/services/leave/"
        for when, expected in (("current", current), ("past", past), ("future", coming)):
            with self.subTest(when=when):
                response = self.client.get(url, {"when": when})
                self.assertEqual(list(response.context["page"]), [expected])
        response = self.client.get(url)
        self.assertNotIn(elsewhere, list(response.context["page"]))
        self.assertContains(response, "请假中")
        self.assertEqual(list(self.client.get(url, {"q": "培训"}).context["page"]), [coming])
        response = self.client.get(url, {"when": "someday"})
        self.assertContains(response, "筛选条件有误")
        self.client.force_login(self.other_clerk)
        self.assertNotContains(self.client.get(url), "病假")

    # ---- 挂牌上岗 ----------------------------------------------------------------------

    def test_the_duty_roster_asks_a_fixed_number_of_queries(self) -> None:
        DutyEntry.objects.create(day=TODAY, user=self.clerk_a, post=self.post)
        self.client.force_login(self.clerk_a)

        def more():
            for n in range(30):
                clerk = make_user(f"duty{n}", memberships=[(Role.WINDOW_CLERK, self.town)])
                DutyEntry.objects.create(day=TODAY, user=clerk, post=self.post)

        self.assert_fixed_queries("/services/duty/", more)

    def test_a_malformed_day_is_answered_in_chinese(self) -> None:
        DutyEntry.objects.create(day=TODAY, user=self.clerk_a, post=self.post)
        self.client.force_login(self.clerk_a)
        response = self.client.get("/services/duty/", {"day": "2026-02-30"})
        self.assertContains(response, "日期格式应为 2026-11-16")
        self.assertEqual(list(response.context["page"]), [])

    def test_the_roster_exports_the_day_of_the_hall(self) -> None:
        DutyEntry.objects.create(day=TODAY, user=self.clerk_a, post=self.post)
        DutyEntry.objects.create(day=TODAY + DAY, user=self.clerk_b, post=self.post)
        self.client.force_login(self.clerk_c)
        response = self.client.get("/services/duty/", {"export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0], ("窗口", "岗位", "工作人员", "工号"))
        self.assertEqual([r[2] for r in rows[1:]], ["张敏"])

    # ---- 差评整改 ----------------------------------------------------------------------

    def test_the_rectification_list_asks_a_fixed_number_of_queries(self) -> None:
        self.rectification(31)
        self.rectification(32)
        self.client.force_login(self.clerk_a)

        def more():
            for serial in range(33, 63):
                self.rectification(serial)

        self.assert_fixed_queries("/services/rectifications/", more)

    def test_open_done_and_all_rectifications(self) -> None:
        open_one = self.rectification(41)
        done = self.rectification(42, done_at=datetime.datetime(2026, 11, 10, tzinfo=datetime.UTC))
        self.client.force_login(self.clerk_a)
        url = "/services/rectifications/"
        self.assertEqual(list(self.client.get(url).context["page"]), [open_one])
        self.assertEqual(list(self.client.get(url, {"done": "1"}).context["page"]), [done])
        self.assertEqual(len(self.client.get(url, {"done": "all"}).context["page"]), 2)
        self.assertContains(self.client.get(url), "回访")
        self.assertContains(self.client.get(url, {"done": "2"}), "筛选条件有误")
        self.client.force_login(self.other_clerk)
        self.assertEqual(list(self.client.get(url, {"done": "all"}).context["page"]), [])

    # ---- 办件 export ----------------------------------------------------------------------

    def test_the_case_list_exports_the_filtered_cases_and_audits_it(self) -> None:
        late = self.make_case(serial=51, due_on=TODAY - 2 * DAY)
        self.make_case(serial=52, due_on=TODAY + 5 * DAY)
        self.make_case(serial=53, org_unit=self.other_town, handler=self.other_clerk)
        self.client.force_login(self.clerk_a)
        response = self.client.get("/services/", {"overdue": "on", "export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("受理编号", "事项", "申请人"))
        self.assertEqual([r[0] for r in rows[1:]], [late.receipt_no])
        self.assertNotIn(late.applicant.id_number, response.content.decode("latin-1"))
        self.assertTrue(Event.objects.filter(action="application_exported").exists())
