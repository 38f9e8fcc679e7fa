"""The care lists on the page kit: campaigns, a campaign's targets, visits (and the visit
picker), referrals, 计生助福 and pairings. Each searches and filters, refuses a bad filter in
Chinese with no rows, shows only the user's villages, and runs a fixed number of queries."""

import datetime
import io
from decimal import Decimal

import openpyxl
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import forget_access, may_open
from zhengtong.audit.models import Event
from zhengtong.population.actions import care
from zhengtong.population.models import Campaign
from zhengtong.test import make_unit, make_user

from .test_visits_fixtures import NOW, TODAY, CareTestCase, make_person

D = datetime.date
VILLAGE_LISTS = [
    "/population/campaigns/",
    "/population/visits/",
    "/population/visits/new/",
    "/population/assistance/",
    "/population/pairings/",
]
LISTS = [*VILLAGE_LISTS, "/population/referrals/"]


def names(response, column: int = 0) -> list[str]:
    """The text of one column of the kit table, top to bottom."""
    return [cells[column].text for cells in response.context["table"].rows]


def sheet(response) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


class CareListTestCase(CareTestCase):
    def assert_fixed_queries(self, url: str, grow) -> None:
        """One GET of `url` runs as many queries after `grow()` adds rows as before."""
        self.assertEqual(self.client.get(url).status_code, 200)  # warm the session
        with CaptureQueriesContext(connection) as before:
            self.assertEqual(self.client.get(url).status_code, 200)
        grow()
        with self.assertNumQueries(len(before.captured_queries)):
            r = self.client.get(url)
        self.assertEqual(len(r.context["table"].rows), 25)

    def assert_bad_filter(self, url: str, params: dict, message: str) -> None:
        """The page says what is wrong and shows no rows (200, so htmx swaps it in)."""
        r = self.client.get(url, params)
        self.assertContains(r, message)
        self.assertContains(r, "筛选条件有误")
        self.assertEqual(r.context["table"].rows, [])


@time_machine.travel(NOW, tick=False)
class CampaignListsTestCase(CareListTestCase):
    """东村's spring campaign (张丽 and 王芳 its targets) and 西村's own (李娟)."""

    def setUp(self) -> None:
        super().setUp()
        self.other_east = make_person("王芳", self.east_village, seq=3)
        self.east_campaign = care.campaign_create(
            actor=self.town_worker,
            org_unit=self.east_village,
            kind=Campaign.Kind.REPRODUCTIVE,
            name="东村春季查体",
            start_on=D(2026, 6, 1),
            end_on=D(2026, 6, 30),
        )
        self.west_campaign = care.campaign_create(
            actor=self.town_worker,
            org_unit=self.west_village,
            kind=Campaign.Kind.PREGNANCY_RING,
            name="西村孕检",
            start_on=D(2026, 5, 1),
            end_on=D(2026, 5, 31),
        )
        target = self.east_campaign.targets.get(person=self.east_woman)
        care.campaign_record_attendance(
            actor=self.east_worker, target=target, attended_on=D(2026, 6, 10), result="正常"
        )

    def test_the_campaign_list_searches_by_name_and_filters_by_kind(self) -> None:
        self.client.force_login(self.town_worker)
        url = "/population/campaigns/"
        self.assertEqual(names(self.client.get(url)), ["东村春季查体", "西村孕检"])
        self.assertEqual(names(self.client.get(url, {"q": "孕检"})), ["西村孕检"])
        r = self.client.get(url, {"kind": Campaign.Kind.REPRODUCTIVE})
        self.assertEqual(names(r), ["东村春季查体"])
        self.assert_bad_filter(url, {"kind": "bogus"}, "类别不存在")

    def test_a_village_worker_sees_only_her_villages_campaigns(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get("/population/campaigns/")
        self.assertEqual(names(r), ["东村春季查体"])
        self.assertNotContains(r, "西村孕检")

    def test_the_targets_filter_by_attendance_and_name_and_export_masked(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"/population/campaigns/{self.east_campaign.pk}/targets/"
        r = self.client.get(url)
        self.assertEqual(sorted(names(r)), ["张丽", "王芳"])
        self.assertContains(r, "已检")
        self.assertContains(r, "登记到检")
        self.assertEqual(names(self.client.get(url, {"status": "done"})), ["张丽"])
        self.assertEqual(names(self.client.get(url, {"status": "todo"})), ["王芳"])
        self.assertEqual(names(self.client.get(url, {"q": "王"})), ["王芳"])
        r = self.client.get(url, {"village": self.east_village.pk, "status": "done"})
        self.assertEqual(names(r), ["张丽"])
        r = self.client.get(url, {"export": "xlsx"})
        rows = sheet(r)
        self.assertEqual(rows[0][:5], ("姓名", "公民身份号码", "户籍", "村", "到检"))
        self.assertIn(self.east_woman.masked_id, {row[1] for row in rows[1:]})
        self.assertNotIn(self.east_woman.id_number, str(rows))
        self.assertTrue(Event.objects.filter(action__endswith="exported").exists())

    def test_the_printed_targets_name_their_campaign(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"/population/campaigns/{self.east_campaign.pk}/targets/"
        r = self.client.get(url, {"status": "todo", "print": "1"})
        self.assertContains(r, '<h1 class="h4 mb-1">查体对象 · 东村春季查体</h1>', html=False)
        self.assertEqual(names(r), ["王芳"])
        self.assertNotContains(r, "navbar")

    def test_a_bad_target_filter_is_refused_in_chinese(self) -> None:
        self.client.force_login(self.town_worker)
        url = f"/population/campaigns/{self.east_campaign.pk}/targets/"
        # 西村 has no target in 东村's campaign: not a village to pick.
        self.assert_bad_filter(url, {"village": self.west_village.pk}, "不在本次查体对象的范围内")
        self.assert_bad_filter(url, {"status": "maybe"}, "到检不存在")

    def test_another_villages_campaign_targets_are_404_and_audited(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"/population/campaigns/{self.west_campaign.pk}/targets/"
        for params in ({}, {"export": "xlsx"}, {"print": "1"}):
            r = self.client.get(url, params)
            self.assertEqual(r.status_code, 404)
            self.assertNotContains(r, "李娟", status_code=404)
        self.assertEqual(Event.objects.filter(action="population_access_denied").count(), 3)

    def test_the_targets_page_reads_the_campaign_once_per_view(self) -> None:
        self.client.force_login(self.east_worker)
        self.client.get(f"/population/campaigns/{self.east_campaign.pk}/targets/")
        reads = Event.objects.filter(kind=Event.Kind.READ, target_type="population.campaign")
        self.assertEqual(reads.count(), 1)
        self.assertEqual(reads.get().target_id, str(self.east_campaign.pk))

    def test_the_lists_run_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.town_worker)

        def more_women() -> None:
            for seq in range(20, 50):
                make_person(f"对象{seq}", self.east_village, seq=seq)
            care.campaign_sync_targets(actor=self.town_worker, campaign=self.east_campaign)

        self.assert_fixed_queries(
            f"/population/campaigns/{self.east_campaign.pk}/targets/", more_women
        )

        def more_campaigns() -> None:
            for year in (2023, 2024, 2025):
                for month in (1, 4, 7, 10):
                    for kind in Campaign.Kind.values:
                        care.campaign_create(
                            actor=self.town_worker,
                            org_unit=self.east_village,
                            kind=kind,
                            start_on=D(year, month, 1),
                            end_on=D(year, month, 20),
                        )

        self.assert_fixed_queries("/population/campaigns/", more_campaigns)


@time_machine.travel(NOW, tick=False)
class VisitListsTestCase(CareListTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.east_woman.current_address = "东村 3 组 12 号"
        self.east_woman.save(update_fields=["current_address"])
        self.early = self.visit(self.east_woman, D(2026, 5, 20), "村卫生室")
        self.late = self.visit(self.east_woman, D(2026, 6, 12), "家中")
        self.west = self.visit(self.west_woman, D(2026, 6, 12), "西村家中", self.west_worker)

    def visit(self, person, day, place, worker=None):
        return care.home_visit_record(
            actor=worker or self.east_worker,
            person=person,
            visited_on=day,
            place=place,
            outcome="情况良好",
        )[0]

    def test_the_visit_list_searches_filters_by_day_and_sorts(self) -> None:
        self.client.force_login(self.east_worker)
        url = "/population/visits/"
        self.assertEqual(names(self.client.get(url)), ["2026-06-12", "2026-05-20"])
        self.assertEqual(names(self.client.get(url, {"q": "卫生室"})), ["2026-05-20"])
        self.assertEqual(len(names(self.client.get(url, {"q": "张丽"}))), 2)
        self.assertEqual(names(self.client.get(url, {"start": "2026-06-01"})), ["2026-06-12"])
        self.assertEqual(names(self.client.get(url, {"end": "2026-05-31"})), ["2026-05-20"])
        r = self.client.get(url, {"sort": "visited_on"})
        self.assertEqual(names(r), ["2026-05-20", "2026-06-12"])
        self.assertNotContains(r, "李娟")

    def test_bad_days_are_refused_in_chinese(self) -> None:
        self.client.force_login(self.east_worker)
        url = "/population/visits/"
        self.assert_bad_filter(url, {"start": "2026-13-01"}, "日期格式应为 YYYY-MM-DD")
        self.assert_bad_filter(
            url, {"start": "2026-06-10", "end": "2026-06-01"}, "不能早于走访日期起"
        )

    def test_the_export_is_the_filtered_visits_with_masked_numbers(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get("/population/visits/", {"start": "2026-06-01", "export": "xlsx"})
        rows = sheet(r)
        self.assertEqual(rows[0][0], "走访日期")
        self.assertEqual([row[2] for row in rows[1:]], [self.east_woman.masked_id])
        self.assertNotIn(self.east_woman.id_number, str(rows))

    def test_htmx_gets_only_the_results(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get("/population/visits/", {"q": "家中"}, headers={"HX-Request": "true"})
        body = r.content.decode()
        self.assertTrue(body.lstrip().startswith('<div id="results"'))
        self.assertIn("家中", body)

    def test_another_villages_visit_is_404_by_id_and_absent_from_the_list(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(f"/population/visits/{self.west.pk}/")
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "李娟", status_code=404)
        self.assertTrue(
            Event.objects.filter(action="population_access_denied", target_id=str(self.west.pk))
        )
        self.assertEqual(names(self.client.get("/population/visits/", {"q": "李娟"})), [])

    def test_the_picker_finds_own_residents_by_name_or_address_and_audits_the_list(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get("/population/visits/new/", {"q": "3 组"})
        self.assertEqual(names(r), ["张丽"])
        self.assertContains(r, f"?person={self.east_woman.pk}")
        self.assertContains(r, self.east_woman.masked_id)
        self.assertNotContains(r, self.east_woman.id_number)
        self.assertEqual(names(self.client.get("/population/visits/new/", {"q": "李娟"})), [])
        reads = Event.objects.filter(action="person_list_viewed").order_by("id")
        self.assertEqual([e.changes["purpose"] for e in reads], ["选择走访对象"] * 2)
        self.assertEqual([e.changes["count"] for e in reads], [1, 0])
        self.assertEqual(reads[0].changes["filters"], {"q": "3 组"})

    def test_the_lists_run_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.east_worker)

        def more_visits() -> None:
            for seq in range(20, 50):
                self.visit(make_person(f"户{seq}", self.east_village, seq=seq), TODAY, "家")

        self.assert_fixed_queries("/population/visits/", more_visits)
        self.assert_fixed_queries("/population/visits/new/", lambda: None)


@time_machine.travel(NOW, tick=False)
class ReferralListTestCase(CareListTestCase):
    """2026-06-15 is a Monday; a referral is due 10 working days on."""

    def setUp(self) -> None:
        super().setUp()
        self.office = make_unit("刘集镇民政办", "LIUJI-MZ", "department", self.town)
        self.civil_clerk = make_user(
            "civil_clerk", full_name="民政干事", memberships=[(Role.DEPT_CLERK, self.office)]
        )
        east_visit = care.home_visit_record(
            actor=self.east_worker,
            person=self.east_woman,
            visited_on=TODAY,
            place="家",
            outcome="x",
        )[0]
        west_visit = care.home_visit_record(
            actor=self.west_worker,
            person=self.west_woman,
            visited_on=TODAY,
            place="家",
            outcome="y",
        )[0]
        self.dibao = care.referral_open(
            actor=self.east_worker, visit=east_visit, kind="dibao", note="低保"
        )
        self.medical = care.referral_open(
            actor=self.east_worker, visit=east_visit, kind="medical", note="就医"
        )
        self.west = care.referral_open(
            actor=self.west_worker, visit=west_visit, kind="dibao", note="西村"
        )

    def test_the_list_filters_by_kind_and_status_and_counts_down(self) -> None:
        self.client.force_login(self.east_worker)
        url = "/population/referrals/"
        r = self.client.get(url)
        self.assertEqual(names(r), ["张丽", "张丽"])
        self.assertContains(r, "个工作日")
        self.assertNotContains(r, "李娟")
        r = self.client.get(url, {"kind": "dibao"})
        self.assertEqual(names(r, 2), ["低保"])
        care.referral_close(
            actor=self.civil_clerk, referral=self.dibao, result="已纳入低保", closed_on=TODAY
        )
        r = self.client.get(url, {"status": "done"})
        self.assertEqual(names(r, 2), ["低保"])
        self.assertContains(r, "已办结")
        # The open one first, whatever its due day.
        self.assertEqual(names(self.client.get(url), 2), ["医疗救助", "低保"])
        self.assertEqual(names(self.client.get(url, {"q": "李娟"})), [])

    def test_a_bad_filter_is_refused_in_chinese(self) -> None:
        self.client.force_login(self.east_worker)
        self.assert_bad_filter("/population/referrals/", {"status": "lost"}, "状态不存在")
        self.assert_bad_filter("/population/referrals/", {"kind": "other"}, "类别不存在")

    def test_the_office_sees_the_referrals_sent_to_it_and_nothing_else(self) -> None:
        self.client.force_login(self.civil_clerk)
        r = self.client.get("/population/referrals/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(set(names(r, 2)), {"低保"})
        self.assertEqual(r.context["page"].paginator.count, 2)  # 东村's and 西村's 低保
        self.assertEqual(self.client.get("/population/visits/").status_code, 403)

    def test_another_villages_referral_is_404_by_id(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(f"/population/referrals/{self.west.pk}/")
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "李娟", status_code=404)
        r = self.client.post(
            f"/population/referrals/{self.west.pk}/close/",
            {"result": "x", "closed_on": "2026-06-15"},
        )
        self.assertEqual(r.status_code, 404)
        self.west.refresh_from_db()
        self.assertEqual(self.west.status, "open")
        self.assertEqual(Event.objects.filter(action="population_access_denied").count(), 2)

    def test_the_export_holds_the_due_day_as_a_date(self) -> None:
        self.client.force_login(self.east_worker)
        rows = sheet(self.client.get("/population/referrals/", {"export": "xlsx"}))
        self.assertEqual(rows[0], ("对象", "村", "类别", "承办单位", "办理期限", "状态"))
        self.assertIsInstance(rows[1][4], datetime.datetime)

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        """The rows' countdowns share the page's one working-day calendar."""
        self.client.force_login(self.town_worker)

        def more() -> None:
            for seq in range(20, 50):
                person = make_person(f"户{seq}", self.east_village, seq=seq)
                visit = care.home_visit_record(
                    actor=self.east_worker, person=person, visited_on=TODAY, place="家", outcome="z"
                )[0]
                care.referral_open(actor=self.east_worker, visit=visit, kind="medical", note="b")

        self.assert_fixed_queries("/population/referrals/", more)


@time_machine.travel(NOW, tick=False)
class AssistanceListTestCase(CareListTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.east_child = make_person("张小宝", self.east_village, seq=31, birth=D(2016, 3, 1))
        self.west_child = make_person("李小宝", self.west_village, seq=32, birth=D(2016, 3, 1))
        self.give(self.east_child, "money", "助学", Decimal("1200.50"))
        self.give(self.east_child, "goods", "慰问", None)
        self.give(self.west_child, "money", "助学", Decimal("800"), self.west_worker)

    def give(self, person, category, program, amount, worker=None):
        return care.assistance_record(
            actor=worker or self.east_worker,
            person=person,
            category=category,
            program=program,
            content="春节",
            amount=amount,
            given_on=TODAY,
        )

    def test_amounts_are_a_money_column_with_the_sum_of_the_filtered_rows(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get("/population/assistance/")
        self.assertContains(r, "金额(元)")
        self.assertContains(r, 'data-label="金额(元)">1,200.50</td>', html=False)
        self.assertContains(r, "合计帮扶 <strong>2</strong> 次,其中资金类 1 次")
        self.assertContains(r, "1200.50元")
        self.assertNotContains(r, "李小宝")
        r = self.client.get("/population/assistance/", {"category": "goods"})
        self.assertEqual(names(r, 5), ["慰问"])
        self.assertContains(r, "发放金额 <strong>0.00元</strong>")

    def test_a_column_of_large_amounts_is_in_wan_yuan(self) -> None:
        self.give(self.east_child, "money", "大病救助", Decimal("25000"))
        self.client.force_login(self.east_worker)
        r = self.client.get("/population/assistance/")
        self.assertContains(r, "金额(万元)")
        self.assertContains(r, 'data-label="金额(万元)">2.50</td>', html=False)
        self.assertContains(r, 'data-label="金额(万元)">0.12</td>', html=False)

    def test_search_by_name_or_program(self) -> None:
        self.client.force_login(self.town_worker)
        url = "/population/assistance/"
        self.assertEqual(
            sorted(names(self.client.get(url, {"q": "助学"}), 1)), ["张小宝", "李小宝"]
        )
        self.assertEqual(names(self.client.get(url, {"q": "李小"}), 1), ["李小宝"])
        self.assert_bad_filter(url, {"category": "cash"}, "类别不存在")

    def test_the_export_keeps_amounts_as_numbers(self) -> None:
        self.client.force_login(self.east_worker)
        rows = sheet(self.client.get("/population/assistance/", {"export": "xlsx"}))
        column = rows[0].index("金额(元)")
        self.assertEqual(sorted(str(row[column]) for row in rows[1:]), ["1200.5", "None"])

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.east_worker)

        def more() -> None:
            for seq in range(40, 70):
                child = make_person(f"儿童{seq}", self.east_village, seq=seq, birth=D(2015, 1, 1))
                self.give(child, "money", "助学", Decimal("500"))

        self.assert_fixed_queries("/population/assistance/", more)


@time_machine.travel(NOW, tick=False)
class PairingListTestCase(CareListTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.east_child = make_person("张小宝", self.east_village, seq=31, birth=D(2016, 3, 1))
        self.other_child = make_person("王小妹", self.east_village, seq=33, birth=D(2017, 3, 1))
        self.due_soon = self.pair(self.east_child, "赵志愿", D(2026, 6, 1), 14)
        self.missed = self.pair(self.other_child, "孙志愿", D(2026, 5, 1), 14)

    def pair(self, person, volunteer, started_on, cadence):
        return care.pairing_create(
            actor=self.east_worker,
            person=person,
            volunteer_name=volunteer,
            volunteer_phone="13900002222",
            cadence_days=cadence,
            started_on=started_on,
        )

    def test_the_list_sorts_by_due_day_searches_and_shows_the_ended(self) -> None:
        self.client.force_login(self.east_worker)
        url = "/population/pairings/"
        r = self.client.get(url)
        self.assertEqual(names(r), ["王小妹", "张小宝"])
        self.assertContains(r, 'text-bg-danger">走访已逾期', count=1)
        self.assertEqual(
            names(self.client.get(url, {"sort": "-next_due_on"})), ["张小宝", "王小妹"]
        )
        self.assertEqual(names(self.client.get(url, {"q": "赵志愿"})), ["张小宝"])
        self.assertEqual(names(self.client.get(url, {"status": "overdue"})), ["王小妹"])
        care.pairing_end(actor=self.east_worker, pairing=self.missed, reason="搬迁")
        self.assertEqual(names(self.client.get(url)), ["张小宝"])
        r = self.client.get(url, {"status": "ended"})
        self.assertEqual(names(r), ["王小妹"])
        self.assertContains(r, "已结束")

    def test_a_bad_status_is_refused_in_chinese(self) -> None:
        self.client.force_login(self.east_worker)
        self.assert_bad_filter("/population/pairings/", {"status": "late"}, "状态不存在")

    def test_another_villages_pairing_is_404_by_id_and_absent_from_the_list(self) -> None:
        self.client.force_login(self.west_worker)
        r = self.client.get(f"/population/pairings/{self.missed.pk}/")
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "王小妹", status_code=404)
        self.assertEqual(names(self.client.get("/population/pairings/")), [])


@time_machine.travel(NOW, tick=False)
class CareListGateTestCase(CareListTestCase):
    def test_staff_without_a_population_role_get_403_and_no_menu_link(self) -> None:
        self.client.force_login(self.clerk)
        for url in VILLAGE_LISTS:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
                self.assertEqual(self.client.get(url, {"export": "xlsx"}).status_code, 403)
        self.assertFalse(may_open(self.clerk, "population:visit_list"))
        # A department clerk opens the referral list (for referrals sent to their office).
        self.assertEqual(self.client.get("/population/referrals/").status_code, 200)
        forget_access(self.east_worker)
        self.assertTrue(may_open(self.east_worker, "population:visit_list"))

    def test_anonymous_users_go_to_the_login_page(self) -> None:
        for url in LISTS:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 302)
                self.assertIn("/accounts/login/", r["Location"])

    def test_the_lists_answer_get_only(self) -> None:
        self.client.force_login(self.east_worker)
        for url in LISTS:
            if url == "/population/visits/new/":
                continue  # the picker of the visit form, which takes the POSTed visit
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, {"q": "张"}).status_code, 405)
