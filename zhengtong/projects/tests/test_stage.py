import datetime

import time_machine
from django.core.exceptions import ValidationError

from zhengtong.audit.models import Event
from zhengtong.projects.actions import project_set_stage
from zhengtong.projects.models import STAGE_REOPEN, STAGE_TRANSITIONS, KeyProject, Stage
from zhengtong.projects.tests.test_register import TODAY, project
from zhengtong.test import BaseTestCase


@time_machine.travel(TODAY, tick=False)
class StageTransitionTestCase(BaseTestCase):
    def make(self, stage, *, leaders=True) -> KeyProject:
        n = KeyProject.objects.count() + 1
        return project(
            f"KP-{n:03d}", self.company, stage=stage, leaders=[self.leader] if leaders else []
        )

    def test_the_transition_matrix(self) -> None:
        """Every (from, to) pair is allowed exactly when STAGE_TRANSITIONS lists it."""
        for old in Stage:
            for new in Stage:
                if new == old or new in STAGE_REOPEN.get(old, set()):
                    continue
                with self.subTest(old=old.label, new=new.label):
                    row = self.make(old)
                    if new in STAGE_TRANSITIONS[old]:
                        project_set_stage(actor=self.office, project=row, stage=new)
                        row.refresh_from_db()
                        self.assertEqual(row.stage, new)
                    else:
                        with self.assertRaises(ValidationError):
                            project_set_stage(actor=self.office, project=row, stage=new)
                        row.refresh_from_db()
                        self.assertEqual(row.stage, old)

    def test_completed_to_not_started_is_refused_in_chinese(self) -> None:
        row = self.make(Stage.COMPLETED)
        with self.assertRaises(ValidationError) as ctx:
            project_set_stage(actor=self.office, project=row, stage=Stage.NOT_STARTED, reason="x")
        self.assertEqual(ctx.exception.message_dict["stage"], ["不允许从“已完成”变更为“未开工”。"])

    def test_reopening_without_a_reason_is_refused(self) -> None:
        row = self.make(Stage.COMPLETED)
        with self.assertRaises(ValidationError) as ctx:
            project_set_stage(actor=self.office, project=row, stage=Stage.UNDER_CONSTRUCTION)
        self.assertIn("理由", ctx.exception.message_dict["reason"][0])
        row.refresh_from_db()
        self.assertEqual(row.stage, Stage.COMPLETED)
        self.assertFalse(Event.objects.filter(action="project_stage_changed").exists())

    def test_reopening_by_someone_other_than_the_office_is_refused(self) -> None:
        row = self.make(Stage.CANCELLED)
        with self.assertRaises(ValidationError) as ctx:
            project_set_stage(
                actor=self.leader, project=row, stage=Stage.NOT_STARTED, reason="恢复"
            )
        self.assertIn("重点项目办", ctx.exception.message_dict["stage"][0])

    def test_reopening_with_a_reason_works_and_is_audited(self) -> None:
        row = self.make(Stage.COMPLETED)
        row.actual_finish_on = datetime.date(2026, 9, 30)
        row.save()
        project_set_stage(
            actor=self.office,
            project=row,
            stage=Stage.UNDER_CONSTRUCTION,
            reason="验收发现问题需整改",
        )
        row.refresh_from_db()
        self.assertEqual(row.stage, Stage.UNDER_CONSTRUCTION)
        self.assertIsNone(row.actual_finish_on)
        event = Event.objects.get(action="project_stage_changed")
        self.assertEqual(event.reason, "验收发现问题需整改")
        self.assertEqual(event.changes["stage"], ["completed", "under_construction"])

    def test_under_construction_needs_a_leader(self) -> None:
        row = self.make(Stage.NOT_STARTED, leaders=False)
        with self.assertRaises(ValidationError) as ctx:
            project_set_stage(actor=self.office, project=row, stage=Stage.UNDER_CONSTRUCTION)
        self.assertEqual(
            ctx.exception.message_dict["stage"], ["转为在建前须至少指定一名帮包领导。"]
        )
        row.refresh_from_db()
        self.assertEqual(row.stage, Stage.NOT_STARTED)

    def test_entering_construction_and_completion_sets_the_actual_dates(self) -> None:
        row = self.make(Stage.SURVEY)
        project_set_stage(actor=self.office, project=row, stage=Stage.UNDER_CONSTRUCTION)
        row.refresh_from_db()
        self.assertEqual(row.actual_start_on, datetime.date(2026, 11, 20))
        project_set_stage(actor=self.office, project=row, stage=Stage.COMPLETED)
        row.refresh_from_db()
        self.assertEqual(row.actual_finish_on, datetime.date(2026, 11, 20))
        self.assertEqual(row.oc4ids_status, "completion")

    def test_survey_counts_as_not_started(self) -> None:
        """KP11: 勘查设计 is its own stage but belongs to the 未开工 class."""
        row = self.make(Stage.SURVEY)
        self.assertEqual(row.stage_class, Stage.NOT_STARTED)
        self.assertEqual(row.oc4ids_status, "preparation")
        self.assertIn(row, KeyProject.objects.in_class(Stage.NOT_STARTED))


@time_machine.travel(TODAY, tick=False)
class StagePageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company, leaders=[self.leader])
        self.url = f"/projects/{self.project.pk}/stage/"

    def test_the_office_changes_the_stage(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(self.url, {"stage": "under_construction"})
        self.assertRedirects(r, self.project.get_absolute_url())
        self.project.refresh_from_db()
        self.assertEqual(self.project.stage, Stage.UNDER_CONSTRUCTION)

    def test_the_page_offers_only_allowed_stages(self) -> None:
        self.client.force_login(self.office)
        choices = dict(self.client.get(self.url).context["form"].fields["stage"].choices)
        self.assertEqual(set(choices), {"survey", "under_construction", "cancelled"})

    def test_the_reopen_reason_error_is_shown(self) -> None:
        self.project.stage = Stage.COMPLETED
        self.project.save()
        self.client.force_login(self.office)
        r = self.client.post(self.url, {"stage": "under_construction", "reason": ""})
        self.assertContains(r, "须填写理由")

    def test_a_liaison_of_the_project_may_not_change_the_stage(self) -> None:
        self.client.force_login(self.liaison)
        self.assertEqual(self.client.post(self.url, {"stage": "cancelled"}).status_code, 403)
        self.project.refresh_from_db()
        self.assertEqual(self.project.stage, Stage.NOT_STARTED)

    def test_other_units_get_404(self) -> None:
        for user in (self.other_liaison, self.clerk, self.outsider, self.auditor):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)
