"""计生周报 and 月冠军 at the change of year: without a week or month they show the current one,
or the hall's last one with cases while the current has none, and say so."""

import datetime

import time_machine

from zhengtong.services.models import Application

from .fixtures import SHANGHAI, PublicTestCase, at

S = Application.Status
WEEKLY, RANKING = "/services/reports/weekly/", "/services/reports/ranking/"


@time_machine.travel(datetime.datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI), tick=False)
class HallReportPeriodTestCase(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_case(
            status=S.APPROVED,
            received_at=at(2026, 12, 9),
            accepted_on=datetime.date(2026, 12, 9),
            due_on=datetime.date(2026, 12, 16),
            finished_at=at(2026, 12, 10),
        )
        # Another hall's January work says nothing about this hall's January.
        self.make_case(
            org_unit=self.other_town,
            first_responder=self.other_clerk,
            handler=self.other_clerk,
            status=S.APPROVED,
            received_at=at(2027, 1, 4),
            finished_at=at(2027, 1, 4, 15),
        )
        self.client.force_login(self.clerk_a)

    def test_the_ranking_falls_back_to_the_last_month_with_finished_cases(self) -> None:
        r = self.client.get(RANKING)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "2027年01月暂无数据,当前显示2026年12月。")
        self.assertContains(r, 'name="month"')
        self.assertContains(r, 'value="2026-12"')
        self.assertEqual(r.context["month"], datetime.date(2026, 12, 1))
        rows = {row.user.display_name: row for row in r.context["rows"]}
        self.assertEqual(rows["张敏"].finished, 1)

    def test_the_weekly_digest_falls_back_to_the_last_week_with_cases(self) -> None:
        r = self.client.get(WEEKLY)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "2027年第1周暂无数据,当前显示2026年第50周。")
        self.assertContains(r, 'name="week"')
        self.assertEqual(r.context["week"], "2026-W50")

    def test_a_month_or_week_asked_for_is_shown_even_when_empty(self) -> None:
        r = self.client.get(RANKING, {"month": "2027-01"})
        self.assertNotContains(r, "暂无数据,当前显示")
        self.assertEqual([row.finished for row in r.context["rows"]], [0] * len(r.context["rows"]))
        r = self.client.get(RANKING, {"month": "2025-12"})
        self.assertEqual(r.context["month"], datetime.date(2025, 12, 1))
        r = self.client.get(WEEKLY, {"week": "2027-W01"})
        self.assertNotContains(r, "暂无数据,当前显示")
        self.assertEqual(r.context["week"], "2027-W01")

    def test_the_hall_stays_picked_with_the_period(self) -> None:
        self.client.force_login(self.town_leader)
        r = self.client.get(RANKING, {"hall": "LIUJI"})
        self.assertContains(r, "当前显示2026年12月")
        self.assertEqual(r.context["hall"], self.town)

    def test_bad_periods_get_chinese_messages_and_a_400(self) -> None:
        self.assertContains(
            self.client.get(RANKING, {"month": "2026-13"}), "月份:格式应为", status_code=400
        )
        self.assertContains(
            self.client.get(WEEKLY, {"week": "1999-W01"}), "周次:年份应在", status_code=400
        )

    def test_the_fallback_does_not_open_other_halls(self) -> None:
        self.client.force_login(self.other_clerk)
        self.assertEqual(self.client.get(RANKING, {"hall": "LIUJI"}).status_code, 404)
        r = self.client.get(RANKING)
        self.assertNotContains(r, "暂无数据,当前显示")
        self.assertEqual(r.context["hall"], self.other_town)
