"""消息模板 in 系统管理: seeded texts, the preview on sample data, placeholders checked."""

from zhengtong.notify.admin import preview_text
from zhengtong.notify.events import EVENTS, ensure_default_templates
from zhengtong.notify.models import MessageTemplate
from zhengtong.test import BaseTestCase


class TemplateAdminTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        ensure_default_templates()
        cls.accepted = MessageTemplate.objects.get(event="case_accepted", channel="sms")

    def test_every_wired_event_has_a_seeded_chinese_text(self) -> None:
        seeded = set(MessageTemplate.objects.values_list("event", flat=True))
        self.assertEqual(seeded, set(EVENTS))

    def test_the_preview_fills_sample_data_with_the_name_masked(self) -> None:
        text = preview_text(self.accepted)
        self.assertIn("张**您好", text)
        self.assertNotIn("张三丰", text)
        self.assertIn("BM20261120001", text)
        self.client.force_login(self.admin)
        page = self.client.get(f"/admin/notify/messagetemplate/{self.accepted.pk}/change/")
        self.assertContains(page, "张**您好")
        self.assertContains(page, "{receipt_no}")

    def test_an_unknown_placeholder_is_refused(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            f"/admin/notify/messagetemplate/{self.accepted.pk}/change/",
            {
                "event": "case_accepted",
                "channel": "sms",
                "item": "",
                "text": "您好{id_number}",
                "provider_template_code": "SMS_CASE_ACCEPTED",
                "is_active": "on",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "以下占位符不属于该事件:id_number")
        self.accepted.refresh_from_db()
        self.assertNotIn("id_number", self.accepted.text)

    def test_an_edit_is_saved_and_audited(self) -> None:
        from zhengtong.audit.models import Event

        self.client.force_login(self.admin)
        response = self.client.post(
            f"/admin/notify/messagetemplate/{self.accepted.pk}/change/",
            {
                "event": "case_accepted",
                "channel": "sms",
                "item": "",
                "text": "{name}您好,{item}已受理,编号{receipt_no}。",
                "provider_template_code": "SMS_CASE_ACCEPTED",
                "is_active": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.accepted.refresh_from_db()
        self.assertEqual(self.accepted.text, "{name}您好,{item}已受理,编号{receipt_no}。")
        self.assertTrue(Event.objects.filter(target_type="notify.messagetemplate").exists())

    def test_staff_without_the_admin_site_cannot_edit(self) -> None:
        self.client.force_login(self.clerk)
        response = self.client.get(f"/admin/notify/messagetemplate/{self.accepted.pk}/change/")
        self.assertNotEqual(response.status_code, 200)


class SeededTemplatesTestCase(BaseTestCase):
    def test_every_seeded_sms_names_its_provider_template(self) -> None:
        """A provider refuses an SMS without a template code: none may be seeded without one."""
        ensure_default_templates()
        sms = MessageTemplate.objects.filter(channel="sms", is_active=True)
        self.assertTrue(sms.exists())
        self.assertEqual(
            list(sms.filter(provider_template_code="").values_list("event", flat=True)), []
        )
