import datetime
from decimal import Decimal

import time_machine

from zhengtong.accounts.models import Role
from zhengtong.services import reports
from zhengtong.services.models import Application, Rating
from zhengtong.test import make_user

from .fixtures import SHANGHAI, PublicTestCase, at

S = Application.Status
URL = "/services/reports/ranking/"


@time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI), tick=False)
class MonthlyRankingTestCase(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.clerk_d = make_user(
            "clerk_d", full_name="陈静", memberships=[(Role.WINDOW_CLERK, self.town)]
        )

    def finish(self, clerk, *, late=False, level=None, finished_at=None):
        case = self.make_case(
            first_responder=clerk,
            handler=clerk,
            status=S.APPROVED,
            due_on=datetime.date(2026, 11, 9),
            finished_at=finished_at or (at(2026, 11, 10) if late else at(2026, 11, 6)),
        )
        if level is not None:
            rating = Rating.objects.create(application=case, level=level)
            Rating.objects.filter(pk=rating.pk).update(created_at=at(2026, 11, 12))
        return case

    def test_the_score_follows_the_stated_formula(self) -> None:
        # 张敏: 3 finished, 2 on time (rate 0.6667), 1 good, 1 bad → 3 + 6.667 + 2 − 5 = 6.67
        self.finish(self.clerk_a, level=5)
        self.finish(self.clerk_a, level=2)
        self.finish(self.clerk_a, late=True)
        # 李强: 1 finished on time, no rating → 1 + 10 = 11.00
        self.finish(self.clerk_b)
        # October and December work does not count for November.
        self.finish(self.clerk_a, finished_at=at(2026, 10, 31, 23, 59))
        self.finish(self.clerk_a, finished_at=at(2026, 12, 1, 0, 0))
        self.client.force_login(self.clerk_a)
        r = self.client.get(URL, {"month": "2026-11"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "得分 = 办结件数 × 1 + 按时办结率 × 10 + 好评数 × 2 − 差评数 × 5")
        rows = {row.user.display_name: row for row in r.context["rows"]}
        a = rows["张敏"]
        self.assertEqual((a.finished, a.on_time, a.good, a.bad), (3, 2, 1, 1))
        self.assertEqual(a.on_time_rate, Decimal("0.6667"))
        self.assertEqual(a.score, Decimal("6.67"))
        self.assertEqual(rows["李强"].score, Decimal("11.00"))
        self.assertEqual([row.user.display_name for row in r.context["rows"]][:2], ["李强", "张敏"])
        self.assertContains(r, "66.7%")

    def test_ties_go_to_the_higher_on_time_rate_then_to_the_name(self) -> None:
        """Equal scores: the higher on-time rate first; equal rates too: by name."""
        # 张敏: 2 finished, 1 on time → 2 + 0.5 × 10 = 7.00.
        self.finish(self.clerk_a)
        self.finish(self.clerk_a, late=True)
        # 王芳: 7 finished late → 7 + 0 = 7.00, same score, lower rate: below 张敏.
        for _n in range(7):
            self.finish(self.clerk_c, late=True)
        # 李强 and 陈静: nothing → 0.00 each, same rate 0: ordered by name.
        rows = reports.monthly_ranking(hall=self.town, month=datetime.date(2026, 11, 1))
        names = [row.user.display_name for row in rows]
        self.assertEqual(names[:2], ["张敏", "王芳"])
        self.assertEqual([r.score for r in rows[:2]], [Decimal("7.00"), Decimal("7.00")])
        self.assertEqual(names[2:], sorted(["李强", "陈静"]))
        self.assertEqual([r.rank for r in rows], [1, 2, 3, 4])
        self.assertEqual(
            rows, reports.monthly_ranking(hall=self.town, month=datetime.date(2026, 11, 1))
        )

    def test_other_halls_work_is_not_counted(self) -> None:
        self.make_case(
            org_unit=self.other_town,
            first_responder=self.other_clerk,
            handler=self.other_clerk,
            status=S.APPROVED,
            finished_at=at(2026, 11, 6),
        )
        rows = reports.monthly_ranking(hall=self.town, month=datetime.date(2026, 11, 1))
        self.assertNotIn("顾窗口", [row.user.display_name for row in rows])

    def test_the_board_refuses_staff_without_a_hall_role_and_other_halls(self) -> None:
        for user in [self.outsider, self.leader, self.auditor]:
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403)
        self.client.force_login(self.other_clerk)
        self.assertEqual(self.client.get(URL, {"hall": "LIUJI"}).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)

    def test_a_malformed_month_gets_a_chinese_message(self) -> None:
        self.client.force_login(self.town_leader)
        self.assertContains(
            self.client.get(URL, {"month": "11/2026"}), "月份:格式应为", status_code=400
        )
