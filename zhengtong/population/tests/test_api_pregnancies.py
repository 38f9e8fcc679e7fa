import time_machine

from zhengtong.population.actions.maternal import pregnancy_register
from zhengtong.population.models import Pregnancy

from .test_followups_fixtures import D, FollowupTestCase, at

URL = "/api/v1/population/pregnancies/"


@time_machine.travel(at(2025, 3, 10), tick=False)
class PregnancyCreateApiTestCase(FollowupTestCase):
    def post(self, data):
        return self.client.post(URL, data, content_type="application/json")

    def test_it_returns_201_with_the_generated_windows(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.post({"person": self.east_woman.pk, "lmp": "2025-01-01"})
        self.assertEqual(r.status_code, 201)
        body = r.json()
        self.assertEqual(body["edd"], "2025-10-08")
        self.assertEqual(
            [(v["kind"], v["window_start"], v["window_end"]) for v in body["visits"]],
            [
                ("first", "2025-01-01", "2025-04-01"),
                ("anc_16_20", "2025-04-23", "2025-05-27"),
                ("anc_21_24", "2025-05-28", "2025-06-24"),
                ("anc_28_36", "2025-07-16", "2025-09-16"),
                ("anc_37_40", "2025-09-17", "2025-10-14"),
            ],
        )

    def test_an_lmp_in_the_future_is_a_400_naming_the_field(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.post({"person": self.east_woman.pk, "lmp": "2025-04-01"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("末次月经", r.json()["lmp"][0])
        self.assertFalse(Pregnancy.objects.exists())

    def test_an_lmp_more_than_44_weeks_ago_is_a_400(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.post({"person": self.east_woman.pk, "lmp": "2024-01-01"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("44 周", r.json()["lmp"][0])

    def test_a_malformed_date_and_a_missing_person_are_400s_in_chinese(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.post({"lmp": "2025/01/01"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("末次月经", r.json()["lmp"][0])
        self.assertIn("人员", r.json()["person"][0])

    def test_a_person_of_another_village_is_404_like_a_missing_one_and_audited(self) -> None:
        self.client.force_login(self.west_worker)
        r = self.post({"person": self.east_woman.pk, "lmp": "2025-01-01"})
        missing = self.post({"person": 999999, "lmp": "2025-01-01"})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.content, missing.content)
        self.assertNotIn("张丽", r.content.decode())
        self.assertFalse(Pregnancy.objects.exists())
        self.assertEqual(self.denied_events(self.west_worker), 2)

    def test_other_roles_are_refused_and_anonymous_callers_too(self) -> None:
        self.client.force_login(self.leader)
        self.assertEqual(
            self.post({"person": self.east_woman.pk, "lmp": "2025-01-01"}).status_code, 403
        )
        self.client.logout()
        self.assertIn(
            self.post({"person": self.east_woman.pk, "lmp": "2025-01-01"}).status_code, (401, 403)
        )
        self.assertFalse(Pregnancy.objects.exists())


class PregnancyDeliveryApiTestCase(FollowupTestCase):
    def setUp(self) -> None:
        super().setUp()
        with time_machine.travel(at(2025, 3, 10), tick=False):
            self.pregnancy = pregnancy_register(
                actor=self.east_worker, person=self.east_woman, lmp=D(2025, 1, 1)
            )
        self.url = f"{URL}{self.pregnancy.pk}/delivery/"

    def post(self, data):
        return self.client.post(self.url, data, content_type="application/json")

    @time_machine.travel(at(2025, 10, 12), tick=False)
    def test_it_adds_the_postpartum_visit_and_the_42_day_check(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.post({"delivered_on": "2025-10-08", "discharged_on": "2025-10-10"})
        self.assertEqual(r.status_code, 201)
        visits = {v["kind"]: (v["window_start"], v["window_end"]) for v in r.json()["visits"]}
        self.assertEqual(visits["postpartum"], ("2025-10-10", "2025-10-17"))
        self.assertEqual(visits["day42"], ("2025-11-19", "2025-11-26"))
        self.assertEqual(len(visits), 7)

    @time_machine.travel(at(2025, 10, 12), tick=False)
    def test_a_delivery_before_the_lmp_is_a_400_naming_the_field(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.post({"delivered_on": "2024-12-20", "discharged_on": "2024-12-22"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("分娩日期", r.json()["delivered_on"][0])
        self.pregnancy.refresh_from_db()
        self.assertIsNone(self.pregnancy.delivered_on)

    @time_machine.travel(at(2025, 10, 12), tick=False)
    def test_a_discharge_before_the_delivery_is_a_400(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.post({"delivered_on": "2025-10-08", "discharged_on": "2025-10-06"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("出院日期", r.json()["discharged_on"][0])
        self.assertEqual(self.pregnancy.visits.count(), 5)

    @time_machine.travel(at(2025, 10, 12), tick=False)
    def test_another_village_gets_404_like_a_missing_pregnancy_and_is_audited(self) -> None:
        self.client.force_login(self.west_worker)
        data = {"delivered_on": "2025-10-08", "discharged_on": "2025-10-10"}
        r = self.post(data)
        missing = self.client.post(f"{URL}999999/delivery/", data, content_type="application/json")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.content, missing.content)
        self.assertEqual(self.pregnancy.visits.count(), 5)
        self.assertEqual(self.denied_events(self.west_worker), 1)
