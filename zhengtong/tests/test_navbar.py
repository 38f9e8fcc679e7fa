"""The menu of every demo account: each link it shows opens, each page it hides refuses.

The accounts are the demo's own (zhengtong/demo/org.py: the same units, roles and usernames as
`manage.py demo_accounts`), built without the rest of the demo data: every page must open on an
empty register too.
"""

import re
import tempfile
from decimal import Decimal

from django.test import TestCase, override_settings
from django.urls import reverse

from zhengtong.accounts.permissions import may_open
from zhengtong.demo.org import ACCOUNTS, build_accounts, build_admin, build_units
from zhengtong.lib.nav import MODULES, menu_for
from zhengtong.projects.models import Fund
from zhengtong.test import BaseTestCase

NAVBAR = re.compile(r'<nav class="navbar.*?</nav>', re.S)
HREF = re.compile(r'href="([^"#][^"]*)"')
EVERY_ENTRY = [(entry.label, entry.url_name) for module in MODULES for entry in module.entries]


def menu_links(html: str) -> list[str]:
    match = NAVBAR.search(html)
    assert match, "the page has no navbar"
    return HREF.findall(match.group(0))


def labels(html: str) -> set[str]:
    navbar = NAVBAR.search(html).group(0)
    return set(re.findall(r'<a class="(?:nav-link|dropdown-item)[^"]*"[^>]*>([^<]+)</a>', navbar))


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="zt-test-nav-"))
class DemoMenuTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        units = build_units()
        admin = build_admin(units)
        cls.users = build_accounts(actor=admin, units=units)

    def menu_html(self, username: str, path: str = "/") -> str:
        self.client.force_login(self.users[username])
        r = self.client.get(path)
        self.assertEqual(r.status_code, 200, f"{username} {path}")
        return r.content.decode()

    def test_every_link_of_every_menu_opens_for_its_user(self) -> None:
        for account in ACCOUNTS:
            html = self.menu_html(account.username)
            links = menu_links(html)
            self.assertIn(reverse("accounts:password_change"), links, account.username)
            for url in links:
                with self.subTest(user=account.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_every_page_of_the_registry_is_shown_exactly_when_it_opens(self) -> None:
        """The menu and the gate answer from one declaration, for every account and page."""
        for account in ACCOUNTS:
            user = self.users[account.username]
            self.client.force_login(user)
            shown = labels(self.client.get("/").content.decode())
            for label, url_name in EVERY_ENTRY:
                with self.subTest(user=account.username, page=label):
                    status = self.client.get(reverse(url_name)).status_code
                    if may_open(user, url_name):
                        self.assertIn(label, shown)
                        self.assertEqual(status, 200)
                    else:
                        self.assertNotIn(label, shown)
                        # The admin site sends a non-staff user to its own login page.
                        refusal = 302 if url_name.startswith("admin:") else 403
                        self.assertEqual(status, refusal)

    def test_the_zones_leader_is_not_offered_the_township_halls_reports(self) -> None:
        # 计生周报 and 月冠军 are the 刘集镇 hall's reports to the township; the zone's leader
        # reads the hall's figures on the cockpit instead.
        shown = labels(self.menu_html("leader"))
        self.assertNotIn("计生周报", shown)
        self.assertNotIn("月冠军", shown)
        self.assertIn("综合驾驶舱", shown)
        # A window clerk of the hall and the city's leader, whose city holds the hall, are.
        self.assertIn("计生周报", labels(self.menu_html("clerk_a")))
        self.assertIn("计生周报", labels(self.menu_html("mayor")))

    def test_social_affairs_clerks_are_not_offered_the_civil_affairs_ledgers(self) -> None:
        for username in ("social", "clerk"):
            shown = labels(self.menu_html(username))
            self.assertNotIn("护理补贴与救助", shown, username)
            self.assertIn("惠民生台账", shown, username)
        self.assertIn("护理补贴与救助", labels(self.menu_html("civil")))

    def test_the_administrator_gets_the_system_pages_and_no_business_data(self) -> None:
        shown = labels(self.menu_html("admin"))
        self.assertTrue({"工作日历", "系统管理"} <= shown)
        self.assertFalse(shown & {"项目台账", "办件", "人口与健康档案", "惠民生台账", "审计日志"})

    def test_the_current_page_is_marked_with_its_module(self) -> None:
        html = self.menu_html("office", "/projects/problems/")
        self.assertIn(
            '<a class="dropdown-item active" href="/projects/problems/" aria-current="page">'
            "问题台账</a>",
            html,
        )
        self.assertRegex(html, r'class="nav-link dropdown-toggle active"[^>]*>重点项目</a>')
        self.assertEqual(html.count('aria-current="page">问题台账</a>'), 1)
        self.assertIn('<li class="breadcrumb-item">重点项目</li>', html)
        self.assertIn('<li class="breadcrumb-item active" aria-current="page">问题台账</li>', html)

    def test_a_page_below_an_entry_marks_the_entry_and_links_back_to_it(self) -> None:
        menu = menu_for(self.users["civil"], "/welfare/cycles/")
        self.assertEqual(menu.current.label, "护理补贴与救助")
        self.assertEqual(menu.crumbs, [("惠民生", ""), ("护理补贴与救助", "/welfare/assessments/")])
        self.assertIsNone(menu_for(self.users["civil"], "/public/").current)

    def test_the_menu_collapses_behind_a_button_on_a_phone(self) -> None:
        html = self.menu_html("clerk_a")
        self.assertIn('class="navbar navbar-expand-lg', html)
        self.assertIn('<button class="navbar-toggler"', html)
        self.assertIn('<div class="collapse navbar-collapse" id="nav">', html)
        self.assertIn('data-bs-toggle="dropdown"', html)


class PageCrumbsTestCase(BaseTestCase):
    def test_a_page_below_an_entry_continues_the_breadcrumbs_once(self) -> None:
        fund = Fund.objects.create(code="rd", name="科技研发扶持基金", budget=Decimal("1000000"))
        self.client.force_login(self.office)
        html = self.client.get(f"/projects/funds/{fund.pk}/").content.decode()
        crumbs = re.findall(r'<ol class="breadcrumb.*?</ol>', html, re.S)
        self.assertEqual(len(crumbs), 1)
        steps = re.findall(r'<li class="breadcrumb-item[^"]*"[^>]*>(.*?)</li>', crumbs[0], re.S)
        self.assertEqual(
            steps,
            ["重点项目", '<a href="/projects/funds/">引导资金</a>', "科技研发扶持基金"],
        )
