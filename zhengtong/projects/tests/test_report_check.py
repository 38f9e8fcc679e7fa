"""月报审核: the office checks each filed report once; unchecked reports wait in its 我的待办,
due three working days after filing; nobody else may check, by URL or by report id."""

import datetime
from decimal import Decimal

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from zhengtong.audit.models import Event
from zhengtong.projects.actions import report_check, report_submit
from zhengtong.projects.inbox import check_items
from zhengtong.projects.models import ProgressReport, Stage
from zhengtong.projects.tests.test_register import project
from zhengtong.test import BaseTestCase

# Tuesday 2026-12-01, 10:00 in Liaocheng.
FILED = datetime.datetime(2026, 12, 1, 2, 0, tzinfo=datetime.UTC)


@time_machine.travel(FILED, tick=False)
class ReportCheckTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.mine = project("KP-001", self.company, stage=Stage.UNDER_CONSTRUCTION)
        self.theirs = project("KP-003", self.other_company, stage=Stage.UNDER_CONSTRUCTION)
        self.report = self.file(self.mine, self.liaison)
        self.their_report = self.file(self.theirs, self.other_liaison)

    def file(self, row, actor) -> ProgressReport:
        return report_submit(
            actor=actor,
            project=row,
            month=datetime.date(2026, 11, 1),
            investment=Decimal("1000"),
            physical_progress=Decimal("20"),
        )

    def url(self, report) -> str:
        return f"/projects/{report.project_id}/reports/{report.pk}/check/"

    def test_the_office_checks_a_report_once_with_its_note(self) -> None:
        report_check(actor=self.office, report=self.report, note="  数据已核对  ")
        self.report.refresh_from_db()
        self.assertEqual(self.report.checked_by, self.office)
        self.assertEqual(self.report.check_note, "数据已核对")
        event = Event.objects.get(action="progress_report_checked")
        self.assertEqual(event.target_id, str(self.report.pk))
        with self.assertRaises(ValidationError) as ctx:
            report_check(actor=self.office, report=self.report)
        self.assertIn("已审核,不能重复审核", str(ctx.exception))
        self.assertEqual(Event.objects.filter(action="progress_report_checked").count(), 1)

    def test_nobody_but_the_office_checks(self) -> None:
        for user in (self.liaison, self.leader, self.clerk, self.auditor, self.admin):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                report_check(actor=user, report=self.report)
        self.report.refresh_from_db()
        self.assertIsNone(self.report.checked_at)

    def test_a_note_longer_than_300_characters_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            report_check(actor=self.office, report=self.report, note="很" * 301)
        self.report.refresh_from_db()
        self.assertIsNone(self.report.checked_at)

    def test_unchecked_reports_wait_in_the_offices_inbox(self) -> None:
        items = check_items(self.office)
        self.assertEqual(sorted(i.subtitle for i in items), ["项目KP-001", "项目KP-003"])
        item = next(i for i in items if i.subtitle == "项目KP-001")
        self.assertEqual(item.kind, "月报审核")
        self.assertEqual(item.title, "审核2026年11月月报")
        self.assertEqual(item.due_on, datetime.date(2026, 12, 4))  # three working days
        self.assertEqual(item.url, f"/projects/{self.mine.pk}/#reports")
        report_check(actor=self.office, report=self.report)
        self.assertEqual([i.subtitle for i in check_items(self.office)], ["项目KP-003"])
        for user in (self.liaison, self.leader, self.clerk, self.admin):
            self.assertEqual(check_items(user), [], user.username)

    def test_the_office_checks_from_the_project_page(self) -> None:
        self.client.force_login(self.office)
        page = self.client.get(f"/projects/{self.mine.pk}/")
        self.assertContains(page, "审核通过")
        r = self.client.post(self.url(self.report), {"note": "同意"})
        self.assertRedirects(r, f"/projects/{self.mine.pk}/#reports", fetch_redirect_response=False)
        page = self.client.get(f"/projects/{self.mine.pk}/")
        self.assertContains(page, "已审核")
        self.assertContains(page, "意见:同意")
        again = self.client.post(self.url(self.report), follow=True)
        self.assertContains(again, "不能重复审核")

    def test_the_liaison_sees_the_state_but_cannot_check(self) -> None:
        self.client.force_login(self.liaison)
        page = self.client.get(f"/projects/{self.mine.pk}/")
        self.assertContains(page, "待审核")
        self.assertNotContains(page, "审核通过")
        self.assertEqual(self.client.post(self.url(self.report)).status_code, 403)

    def test_a_report_out_of_sight_or_under_another_project_is_404(self) -> None:
        self.client.force_login(self.liaison)
        self.assertEqual(self.client.post(self.url(self.their_report)).status_code, 404)
        self.client.force_login(self.office)
        crossed = f"/projects/{self.mine.pk}/reports/{self.their_report.pk}/check/"
        self.assertEqual(self.client.post(crossed).status_code, 404)
        self.assertEqual(self.client.get(self.url(self.report)).status_code, 405)
        self.client.logout()
        r = self.client.post(self.url(self.report))
        self.assertIn("/accounts/login/", r["Location"])
        self.assertEqual(ProgressReport.objects.filter(checked_at__isnull=False).count(), 0)
