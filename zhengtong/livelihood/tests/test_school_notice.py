"""The school hears of its 《安全隐患通知书》: an SMS to its contact and an in-app message to its
staff account, written with the inspection and sent once; the contact is kept on the school's
page by the clerks who keep the register."""

import datetime
from unittest import mock

import time_machine
from django.db import transaction

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.livelihood.actions import schools as actions
from zhengtong.livelihood.models import Inspection, School
from zhengtong.notify.events import ensure_default_templates
from zhengtong.notify.models import Message, MessageTemplate
from zhengtong.test import make_user
from zhengtong.workdays import add_workdays

from .test_schools import NOW, SchoolTestCase, inspection_post

INSPECTED_ON = datetime.date(2026, 5, 6)
HAZARDS = {"fire": ("灭火器三具过期", "更换过期灭火器", 5)}


def chinese(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@time_machine.travel(NOW, tick=False)
class HazardNoticeMessageTestCase(SchoolTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.school_staff = make_user(
            "school1", full_name="学校安全员", memberships=[(Role.VILLAGE_WORKER, cls.east_village)]
        )

    def setUp(self) -> None:
        super().setUp()
        ensure_default_templates()
        self.school = actions.school_create(
            actor=self.clerk,
            org_unit=self.social,
            name="开发区实验小学",
            kind=School.Kind.PRIMARY,
            contact_name="刘安全",
            contact_phone="13905351234",
            contact_user=self.school_staff,
        )

    def test_an_issued_notice_sends_one_sms_and_one_in_app_message(self) -> None:
        with mock.patch("zhengtong.notify.outbox.enqueue_on_commit") as enqueue:
            inspection = self.inspect(self.school, INSPECTED_ON, HAZARDS)
        self.assertEqual(inspection.warnings, [])
        sms = Message.objects.get(event="hazard_notice", channel="sms")
        self.assertEqual(sms.phone, "13905351234")
        due = chinese(add_workdays(INSPECTED_ON, 5))
        self.assertIn("消防设施:灭火器三具过期", sms.text)
        self.assertIn(f"{due}前", sms.text)
        self.assertIn(inspection.notice_no, sms.text)
        self.assertNotIn("刘安全", sms.text)  # the contact's name is not in the message
        self.assertEqual(sms.template_code, "SMS_HAZARD_NOTICE")
        inapp = Message.objects.get(event="hazard_notice", channel="inapp")
        self.assertEqual(inapp.user, self.school_staff)
        self.assertIn("灭火器三具过期", inapp.text)
        self.assertEqual(Message.objects.count(), 2)
        self.assertEqual(enqueue.call_count, 2)  # one sending job per message, after commit

    def test_notifying_the_same_notice_again_adds_no_message(self) -> None:
        inspection = self.inspect(self.school, INSPECTED_ON, HAZARDS)
        with transaction.atomic():
            self.assertEqual(actions._tell_school(inspection), [])
        hazard = inspection.hazards.get()
        actions.hazard_report_rectified(
            actor=self.clerk, hazard=hazard, rectified_on=NOW.date(), note="已更换"
        )
        self.assertEqual(Message.objects.filter(event="hazard_notice").count(), 2)

    def test_a_second_submission_of_the_page_adds_no_message(self) -> None:
        self.client.force_login(self.clerk)
        url = f"/livelihood/schools/{self.school.pk}/inspect/"
        first = self.client.post(url, inspection_post(INSPECTED_ON, HAZARDS))
        self.assertEqual(first.status_code, 302)
        again = self.client.post(url, inspection_post(INSPECTED_ON, HAZARDS))
        self.assertEqual(again.status_code, 400)
        self.assertEqual(Inspection.objects.count(), 1)
        self.assertEqual(Message.objects.filter(event="hazard_notice", channel="sms").count(), 1)

    def test_a_rolled_back_inspection_sends_nothing(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            try:
                with transaction.atomic():
                    self.inspect(self.school, INSPECTED_ON, HAZARDS)
                    raise RuntimeError("the change fails after the notice")
            except RuntimeError:
                pass
        self.assertFalse(Inspection.objects.exists())
        self.assertFalse(Message.objects.exists())
        self.assertEqual(callbacks, [])

    def test_an_inspection_without_hazards_sends_nothing(self) -> None:
        inspection = self.inspect(self.school, INSPECTED_ON)
        self.assertEqual(inspection.status, Inspection.Status.CLOSED)
        self.assertFalse(Message.objects.exists())

    def test_a_school_without_a_contact_is_named_on_the_issuing_page(self) -> None:
        school = self.make_school("东城小学")
        self.client.force_login(self.clerk)
        response = self.client.post(
            f"/livelihood/schools/{school.pk}/inspect/",
            inspection_post(INSPECTED_ON, HAZARDS),
            follow=True,
        )
        self.assertContains(response, "未能通知学校:东城小学未登记联系电话和工作人员账号")
        self.assertContains(response, "通知书编号")  # the notice itself is issued
        self.assertFalse(Message.objects.exists())

    def test_a_landline_contact_is_named_on_the_issuing_page(self) -> None:
        school = actions.school_create(
            actor=self.clerk,
            org_unit=self.social,
            name="西城小学",
            kind=School.Kind.PRIMARY,
            contact_phone="0635-8123456",
        )
        self.client.force_login(self.clerk)
        response = self.client.post(
            f"/livelihood/schools/{school.pk}/inspect/",
            inspection_post(INSPECTED_ON, HAZARDS),
            follow=True,
        )
        self.assertContains(response, "联系电话不是手机号码,无法发送短信")
        self.assertEqual(Message.objects.get().state, "failed")

    def test_a_disabled_template_is_named_on_the_issuing_page(self) -> None:
        MessageTemplate.objects.filter(event="hazard_notice").update(is_active=False)
        inspection = self.inspect(self.school, INSPECTED_ON, HAZARDS)
        self.assertIn("消息模板未启用", " ".join(inspection.warnings))
        self.assertFalse(Message.objects.exists())

    def test_the_template_preview_shows_the_sample_notice(self) -> None:
        template = MessageTemplate.objects.get(event="hazard_notice", channel="sms")
        self.client.force_login(self.admin)
        page = self.client.get(f"/admin/notify/messagetemplate/{template.pk}/change/")
        self.assertContains(page, "开发区实验小学:社会事业局于2026年5月6日")
        self.assertContains(page, "{hazards}")


@time_machine.travel(NOW, tick=False)
class SchoolContactTestCase(SchoolTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.school = self.make_school("东城小学")
        self.url = f"/livelihood/schools/{self.school.pk}/edit/"

    def post(self, **data):
        return self.client.post(self.url, {"name": "东城小学", "kind": "primary", **data})

    def test_a_clerk_records_the_contact_and_the_page_shows_it(self) -> None:
        self.client.force_login(self.clerk)
        r = self.post(contact_name="刘安全", contact_phone="139 0535 1234", contact_user="leader")
        self.assertRedirects(r, f"/livelihood/schools/{self.school.pk}/")
        self.school.refresh_from_db()
        self.assertEqual(self.school.contact_phone, "13905351234")
        self.assertEqual(self.school.contact_user, self.leader)
        page = self.client.get(r.url)
        self.assertContains(page, "刘安全")
        self.assertContains(page, "王区长")
        self.assertNotContains(page, "录入隐患后无法通知学校")
        event = Event.objects.get(action="school_updated")
        self.assertEqual(event.changes["contact_user"], [None, "leader"])
        self.assertNotIn("13905351234", str(event.changes))  # audit rows keep phones masked

    def test_a_school_without_a_contact_is_flagged_on_its_page(self) -> None:
        self.client.force_login(self.clerk)
        page = self.client.get(f"/livelihood/schools/{self.school.pk}/")
        self.assertContains(page, "录入隐患后无法通知学校")

    def test_a_bad_phone_is_refused_in_chinese(self) -> None:
        self.client.force_login(self.clerk)
        r = self.post(contact_phone="12345")
        self.assertContains(r, "联系电话格式不正确", status_code=400)
        self.school.refresh_from_db()
        self.assertEqual(self.school.contact_phone, "")

    def test_an_unknown_or_inactive_account_is_refused(self) -> None:
        self.client.force_login(self.clerk)
        r = self.post(contact_user="nobody")
        self.assertContains(r, "没有登录名为“nobody”的在用账号", status_code=400)
        self.leader.is_active = False
        self.leader.save(update_fields=["is_active"])
        r = self.post(contact_user="leader")
        self.assertEqual(r.status_code, 400)
        self.school.refresh_from_db()
        self.assertIsNone(self.school.contact_user)

    def test_a_leader_who_may_only_read_cannot_change_the_contact(self) -> None:
        self.client.force_login(self.leader)
        self.assertEqual(self.post(contact_phone="13905351234").status_code, 403)
        self.client.force_login(self.civil_clerk)
        self.assertEqual(self.post(contact_phone="13905351234").status_code, 404)
        self.school.refresh_from_db()
        self.assertEqual(self.school.contact_phone, "")
