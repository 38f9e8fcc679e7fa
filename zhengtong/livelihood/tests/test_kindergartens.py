"""The unlicensed-kindergarten clean-up: each one ends 取缔, 整改后办证 or 合并, with its date;
the campaign is complete only when every one on the register has an outcome."""

import datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event
from zhengtong.livelihood.actions import schools as actions
from zhengtong.livelihood.models import CleanupCampaign, UnlicensedKindergarten

from .test_schools import NOW, TODAY, SchoolTestCase

STARTED = datetime.date(2026, 3, 2)


@time_machine.travel(NOW, tick=False)
class KindergartenCleanupTestCase(SchoolTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.campaign = actions.campaign_create(
            actor=self.clerk,
            org_unit=self.social,
            name="2026年无证幼儿园清理整顿",
            started_on=STARTED,
        )
        self.url = f"/livelihood/kindergartens/{self.campaign.pk}/"

    def register(self, name: str, campaign=None) -> UnlicensedKindergarten:
        return actions.kindergarten_register(
            actor=self.clerk,
            campaign=campaign or self.campaign,
            name=name,
            operator="张某",
            address=f"{name}所在村",
            children=30,
            found_on=datetime.date(2026, 3, 10),
        )

    def dispose_post(self, kindergarten, outcome, on="2026-04-20", note=""):
        prefix = f"k{kindergarten.pk}"
        return self.client.post(
            f"/livelihood/kindergartens/entries/{kindergarten.pk}/dispose/",
            {f"{prefix}-outcome": outcome, f"{prefix}-outcome_on": on, f"{prefix}-note": note},
        )

    def test_a_clerk_opens_a_campaign_registers_disposes_and_completes_it(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.post(
            "/livelihood/kindergartens/new/",
            {"name": "第二批清理整顿", "started_on": "2026-04-01", "due_on": "2026-06-30"},
        )
        campaign = CleanupCampaign.objects.get(name="第二批清理整顿")
        url = f"/livelihood/kindergartens/{campaign.pk}/"
        self.assertRedirects(r, url)
        for name in ("阳光幼儿园", "小天使幼儿园", "育苗幼儿园"):
            r = self.client.post(
                f"{url}add/",
                {
                    "name": name,
                    "operator": "李某",
                    "address": f"{name}村",
                    "children": "25",
                    "found_on": "2026-04-02",
                },
            )
            self.assertRedirects(r, url)
        by_name = {k.name: k for k in campaign.kindergartens.all()}
        self.assertRedirects(self.dispose_post(by_name["阳光幼儿园"], "banned"), url)
        self.assertRedirects(self.dispose_post(by_name["小天使幼儿园"], "licensed"), url)
        self.assertRedirects(
            self.dispose_post(by_name["育苗幼儿园"], "merged", note="并入开发区第一幼儿园"), url
        )
        r = self.client.post(f"{url}close/", {"closed_on": "2026-05-11"})
        self.assertRedirects(r, url)
        campaign.refresh_from_db()
        self.assertEqual(campaign.closed_on, TODAY)
        self.assertEqual(
            sorted(campaign.kindergartens.values_list("outcome", flat=True)),
            ["banned", "licensed", "merged"],
        )
        self.assertEqual(Event.objects.filter(action="kindergarten_disposed").count(), 3)
        self.assertEqual(Event.objects.filter(action="cleanup_campaign_closed").count(), 1)
        page = self.client.get(url)
        self.assertContains(page, "已完成 2026-05-11")
        self.assertContains(page, "并入开发区第一幼儿园")
        self.assertNotContains(page, "登记处置结果")

    def test_the_campaign_cannot_be_completed_while_a_kindergarten_is_pending(self) -> None:
        done = self.register("阳光幼儿园")
        self.register("小天使幼儿园")
        actions.kindergarten_dispose(
            actor=self.clerk, kindergarten=done, outcome="banned", outcome_on=TODAY
        )
        self.client.force_login(self.clerk)
        r = self.client.post(f"{self.url}close/", {"closed_on": "2026-05-11"})
        self.assertContains(
            r, "还有 1 所无证幼儿园未处置,不能完成清理整顿:小天使幼儿园", status_code=400
        )
        self.campaign.refresh_from_db()
        self.assertIsNone(self.campaign.closed_on)
        self.assertFalse(Event.objects.filter(action="cleanup_campaign_closed").exists())

    def test_bad_outcomes_are_refused_in_chinese_and_nothing_is_saved(self) -> None:
        kindergarten = self.register("阳光幼儿园")
        self.client.force_login(self.clerk)
        r = self.dispose_post(kindergarten, "")
        self.assertContains(r, "处置结果不能为空", status_code=400)
        r = self.dispose_post(kindergarten, "merged")
        self.assertContains(r, "处置说明不能为空", status_code=400)
        r = self.dispose_post(kindergarten, "banned", on="2026-03-01")
        self.assertContains(r, "处置日期不能早于摸排日期", status_code=400)
        r = self.dispose_post(kindergarten, "banned", on="2026-05-12")
        self.assertContains(r, "处置日期不能晚于今天", status_code=400)
        kindergarten.refresh_from_db()
        self.assertEqual(kindergarten.outcome, "")
        self.assertIsNone(kindergarten.outcome_on)
        with self.assertRaisesMessage(ValidationError, "请选择处置结果"):
            actions.kindergarten_dispose(
                actor=self.clerk, kindergarten=kindergarten, outcome="closed", outcome_on=TODAY
            )

    def test_a_kindergarten_is_disposed_once_and_a_complete_campaign_is_frozen(self) -> None:
        kindergarten = self.register("阳光幼儿园")
        actions.kindergarten_dispose(
            actor=self.clerk, kindergarten=kindergarten, outcome="licensed", outcome_on=TODAY
        )
        with self.assertRaisesMessage(ValidationError, "不能重复处置"):
            actions.kindergarten_dispose(
                actor=self.clerk, kindergarten=kindergarten, outcome="banned", outcome_on=TODAY
            )
        actions.campaign_close(actor=self.clerk, campaign=self.campaign, closed_on=TODAY)
        with self.assertRaisesMessage(ValidationError, "该清理整顿工作已完成"):
            self.register("迟到幼儿园")
        self.assertEqual(self.campaign.kindergartens.count(), 1)

    def test_a_leader_reads_the_register_but_cannot_change_it(self) -> None:
        kindergarten = self.register("阳光幼儿园")
        self.client.force_login(self.leader)
        self.assertContains(
            self.client.get("/livelihood/kindergartens/"), "2026年无证幼儿园清理整顿"
        )
        page = self.client.get(self.url)
        self.assertContains(page, "阳光幼儿园")
        self.assertNotContains(page, "登记处置结果")
        self.assertEqual(self.dispose_post(kindergarten, "banned").status_code, 403)
        self.assertEqual(
            self.client.post(f"{self.url}close/", {"closed_on": "2026-05-11"}).status_code, 403
        )
        self.assertEqual(self.client.get("/livelihood/kindergartens/new/").status_code, 403)
        with self.assertRaises(PermissionDenied):
            actions.campaign_close(actor=self.leader, campaign=self.campaign, closed_on=TODAY)
        kindergarten.refresh_from_db()
        self.assertEqual(kindergarten.outcome, "")

    def test_a_clerk_of_another_department_gets_not_found(self) -> None:
        kindergarten = self.register("阳光幼儿园")
        self.client.force_login(self.civil_clerk)
        self.assertNotContains(self.client.get("/livelihood/kindergartens/"), "清理整顿</a>")
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.dispose_post(kindergarten, "banned").status_code, 404)
        r = self.client.post(
            f"{self.url}add/",
            {
                "name": "x",
                "operator": "y",
                "address": "z",
                "children": "1",
                "found_on": "2026-04-01",
            },
        )
        self.assertEqual(r.status_code, 404)

    def test_the_list_takes_a_fixed_number_of_queries(self) -> None:
        self.register("阳光幼儿园")
        self.client.force_login(self.clerk)
        with CaptureQueriesContext(connection) as few:
            self.client.get("/livelihood/kindergartens/")
        for i in range(30):
            campaign = actions.campaign_create(
                actor=self.clerk, org_unit=self.social, name=f"批次{i}", started_on=STARTED
            )
            self.register(f"幼儿园{i}", campaign)
        with self.assertNumQueries(len(few)):
            r = self.client.get("/livelihood/kindergartens/")
        self.assertEqual(len(r.context["page"].object_list), 25)


@time_machine.travel(NOW, tick=False)
class KindergartensInTheInboxTestCase(SchoolTestCase):
    """Every kindergarten still 待处置 is on the keeping clerk's 我的待办 until it has an outcome."""

    def test_pending_ones_are_listed_with_the_campaigns_deadline_and_leave_when_disposed(
        self,
    ) -> None:
        from zhengtong.inbox.registry import items_for

        campaign = actions.campaign_create(
            actor=self.clerk,
            org_unit=self.social,
            name="2026年无证幼儿园清理整顿",
            started_on=STARTED,
            due_on=datetime.date(2026, 6, 30),
        )
        found = datetime.date(2026, 3, 10)
        first, second = (
            actions.kindergarten_register(
                actor=self.clerk, campaign=campaign, name=name, operator="张某",
                address="东村", children=20, found_on=found,
            )
            for name in ("阳光幼儿园", "育苗幼儿园")
        )  # fmt: skip
        pending = [i for i in items_for(self.clerk) if i.kind == "无证幼儿园待处置"]
        self.assertEqual({i.title for i in pending}, {"阳光幼儿园 · 东村", "育苗幼儿园 · 东村"})
        self.assertEqual({i.due_on for i in pending}, {datetime.date(2026, 6, 30)})
        self.assertEqual(pending[0].url, f"/livelihood/kindergartens/{campaign.pk}/")
        self.client.force_login(self.clerk)
        self.assertContains(self.client.get("/"), "阳光幼儿园")
        actions.kindergarten_dispose(
            actor=self.clerk, kindergarten=first, outcome="banned", outcome_on=TODAY, note="取缔"
        )
        pending = [i for i in items_for(self.clerk) if i.kind == "无证幼儿园待处置"]
        self.assertEqual([i.title for i in pending], ["育苗幼儿园 · 东村"])
        self.assertFalse(
            [i for i in items_for(self.leader) if i.kind == "无证幼儿园待处置"],
            "a leader reads the ledger but owns no step",
        )

    def test_a_deadline_before_the_start_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            actions.campaign_create(
                actor=self.clerk,
                org_unit=self.social,
                name="清理整顿",
                started_on=STARTED,
                due_on=datetime.date(2026, 1, 1),
            )
        self.assertIn("不能早于开始日期", raised.exception.message_dict["due_on"][0])
