"""Every page as every demo persona sees it (see crawl.py): no link answers ≥ 400 to the user
it was shown to, no page shows template syntax, a Python repr, a long decimal, an English word
or a raw code, every page declares zh-CN and a viewport; the PDFs are read the same way.

The demo is the shared build of the test run (zhengtong/demo/testing.py), on its day; each
persona walks from its home page, the public visitor from the service guide.
"""

import time_machine
from django.test import TestCase

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.demo.org import ACCOUNTS
from zhengtong.demo.testing import DEMO_AT, seed_demo
from zhengtong.projects.models import KeyProject, Sector
from zhengtong.services.models import ServiceItem

from .crawl import crawl


def identifiers() -> frozenset[str]:
    """Names people quote as they are: login names, 事项编码, unit, sector and project codes."""
    words: set[str] = set(User.objects.values_list("username", flat=True))
    for model, name in ((ServiceItem, "code"), (OrgUnit, "code"), (Sector, "code")):
        words.update(model.objects.values_list(name, flat=True))
    words.update(KeyProject.objects.values_list("code", flat=True))
    return frozenset(words)


@time_machine.travel(DEMO_AT, tick=False)
class EveryPageAsEveryPersonaTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo(at=DEMO_AT)

    def test_each_persona_sees_only_pages_it_may_open_all_in_chinese(self) -> None:
        allowed = identifiers()
        for account in ACCOUNTS:
            with self.subTest(persona=account.username):
                self.client.force_login(User.objects.get(username=account.username))
                result = crawl(self.client, "/", allowed=allowed)
                self.assertGreater(result.pages, 5)
                self.assertEqual([str(p) for p in result.problems], [])
                self.client.logout()

    def test_the_public_pages_read_the_same_way(self) -> None:
        result = crawl(self.client, "/public/guide/", allowed=identifiers())
        self.assertGreater(result.pages, 3)
        self.assertEqual([str(p) for p in result.problems], [])


class CrawlerCatchesTestCase(TestCase):
    """The checks themselves, on pages made to fail them."""

    def test_it_names_each_kind_of_defect(self) -> None:
        from .crawl import text_problems

        cases = {
            "模板语法": "共 {# 注释 #} 个",
            "Python 列表": "材料:['身份证', '户口簿']",
            "Python 空值": "办结日期 None",
            "Python 布尔值": "已办结 True",
            "多于两位小数": "完成率 76.9000000000000%",
            "英文": "状态 pending review",
            "未翻译的代码": "阶段 under_construction",
        }
        for kind, text in cases.items():
            with self.subTest(kind=kind):
                found = [p.kind for p in text_problems("/x/", text, {"under_construction"})]
                self.assertIn(kind, found)
        clean = "北纬 36.254300,东经 115.985500;办件 LIUJI202611020001;身份证号 110105********002X"
        self.assertEqual(text_problems("/x/", clean, {"under_construction"}), [])
