import datetime
import io
from decimal import Decimal

import openpyxl
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.projects.models import (
    Fund,
    FundAllocation,
    Milestone,
    ProgressReport,
    Stage,
)
from zhengtong.projects.tests.test_register import TODAY, project, sector
from zhengtong.test import BaseTestCase

LIST = "/projects/"


def monthly(row, month, amount, user) -> ProgressReport:
    return ProgressReport.objects.create(
        project=row,
        month=datetime.date(2026, month, 1),
        investment=Decimal(amount),
        physical_progress=Decimal("10"),
        submitted_by=user,
    )


@time_machine.travel(TODAY, tick=False)
class ProjectListTestCase(BaseTestCase):
    """Annual plan 1,200,000 元 each: the plan to October is 1,000,000 元."""

    def setUp(self) -> None:
        super().setUp()
        s = Stage
        self.ahead = project(
            "KP-001", self.company, stage=s.UNDER_CONSTRUCTION, leaders=[self.leader]
        )
        self.on_track = project(
            "KP-002", self.company, stage=s.UNDER_CONSTRUCTION, leaders=[self.second_leader]
        )
        self.behind = project(
            "KP-003", self.other_company, stage=s.UNDER_CONSTRUCTION, leaders=[self.leader]
        )
        self.survey = project(
            "KP-004", self.other_company, stage=s.SURVEY, is_example=True, name="周公路"
        )
        self.done = project(
            "KP-005", self.company, stage=s.COMPLETED, sector=sector("road", "城市道路")
        )
        project("KP-OLD", self.company, year=2025)
        monthly(self.ahead, 10, "1000000", self.liaison)
        monthly(self.on_track, 9, "950000", self.liaison)
        monthly(self.behind, 10, "100000", self.liaison)

    def get(self, user=None, **params):
        self.client.force_login(user or self.office)
        return self.client.get(LIST, params)

    def codes(self, r) -> list[str]:
        return [p.code for p in r.context["page"].object_list]

    def test_the_office_sees_the_year_with_class_counts_and_totals(self) -> None:
        r = self.get()
        self.assertEqual(self.codes(r), ["KP-001", "KP-002", "KP-003", "KP-004", "KP-005"])
        counts = {c["value"]: c["count"] for c in r.context["classes"]}
        self.assertEqual(
            counts, {"not_started": 1, "under_construction": 3, "completed": 1, "cancelled": 0}
        )
        figures = r.context["figures"]
        self.assertEqual(figures["sum_total"], Decimal("60000000.00"))
        self.assertEqual(figures["sum_plan"], Decimal("6000000.00"))
        self.assertEqual(figures["sum_ytd"], Decimal("2050000.00"))
        self.assertContains(r, "6000.00万元")
        self.assertContains(r, "示例")
        self.assertContains(r, "容差 10%")

    def test_the_flag_of_each_row(self) -> None:
        r = self.get()
        flags = {p.code: p.flag for p in r.context["page"].object_list}
        self.assertEqual(flags["KP-001"], "ahead")
        self.assertEqual(flags["KP-002"], "on_track")
        self.assertEqual(flags["KP-003"], "behind")

    def test_filters(self) -> None:
        self.assertEqual(self.codes(self.get(flag="behind")), ["KP-003", "KP-004", "KP-005"])
        self.assertEqual(self.codes(self.get(flag="ahead")), ["KP-001"])
        self.assertEqual(self.codes(self.get(stage_class="not_started")), ["KP-004"])
        self.assertEqual(self.codes(self.get(stage="completed")), ["KP-005"])
        self.assertEqual(self.codes(self.get(leader=self.leader.pk)), ["KP-001", "KP-003"])
        self.assertEqual(self.codes(self.get(q="周公")), ["KP-004"])
        self.assertEqual(self.codes(self.get(sector="road")), ["KP-005"])
        self.assertEqual(self.codes(self.get(year="2025")), ["KP-OLD"])

    def test_the_class_filter_narrows_totals_but_not_counts(self) -> None:
        r = self.get(stage_class="under_construction")
        self.assertEqual(r.context["figures"]["sum_plan"], Decimal("3600000.00"))
        self.assertEqual(r.context["figures"]["count_completed"], 1)

    def test_a_liaison_sees_only_their_companys_projects(self) -> None:
        self.assertEqual(self.codes(self.get(self.liaison)), ["KP-001", "KP-002", "KP-005"])

    def test_users_without_a_project_role_get_403(self) -> None:
        for user in (self.clerk, self.outsider, self.auditor, self.admin):
            self.assertEqual(self.get(user).status_code, 403, user)

    def test_the_htmx_request_gets_only_the_results(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get(LIST, {"flag": "ahead"}, headers={"HX-Request": "true"})
        self.assertContains(r, 'id="results"')
        self.assertNotContains(r, "<form")

    def test_it_pages_by_25_with_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.office)
        self.client.get(LIST)
        with CaptureQueriesContext(connection) as few:
            self.client.get(LIST)
        for i in range(6, 31):
            row = project(f"KP-{i:03d}", self.company, leaders=[self.leader, self.second_leader])
            monthly(row, 3, "1000", self.liaison)
        with self.assertNumQueries(len(few)):
            r = self.client.get(LIST)
        self.assertEqual(len(r.context["page"].object_list), 25)
        self.assertEqual(r.context["page"].paginator.count, 30)
        r = self.client.get(LIST, {"page": "2"})
        self.assertEqual(len(r.context["page"].object_list), 5)

    def test_a_header_sorts_the_rows_and_a_second_click_reverses(self) -> None:
        r = self.get(sort="-ytd_investment")
        self.assertEqual(self.codes(r)[:3], ["KP-001", "KP-002", "KP-003"])
        r = self.get(sort="ytd_investment")
        self.assertEqual(self.codes(r)[-1], "KP-001")
        headers = {h.column.key: h for h in r.context["table"].headers}
        self.assertEqual(headers["ytd_investment"].order, "asc")
        self.assertIsNone(headers["leaders"].url)

    def test_money_columns_have_one_unit_and_the_flag_its_label(self) -> None:
        r = self.get(q="KP-001")
        headers = [h.label for h in r.context["table"].headers]
        self.assertIn("总投资(万元)", headers)
        self.assertIn("完成率(%)", headers)
        cells = {c.column.key: c.text for c in r.context["table"].rows[0]}
        self.assertEqual(cells["total_investment"], "1,200.00")
        self.assertEqual(cells["completion"], "83.3%")
        self.assertEqual(cells["flag"], "超进度")
        self.assertContains(r, 'data-label="进度"')

    def test_the_export_holds_exactly_the_filtered_rows(self) -> None:
        r = self.get(flag="behind", export="xlsx")
        self.assertEqual(r.status_code, 200)
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0][:3], ("编号", "项目名称", "阶段"))
        self.assertEqual([row[0] for row in rows[1:]], ["KP-003", "KP-004", "KP-005"])
        self.assertEqual(rows[1][-1], "滞后")
        self.assertIn("累计完成(万元)", rows[0])
        # Not the ledger import workbook (导出台账), which has its own columns.
        self.assertNotIn("序号", rows[0])

    def test_a_liaison_exports_only_their_companys_rows(self) -> None:
        r = self.get(self.liaison, export="xlsx")
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual([row[0] for row in rows[1:]], ["KP-001", "KP-002", "KP-005"])

    def test_print_shows_the_filtered_rows(self) -> None:
        r = self.get(stage="completed", print="1")
        self.assertEqual([c[0].text for c in r.context["table"].rows], ["KP-005"])
        self.assertContains(r, 'data-action="print"')

    def test_a_bad_filter_says_so(self) -> None:
        r = self.get(stage="bogus")
        self.assertContains(r, "筛选条件有误")
        self.assertEqual(r.context["table"].rows, [])


@time_machine.travel(TODAY, tick=False)
class ProjectDetailTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project(
            "KP-001", self.company, stage=Stage.UNDER_CONSTRUCTION, leaders=[self.leader]
        )
        monthly(self.project, 9, "400000", self.liaison)
        monthly(self.project, 10, "500000", self.liaison)
        Milestone.objects.create(
            project=self.project,
            code="commencement",
            due_on=datetime.date(2026, 3, 1),
            met_on=datetime.date(2026, 3, 10),
            status="met",
        )
        fund = Fund.objects.create(code="F1", name="转调创扶持基金", budget=Decimal("100000000"))
        FundAllocation.objects.create(
            fund=fund,
            project=self.project,
            amount=Decimal("2000000"),
            decided_on=datetime.date(2026, 5, 1),
        )
        self.url = self.project.get_absolute_url()

    def test_it_shows_plan_against_actual_and_the_reports(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(self.url)
        self.assertEqual(r.context["figures"].ytd_investment, Decimal("900000.00"))
        self.assertEqual(r.context["figures"].flag, "on_track")
        self.assertEqual(
            [rep.ytd for rep in r.context["reports"]], [Decimal("900000"), Decimal("400000")]
        )
        self.assertNotContains(r, "implementation")  # the OC4IDS code stays in the feed
        self.assertContains(r, "逾期达成")
        self.assertContains(r, "转调创扶持基金")
        self.assertContains(r, "累计计划投资 = 年度计划投资")

    def test_buttons_follow_permissions(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(self.url)
        self.assertNotContains(r, "修改信息")
        self.assertNotContains(r, "填报月报")
        self.client.force_login(self.liaison)
        r = self.client.get(self.url)
        self.assertContains(r, "填报月报")
        self.assertNotContains(r, "修改信息")
        self.client.force_login(self.office)
        r = self.client.get(self.url)
        self.assertContains(r, "修改信息")
        self.assertContains(r, "变更阶段")

    def test_it_is_hidden_from_other_companies_and_non_project_roles(self) -> None:
        for user in (self.other_liaison, self.clerk, self.outsider, self.auditor, self.admin):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404, user)

    def test_anonymous_users_are_sent_to_the_login_page(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])


@time_machine.travel(TODAY, tick=False)
class EveryPageRendersTestCase(BaseTestCase):
    def test_every_register_page_renders_for_the_office(self) -> None:
        """Each page of the register answers a plain GET with the full page."""
        row = project("KP-001", self.company, stage=Stage.COMPLETED, leaders=[self.leader])
        monthly(row, 10, "1000", self.liaison)
        from zhengtong.projects.models import Problem

        problem = Problem.objects.create(
            project=row,
            title="施工许可",
            owning_unit=self.dept,
            raised_by=self.office,
            raised_on=datetime.date(2026, 11, 2),
            deadline_workdays=10,
            due_on=datetime.date(2026, 11, 16),
        )
        self.client.force_login(self.office)
        for url in (
            "/projects/",
            "/projects/new/",
            f"/projects/{row.pk}/",
            f"/projects/{row.pk}/edit/",
            f"/projects/{row.pk}/stage/",
            f"/projects/{row.pk}/leaders/",
            f"/projects/{row.pk}/history/",
            f"/projects/{row.pk}/reports/new/",
            f"/projects/{row.pk}/milestones/?code=completion",
            f"/projects/{row.pk}/problems/new/",
            "/projects/problems/",
            f"/projects/problems/{problem.pk}/",
            f"/projects/problems/{problem.pk}/resolve/",
        ):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "</html>")
