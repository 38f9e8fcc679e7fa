import datetime

import time_machine
from django.core.exceptions import ValidationError

from zhengtong.audit.models import Event
from zhengtong.people.models import Person
from zhengtong.population import campaigns
from zhengtong.population.actions import care
from zhengtong.population.models import Campaign, CampaignTarget, FloatingRecord
from zhengtong.test import make_unit

from .test_visits_fixtures import NOW, CareTestCase, make_person

D = datetime.date


@time_machine.travel(NOW, tick=False)
class CampaignTestCase(CareTestCase):
    """A 2026Q2 生殖健康查体 of 刘集镇 from 2026-06-01 to 2026-06-30."""

    def setUp(self) -> None:
        super().setUp()
        self.nonlocal_east = make_person(
            "王芳", self.east_village, seq=3, hukou_type=Person.HukouType.NONLOCAL
        )
        # Registered elsewhere, living in 西村 by an in-flow record.
        self.other_town = make_unit("顾官屯镇", "GUGUAN", "town", self.county)
        self.arrival = make_person("赵敏", self.other_town, seq=4, hukou_type="nonlocal")
        FloatingRecord.objects.create(
            person=self.arrival,
            direction=FloatingRecord.Direction.IN,
            org_unit=self.west_village,
            place="河南省台前县",
            started_on=D(2026, 3, 1),
            created_by=self.town_worker,
        )
        # Not targeted: a man, a girl of 17, a woman of 50, a woman of another township, and a
        # woman away for the whole campaign.
        make_person("男青年", self.east_village, seq=5, female=False)
        make_person("小女孩", self.east_village, seq=6, birth=D(2008, 6, 2))
        make_person("老大姐", self.east_village, seq=7, birth=D(1976, 6, 1))
        make_person("外镇人", self.other_town, seq=8)
        away = make_person("外出女", self.west_village, seq=9)
        FloatingRecord.objects.create(
            person=away,
            direction=FloatingRecord.Direction.OUT,
            org_unit=self.west_village,
            place="广东省东莞市",
            started_on=D(2026, 1, 10),
            created_by=self.town_worker,
        )
        # The edges: 18 on the start day, and 49 the day before turning 50.
        self.just18 = make_person("刚成年", self.east_village, seq=10, birth=D(2008, 6, 1))
        self.almost50 = make_person("将五十", self.east_village, seq=11, birth=D(1976, 6, 2))

    def create(self, **kwargs) -> Campaign:
        data = {
            "actor": self.town_worker,
            "org_unit": self.town,
            "kind": Campaign.Kind.REPRODUCTIVE,
            "start_on": D(2026, 6, 1),
            "end_on": D(2026, 6, 30),
        }
        data.update(kwargs)
        return care.campaign_create(**data)

    def test_it_targets_women_18_to_49_including_arrivals_without_local_hukou(self) -> None:
        """Residents of the villages and in-flow women count; an arrival counts in the village
        of her in-flow record."""
        campaign = self.create()
        targets = dict(campaign.targets.values_list("person__name", "org_unit__name"))
        self.assertEqual(
            targets,
            {
                "张丽": "东村",
                "李娟": "西村",
                "王芳": "东村",
                "赵敏": "西村",
                "刚成年": "东村",
                "将五十": "东村",
            },
        )
        self.assertEqual(campaign.quarter, "2026Q2")
        self.assertEqual(campaign.name, "刘集镇 2026年第2季度生殖健康查体")
        event = Event.objects.get(action="campaign_created")
        self.assertEqual(event.changes["targets"], [None, 6])

    def test_coverage_is_examined_over_targeted_per_village_and_reproducible(self) -> None:
        """Re-running the report later gives the same figures, even after people move."""
        campaign = self.create()
        for name, day in [
            ("张丽", D(2026, 6, 3)),
            ("王芳", D(2026, 6, 10)),
            ("赵敏", D(2026, 6, 12)),
        ]:
            target = campaign.targets.get(person__name=name)
            care.campaign_record_attendance(actor=self.town_worker, target=target, attended_on=day)
        report = campaigns.coverage(campaign, user=self.town_worker)
        figures = [
            (r.village, r.targeted, r.floating, r.examined, str(r.coverage)) for r in report.rows
        ]
        self.assertEqual(figures, [("东村", 4, 1, 2, "50.0"), ("西村", 2, 1, 1, "50.0")])
        self.assertEqual(str(report.totals.coverage), "50.0")
        # On 2026-06-05 only 张丽 had come.
        early = campaigns.coverage(campaign, user=self.town_worker, as_of=D(2026, 6, 5))
        self.assertEqual([r.examined for r in early.rows], [1, 0])

        Person.objects.filter(pk=self.east_woman.pk).update(org_unit=self.west_village)
        make_person("新来的", self.east_village, seq=12)
        again = campaigns.coverage(campaign, user=self.town_worker)
        self.assertEqual(
            [(r.village, r.targeted, r.floating, r.examined, str(r.coverage)) for r in again.rows],
            figures,
        )

    def test_a_village_worker_sees_the_coverage_of_her_village_only(self) -> None:
        campaign = self.create()
        report = campaigns.coverage(campaign, user=self.east_worker)
        self.assertEqual([r.village for r in report.rows], ["东村"])
        self.client.force_login(self.east_worker)
        r = self.client.get(f"/population/campaigns/{campaign.pk}/")
        self.assertContains(r, "东村")
        self.assertNotContains(r, "西村")

    def test_sync_adds_new_arrivals_and_keeps_existing_targets(self) -> None:
        campaign = self.create()
        make_person("新来的", self.east_village, seq=12)
        added = care.campaign_sync_targets(actor=self.town_worker, campaign=campaign)
        self.assertEqual(added, 1)
        self.assertEqual(campaign.targets.count(), 7)

    def test_bad_dates_are_refused_in_chinese_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.post(
            "/population/campaigns/new/",
            {
                "org_unit": self.town.pk,
                "kind": "reproductive",
                "start_on": "2026-06-30",
                "end_on": "2026-06-01",
            },
        )
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "结束日期不能早于开始日期。", status_code=400)
        with self.assertRaisesMessage(ValidationError, "同一季度"):
            self.create(end_on=D(2026, 7, 2))
        self.assertFalse(Campaign.objects.exists())
        self.assertFalse(CampaignTarget.objects.exists())

    def test_the_create_page_builds_the_list(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.post(
            "/population/campaigns/new/",
            {
                "org_unit": self.town.pk,
                "kind": "pregnancy_ring",
                "start_on": "2026-06-01",
                "end_on": "2026-06-30",
            },
        )
        campaign = Campaign.objects.get()
        self.assertRedirects(r, f"/population/campaigns/{campaign.pk}/")
        self.assertEqual(campaign.targets.count(), 6)

    def test_a_village_worker_cannot_organise_for_the_township(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            "/population/campaigns/new/",
            {
                "org_unit": self.town.pk,
                "kind": "reproductive",
                "start_on": "2026-06-01",
                "end_on": "2026-06-30",
            },
        )
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Campaign.objects.exists())

    def test_staff_without_a_population_role_get_403(self) -> None:
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get("/population/campaigns/").status_code, 403)


@time_machine.travel(NOW, tick=False)
class CampaignPagesTestCase(CareTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.campaign = care.campaign_create(
            actor=self.town_worker,
            org_unit=self.town,
            kind=Campaign.Kind.PREGNANCY_RING,
            start_on=D(2026, 6, 1),
            end_on=D(2026, 6, 30),
        )
        self.west_only = care.campaign_create(
            actor=self.west_worker,
            org_unit=self.west_village,
            kind=Campaign.Kind.REPRODUCTIVE,
            start_on=D(2026, 6, 1),
            end_on=D(2026, 6, 30),
        )
        self.east_target = self.campaign.targets.get(person=self.east_woman)
        self.west_target = self.campaign.targets.get(person=self.west_woman)

    def test_attendance_is_recorded_from_the_phone_form(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"/population/campaigns/targets/{self.east_target.pk}/attend/"
        self.assertContains(self.client.get(url), "张丽")
        r = self.client.post(url, {"attended_on": "2026-06-12", "result": "正常"})
        self.assertEqual(r.status_code, 302)
        self.east_target.refresh_from_db()
        self.assertEqual(self.east_target.attended_on, D(2026, 6, 12))
        self.assertEqual(Event.objects.filter(action="campaign_attendance_recorded").count(), 1)

    def test_attendance_outside_the_campaign_or_in_the_future_is_refused(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"/population/campaigns/targets/{self.east_target.pk}/attend/"
        r = self.client.post(url, {"attended_on": "2026-05-20"})
        self.assertContains(r, "到检日期须在活动期间", status_code=400)
        r = self.client.post(url, {"attended_on": "2026-06-20"})
        self.assertContains(r, "到检日期不能晚于今天。", status_code=400)
        self.east_target.refresh_from_db()
        self.assertIsNone(self.east_target.attended_on)

    def test_another_villages_rows_are_404_without_a_hint(self) -> None:
        self.client.force_login(self.east_worker)
        for url in [
            f"/population/campaigns/targets/{self.west_target.pk}/attend/",
            f"/population/campaigns/{self.west_only.pk}/",
            f"/population/campaigns/{self.west_only.pk}/targets/",
        ]:
            r = self.client.get(url)
            self.assertEqual(r.status_code, 404, url)
            self.assertNotContains(r, "李娟", status_code=404)
            self.assertNotContains(r, "西村", status_code=404)
        r = self.client.post(
            f"/population/campaigns/targets/{self.west_target.pk}/attend/",
            {"attended_on": "2026-06-12"},
        )
        self.assertEqual(r.status_code, 404)
        self.assertEqual(
            r.status_code,
            self.client.post(f"/population/campaigns/{self.west_only.pk}/sync/").status_code,
        )
        self.west_target.refresh_from_db()
        self.assertIsNone(self.west_target.attended_on)
        self.assertTrue(Event.objects.filter(action="population_access_denied").exists())

    def test_the_target_list_shows_her_village_with_masked_ids(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(f"/population/campaigns/{self.campaign.pk}/targets/")
        self.assertContains(r, "张丽")
        self.assertContains(r, self.east_woman.masked_id)
        self.assertNotContains(r, self.east_woman.id_number)
        self.assertNotContains(r, "李娟")

    def test_list_pages_run_a_fixed_number_of_queries(self) -> None:
        """Twenty more women and another campaign change no query count."""
        self.client.force_login(self.town_worker)
        url = f"/population/campaigns/{self.campaign.pk}/targets/"
        targets_queries = self.queries_of(url)
        list_queries = self.queries_of("/population/campaigns/")
        for seq in range(20, 40):
            make_person(f"对象{seq}", self.east_village, seq=seq)
        care.campaign_sync_targets(actor=self.town_worker, campaign=self.campaign)
        care.campaign_create(
            actor=self.town_worker,
            org_unit=self.east_village,
            kind=Campaign.Kind.REPRODUCTIVE,
            start_on=D(2026, 6, 1),
            end_on=D(2026, 6, 30),
        )
        with self.assertNumQueries(targets_queries):
            r = self.client.get(url)
        self.assertContains(r, "对象39")
        with self.assertNumQueries(list_queries):
            r = self.client.get("/population/campaigns/")
        self.assertContains(r, "东村 2026年第2季度生殖健康查体")
