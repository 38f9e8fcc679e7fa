"""The entry page /workdays/enter/: paste the notice, see the twelve months, confirm."""

import datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengtong.audit.models import Event
from zhengtong.inbox.registry import items_for
from zhengtong.test import BaseTestCase, make_user
from zhengtong.workdays import year_status
from zhengtong.workdays.models import Holiday

from .notices import N2026, N2027_TEST

URL = "/workdays/enter/"
D = datetime.date


class NoticeEntryTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.admin)

    def test_the_preview_shows_twelve_months_with_the_changes_and_saves_nothing(self) -> None:
        r = self.client.post(URL, {"text": N2027_TEST})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.context["grid"]), 12)
        self.assertContains(r, "放假 29 天,调休上班 5 天")
        # 2月14日(周日)上班 differs from the weekend; 2月9日 is off against the statutory rule.
        self.assertContains(r, 'data-day="2027-02-14" data-kind="makeup" data-changed="1"')
        self.assertContains(r, 'data-day="2027-02-09" data-kind="holiday" data-changed="1"')
        self.assertContains(r, 'data-day="2027-02-08" data-kind="holiday">')
        self.assertEqual(year_status(2027), "provisional")
        self.assertFalse(Holiday.objects.filter(date__year=2027).exists())

    def test_confirming_saves_the_year_as_one_audited_change(self) -> None:
        preview = self.client.post(URL, {"text": N2027_TEST})
        r = self.client.post(URL, {"rows": preview.context["rows"], "year": "2027", "confirm": "1"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "2027 年已保存为正式安排")
        self.assertEqual(year_status(2027), "official")
        self.assertEqual(Holiday.objects.filter(date__year=2027).count(), 34)
        [event] = Event.objects.filter(action="calendar_year_confirmed")
        self.assertEqual(event.actor, self.admin)
        self.assertIn("2027-02-14 —→班", event.changes["changed_days"][1])

    def test_a_notice_that_does_not_parse_is_refused_with_its_line(self) -> None:
        bad = N2027_TEST.replace("共9天", "共10天")
        r = self.client.post(URL, {"text": bad})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "第 6 行无法识别", status_code=400)
        self.assertContains(r, "二、春节", status_code=400)
        self.assertContains(r, "未保存任何数据", status_code=400)
        self.assertEqual(year_status(2027), "provisional")

    def test_a_csv_upload(self) -> None:
        upload = SimpleUploadedFile("2027.csv", "2027-01-01,休,元旦\n2027-02-14,班,春节\n".encode())
        r = self.client.post(URL, {"file": upload, "text": ""})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "放假 1 天,调休上班 1 天")

    def test_replacing_an_official_year(self) -> None:
        """Re-entering 2026 from its notice changes no day (the seed agrees with the notice)."""
        preview = self.client.post(URL, {"text": N2026})
        self.assertTrue(preview.context["already"])
        r = self.client.post(URL, {"rows": preview.context["rows"], "year": "2026", "confirm": "1"})
        self.assertEqual(r.context["result"].changed_days, [])

    def test_only_administrators(self) -> None:
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(
            self.client.post(URL, {"text": N2027_TEST, "confirm": "1"}).status_code, 403
        )
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)


class AdministratorReminderTestCase(BaseTestCase):
    def test_from_1_november_the_administrator_is_reminded_with_a_link(self) -> None:
        with time_machine.travel("2026-10-31 09:00 +0800", tick=False):
            self.assertFalse([i for i in items_for(self.admin) if i.kind == "工作日历"])
        with time_machine.travel("2026-11-01 09:00 +0800", tick=False):
            [item] = [i for i in items_for(self.admin) if i.kind == "工作日历"]
        self.assertIn("2027 年节假日安排尚未录入", item.title)
        self.assertEqual(item.url, "/workdays/enter/?year=2027")

    def test_no_reminder_once_the_year_is_official_or_for_other_users(self) -> None:
        clerk = make_user("clerk_r")
        with time_machine.travel("2026-11-20 09:00 +0800", tick=False):
            self.assertFalse([i for i in items_for(clerk) if i.kind == "工作日历"])
            self.client.force_login(self.admin)
            self.client.post(URL, {"text": N2027_TEST, "confirm": "1"})
            self.assertFalse([i for i in items_for(self.admin) if i.kind == "工作日历"])
