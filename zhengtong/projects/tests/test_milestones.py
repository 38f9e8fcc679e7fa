import datetime
from io import StringIO

import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from zhengtong.audit.models import Event
from zhengtong.projects.actions import milestone_set, milestones_evaluate
from zhengtong.projects.models import Milestone
from zhengtong.projects.tests.test_register import TODAY, project
from zhengtong.test import BaseTestCase

M = Milestone.Status


@time_machine.travel(TODAY, tick=False)
class MilestoneSetTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company)

    def set(self, code="commencement", due=datetime.date(2026, 6, 30), met=None, **extra):
        return milestone_set(
            actor=self.office, project=self.project, code=code, due_on=due, met_on=met, **extra
        )

    def test_met_on_or_before_the_due_date_is_met(self) -> None:
        milestone = self.set(met=datetime.date(2026, 6, 30))
        self.assertEqual(milestone.status, M.MET)
        self.assertFalse(milestone.is_late)

    def test_met_after_the_due_date_is_still_met_but_late(self) -> None:
        """OC4IDS keeps a late meeting as met; the page marks it late."""
        milestone = self.set(met=datetime.date(2026, 7, 15))
        self.assertEqual(milestone.status, M.MET)
        self.assertTrue(milestone.is_late)

    def test_a_past_due_date_without_met_is_not_met(self) -> None:
        self.assertEqual(self.set().status, M.NOT_MET)

    def test_a_future_due_date_is_scheduled(self) -> None:
        self.assertEqual(
            self.set(code="completion", due=datetime.date(2027, 6, 30)).status, M.SCHEDULED
        )

    def test_it_updates_the_same_code_and_records_the_change(self) -> None:
        self.set()
        self.set(met=datetime.date(2026, 6, 1), note="提前开工")
        self.assertEqual(self.project.milestones.count(), 1)
        events = Event.objects.filter(action="milestone_set").order_by("id")
        self.assertEqual(events.count(), 2)
        self.assertEqual(events[1].changes["status"], ["notMet", "met"])

    def test_a_met_date_in_the_future_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            self.set(met=datetime.date(2026, 11, 21))
        self.assertEqual(ctx.exception.message_dict["met_on"], ["实际日期不能晚于今天。"])
        self.assertFalse(Milestone.objects.exists())

    def test_an_unknown_code_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            self.set(code="groundbreaking")


class MilestoneEvaluateTestCase(BaseTestCase):
    def test_a_due_date_passing_turns_scheduled_into_not_met_once(self) -> None:
        row = project("KP-001", self.company)
        with time_machine.travel(datetime.date(2026, 11, 20), tick=False):
            milestone = milestone_set(
                actor=self.office,
                project=row,
                code="completion",
                due_on=datetime.date(2026, 11, 25),
            )
            self.assertEqual(milestone.status, M.SCHEDULED)
            self.assertEqual(milestones_evaluate(), [])
        changed = milestones_evaluate(today=datetime.date(2026, 11, 26))
        self.assertEqual([m.pk for m in changed], [milestone.pk])
        milestone.refresh_from_db()
        self.assertEqual(milestone.status, M.NOT_MET)
        self.assertEqual(milestones_evaluate(today=datetime.date(2026, 11, 26)), [])
        event = Event.objects.get(action="milestone_status_changed")
        self.assertEqual(event.changes["status"], ["scheduled", "notMet"])
        self.assertIsNone(event.actor)

    def test_the_command_prints_a_chinese_summary(self) -> None:
        row = project("KP-001", self.company)
        Milestone.objects.create(
            project=row, code="commencement", due_on=datetime.date(2026, 3, 1), status=M.SCHEDULED
        )
        out = StringIO()
        with time_machine.travel(TODAY, tick=False):
            call_command("evaluate_milestones", stdout=out)
        self.assertIn("更新了 1 个节点的状态", out.getvalue())
        self.assertIn("未按期达成", out.getvalue())


@time_machine.travel(TODAY, tick=False)
class MilestonePageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company)
        self.url = f"/projects/{self.project.pk}/milestones/"

    def test_the_office_sets_a_milestone(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(
            self.url, {"code": "commencement", "due_on": "2026-06-30", "met_on": "2026-06-28"}
        )
        self.assertRedirects(r, self.project.get_absolute_url())
        r = self.client.get(self.project.get_absolute_url())
        self.assertContains(r, "已达成")

    def test_the_liaison_may_not(self) -> None:
        self.client.force_login(self.liaison)
        self.assertEqual(self.client.get(self.url).status_code, 403)
