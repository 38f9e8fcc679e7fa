import io

import openpyxl
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event
from zhengtong.projects.actions import project_set_leaders
from zhengtong.projects.models import Stage
from zhengtong.projects.tests.test_register import TODAY, project
from zhengtong.test import BaseTestCase


@time_machine.travel(TODAY, tick=False)
class ProjectLeadersTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company)

    def test_it_assigns_leaders_and_the_responsible_unit(self) -> None:
        project_set_leaders(
            actor=self.office,
            project=self.project,
            leaders=[self.leader, self.second_leader],
            responsible_unit=self.dept,
        )
        self.project.refresh_from_db()
        self.assertEqual(set(self.project.leaders.all()), {self.leader, self.second_leader})
        self.assertEqual(self.project.responsible_unit, self.dept)
        event = Event.objects.get(action="project_leaders_changed")
        self.assertEqual(event.changes["leaders"], [[], ["王区长", "李副区长"]])
        self.assertEqual(event.changes["responsible_unit"], ["", "经济发展局"])

    def test_it_replaces_leaders(self) -> None:
        project_set_leaders(actor=self.office, project=self.project, leaders=[self.leader])
        project_set_leaders(actor=self.office, project=self.project, leaders=[self.second_leader])
        self.assertEqual(list(self.project.leaders.all()), [self.second_leader])

    def test_it_refuses_a_user_without_the_leader_role(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            project_set_leaders(actor=self.office, project=self.project, leaders=[self.office])
        self.assertIn("赵主任", ctx.exception.message_dict["leaders"][0])
        self.assertFalse(self.project.leaders.exists())

    def test_it_refuses_to_remove_the_last_leader_of_a_project_under_construction(self) -> None:
        project_set_leaders(actor=self.office, project=self.project, leaders=[self.leader])
        self.project.stage = Stage.UNDER_CONSTRUCTION
        self.project.save()
        with self.assertRaises(ValidationError) as ctx:
            project_set_leaders(actor=self.office, project=self.project, leaders=[])
        self.assertEqual(
            ctx.exception.message_dict["leaders"], ["在建项目至少须保留一名帮包领导。"]
        )
        self.assertEqual(list(self.project.leaders.all()), [self.leader])

    def test_the_leaders_page_saves_the_choice(self) -> None:
        self.client.force_login(self.office)
        url = f"/projects/{self.project.pk}/leaders/"
        r = self.client.post(url, {"leaders": [self.second_leader.pk], "responsible_unit": ""})
        self.assertRedirects(r, self.project.get_absolute_url())
        self.assertEqual(list(self.project.leaders.all()), [self.second_leader])

    def test_a_leader_may_not_assign_leaders(self) -> None:
        self.client.force_login(self.leader)
        url = f"/projects/{self.project.pk}/leaders/"
        self.assertEqual(self.client.post(url, {"leaders": [self.leader.pk]}).status_code, 403)
        self.assertFalse(self.project.leaders.exists())


@time_machine.travel(TODAY, tick=False)
class MyProjectsTestCase(BaseTestCase):
    def test_a_leader_sees_exactly_the_assigned_projects(self) -> None:
        """KP4: my projects lists the 帮包 projects and nothing else."""
        mine = project("KP-001", self.company, leaders=[self.leader])
        both = project("KP-002", self.other_company, leaders=[self.leader, self.second_leader])
        project("KP-003", self.company, leaders=[self.second_leader])
        project("KP-004", self.company)
        self.client.force_login(self.leader)
        r = self.client.get("/projects/mine/")
        self.assertEqual({p.pk for p in r.context["page"].object_list}, {mine.pk, both.pk})
        self.assertContains(r, "项目KP-001")
        self.assertNotContains(r, "项目KP-003")

    def test_my_projects_cost_a_fixed_number_of_queries_and_export_only_mine(self) -> None:
        project("KP-001", self.company, leaders=[self.leader])
        project("KP-OTHER", self.company, leaders=[self.second_leader])
        self.client.force_login(self.leader)
        with CaptureQueriesContext(connection) as few:
            self.client.get("/projects/mine/")
        for i in range(2, 12):
            project(f"KP-{i:03d}", self.company, leaders=[self.leader, self.second_leader])
        with self.assertNumQueries(len(few)):
            r = self.client.get("/projects/mine/")
        self.assertEqual(r.context["page"].paginator.count, 11)
        r = self.client.get("/projects/mine/", {"export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0][0], "项目名称")
        self.assertEqual(len(rows) - 1, 11)
        self.assertNotIn("项目KP-OTHER", [row[0] for row in rows])

    def test_non_leaders_get_403(self) -> None:
        for user in (self.office, self.liaison, self.clerk, self.auditor):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/projects/mine/").status_code, 403)
