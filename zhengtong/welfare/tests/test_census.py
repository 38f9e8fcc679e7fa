"""普查评估 (WL3): candidates, coverage per village, the campaign page and 我的待办."""

import datetime

import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.audit.models import Event
from zhengtong.inbox.registry import items_for
from zhengtong.people.models import Person
from zhengtong.test import make_id_number, make_unit, make_user

from .. import census
from ..actions import census_campaign_create
from ..inbox import KIND_CENSUS
from ..models import CensusCampaign
from .fixtures import WelfareTestCase

START, END = datetime.date(2025, 5, 1), datetime.date(2025, 7, 31)
TODAY = datetime.date(2025, 6, 15)


@time_machine.travel(TODAY)
class CensusTestCase(WelfareTestCase):
    """Two communities of the zone. Candidates: 甲 (assessed in the window), 乙 (never
    assessed), 丙 (assessed before the window) in 东城; 丁 (turned 60 the day the census
    starts, assessed in it) in 西城. Not candidates: 戊 (in an institution), 己 (低保边缘),
    庚 (59 on the first day), 辛 (a village outside the census area)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.east_town = make_unit("东城社区", "ZONE-DC", OrgUnit.Kind.VILLAGE, cls.zone)
        cls.west_town = make_unit("西城社区", "ZONE-XC", OrgUnit.Kind.VILLAGE, cls.zone)

    def person(self, name, village, *, birth=datetime.date(1945, 3, 1), seq=1, **status):
        number = make_id_number(birth, female=False, seq=seq)
        person = Person.objects.create(
            id_number=number, name=name, sex="M", birth_date=birth, org_unit=village
        )
        self.make_status(person, category=status.get("category", "dibao"))
        if status.get("in_institution"):
            person.welfare_status.in_institution = True
            person.welfare_status.save()
        return person

    def setUp(self):
        super().setUp()
        e, w = self.east_town, self.west_town
        self.jia = self.person("甲老人", e, seq=1)
        self.yi = self.person("乙老人", e, seq=2, category="tekun")
        self.bing = self.person("丙老人", e, seq=3)
        self.ding = self.person("丁老人", w, seq=4, birth=datetime.date(1965, 5, 1))
        self.person("戊老人", w, seq=5, in_institution=True)
        self.person("己老人", w, seq=6, category="dibao_edge")
        self.person("庚老人", w, seq=7, birth=datetime.date(1965, 5, 2))
        self.person("辛老人", self.east_village, seq=8)
        self.assess(self.jia, on=datetime.date(2025, 5, 20))
        self.assess(self.bing, on=datetime.date(2025, 4, 30))
        self.assess(self.ding, on=datetime.date(2025, 6, 1))
        self.campaign = census_campaign_create(
            actor=self.civil, name="2025 年普查评估", area=self.zone, started_on=START, ends_on=END
        )
        self.url = f"/welfare/census/{self.campaign.pk}/"

    def test_candidates_are_60_plus_dibao_or_tekun_living_at_home_in_the_area(self):
        names = set(census.candidates(self.campaign).values_list("person__name", flat=True))
        self.assertEqual(names, {"甲老人", "乙老人", "丙老人", "丁老人"})
        pending = set(census.unassessed(self.campaign).values_list("person__name", flat=True))
        self.assertEqual(pending, {"乙老人", "丙老人"})

    def test_coverage_is_assessed_over_candidates_per_village(self):
        rows = census.coverage(self.campaign)
        got = [(r.village, r.candidates, r.assessed, r.percent) for r in rows]
        self.assertEqual(got, [("东城社区", 3, 1, 33.3), ("西城社区", 1, 1, 100.0)])
        total = census.total(rows)
        self.assertEqual((total.candidates, total.assessed, total.percent), (4, 2, 50.0))

    def test_an_assessment_by_another_office_does_not_count(self):
        other = make_unit("东阿县民政局", "DEA-MZJ", OrgUnit.Kind.DEPARTMENT, self.county)
        from ..actions import assessment_create
        from .fixtures import sheet

        a = make_user("civil_a", memberships=[(Role.DEPT_CLERK, other)])
        b = make_user("civil_b", memberships=[(Role.DEPT_CLERK, other)])
        assessment_create(
            actor=a, person=self.yi, assessed_on=datetime.date(2025, 6, 2),
            scores=sheet(40), assessor_1=a, assessor_2=b, org_unit=other,
        )  # fmt: skip
        self.assertIn(
            "乙老人", census.unassessed(self.campaign).values_list("person__name", flat=True)
        )

    def test_the_campaign_page_shows_bars_and_candidates(self):
        self.client.force_login(self.civil)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "候选人 4 人,已评估 2 人,未评估 2 人,覆盖率 50.0%")
        self.assertContains(r, 'aria-label="东城社区 覆盖率 33.3%"')
        self.assertContains(r, "width: 33.3%")
        self.assertContains(r, "1/3 人 · 33.3%")
        for name in ("甲老人", "乙老人", "丙老人", "丁老人"):
            self.assertContains(r, name)
        self.assertNotContains(r, "戊老人")
        self.assertNotContains(r, self.jia.id_number)
        r = self.client.get(self.url, {"state": "pending", "village": self.east_town.pk})
        self.assertContains(r, "乙老人")
        self.assertNotContains(r, "甲老人")
        self.assertTrue(Event.objects.filter(actor=self.civil, action__contains="list").exists())

    def test_a_leader_reads_a_clerk_of_another_department_is_refused(self):
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.post("/welfare/census/", {"name": "x"}).status_code, 403)
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get("/welfare/census/").status_code, 403)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    @override_settings(WELFARE_KEEPER_UNIT_CODES=("ZONE-MZJ", "DEA-MZJ"))
    def test_a_campaign_of_another_civil_office_is_not_found(self):
        other = make_unit("东阿县民政局", "DEA-MZJ", OrgUnit.Kind.DEPARTMENT, self.county)
        user = make_user("civil_x", memberships=[(Role.DEPT_CLERK, other)])
        self.client.force_login(user)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertNotContains(self.client.get("/welfare/census/"), "2025 年普查评估")

    def test_a_clerk_opens_a_campaign_from_the_list(self):
        self.client.force_login(self.civil)
        data = {
            "name": "西城复查",
            "area": self.west_town.pk,
            "started_on": "2025-06-01",
            "ends_on": "2025-06-30",
        }
        r = self.client.post("/welfare/census/", data)
        campaign = CensusCampaign.objects.get(name="西城复查")
        self.assertRedirects(r, f"/welfare/census/{campaign.pk}/")
        self.assertEqual(campaign.org_unit, self.civil_unit)
        self.assertTrue(Event.objects.filter(action="census_campaign_created").exists())

    def test_a_window_ending_before_it_starts_is_refused(self):
        self.client.force_login(self.civil)
        data = {
            "name": "错",
            "area": self.zone.pk,
            "started_on": "2025-06-30",
            "ends_on": "2025-06-01",
        }
        r = self.client.post("/welfare/census/", data)
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "截止日期不能早于开始日期", status_code=400)
        self.assertFalse(CensusCampaign.objects.filter(name="错").exists())

    def test_an_area_that_is_not_a_place_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "普查范围须为市、县、开发区、镇街或村(居)"):
            census_campaign_create(
                actor=self.civil, name="越界", area=self.social, started_on=START, ends_on=END
            )

    def test_a_town_census_counts_only_the_people_the_office_keeps_there(self):
        campaign = census_campaign_create(
            actor=self.civil, name="刘集镇", area=self.town, started_on=START, ends_on=END
        )
        names = list(census.candidates(campaign).values_list("person__name", flat=True))
        self.assertEqual(names, ["辛老人"])

    def test_unassessed_candidates_are_in_the_clerks_inbox_until_assessed(self):
        items = [i for i in items_for(self.civil) if i.kind == KIND_CENSUS]
        self.assertEqual(sorted(i.title for i in items), ["丙老人 待普查评估(东城社区)",
                                                          "乙老人 待普查评估(东城社区)"])  # fmt: skip
        self.assertEqual({i.due_on for i in items}, {END})
        self.assertIn(f"village={self.east_town.pk}", items[0].url)
        self.assess(self.yi, on=TODAY)
        titles = [i.title for i in items_for(self.civil) if i.kind == KIND_CENSUS]
        self.assertEqual(titles, ["丙老人 待普查评估(东城社区)"])

    def test_the_inbox_has_no_census_items_for_a_leader_or_after_the_campaign(self):
        self.assertFalse([i for i in items_for(self.leader) if i.kind == KIND_CENSUS])
        with time_machine.travel(END + datetime.timedelta(days=1)):
            self.assertFalse([i for i in items_for(self.civil) if i.kind == KIND_CENSUS])
