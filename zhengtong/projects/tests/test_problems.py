import datetime
import io
from io import StringIO

import openpyxl
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event
from zhengtong.projects.actions import problem_raise, problem_resolve, problems_escalate
from zhengtong.projects.models import Problem, Stage
from zhengtong.projects.tests.test_register import TODAY, project
from zhengtong.test import BaseTestCase


def raise_problem(
    test, row, title="征地拆迁未完成", *, raised_on=datetime.date(2026, 11, 2), **extra
):
    extra.setdefault("owning_unit", test.social)
    return problem_raise(actor=test.liaison, project=row, title=title, raised_on=raised_on, **extra)


@time_machine.travel(TODAY, tick=False)
class ProblemRaiseTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company, leaders=[self.leader])

    def test_the_deadline_counts_working_days(self) -> None:
        """Raised Monday 2 Nov 2026 with the default 10 working days: due Monday 16 Nov."""
        problem = raise_problem(self, self.project)
        self.assertEqual(problem.deadline_workdays, 10)
        self.assertEqual(problem.due_on, datetime.date(2026, 11, 16))
        self.assertEqual(problem.status, Problem.Status.OPEN)
        event = Event.objects.get(action="problem_raised")
        self.assertEqual(event.org_unit, self.company)

    def test_the_deadline_skips_the_national_day_holiday(self) -> None:
        """Raised 30 Sep 2026, 3 working days: 1–7 Oct are off and Saturday 10 Oct is a
        调休 working day, so the third working day is 10 Oct (not 5 Oct)."""
        problem = raise_problem(
            self, self.project, raised_on=datetime.date(2026, 9, 30), deadline_workdays=3
        )
        self.assertEqual(problem.due_on, datetime.date(2026, 10, 10))

    def test_workdays_outside_1_to_60_are_refused(self) -> None:
        for days in (0, 61):
            with self.assertRaises(ValidationError) as ctx:
                raise_problem(self, self.project, deadline_workdays=days)
            self.assertIn("1 到 60", ctx.exception.message_dict["deadline_workdays"][0])
        self.assertFalse(Problem.objects.exists())

    def test_a_deadline_into_a_provisional_year_is_set_and_marked_provisional(self) -> None:
        """Raised 2026-12-24 with 10 working days: due 2027-01-08 on the statutory rule."""
        problem = raise_problem(self, self.project, raised_on=datetime.date(2026, 12, 24))
        self.assertEqual(problem.due_on, datetime.date(2027, 1, 8))
        self.assertTrue(problem.due_provisional)

    def test_a_blank_title_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            raise_problem(self, self.project, title="   ")
        self.assertEqual(ctx.exception.message_dict["title"], ["请填写问题。"])


@time_machine.travel(TODAY, tick=False)
class ProblemResolveTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company, leaders=[self.leader])
        self.problem = raise_problem(self, self.project)

    def test_closing_without_a_note_is_refused(self) -> None:
        for note in ("", "   ", "已解决"):
            with self.assertRaises(ValidationError) as ctx:
                problem_resolve(actor=self.clerk, problem=self.problem, resolution_note=note)
            self.assertIn(
                "办结问题须填写解决情况", ctx.exception.message_dict["resolution_note"][0]
            )
        self.problem.refresh_from_db()
        self.assertEqual(self.problem.status, Problem.Status.OPEN)

    def test_closing_with_a_note_records_who_and_when(self) -> None:
        problem_resolve(
            actor=self.clerk, problem=self.problem, resolution_note="已完成 12 户拆迁补偿协议签订"
        )
        self.problem.refresh_from_db()
        self.assertEqual(self.problem.status, Problem.Status.RESOLVED)
        self.assertEqual(self.problem.resolved_by, self.clerk)
        self.assertEqual(self.problem.resolved_on, datetime.date(2026, 11, 20))
        self.assertTrue(Event.objects.filter(action="problem_resolved", actor=self.clerk).exists())

    def test_a_resolved_problem_cannot_be_closed_again(self) -> None:
        problem_resolve(actor=self.clerk, problem=self.problem, resolution_note="协调完毕,已开工")
        with self.assertRaises(ValidationError) as ctx:
            problem_resolve(actor=self.clerk, problem=self.problem, resolution_note="再次办结试试")
        self.assertEqual(ctx.exception.message_dict["resolution_note"], ["该问题已办结。"])


@time_machine.travel(TODAY, tick=False)
class ProblemEscalateTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company, leaders=[self.leader])
        # Due 16 Nov: overdue on 20 Nov.
        self.overdue = raise_problem(self, self.project)
        # Due 30 Nov: not yet.
        self.pending = raise_problem(
            self, self.project, "用电增容", raised_on=datetime.date(2026, 11, 16)
        )

    def test_it_escalates_overdue_problems_once_with_an_audit_event(self) -> None:
        escalated = problems_escalate()
        self.assertEqual([p.pk for p in escalated], [self.overdue.pk])
        self.overdue.refresh_from_db()
        self.assertIsNotNone(self.overdue.escalated_at)
        event = Event.objects.get(action="problem_escalated")
        self.assertIsNone(event.actor)
        self.assertEqual(event.target_id, str(self.overdue.pk))
        self.assertEqual(event.changes["escalated_to"], [[], ["王区长"]])
        self.assertEqual(problems_escalate(), [])
        self.assertEqual(Event.objects.filter(action="problem_escalated").count(), 1)

    def test_resolved_problems_are_not_escalated(self) -> None:
        problem_resolve(
            actor=self.office, problem=self.overdue, resolution_note="已协调供电公司解决"
        )
        self.assertEqual(problems_escalate(), [])

    def test_the_command_prints_a_chinese_summary(self) -> None:
        out = StringIO()
        call_command("escalate_problems", stdout=out)
        self.assertIn("已升级督办 1 个超期问题", out.getvalue())
        self.assertIn("征地拆迁未完成", out.getvalue())
        out = StringIO()
        call_command("escalate_problems", stdout=out)
        self.assertIn("没有需要升级督办的超期问题", out.getvalue())

    def test_the_overdue_problem_is_on_the_leaders_my_projects_page(self) -> None:
        problems_escalate()
        self.client.force_login(self.leader)
        r = self.client.get("/projects/mine/")
        self.assertEqual([p.pk for p in r.context["problems"]], [self.overdue.pk])
        self.assertContains(r, "已升级督办")
        self.assertContains(r, "超期 4 个工作日")

    def test_another_leader_does_not_see_it_on_my_projects(self) -> None:
        self.client.force_login(self.second_leader)
        r = self.client.get("/projects/mine/")
        self.assertEqual(r.context["problems"], [])


@time_machine.travel(TODAY, tick=False)
class ProblemPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company, leaders=[self.leader])
        self.problem = raise_problem(self, self.project)
        self.url = f"/projects/problems/{self.problem.pk}/"

    def test_the_liaison_raises_a_problem_through_the_page(self) -> None:
        self.client.force_login(self.liaison)
        r = self.client.post(
            f"/projects/{self.project.pk}/problems/new/",
            {"title": "施工用水未接通", "owning_unit": self.dept.pk, "deadline_workdays": "5"},
        )
        created = Problem.objects.get(title="施工用水未接通")
        self.assertRedirects(r, created.get_absolute_url())
        self.assertEqual(created.due_on, datetime.date(2026, 11, 27))

    def test_a_leader_may_not_raise_but_the_other_liaison_gets_404(self) -> None:
        url = f"/projects/{self.project.pk}/problems/new/"
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.other_liaison)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_who_sees_the_problem(self) -> None:
        """Viewers of the project and members of the owning unit; nobody else."""
        for user in (self.leader, self.office, self.liaison, self.clerk):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 200, user)
        for user in (self.other_liaison, self.outsider, self.auditor):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404, user)

    def test_the_owning_unit_resolves_it(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.post(f"{self.url}resolve/", {"resolution_note": "已与村委会达成协议"})
        self.assertRedirects(r, self.url)
        self.problem.refresh_from_db()
        self.assertEqual(self.problem.status, Problem.Status.RESOLVED)

    def test_the_page_refuses_a_blank_note_in_chinese(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.post(f"{self.url}resolve/", {"resolution_note": ""})
        self.assertContains(r, "办结问题须填写解决情况")
        self.problem.refresh_from_db()
        self.assertEqual(self.problem.status, Problem.Status.OPEN)

    def test_the_project_liaison_may_see_but_not_resolve(self) -> None:
        """The liaison raised it; the owning unit, leaders or office close it."""
        self.client.force_login(self.liaison)
        self.assertIsNone(self.client.get(self.url).context["form"])
        r = self.client.post(f"{self.url}resolve/", {"resolution_note": "自己说解决了"})
        self.assertEqual(r.status_code, 403)

    def test_the_second_leader_of_the_zone_may_not_resolve(self) -> None:
        """Not a 帮包 leader of this project, not the office, not the owning unit."""
        self.client.force_login(self.second_leader)
        r = self.client.post(f"{self.url}resolve/", {"resolution_note": "已经协调解决完毕"})
        self.assertEqual(r.status_code, 403)


@time_machine.travel(TODAY, tick=False)
class ProblemListTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company, leaders=[self.leader])
        self.other = project("KP-002", self.other_company, stage=Stage.NOT_STARTED)

    def add(self, n: int, row=None) -> None:
        for i in range(n):
            Problem.objects.create(
                project=row or self.project,
                title=f"问题{Problem.objects.count() + 1:03d}",
                owning_unit=self.dept,
                raised_by=self.liaison,
                raised_on=datetime.date(2026, 11, 2),
                deadline_workdays=10,
                due_on=datetime.date(2026, 11, 16) + datetime.timedelta(days=i % 20),
            )

    def test_filters_and_scope(self) -> None:
        self.add(2)
        self.add(1, self.other)
        Problem.objects.filter(title="问题001").update(due_on=datetime.date(2026, 12, 1))
        self.client.force_login(self.liaison)
        r = self.client.get("/projects/problems/")
        self.assertEqual(r.context["page"].paginator.count, 2)
        self.client.force_login(self.office)
        self.assertEqual(self.client.get("/projects/problems/").context["page"].paginator.count, 3)
        r = self.client.get("/projects/problems/", {"overdue": "on"})
        self.assertEqual(r.context["page"].paginator.count, 2)
        r = self.client.get("/projects/problems/", {"project": self.other.pk})
        self.assertEqual(r.context["page"].paginator.count, 1)

    def test_an_auditor_gets_403(self) -> None:
        self.client.force_login(self.auditor)
        self.assertEqual(self.client.get("/projects/problems/").status_code, 403)

    def test_the_htmx_request_gets_only_the_results(self) -> None:
        self.add(1)
        self.client.force_login(self.office)
        r = self.client.get("/projects/problems/", headers={"HX-Request": "true"})
        self.assertContains(r, 'id="results"')
        self.assertNotContains(r, "<html")

    def test_the_query_count_does_not_grow_with_the_rows(self) -> None:
        self.client.force_login(self.office)
        self.add(3)
        self.client.get("/projects/problems/")
        with CaptureQueriesContext(connection) as small:
            self.client.get("/projects/problems/")
        self.add(27)
        with self.assertNumQueries(len(small)):
            r = self.client.get("/projects/problems/")
        self.assertEqual(len(r.context["page"].object_list), 25)

    def test_search_sort_and_the_countdown_column(self) -> None:
        self.add(3)
        self.add(1, self.other)
        self.client.force_login(self.office)
        r = self.client.get("/projects/problems/", {"q": "问题002"})
        self.assertEqual([c[0].text for c in r.context["table"].rows], ["问题002"])
        r = self.client.get("/projects/problems/", {"sort": "-due_on"})
        dues = [c[4].value for c in r.context["table"].rows]
        self.assertEqual(dues, sorted(dues, reverse=True))
        self.assertContains(r, 'data-label="剩余"')
        self.assertContains(r, "个工作日")

    def test_the_export_holds_the_filtered_rows_the_user_may_see(self) -> None:
        self.add(2)
        self.add(1, self.other)
        self.client.force_login(self.liaison)
        r = self.client.get("/projects/problems/", {"export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0][:3], ("问题", "项目", "责任单位"))
        self.assertEqual(len(rows) - 1, 2)
        self.assertEqual({row[1] for row in rows[1:]}, {self.project.name})

    def test_a_project_out_of_sight_is_no_filter_choice(self) -> None:
        self.add(1, self.other)
        self.client.force_login(self.liaison)
        r = self.client.get("/projects/problems/", {"project": self.other.pk})
        self.assertContains(r, "筛选条件有误")
        self.assertEqual(r.context["table"].rows, [])
