import datetime

import time_machine

from zhengtong.audit.models import Event
from zhengtong.population.actions import care
from zhengtong.population.models import Pairing, PairingVisit

from .test_visits_fixtures import NOW, SHANGHAI, CareTestCase, make_person

D = datetime.date


@time_machine.travel(NOW, tick=False)
class PairingTestCase(CareTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.east_child = make_person("张小宝", self.east_village, seq=31, birth=D(2016, 3, 1))
        self.west_child = make_person("李小宝", self.west_village, seq=32, birth=D(2016, 3, 1))
        self.west_pairing = care.pairing_create(
            actor=self.west_worker,
            person=self.west_child,
            volunteer_name="王志愿",
            volunteer_phone="13900001111",
            cadence_days=30,
            started_on=D(2026, 5, 1),
        )

    def create(self, **extra) -> Pairing:
        data = {
            "actor": self.east_worker,
            "person": self.east_child,
            "volunteer_name": "赵志愿",
            "volunteer_phone": "13900002222",
            "cadence_days": 14,
            "started_on": D(2026, 6, 1),
        }
        data.update(extra)
        return care.pairing_create(**data)

    def test_the_first_visit_is_due_one_cadence_after_the_start(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            f"/population/pairings/new/?person={self.east_child.pk}",
            {
                "volunteer_name": "赵志愿",
                "volunteer_phone": "13900002222",
                "cadence_days": "14",
                "started_on": "2026-06-01",
            },
        )
        pairing = Pairing.objects.get(person=self.east_child)
        self.assertRedirects(r, f"/population/pairings/{pairing.pk}/")
        self.assertEqual(pairing.next_due_on, D(2026, 6, 15))
        self.assertEqual(pairing.org_unit, self.east_village)

    def test_a_visit_moves_the_due_date_to_visit_plus_cadence(self) -> None:
        pairing = self.create()
        self.client.force_login(self.east_worker)
        r = self.client.post(
            f"/population/pairings/{pairing.pk}/visits/",
            {"visited_on": "2026-06-12", "note": "辅导作业"},
        )
        self.assertRedirects(r, f"/population/pairings/{pairing.pk}/")
        pairing.refresh_from_db()
        self.assertEqual(pairing.next_due_on, D(2026, 6, 26))
        # An older visit recorded late does not pull the due date back.
        care.pairing_record_visit(
            actor=self.east_worker, pairing=pairing, visited_on=D(2026, 6, 5), note="补登"
        )
        pairing.refresh_from_db()
        self.assertEqual(pairing.next_due_on, D(2026, 6, 26))
        event = Event.objects.filter(action="pairing_visit_recorded").order_by("id").first()
        self.assertEqual(event.changes["next_due_on"], ["2026-06-15", "2026-06-26"])

    def test_a_missed_visit_shows_as_overdue(self) -> None:
        """On 2026-06-15 the west pairing (due 2026-05-31) is overdue; due today is not."""
        self.create()
        self.client.force_login(self.town_worker)
        r = self.client.get("/population/pairings/?status=overdue")
        self.assertContains(r, "李小宝")
        self.assertContains(r, "走访已逾期")
        self.assertNotContains(r, "张小宝")
        with time_machine.travel(datetime.datetime(2026, 6, 16, 9, tzinfo=SHANGHAI), tick=False):
            self.client.force_login(self.town_worker)
            r = self.client.get("/population/pairings/?status=overdue")
        self.assertContains(r, "张小宝")

    def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"/population/pairings/new/?person={self.east_child.pk}"
        base = {
            "volunteer_name": "赵志愿",
            "volunteer_phone": "13900002222",
            "cadence_days": "14",
            "started_on": "2026-06-01",
        }
        for extra, message in [
            ({"volunteer_phone": "12345"}, "志愿者电话须为 11 位手机号"),
            ({"cadence_days": "0"}, "走访周期(天)须在 1 到 365 之间。"),
            ({"cadence_days": "abc"}, "走访周期(天)须为整数。"),
            ({"started_on": "2026-07-01"}, "结对日期不能晚于今天。"),
            ({"volunteer_name": ""}, "志愿者不能为空。"),
        ]:
            self.assertContains(self.client.post(url, {**base, **extra}), message, status_code=400)
        self.assertFalse(Pairing.objects.filter(person=self.east_child).exists())
        pairing = self.create()
        visit_url = f"/population/pairings/{pairing.pk}/visits/"
        for data, message in [
            ({"visited_on": "2026-06-20", "note": "x"}, "走访日期不能晚于今天。"),
            ({"visited_on": "2026-05-20", "note": "x"}, "走访日期不能早于结对日期。"),
            ({"visited_on": "2026-06-10", "note": ""}, "情况不能为空。"),
        ]:
            self.assertContains(self.client.post(visit_url, data), message, status_code=400)
        self.assertFalse(PairingVisit.objects.exists())
        pairing.refresh_from_db()
        self.assertEqual(pairing.next_due_on, D(2026, 6, 15))

    def test_an_ended_pairing_takes_no_visits(self) -> None:
        pairing = self.create()
        self.client.force_login(self.east_worker)
        r = self.client.post(f"/population/pairings/{pairing.pk}/end/", {"reason": "志愿者调离"})
        self.assertRedirects(r, f"/population/pairings/{pairing.pk}/")
        r = self.client.post(
            f"/population/pairings/{pairing.pk}/visits/", {"visited_on": "2026-06-10", "note": "x"}
        )
        self.assertContains(r, "结对已结束", status_code=400)

    def test_another_villages_pairing_is_404(self) -> None:
        self.client.force_login(self.east_worker)
        pk = self.west_pairing.pk
        for method, url, data in [
            ("get", f"/population/pairings/{pk}/", {}),
            (
                "post",
                f"/population/pairings/{pk}/visits/",
                {"visited_on": "2026-06-10", "note": "x"},
            ),
            ("post", f"/population/pairings/{pk}/end/", {"reason": "x"}),
            ("get", f"/population/pairings/new/?person={self.west_child.pk}", {}),
        ]:
            r = getattr(self.client, method)(url, data)
            self.assertEqual(r.status_code, 404, url)
            self.assertNotContains(r, "李小宝", status_code=404)
            self.assertNotContains(r, "王志愿", status_code=404)
        self.assertNotContains(self.client.get("/population/pairings/"), "李小宝")
        self.west_pairing.refresh_from_db()
        self.assertTrue(self.west_pairing.active)
        self.assertFalse(PairingVisit.objects.exists())

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.town_worker)
        queries = self.queries_of("/population/pairings/")
        for seq in range(40, 70):
            child = make_person(f"儿童{seq}", self.east_village, seq=seq, birth=D(2015, 1, 1))
            self.create(person=child)
        with self.assertNumQueries(queries):
            r = self.client.get("/population/pairings/")
        self.assertContains(r, "第 1 / 2 页")
