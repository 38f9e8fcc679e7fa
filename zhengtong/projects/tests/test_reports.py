import datetime
import io
import shutil
import tempfile
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from zhengtong.audit.models import Event
from zhengtong.projects import progress
from zhengtong.projects.actions import report_submit
from zhengtong.projects.models import KeyProject, ProgressPhoto, ProgressReport, Stage
from zhengtong.projects.selectors import with_flag
from zhengtong.projects.tests.test_register import TODAY, project
from zhengtong.test import BaseTestCase


def image_file(name="site.png", fmt="PNG", color=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def report(test, row, month, investment, physical="10", **extra):
    return report_submit(
        actor=test.liaison,
        project=row,
        month=month,
        investment=Decimal(investment),
        physical_progress=Decimal(physical),
        **extra,
    )


class MediaTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        override = override_settings(MEDIA_ROOT=media)
        override.enable()
        self.addCleanup(override.disable)


@time_machine.travel(TODAY, tick=False)
class ReportSubmitTestCase(MediaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project(
            "KP-001", self.company, stage=Stage.UNDER_CONSTRUCTION, leaders=[self.leader]
        )

    def test_it_saves_a_report_and_records_an_event(self) -> None:
        saved = report(self, self.project, datetime.date(2026, 10, 15), "300000", "35.5")
        self.assertEqual(saved.month, datetime.date(2026, 10, 1))
        self.assertEqual(saved.submitted_by, self.liaison)
        event = Event.objects.get(action="progress_reported")
        self.assertEqual(event.changes["investment"], [None, "300000"])
        self.assertEqual(event.org_unit, self.company)

    def test_the_current_month_is_allowed(self) -> None:
        report(self, self.project, datetime.date(2026, 11, 1), "1")
        self.assertEqual(ProgressReport.objects.count(), 1)

    def test_a_future_month_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            report(self, self.project, datetime.date(2026, 12, 1), "1")
        self.assertIn("未来月份", ctx.exception.message_dict["month"][0])
        self.assertFalse(ProgressReport.objects.exists())

    def test_a_second_report_for_the_same_month_is_refused(self) -> None:
        report(self, self.project, datetime.date(2026, 10, 1), "100")
        with self.assertRaises(ValidationError) as ctx:
            report(self, self.project, datetime.date(2026, 10, 20), "200")
        self.assertEqual(ctx.exception.message_dict["month"], ["该项目 2026年10月 的月报已填报。"])
        self.assertEqual(ProgressReport.objects.count(), 1)

    def test_negative_and_absurd_investment_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            report(self, self.project, datetime.date(2026, 10, 1), "-1")
        self.assertIn("不能为负数", ctx.exception.message_dict["investment"][0])
        with self.assertRaises(ValidationError) as ctx:
            report(self, self.project, datetime.date(2026, 10, 1), "12000000.01")
        self.assertIn("超过项目总投资", ctx.exception.message_dict["investment"][0])
        self.assertFalse(ProgressReport.objects.exists())

    def test_physical_progress_cannot_go_backwards(self) -> None:
        report(self, self.project, datetime.date(2026, 9, 1), "100", "40")
        with self.assertRaises(ValidationError) as ctx:
            report(self, self.project, datetime.date(2026, 10, 1), "100", "39.9")
        self.assertIn("形象进度不能倒退", ctx.exception.message_dict["physical_progress"][0])
        report(self, self.project, datetime.date(2026, 10, 1), "100", "40")
        self.assertEqual(ProgressReport.objects.count(), 2)

    def test_physical_progress_outside_0_to_100_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            report(self, self.project, datetime.date(2026, 10, 1), "100", "100.1")
        self.assertIn("0 到 100", ctx.exception.message_dict["physical_progress"][0])

    def test_a_cancelled_project_takes_no_reports(self) -> None:
        self.project.stage = Stage.CANCELLED
        self.project.save()
        with self.assertRaises(ValidationError):
            report(self, self.project, datetime.date(2026, 10, 1), "100")

    def test_photos_are_saved_once_each(self) -> None:
        """A picture chosen twice is kept once; two different pictures are both kept."""
        photos = [image_file(), image_file("again.png"), image_file("b.png", color=(0, 0, 255))]
        saved = report(self, self.project, datetime.date(2026, 10, 1), "100", photos=photos)
        self.assertEqual(saved.photos.count(), 2)
        self.assertEqual(ProgressPhoto.objects.count(), 2)

    def test_webp_and_jpeg_are_accepted(self) -> None:
        photos = [image_file("a.webp", "WEBP"), image_file("b.jpg", "JPEG", (1, 2, 3))]
        saved = report(self, self.project, datetime.date(2026, 10, 1), "100", photos=photos)
        self.assertEqual(saved.photos.count(), 2)

    def test_a_non_image_named_jpg_is_refused(self) -> None:
        fake = SimpleUploadedFile("site.jpg", b"MZ\x90\x00not a picture", content_type="image/jpeg")
        with self.assertRaises(ValidationError) as ctx:
            report(self, self.project, datetime.date(2026, 10, 1), "100", photos=[fake])
        self.assertIn("不是有效的图片文件", ctx.exception.message_dict["photos"][0])
        self.assertFalse(ProgressReport.objects.exists())

    def test_a_gif_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            report(
                self,
                self.project,
                datetime.date(2026, 10, 1),
                "100",
                photos=[image_file("a.png", "GIF")],
            )
        self.assertIn("JPEG、PNG 或 WebP", ctx.exception.message_dict["photos"][0])

    @override_settings(UPLOAD_MAX_BYTES=10)
    def test_an_oversized_photo_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            report(self, self.project, datetime.date(2026, 10, 1), "100", photos=[image_file()])
        self.assertIn("大小限制", ctx.exception.message_dict["photos"][0])
        self.assertFalse(ProgressReport.objects.exists())


@time_machine.travel(TODAY, tick=False)
class YearToDateTestCase(BaseTestCase):
    """Annual plan 1,200,000 元: the cumulative plan to October is 1,000,000 元."""

    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company, stage=Stage.UNDER_CONSTRUCTION)

    def flag_of(self, row) -> str:
        annotated = with_flag(
            KeyProject.objects.on_list(2026).filter(pk=row.pk), year=2026, month=10
        ).get()
        figures = progress.progress_of(annotated, year=2026, month=10)
        self.assertEqual(annotated.flag, figures.flag, "the DB and Python rules must agree")
        return figures.flag

    def test_ytd_is_the_sum_of_the_monthly_reports_of_the_year(self) -> None:
        report(self, self.project, datetime.date(2025, 12, 1), "999")
        for month, amount in [(1, "100000.10"), (5, "200000.20"), (10, "300000.30")]:
            report(self, self.project, datetime.date(2026, month, 1), amount)
        figures = progress.progress_of(self.project, year=2026, month=10)
        self.assertEqual(figures.ytd_investment, Decimal("600000.60"))
        self.assertEqual(
            progress.progress_of(self.project, year=2026, month=4).ytd_investment,
            Decimal("100000.10"),
        )

    def test_completion_rounds_half_up(self) -> None:
        """122,500 / 1,000,000 = 12.25% → 12.3% (half-up, not half-even)."""
        row = project("KP-002", self.company, plan="1000000", total="2000000")
        report(self, row, datetime.date(2026, 3, 1), "122500")
        self.assertEqual(
            progress.progress_of(row, year=2026, month=10).completion_pct, Decimal("12.3")
        )

    def test_flag_ahead_when_actual_reaches_the_plan(self) -> None:
        report(self, self.project, datetime.date(2026, 10, 1), "1000000")
        self.assertEqual(self.flag_of(self.project), progress.AHEAD)

    def test_flag_on_track_within_the_tolerance(self) -> None:
        report(self, self.project, datetime.date(2026, 10, 1), "900000")
        self.assertEqual(self.flag_of(self.project), progress.ON_TRACK)

    def test_flag_behind_below_the_tolerance(self) -> None:
        report(self, self.project, datetime.date(2026, 10, 1), "899999.99")
        self.assertEqual(self.flag_of(self.project), progress.BEHIND)


@time_machine.travel(TODAY, tick=False)
class ReportPageTestCase(MediaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project("KP-001", self.company, stage=Stage.UNDER_CONSTRUCTION)
        self.url = f"/projects/{self.project.pk}/reports/new/"

    def post(self, **extra):
        data = {"month": "2026-10", "investment": "250000", "physical_progress": "30"}
        data.update(extra)
        return self.client.post(self.url, data)

    def test_the_liaison_files_a_report_with_photos(self) -> None:
        self.client.force_login(self.liaison)
        r = self.post(photos=[image_file(), image_file("2.png", color=(9, 9, 9))])
        self.assertRedirects(r, self.project.get_absolute_url())
        saved = ProgressReport.objects.get()
        self.assertEqual(saved.month, datetime.date(2026, 10, 1))
        self.assertEqual(saved.photos.count(), 2)
        r = self.client.get(self.project.get_absolute_url())
        self.assertContains(r, "25.00万元")
        self.assertContains(r, "img-thumbnail", count=2)

    def test_the_page_shows_the_duplicate_month_message(self) -> None:
        self.client.force_login(self.liaison)
        self.post()
        r = self.post()
        self.assertContains(r, "该项目 2026年10月 的月报已填报。")

    def test_the_page_shows_a_bad_photo_message(self) -> None:
        self.client.force_login(self.liaison)
        r = self.post(photos=[SimpleUploadedFile("x.png", b"text", content_type="image/png")])
        self.assertContains(r, "不是有效的图片文件")
        self.assertFalse(ProgressReport.objects.exists())

    def test_the_office_may_file_a_report(self) -> None:
        self.client.force_login(self.office)
        self.assertEqual(self.post().status_code, 302)

    def test_a_leader_may_not_file_a_report(self) -> None:
        self.client.force_login(self.leader)
        self.assertEqual(self.post().status_code, 403)

    def test_the_liaison_of_another_company_gets_404(self) -> None:
        self.client.force_login(self.other_liaison)
        self.assertEqual(self.post().status_code, 404)
        self.assertFalse(ProgressReport.objects.exists())
