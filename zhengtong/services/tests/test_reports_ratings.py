"""好差评 figures (SH11): 好评率 and 回访率 per item, per window and per month, counted by hand."""

import datetime

import time_machine

from zhengtong.services import reports
from zhengtong.services.models import Application, Rating, Rectification, ServiceItem

from .fixtures import SHANGHAI, PublicTestCase, at

S = Application.Status
URL = "/services/reports/ratings/"
NOV = datetime.date(2026, 11, 1)


@time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI), tick=False)
class RatingFiguresTestCase(PublicTestCase):
    """November 2026 by hand:

    - 测试生育服务证 (3号窗口): 非常满意, 满意, 基本满意, 不满意 (called back), 非常不满意 (its
      rectification still open) → 5 rated, 2 good (40.0%), 2 bad, 1 called back (50.0%);
    - 测试婚育证明 (5号窗口): 非常满意, 非常不满意 (called back) → 2 rated, 1 good (50.0%),
      1 bad, 1 called back (100.0%);
    - in all: 7 rated, 3 good (42.9%), 3 bad, 2 called back (66.7%).

    Not November: a 满意 on 31 October 23:59 and a 不满意 on 1 December 00:00 (Shanghai), and a
    rating of another township's hall."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_item = ServiceItem.objects.create(
            code="T-HYZM",
            name="测试婚育证明",
            department="刘集镇计生办",
            legal_basis="《流动人口计划生育工作条例》",
            procedure=["窗口受理", "出具证明"],
            promised_workdays=3,
            window="5号窗口",
            sort_order=901,
        )

    def rate(self, level, *, when=None, item=None, called_back=None, hall=None):
        case = self.make_case(
            item=item or self.item,
            status=S.APPROVED,
            finished_at=at(2026, 11, 5),
            org_unit=hall or self.town,
        )
        rating = Rating.objects.create(application=case, level=level)
        Rating.objects.filter(pk=rating.pk).update(created_at=when or at(2026, 11, 12))
        if called_back is not None:
            Rectification.objects.create(
                rating=rating,
                owner=self.clerk_a,
                due_on=datetime.date(2026, 12, 3),
                callback_note="电话回访,群众表示理解。" if called_back else "",
                result="已整改。" if called_back else "",
                done_at=at(2026, 11, 20) if called_back else None,
                done_by=self.clerk_a if called_back else None,
            )
        return rating

    def setUp(self) -> None:
        super().setUp()
        for level in (5, 4, 3):
            self.rate(level)
        self.rate(2, called_back=True)
        self.rate(1, called_back=False)
        self.rate(5, item=self.other_item)
        self.rate(1, item=self.other_item, called_back=True)
        self.rate(4, when=at(2026, 10, 31, 23, 59))
        self.rate(2, when=at(2026, 12, 1, 0, 0), item=self.other_item, called_back=False)
        self.rate(1, hall=self.other_town, called_back=False)

    @staticmethod
    def figures(row):
        return (row.label, row.rated, row.good, row.good_rate, row.bad, row.called_back,
                row.callback_rate)  # fmt: skip

    def test_per_item_and_per_window_match_the_hand_count(self) -> None:
        report = reports.rating_report(month=NOV, hall=self.town)
        self.assertEqual(
            [self.figures(r) for r in report.by_item],
            [
                ("测试生育服务证", 5, 2, "40.0%", 2, 1, "50.0%"),
                ("测试婚育证明", 2, 1, "50.0%", 1, 1, "100.0%"),
            ],
        )
        self.assertEqual(
            [self.figures(r) for r in report.by_window],
            [
                ("3号窗口", 5, 2, "40.0%", 2, 1, "50.0%"),
                ("5号窗口", 2, 1, "50.0%", 1, 1, "100.0%"),
            ],
        )
        self.assertEqual(self.figures(report.totals), ("合计", 7, 3, "42.9%", 3, 2, "66.7%"))

    def test_per_month_runs_from_january_and_counts_by_shanghai_time(self) -> None:
        report = reports.rating_report(month=NOV, hall=self.town)
        self.assertEqual(len(report.by_month), 11)
        self.assertEqual(self.figures(report.by_month[0]), ("2026年1月", 0, 0, "—", 0, 0, "—"))
        self.assertEqual(
            self.figures(report.by_month[9]), ("2026年10月", 1, 1, "100.0%", 0, 0, "—")
        )
        self.assertEqual(
            self.figures(report.by_month[10]), ("2026年11月", 7, 3, "42.9%", 3, 2, "66.7%")
        )
        december = reports.rating_report(month=datetime.date(2026, 12, 1), hall=self.town)
        self.assertEqual(self.figures(december.totals), ("合计", 1, 0, "0.0%", 1, 0, "0.0%"))

    def test_all_halls_together_include_the_other_township(self) -> None:
        report = reports.rating_report(month=NOV)
        self.assertEqual(self.figures(report.totals), ("合计", 8, 3, "37.5%", 4, 2, "50.0%"))

    def test_the_staff_report_shows_the_figures_to_the_hall(self) -> None:
        self.client.force_login(self.clerk_a)
        r = self.client.get(URL, {"month": "2026-11"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "本月评价 7 条,好评率 42.9%;差评 3 条,已回访 2 条,回访率 66.7%")
        self.assertContains(r, "2026年11月好差评 · 按窗口")
        self.assertContains(r, "5号窗口")

    def test_the_staff_report_is_closed_to_others_and_checks_its_input(self) -> None:
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(URL, {"month": "2026-11"}).status_code, 403)
        self.client.force_login(self.other_clerk)
        r = self.client.get(URL, {"month": "2026-11", "hall": self.town.code})
        self.assertEqual(r.status_code, 404)
        self.client.force_login(self.clerk_a)
        r = self.client.get(URL, {"month": "2026-13"})
        self.assertEqual(r.status_code, 400)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)

    def test_the_public_disclosure_publishes_the_same_figures(self) -> None:
        r = self.client.get("/public/disclosure/", {"month": "2026-11", "hall": self.town.code})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "2026年11月好差评 · 按事项")
        body = r.content.decode()
        for cells in (
            ["测试生育服务证", "5", "2", "40.0%", "2", "1", "50.0%"],
            ["5号窗口", "2", "1", "50.0%", "1", "1", "100.0%"],
            ["合计", "7", "3", "42.9%", "3", "2", "66.7%"],
            ["2026年10月", "1", "1", "100.0%", "0", "0", "—"],
        ):
            pattern = "</td>.*?>".join(cells)
            self.assertRegex(body.replace("\n", " "), pattern)
        self.assertNotContains(r, "电话回访")
