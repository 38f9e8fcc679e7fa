"""收件登记 /services/new/: the material list follows the item and situation; a complete case
is accepted, an incomplete one gets the one-time notice; bad input saves nothing."""

import datetime

import time_machine

from zhengtong.people.models import Person
from zhengtong.services.models import Application
from zhengtong.test import make_id_number

from .fixtures import PageTestCase, bad_checksum

URL = "/services/new/"


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class ApplicationCreateTestCase(PageTestCase):
    def post_data(self, **overrides) -> dict:
        data = {
            "item": "TEST-SYDJ",
            "channel": "window",
            "name": "刘小梅",
            "id_number": make_id_number(datetime.date(1990, 1, 1), female=False, seq=21),
            "phone": "13912345678",
            "hukou": "local",
            "marital_status": "married",
            "child_order": "1",
            "materials": ["id_card", "marriage", "hukou_book"],
        }
        data.update(overrides)
        return data

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.clerk_a)

    def test_the_material_list_follows_the_item_and_the_situation(self) -> None:
        """An htmx refresh returns the materials only: 户口簿 for local, 居住证 for floating."""
        headers = {"HX-Request": "true"}
        params = {"item": "TEST-SYDJ", "hukou": "local", "marital_status": "married"}
        response = self.client.get(URL, params, headers=headers)
        self.assertNotContains(response, "<html")
        self.assertContains(response, "需要 3 项材料")
        for name in ("夫妻双方居民身份证", "结婚证", "户口簿"):
            self.assertContains(response, name)
        self.assertNotContains(response, "居住证")
        params.update(hukou="floating", marital_status="single")
        response = self.client.get(URL, params, headers=headers)
        self.assertContains(response, "需要 2 项材料")
        self.assertContains(response, "居住证")
        self.assertNotContains(response, "户口簿")

    def test_a_complete_intake_is_accepted_and_the_clerk_is_first_responsible(self) -> None:
        response = self.client.post(URL, self.post_data())
        application = Application.objects.get()
        self.assertRedirects(response, application.get_absolute_url())
        self.assertEqual(application.status, Application.Status.ACCEPTED)
        self.assertEqual(application.first_responder, self.clerk_a)
        self.assertIsNotNone(application.due_on)
        self.assertEqual(application.situation["child_order"], 1)
        page = self.client.get(application.get_absolute_url())
        self.assertContains(page, "已受理")
        self.assertContains(page, "张敏")

    def test_an_incomplete_intake_waits_with_one_notice_listing_every_missing_material(
        self,
    ) -> None:
        response = self.client.post(URL, self.post_data(materials=["id_card"]))
        application = Application.objects.get()
        self.assertRedirects(response, application.get_absolute_url())
        self.assertEqual(application.status, Application.Status.PENDING)
        notice = application.notices.get()
        self.assertEqual(
            sorted(i.material.code for i in notice.items.all()), ["hukou_book", "marriage"]
        )
        page = self.client.get(application.get_absolute_url())
        self.assertContains(page, "一次性告知书")
        self.assertContains(page, "缺少:结婚证")

    def test_a_bad_id_number_is_named_on_its_field_and_nothing_is_saved(self) -> None:
        response = self.client.post(
            URL,
            self.post_data(
                id_number=bad_checksum(
                    make_id_number(datetime.date(1990, 1, 1), female=False, seq=22)
                )
            ),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("身份证号码校验位错误。", response.context["form"].errors["id_number"])
        self.assertContains(response, "身份证号码校验位错误")
        self.assertFalse(Application.objects.exists())
        self.assertFalse(Person.objects.exists())

    def test_an_unknown_item_is_named_on_the_item_field(self) -> None:
        response = self.client.post(URL, self.post_data(item="NOPE"))
        self.assertIn("NOPE", response.context["form"].errors["item"][0])
        self.assertContains(response, "不存在或已停用")
        self.assertFalse(Application.objects.exists())

    def test_a_material_of_another_item_is_refused_by_name(self) -> None:
        response = self.client.post(URL, self.post_data(materials=["id_card", "photo"]))
        errors = response.context["form"].errors["materials"]
        self.assertIn("photo", errors[0])
        self.assertIn("不属于事项", errors[0])
        self.assertContains(response, "不属于事项")
        self.assertFalse(Application.objects.exists())
        self.assertFalse(Person.objects.exists())

    def test_only_window_clerks_take_in_cases(self) -> None:
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(self.client.post(URL, self.post_data()).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.post(URL, self.post_data()).status_code, 302)
        self.assertFalse(Application.objects.exists())
