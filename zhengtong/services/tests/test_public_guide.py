from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.services.models import Material, ServiceItem
from zhengtong.services.public_views import condition_text

from .fixtures import PublicTestCase


class GuideListTestCase(PublicTestCase):
    url = "/public/guide/"

    def test_anyone_sees_the_active_items_without_logging_in(self) -> None:
        """The catalog is public: name, department, promised days, fee and window per item."""
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "测试生育服务证")
        self.assertContains(r, "5 个工作日")
        self.assertContains(r, self.item.get_absolute_url())

    def test_inactive_items_are_not_listed(self) -> None:
        ServiceItem.objects.filter(pk=self.item.pk).update(is_active=False)
        self.assertNotContains(self.client.get(self.url), "测试生育服务证")

    def test_the_number_of_queries_does_not_grow_with_the_catalog(self) -> None:
        with CaptureQueriesContext(connection) as before:
            self.client.get(self.url)
        for n in range(5):
            ServiceItem.objects.create(
                code=f"T-X{n}",
                name=f"事项{n}",
                department="镇政府",
                legal_basis="依据",
                promised_workdays=3,
            )
        with self.assertNumQueries(len(before.captured_queries)):
            self.client.get(self.url)


class GuideDetailTestCase(PublicTestCase):
    def test_the_guide_is_generated_from_the_item_data(self) -> None:
        """Materials with their conditions in words, steps, time limits, fee, window, legal basis."""
        r = self.client.get("/public/guide/T-SYZ/")
        self.assertEqual(r.status_code, 200)
        for text in [
            "测试生育服务证 办事指南",
            "《山东省人口与计划生育条例》第二十条",
            "刘集镇计生办",
            "3号窗口",
            "不收费",
            "自受理之日起 5 个工作日",
            "20 个工作日",
            "夫妻双方身份证",
            "所有申请人",
            "结婚证",
            "已婚或再婚",
            "婚育证明",
            "流动人口(外地户籍);生育第二个孩子或生育第三个孩子",
            "窗口受理",
            "审核",
            "发证",
            "生育服务证",
        ]:
            self.assertContains(r, text)

    def test_the_guide_is_printable(self) -> None:
        """A print stylesheet hides the navigation and the print button."""
        r = self.client.get("/public/guide/T-SYZ/")
        self.assertContains(r, "@media print")
        # The button prints through static/js/zhengtong.js: the CSP allows no inline handler.
        self.assertContains(r, 'data-action="print"')
        self.assertContains(r, "js/zhengtong.js")

    def test_a_changed_material_changes_the_guide(self) -> None:
        Material.objects.filter(pk=self.marriage.pk).update(name="结婚证或离婚判决书")
        self.assertContains(self.client.get("/public/guide/T-SYZ/"), "结婚证或离婚判决书")

    def test_unknown_and_inactive_items_are_404(self) -> None:
        self.assertEqual(self.client.get("/public/guide/NOPE/").status_code, 404)
        ServiceItem.objects.filter(pk=self.item.pk).update(is_active=False)
        self.assertEqual(self.client.get("/public/guide/T-SYZ/").status_code, 404)

    def test_the_items_get_absolute_url_is_the_guide(self) -> None:
        self.assertEqual(self.item.get_absolute_url(), "/public/guide/T-SYZ/")


class ConditionTextTestCase(PublicTestCase):
    def test_conditions_read_as_words(self) -> None:
        self.assertEqual(condition_text({}), "所有申请人")
        self.assertEqual(condition_text({"hukou": "local"}), "本地户籍")
        self.assertEqual(
            condition_text({"marital_status": ["married"], "child_order": [1]}),
            "已婚;生育第一个孩子",
        )
