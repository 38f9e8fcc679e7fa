"""文明家庭 创建: the township's 计生办 opens the year's campaign, village workers nominate the
households of their villages with their 事迹, the office evaluates (never the nominator) and
decides; a decision changes only by an audited correction; the public list names the household
by its head's family name only."""

import datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.lib.masking import family_name_public
from zhengtong.people.models import Household, HouseholdMember
from zhengtong.people.tests.fixtures import RegistryTestCase, make_person
from zhengtong.population.actions import families
from zhengtong.population.models import FamilyCampaign, FamilyNomination
from zhengtong.test import make_user

D = datetime.date
NOW = "2026-06-15 10:00 +0800"
CAMPAIGNS = "/population/families/"
NOMINATIONS = "/population/families/nominations/"
NOMINATE = "/population/families/nominate/"
PUBLIC = "/public/families/"
DEEDS = "户主张建国带头移风易俗,儿子婚事新办不收彩礼;赡养老人二十年如一日。"
SUMMARY = "婚事新办不收彩礼,孝老爱亲二十年如一日。"


@time_machine.travel(NOW, tick=False)
class FamilyTestCase(RegistryTestCase):
    """Adds: 东村 5 号 (head 张建国, spouse 王秀英) and 东村 6 号 (head 欧阳明), a second 计生办
    worker of 刘集镇 (town_worker2), 南村 7 号 of 姜楼镇, and 刘集镇's 2026 campaign."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.town_worker2 = make_user(
            "town_worker2", full_name="镇计生办二", memberships=[(Role.VILLAGE_WORKER, cls.town)]
        )
        cls.zhang = make_person(
            "张建国",
            org_unit=cls.east_village,
            birth=D(1968, 2, 1),
            female=False,
            seq=21,
            phone="13905353333",
        )
        cls.east_household = cls.household("东村 5 号", cls.east_village, cls.zhang)
        HouseholdMember.objects.create(
            household=cls.east_household,
            person=cls.east_person,
            relation=HouseholdMember.Relation.SPOUSE,
        )
        ouyang = make_person(
            "欧阳明", org_unit=cls.east_village, birth=D(1970, 5, 5), female=False, seq=22
        )
        cls.ouyang_household = cls.household("东村 6 号", cls.east_village, ouyang)
        south = make_person(
            "赵大山", org_unit=cls.south_village, birth=D(1972, 1, 1), female=False, seq=23
        )
        cls.south_household = cls.household("南村 7 号", cls.south_village, south)
        cls.campaign = FamilyCampaign.objects.create(
            org_unit=cls.town,
            year=2026,
            name="刘集镇2026年文明家庭创建",
            criteria=families.DEFAULT_CRITERIA,
            created_by=cls.town_worker,
        )

    @classmethod
    def household(cls, address, village, head) -> Household:
        household = Household.objects.create(org_unit=village, address=address)
        HouseholdMember.objects.create(
            household=household, person=head, relation=HouseholdMember.Relation.HEAD
        )
        return household

    def nominate(self, household=None, actor=None, **extra) -> FamilyNomination:
        data = {"deeds": DEEDS, "summary": SUMMARY}
        data.update(extra)
        return families.family_nominate(
            actor=actor or self.east_worker,
            campaign=self.campaign,
            household=household or self.east_household,
            **data,
        )

    def evaluate(self, nomination, passed=True, actor=None) -> FamilyNomination:
        return families.family_evaluate(
            actor=actor or self.town_worker,
            nomination=nomination,
            passed=passed,
            opinion="对照五条评选条件,事迹属实。",
        )

    def decide(self, nomination, named=True) -> FamilyNomination:
        return families.family_decide(
            actor=self.town_worker, nomination=nomination, named=named, reason="镇评议小组通过。"
        )


class FamilyWorkflowTestCase(FamilyTestCase):
    def test_a_household_goes_from_nomination_to_the_public_list(self) -> None:
        self.client.force_login(self.east_worker)
        page = self.client.get(NOMINATE, {"household": self.east_household.pk})
        self.assertContains(page, "东村 5 号")
        self.assertContains(page, "刘集镇2026年文明家庭创建")
        r = self.client.post(
            NOMINATE,
            {
                "household": self.east_household.pk,
                "campaign": self.campaign.pk,
                "deeds": DEEDS,
                "summary": SUMMARY,
            },
        )
        nomination = FamilyNomination.objects.get()
        self.assertRedirects(r, f"{NOMINATIONS}{nomination.pk}/")
        self.assertEqual(nomination.family_name, "张家")
        self.assertEqual(nomination.org_unit, self.east_village)
        self.assertEqual(nomination.status, "nominated")

        self.client.force_login(self.town_worker)
        r = self.client.post(
            f"{NOMINATIONS}{nomination.pk}/evaluate/",
            {"passed": "yes", "opinion": "五条评选条件均符合。"},
        )
        self.assertRedirects(r, f"{NOMINATIONS}{nomination.pk}/")
        r = self.client.post(
            f"{NOMINATIONS}{nomination.pk}/decide/", {"named": "yes", "reason": "评议通过。"}
        )
        self.assertRedirects(r, f"{NOMINATIONS}{nomination.pk}/")
        nomination.refresh_from_db()
        self.assertEqual(nomination.status, "named")
        self.assertEqual(nomination.decided_by, self.town_worker)
        actions = list(
            Event.objects.filter(target_id=str(nomination.pk)).values_list("action", flat=True)
        )
        for action in ("family_nominated", "family_evaluated", "family_decided"):
            self.assertIn(action, actions)
        detail = self.client.get(f"{NOMINATIONS}{nomination.pk}/")
        self.assertContains(detail, "评为文明家庭")
        self.assertContains(detail, "更正决定")

        self.client.logout()
        public = self.client.get(PUBLIC)
        self.assertContains(public, "张家")
        self.assertContains(public, "东村")
        self.assertContains(public, SUMMARY)

    def test_the_township_office_opens_the_campaign_and_a_village_worker_may_not(self) -> None:
        self.client.force_login(self.town_worker)
        data = {"org_unit": self.town.pk, "year": "2027", "criteria": "家庭和睦\n移风易俗"}
        r = self.client.post(CAMPAIGNS + "new/", data)
        self.assertRedirects(r, CAMPAIGNS)
        campaign = FamilyCampaign.objects.get(year=2027)
        self.assertEqual(campaign.name, "刘集镇2027年文明家庭创建")
        self.assertEqual(campaign.criteria_list, ["家庭和睦", "移风易俗"])
        self.assertTrue(Event.objects.filter(action="family_campaign_created").exists())
        r = self.client.post(CAMPAIGNS + "new/", data)
        self.assertContains(r, "刘集镇 2027 年已有文明家庭创建活动。", status_code=400)
        self.client.force_login(self.east_worker)
        self.assertEqual(self.client.get(CAMPAIGNS + "new/").status_code, 403)
        self.assertEqual(self.client.post(CAMPAIGNS + "new/", data).status_code, 403)
        # The village worker sees the township's campaign, to nominate in it.
        self.assertContains(self.client.get(CAMPAIGNS), "刘集镇2026年文明家庭创建")
        self.assertNotContains(self.client.get(CAMPAIGNS), "开展创建活动")

    def test_a_fail_can_only_end_as_not_named(self) -> None:
        nomination = self.evaluate(self.nominate(), passed=False)
        self.client.force_login(self.town_worker)
        url = f"{NOMINATIONS}{nomination.pk}/decide/"
        r = self.client.post(url, {"named": "yes", "reason": "拟评上"})
        self.assertContains(r, "评议未通过的家庭不能评为文明家庭。", status_code=400)
        r = self.client.post(url, {"named": "no", "reason": "事迹不够突出。"})
        self.assertEqual(r.status_code, 302)
        nomination.refresh_from_db()
        self.assertEqual(nomination.status, "not_named")
        self.client.logout()
        self.assertNotContains(self.client.get(PUBLIC), "张家")

    def test_a_decision_is_changed_only_by_a_correction_with_its_reason(self) -> None:
        nomination = self.decide(self.evaluate(self.nominate()))
        with self.assertRaisesMessage(ValidationError, "已作出决定"):
            self.evaluate(nomination, passed=False)
        with self.assertRaisesMessage(ValidationError, "已作出决定"):
            self.decide(nomination, named=False)
        self.client.force_login(self.town_worker)
        url = f"{NOMINATIONS}{nomination.pk}/decide/"
        self.assertContains(self.client.get(url), "更正原因")
        r = self.client.post(url, {"named": "no", "reason": "经群众反映,事迹与实际不符。"})
        self.assertContains(r, "更正原因不能为空。", status_code=400)
        nomination.refresh_from_db()
        self.assertEqual(nomination.status, "named")
        r = self.client.post(
            url,
            {
                "named": "no",
                "reason": "经群众反映,事迹与实际不符。",
                "correction": "公示期内收到异议,经核实。",
            },
        )
        self.assertEqual(r.status_code, 302)
        nomination.refresh_from_db()
        self.assertEqual(nomination.status, "not_named")
        event = Event.objects.get(action="family_decision_corrected")
        self.assertEqual(event.changes["status"], ["named", "not_named"])
        self.assertEqual(event.reason, "公示期内收到异议,经核实。")
        self.client.logout()
        self.assertNotContains(self.client.get(PUBLIC), "张家")

    def test_a_compound_family_name_is_kept_whole(self) -> None:
        self.assertEqual(family_name_public("欧阳明"), "欧阳家")
        self.assertEqual(family_name_public("张建国"), "张家")
        self.assertEqual(self.nominate(self.ouyang_household).family_name, "欧阳家")


class FamilyBadInputTestCase(FamilyTestCase):
    def post(self, **extra):
        data = {
            "household": self.east_household.pk,
            "campaign": self.campaign.pk,
            "deeds": DEEDS,
            "summary": SUMMARY,
        }
        data.update(extra)
        return self.client.post(NOMINATE, data)

    def test_bad_nominations_are_refused_in_chinese_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.east_worker)
        cases = [
            ({"deeds": "  "}, "事迹不能为空。"),
            ({"summary": ""}, "公示摘要不能为空。"),
            ({"summary": "户主张建国孝老爱亲"}, families.SUMMARY_PUBLIC),
            ({"summary": "联系电话 13905353333"}, families.SUMMARY_PUBLIC),
            ({"campaign": "999"}, "创建活动:请选择本镇的活动。"),
            ({"household": ""}, "请从家庭户页面选择要推荐的家庭户。"),
        ]
        for extra, message in cases:
            with self.subTest(message):
                r = self.post(**extra)
                self.assertContains(r, message, status_code=400)
                self.assertFalse(FamilyNomination.objects.exists())

    def test_a_household_is_nominated_once_per_campaign(self) -> None:
        self.nominate()
        self.client.force_login(self.town_worker)
        r = self.post()
        self.assertContains(r, "该家庭户已在本次活动中被推荐过。", status_code=400)
        self.assertEqual(FamilyNomination.objects.count(), 1)

    def test_a_household_outside_the_workers_villages_is_refused(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.post(household=self.west_household.pk)
        self.assertEqual(r.status_code, 404)
        self.assertEqual(
            self.client.get(NOMINATE, {"household": self.west_household.pk}).status_code, 404
        )
        with self.assertRaisesMessage(ValidationError, "只能推荐本人负责的村的家庭户。"):
            self.nominate(self.west_household)
        # 南村 is in 姜楼镇: not a household of 刘集镇's campaign.
        with self.assertRaisesMessage(ValidationError, "该家庭户不在刘集镇。"):
            self.nominate(self.south_household, actor=self.other_town_worker)
        self.assertFalse(FamilyNomination.objects.exists())

    def test_a_household_without_a_head_is_refused(self) -> None:
        empty = Household.objects.create(org_unit=self.east_village, address="东村 9 号")
        with self.assertRaisesMessage(ValidationError, "还没有登记户主"):
            self.nominate(empty)

    def test_the_nominator_does_not_evaluate_their_own_nomination(self) -> None:
        nomination = self.nominate(actor=self.town_worker)
        self.client.force_login(self.town_worker)
        url = f"{NOMINATIONS}{nomination.pk}/evaluate/"
        r = self.client.post(url, {"passed": "yes", "opinion": "符合条件。"})
        self.assertContains(r, "推荐人不能评议自己推荐的家庭", status_code=400)
        nomination.refresh_from_db()
        self.assertEqual(nomination.status, "nominated")
        self.client.force_login(self.town_worker2)
        self.assertEqual(
            self.client.post(url, {"passed": "yes", "opinion": "符合。"}).status_code, 302
        )

    def test_evaluation_and_decision_need_their_reasons(self) -> None:
        nomination = self.nominate()
        self.client.force_login(self.town_worker)
        url = f"{NOMINATIONS}{nomination.pk}/"
        r = self.client.post(url + "evaluate/", {"passed": "yes", "opinion": ""})
        self.assertContains(r, "评议意见不能为空。", status_code=400)
        r = self.client.post(url + "evaluate/", {"passed": "maybe", "opinion": "好"})
        self.assertContains(r, "评议结果不存在。", status_code=400)
        r = self.client.post(url + "decide/", {"named": "yes", "reason": "通过"})
        self.assertContains(r, "须先评议,才能作出决定。", status_code=400)
        self.evaluate(nomination)
        r = self.client.post(url + "decide/", {"named": "yes", "reason": " "})
        self.assertContains(r, "理由不能为空。", status_code=400)
        nomination.refresh_from_db()
        self.assertEqual(nomination.status, "evaluated")


class FamilyPermissionTestCase(FamilyTestCase):
    def test_other_villages_and_townships_see_nothing_by_list_or_by_id(self) -> None:
        nomination = self.nominate()
        url = f"{NOMINATIONS}{nomination.pk}/"
        self.client.force_login(self.town_worker)
        self.assertContains(self.client.get(NOMINATIONS), "东村 5 号")
        self.assertEqual(self.client.get(url).status_code, 200)
        for user in (self.west_worker, self.other_town_worker):
            with self.subTest(user.username):
                self.client.force_login(user)
                self.assertNotContains(self.client.get(NOMINATIONS), "东村 5 号")
                self.assertEqual(self.client.get(url).status_code, 404)
        # 姜楼镇's office works at a township, but not this one.
        self.client.force_login(self.other_town_worker)
        self.assertNotContains(self.client.get(CAMPAIGNS), "刘集镇2026年文明家庭创建")
        for page in ("evaluate/", "decide/"):
            self.assertEqual(self.client.get(url + page).status_code, 404)
            r = self.client.post(url + page, {"passed": "yes", "named": "no", "reason": "x"})
            self.assertEqual(r.status_code, 404)
        self.assertTrue(Event.objects.filter(action="population_access_denied").exists())

    def test_a_village_worker_nominates_but_does_not_evaluate_or_decide(self) -> None:
        nomination = self.nominate()
        url = f"{NOMINATIONS}{nomination.pk}/"
        self.client.force_login(self.east_worker)
        self.assertContains(self.client.get(url), "东村 5 号")
        self.assertNotContains(self.client.get(url), "评议</a>")
        for page in ("evaluate/", "decide/"):
            self.assertEqual(self.client.get(url + page).status_code, 403)
            r = self.client.post(url + page, {"passed": "yes", "opinion": "好"})
            self.assertEqual(r.status_code, 403)
        with self.assertRaises(PermissionDenied):
            self.evaluate(nomination, actor=self.east_worker)
        nomination.refresh_from_db()
        self.assertEqual(nomination.status, "nominated")

    def test_anonymous_sees_only_the_public_list(self) -> None:
        nomination = self.nominate()
        for url in (
            CAMPAIGNS,
            CAMPAIGNS + "new/",
            NOMINATIONS,
            NOMINATE,
            f"{NOMINATIONS}{nomination.pk}/",
            f"{NOMINATIONS}{nomination.pk}/evaluate/",
            f"{NOMINATIONS}{nomination.pk}/decide/",
        ):
            with self.subTest(url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 302)
                self.assertIn("/accounts/login/", r["Location"])
        self.assertEqual(self.client.get(PUBLIC).status_code, 200)

    def test_staff_outside_population_are_refused(self) -> None:
        self.client.force_login(self.clerk)
        for url in (CAMPAIGNS, NOMINATIONS, NOMINATE):
            self.assertEqual(self.client.get(url).status_code, 403)


class FamilyPublicListTestCase(FamilyTestCase):
    def test_the_public_list_shows_no_personal_data(self) -> None:
        self.decide(self.evaluate(self.nominate()))
        self.nominate(self.ouyang_household)  # nominated only: not on the list
        r = self.client.get(PUBLIC)
        self.assertContains(r, "张家")
        self.assertContains(r, "刘集镇")
        self.assertContains(r, SUMMARY)
        text = r.content.decode()
        for private in (
            "张建国",
            "王秀英",
            "欧阳",
            "东村 5 号",
            self.zhang.id_number,
            self.zhang.masked_id,
            self.zhang.id_number[:6],
            "13905353333",
            "1390535",
            DEEDS,
            "对照五条评选条件",
        ):
            with self.subTest(private):
                self.assertNotIn(private, text)

    def test_the_public_list_filters_by_year_and_township(self) -> None:
        self.decide(self.evaluate(self.nominate()))
        self.assertContains(self.client.get(PUBLIC, {"year": "2026"}), "张家")
        self.assertContains(self.client.get(PUBLIC, {"town": "LIUJI"}), "张家")
        r = self.client.get(PUBLIC, {"year": "1999"})
        self.assertNotContains(r, "张家")
        self.assertContains(r, "年度不存在。")


class FamilyListQueriesTestCase(FamilyTestCase):
    grown = 0

    def grow(self, count: int, *, named: bool = False) -> None:
        for i in range(self.grown, self.grown + count):
            head = make_person(
                "刘" + "一二三四五六七八九十"[i % 10] + "山",
                org_unit=self.east_village,
                birth=D(1960, 1, 1) + datetime.timedelta(days=i),
                female=False,
                seq=100 + i,
            )
            household = self.household(f"东村 {100 + i} 号", self.east_village, head)
            nomination = self.nominate(household, summary=f"勤劳致富第{i}户。")
            if named:
                self.decide(self.evaluate(nomination))
        self.grown += count

    def assert_fixed(self, url: str, grow) -> None:
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get(url).status_code, 200)
        grow()
        with self.assertNumQueries(len(few.captured_queries)):
            r = self.client.get(url)
        self.assertEqual(len(r.context["page"].object_list), 25)

    def test_the_nomination_list_takes_a_fixed_number_of_queries(self) -> None:
        self.grow(2)
        self.client.force_login(self.town_worker)
        self.assert_fixed(NOMINATIONS, lambda: self.grow(28))

    def test_the_public_list_takes_a_fixed_number_of_queries(self) -> None:
        self.grow(2, named=True)
        self.assert_fixed(PUBLIC, lambda: self.grow(28, named=True))

    def test_the_campaign_list_counts_in_the_database(self) -> None:
        self.grow(3)
        self.client.force_login(self.town_worker)
        self.client.get(CAMPAIGNS)
        with CaptureQueriesContext(connection) as few:
            self.client.get(CAMPAIGNS)
        self.grow(5)
        for year in (2025, 2027):
            FamilyCampaign.objects.create(
                org_unit=self.town, year=year, name=f"刘集镇{year}年", criteria="x",
                created_by=self.town_worker,
            )  # fmt: skip
        with self.assertNumQueries(len(few.captured_queries)):
            r = self.client.get(CAMPAIGNS)
        row = next(row for row in r.context["page"].object_list if row.year == 2026)
        self.assertEqual((row.nominated, row.waiting, row.named), (8, 8, 0))
