import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.inbox.registry import items_for
from zhengtong.projects.actions import problems_escalate
from zhengtong.projects.inbox import problem_items
from zhengtong.projects.models import Problem
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
