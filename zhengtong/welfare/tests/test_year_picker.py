"""The nursing-subsidy cycles and the relief batches are listed by year: the year picked, else
this year, or last year while this year has none (the page says so); nothing is renumbered."""

import datetime

import time_machine
from django.test import override_settings

from zhengtong.test import make_id_number

from ..actions import (
    cycle_approve,
    cycle_create,
    relief_batch_approve,
    relief_batch_create,
    relief_grant_add,
)
from .fixtures import WelfareTestCase

D = datetime.date
NEW_YEAR = "2027-01-05 10:00 +0800"


@override_settings(NURSING_SUBSIDY_RATES={"2": "100", "3": "200"})
class WelfareYearTestCase(WelfareTestCase):
    def setUp(self) -> None:
        super().setUp()
        with time_machine.travel("2025-06-15 10:00 +0800", tick=False):
            self.eligible_person(seq=1, name="张老汉", level_adl=40)
            approve = cycle_create(actor=self.civil, month=D(2025, 6, 1))
            cycle_approve(actor=self.civil, cycle=approve)
            self.batch_2025 = self.batch("二〇二五年救助", seq=1, amount="1000")
        with time_machine.travel("2026-05-20 10:00 +0800", tick=False):
            cycle_create(actor=self.civil, month=D(2026, 5, 1))
            self.batch_2026 = self.batch("二〇二六年救助", seq=2, amount="2500")
        traveller = time_machine.travel(NEW_YEAR, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.draft = relief_batch_create(actor=self.civil, name="二〇二七年第一批")

    def batch(self, name, *, seq, amount):
        batch = relief_batch_create(actor=self.civil, name=name)
        relief_grant_add(
            actor=self.civil, batch=batch, recipient_kind="household", reason="illness",
            id_number=make_id_number(D(1970, 3, 1), female=False, seq=seq),
            name=f"户主{seq}", amount=amount,
        )  # fmt: skip
        relief_batch_approve(actor=self.civil, batch=batch)
        return batch

    def test_early_in_the_year_both_lists_show_last_year_and_say_so(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get("/welfare/cycles/")
        self.assertContains(r, "2027年暂无数据,当前显示2026年。")
        self.assertContains(r, "2026年05月")
        self.assertNotContains(r, "2025年06月")
        # The 2026 cycle is not approved yet: the year's total is 0.
        self.assertContains(r, "2026 年已审批发放 <strong>0</strong> 人次")
        r = self.client.get("/welfare/relief/")
        self.assertContains(r, "2027年暂无数据,当前显示2026年。")
        self.assertContains(r, "二〇二六年救助")
        self.assertNotContains(r, "二〇二五年救助")
        self.assertContains(r, "2026 年审批 <strong>1</strong> 批")
        self.assertContains(r, "<strong>2500.00元</strong>")
        # A batch still being drawn up has no year: it is listed under every year.
        self.assertContains(r, "二〇二七年第一批")

    def test_a_picked_year_shows_that_years_rows_and_totals(self) -> None:
        self.client.force_login(self.civil)
        r = self.client.get("/welfare/cycles/?year=2025")
        self.assertContains(r, "2025年06月")
        self.assertNotContains(r, "2026年05月")
        self.assertContains(
            r, "2025 年已审批发放 <strong>1</strong> 人次,共 <strong>200.00元</strong>"
        )
        self.assertContains(r, '<option value="2025" selected>2025 年</option>', html=True)
        r = self.client.get("/welfare/relief/?year=2025")
        self.assertContains(r, "二〇二五年救助")
        self.assertNotContains(r, "二〇二六年救助")
        self.assertContains(r, "<strong>1000.00元</strong>")
        self.assertNotContains(r, "暂无数据,当前显示")

    def test_a_bad_year_is_a_400_with_a_chinese_message(self) -> None:
        self.client.force_login(self.civil)
        for url in ["/welfare/cycles/", "/welfare/relief/"]:
            with self.subTest(url=url):
                r = self.client.get(url, {"year": "两千"})
                self.assertContains(r, "年度:应为 2000–2100 之间的四位年份", status_code=400)

    def test_other_departments_see_no_year_of_it(self) -> None:
        self.client.force_login(self.clerk)
        for url in ["/welfare/cycles/?year=2025", "/welfare/relief/?year=2026"]:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertIn(r.status_code, (200, 403))
                self.assertNotContains(r, "二〇二", status_code=r.status_code)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get("/welfare/relief/?year=2025").status_code, 403)
