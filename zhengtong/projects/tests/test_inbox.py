import datetime
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.inbox.registry import items_for
from zhengtong.projects.actions import problems_escalate, report_submit
from zhengtong.projects.inbox import problem_items, report_items
from zhengtong.projects.models import Problem, Stage
from zhengtong.projects.tests.test_register import TODAY, project
from zhengtong.test import BaseTestCase


@time_machine.travel(TODAY, tick=False)
class ProblemInboxTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company, leaders=[self.leader])
        self.problem = self.add(self.project, "征地拆迁未完成", datetime.date(2026, 11, 16))

    def add(self, row, title, due_on, owning_unit=None) -> Problem:
        return Problem.objects.create(
            project=row,
            title=title,
            owning_unit=owning_unit or self.social,
            raised_by=self.liaison,
            raised_on=datetime.date(2026, 11, 2),
            deadline_workdays=10,
            due_on=due_on,
        )

    def titles(self, user) -> list[str]:
        return [item.title for item in problem_items(user)]

    def test_who_gets_the_problem(self) -> None:
        """The 帮包 leader, the office and the owning unit; not other leaders or companies."""
        for user in (self.leader, self.office, self.clerk):
            self.assertEqual(self.titles(user), ["征地拆迁未完成"], user)
        for user in (
            self.second_leader,
            self.other_liaison,
            self.outsider,
            self.auditor,
            self.admin,
        ):
            self.assertEqual(self.titles(user), [], user)

    def test_resolved_problems_leave_the_inbox(self) -> None:
        Problem.objects.filter(pk=self.problem.pk).update(status=Problem.Status.RESOLVED)
        self.assertEqual(self.titles(self.leader), [])

    def test_an_escalated_problem_is_marked_in_the_leaders_inbox(self) -> None:
        """KP8: past its deadline, escalated, and on the leader's 我的待办 as overdue."""
        problems_escalate()
        items = [i for i in items_for(self.leader) if i.kind == "项目问题"]
        self.assertEqual(len(items), 1)
        self.assertEqual(items[0].title, "【已升级督办】征地拆迁未完成")
        self.assertEqual(items[0].subtitle, "项目KP-001")
        self.assertEqual(items[0].url, f"/projects/problems/{self.problem.pk}/")
        self.assertEqual(items[0].deadline.state, "overdue")
        self.client.force_login(self.leader)
        r = self.client.get("/")
        self.assertContains(r, "【已升级督办】征地拆迁未完成")

    def test_the_query_count_does_not_grow_with_the_items(self) -> None:
        with CaptureQueriesContext(connection) as one:
            self.assertEqual(len(problem_items(self.office)), 1)
        other = project("KP-002", self.other_company, leaders=[self.leader])
        for i in range(10):
            self.add(other, f"问题{i}", datetime.date(2026, 12, 1), owning_unit=self.dept)
        self.office.__dict__.pop("_scope_memberships", None)
        with self.assertNumQueries(len(one)):
            self.assertEqual(len(problem_items(self.office)), 11)


# 2 December: November's reports are owed, due on the 5th working day (Monday 7 December).
DECEMBER = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC)


@time_machine.travel(DECEMBER, tick=False)
class ReportInboxTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.mine = project("KP-001", self.company, stage=Stage.UNDER_CONSTRUCTION)
        self.filed = project("KP-002", self.company, stage=Stage.UNDER_CONSTRUCTION)
        self.theirs = project("KP-003", self.other_company, stage=Stage.UNDER_CONSTRUCTION)
        project("KP-004", self.company, stage=Stage.COMPLETED)
        project("KP-OLD", self.company, year=2025)  # on the 2025 list only
        report_submit(
            actor=self.liaison,
            project=self.filed,
            month=datetime.date(2026, 11, 1),
            investment=Decimal("1000"),
            physical_progress=Decimal("20"),
        )

    def test_the_liaison_owes_last_months_report_of_each_unfiled_project(self) -> None:
        items = report_items(self.liaison)
        self.assertEqual([i.subtitle for i in items], ["项目KP-001"])
        item = items[0]
        self.assertEqual(item.kind, "项目月报")
        self.assertEqual(item.title, "填报2026年11月月报")
        self.assertEqual(item.due_on, datetime.date(2026, 12, 7))
        self.assertEqual(item.url, f"/projects/{self.mine.pk}/reports/new/?month=2026-11")
        self.assertEqual([i.subtitle for i in report_items(self.other_liaison)], ["项目KP-003"])

    def test_only_the_liaison_owes_a_report(self) -> None:
        for user in (self.office, self.leader, self.clerk, self.auditor, self.admin):
            self.assertEqual(report_items(user), [], user)

    def test_the_item_leaves_when_the_report_is_filed_and_shows_on_the_home_page(self) -> None:
        self.client.force_login(self.liaison)
        self.assertContains(self.client.get("/"), "填报2026年11月月报")
        r = self.client.get(f"/projects/{self.mine.pk}/reports/new/")
        self.assertEqual(r.context["form"].initial["month"], datetime.date(2026, 11, 1))
        report_submit(
            actor=self.liaison,
            project=self.mine,
            month=datetime.date(2026, 11, 1),
            investment=Decimal("1000"),
            physical_progress=Decimal("20"),
        )
        self.assertEqual(report_items(self.liaison), [])

    def test_in_january_decembers_report_is_owed_and_counted_in_working_days(self) -> None:
        with time_machine.travel(datetime.datetime(2027, 1, 4, 2, 0, tzinfo=datetime.UTC)):
            items = report_items(self.liaison)
        self.assertEqual({i.title for i in items}, {"填报2026年12月月报"})
        self.assertEqual({i.subtitle for i in items}, {"项目KP-001", "项目KP-002"})
        # 1 January is a holiday: the 5th working day after 31 December is 8 January.
        self.assertEqual({i.due_on for i in items}, {datetime.date(2027, 1, 8)})

    def test_the_query_count_does_not_grow_with_the_projects(self) -> None:
        with CaptureQueriesContext(connection) as one:
            self.assertEqual(len(report_items(self.liaison)), 1)
        for i in range(10):
            project(f"KP-1{i:02d}", self.company, stage=Stage.NOT_STARTED)
        self.liaison.__dict__.pop("_scope_memberships", None)
        with self.assertNumQueries(len(one)):
            self.assertEqual(len(report_items(self.liaison)), 11)
