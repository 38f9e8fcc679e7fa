import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from zhengtong.audit.models import Event
from zhengtong.population.actions.maternal import (
    high_risk_referral,
    maternal_visit_complete,
    pregnancy_record_delivery,
    pregnancy_register,
)
from zhengtong.population.models import MaternalVisit, Pregnancy

from .test_followups_fixtures import D, FollowupTestCase, at, make_person

GOLDEN = [
    ("first", D(2025, 1, 1), D(2025, 4, 1)),
    ("anc_16_20", D(2025, 4, 23), D(2025, 5, 27)),
    ("anc_21_24", D(2025, 5, 28), D(2025, 6, 24)),
    ("anc_28_36", D(2025, 7, 16), D(2025, 9, 16)),
    ("anc_37_40", D(2025, 9, 17), D(2025, 10, 14)),
]


def windows(pregnancy):
    return list(
        pregnancy.visits.order_by("window_start").values_list("kind", "window_start", "window_end")
    )


@time_machine.travel(at(2025, 3, 10), tick=False)
class PregnancyRegisterPageTestCase(FollowupTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = f"/population/persons/{self.east_woman.pk}/pregnancies/new/"

    def test_registering_from_the_lmp_generates_the_national_windows(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(self.url, {"lmp": "2025-01-01"})
        pregnancy = Pregnancy.objects.get(person=self.east_woman)
        self.assertRedirects(r, f"/population/pregnancies/{pregnancy.pk}/")
        self.assertEqual(pregnancy.edd, D(2025, 10, 8))
        self.assertEqual(pregnancy.org_unit, self.east_village)
        self.assertEqual(windows(pregnancy), GOLDEN)
        event = Event.objects.get(action="pregnancy_registered")
        self.assertEqual(event.actor, self.east_worker)
        self.assertEqual(event.changes["edd"], [None, "2025-10-08"])

    def test_an_lmp_in_the_future_is_refused_with_a_message_and_nothing_saved(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(self.url, {"lmp": "2025-03-11"})
        self.assertContains(r, "末次月经日期不能晚于今天", status_code=200)
        self.assertFalse(Pregnancy.objects.exists())

    def test_an_lmp_more_than_44_weeks_ago_is_refused(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(self.url, {"lmp": "2024-05-01"})
        self.assertContains(r, "44 周")
        self.assertFalse(Pregnancy.objects.exists())

    def test_a_worker_of_another_village_gets_404_and_the_attempt_is_audited(self) -> None:
        self.client.force_login(self.west_worker)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        r = self.client.post(self.url, {"lmp": "2025-01-01"})
        self.assertEqual(r.status_code, 404)
        self.assertNotIn("张丽", r.content.decode())
        self.assertFalse(Pregnancy.objects.exists())
        self.assertEqual(self.denied_events(self.west_worker), 2)

    def test_the_township_office_registers_for_any_of_its_villages(self) -> None:
        self.client.force_login(self.town_worker)
        self.client.post(self.url, {"lmp": "2025-01-01"})
        self.assertEqual(Pregnancy.objects.get().created_by, self.town_worker)


@time_machine.travel(at(2025, 3, 10), tick=False)
class PregnancyRegisterActionTestCase(FollowupTestCase):
    def test_a_man_cannot_have_a_pregnancy_registered(self) -> None:
        man = make_person("王强", self.east_village, seq=3, female=False)
        with self.assertRaises(ValidationError) as cm:
            pregnancy_register(actor=self.east_worker, person=man, lmp=D(2025, 1, 1))
        self.assertIn("女性", cm.exception.message_dict["person"][0])

    def test_a_second_running_pregnancy_is_refused(self) -> None:
        pregnancy_register(actor=self.east_worker, person=self.east_woman, lmp=D(2025, 1, 1))
        with self.assertRaises(ValidationError) as cm:
            pregnancy_register(actor=self.east_worker, person=self.east_woman, lmp=D(2025, 2, 1))
        self.assertIn("请勿重复登记", cm.exception.message_dict["lmp"][0])
        self.assertEqual(Pregnancy.objects.count(), 1)

    def test_the_action_itself_refuses_a_worker_of_another_village(self) -> None:
        with self.assertRaises(PermissionDenied):
            pregnancy_register(actor=self.west_worker, person=self.east_woman, lmp=D(2025, 1, 1))


class PregnancyPageTestCase(FollowupTestCase):
    def setUp(self) -> None:
        super().setUp()
        with time_machine.travel(at(2025, 3, 10), tick=False):
            self.pregnancy = pregnancy_register(
                actor=self.east_worker, person=self.east_woman, lmp=D(2025, 1, 1)
            )
        self.url = f"/population/pregnancies/{self.pregnancy.pk}/"

    @time_machine.travel(at(2025, 4, 2), tick=False)
    def test_the_page_shows_the_windows_with_a_missed_first_visit_in_red(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(self.url)
        self.assertContains(r, "2025-01-01 ~ 2025-04-01")
        self.assertContains(r, "2025-09-17 ~ 2025-10-14")
        self.assertContains(r, "已超期")
        self.assertEqual(
            Event.objects.filter(action="person_viewed", target_id=str(self.east_woman.pk)).count(),
            1,
        )

    @time_machine.travel(at(2025, 10, 12), tick=False)
    def test_recording_delivery_adds_the_postpartum_visit_and_the_42_day_check(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            self.url + "delivery/", {"delivered_on": "2025-10-08", "discharged_on": "2025-10-10"}
        )
        self.assertRedirects(r, self.url)
        added = dict(
            (kind, (start, end))
            for kind, start, end in windows(self.pregnancy)
            if kind in ("postpartum", "day42")
        )
        self.assertEqual(added["postpartum"], (D(2025, 10, 10), D(2025, 10, 17)))
        self.assertEqual(added["day42"], (D(2025, 11, 19), D(2025, 11, 26)))
        self.assertEqual(Event.objects.filter(action="pregnancy_delivery_recorded").count(), 1)

    @time_machine.travel(at(2025, 10, 12), tick=False)
    def test_a_discharge_before_the_delivery_is_refused_and_nothing_changes(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            self.url + "delivery/", {"delivered_on": "2025-10-08", "discharged_on": "2025-10-07"}
        )
        self.assertContains(r, "出院日期不能早于分娩日期", status_code=400)
        self.pregnancy.refresh_from_db()
        self.assertIsNone(self.pregnancy.delivered_on)
        self.assertEqual(self.pregnancy.visits.count(), 5)

    @time_machine.travel(at(2025, 10, 12), tick=False)
    def test_a_delivery_before_the_lmp_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as cm:
            pregnancy_record_delivery(
                actor=self.east_worker,
                pregnancy=self.pregnancy,
                delivered_on=D(2024, 12, 1),
                discharged_on=D(2024, 12, 3),
            )
        self.assertIn("末次月经", cm.exception.message_dict["delivered_on"][0])

    @time_machine.travel(at(2025, 10, 12), tick=False)
    def test_a_delivery_is_recorded_once(self) -> None:
        kwargs = {"delivered_on": D(2025, 10, 8), "discharged_on": D(2025, 10, 10)}
        pregnancy_record_delivery(actor=self.east_worker, pregnancy=self.pregnancy, **kwargs)
        with self.assertRaises(ValidationError):
            pregnancy_record_delivery(actor=self.east_worker, pregnancy=self.pregnancy, **kwargs)
        self.assertEqual(self.pregnancy.visits.count(), 7)

    @time_machine.travel(at(2025, 6, 3), tick=False)
    def test_a_high_risk_referral_opens_a_follow_up_due_within_14_days(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            self.url + "referral/", {"referred_on": "2025-06-03", "note": "血压高"}
        )
        self.assertRedirects(r, self.url)
        visit = self.pregnancy.visits.get(kind=MaternalVisit.Kind.REFERRAL)
        self.assertEqual((visit.window_start, visit.window_end), (D(2025, 6, 3), D(2025, 6, 17)))
        self.pregnancy.refresh_from_db()
        self.assertTrue(self.pregnancy.high_risk)

    @time_machine.travel(at(2025, 6, 20), tick=False)
    def test_a_late_referral_follow_up_is_flagged(self) -> None:
        with time_machine.travel(at(2025, 6, 3), tick=False):
            high_risk_referral(
                actor=self.east_worker, pregnancy=self.pregnancy, referred_on=D(2025, 6, 3)
            )
        self.client.force_login(self.east_worker)
        r = self.client.get(self.url)
        self.assertContains(r, "高危转诊随访")
        self.assertContains(r, "2025-06-03 ~ 2025-06-17")
        self.assertContains(r, "已超期")

    @time_machine.travel(at(2025, 3, 20), tick=False)
    def test_recording_a_visit_done_marks_its_window(self) -> None:
        first = self.pregnancy.visits.get(kind="first")
        self.client.force_login(self.east_worker)
        r = self.client.post(
            self.url + "visit-done/",
            {"visit": first.pk, "done_on": "2025-03-18", "note": "建册,血压正常"},
        )
        self.assertRedirects(r, self.url)
        first.refresh_from_db()
        self.assertEqual((first.done_on, first.done_by), (D(2025, 3, 18), self.east_worker))

    @time_machine.travel(at(2025, 3, 20), tick=False)
    def test_a_visit_done_needs_a_note(self) -> None:
        first = self.pregnancy.visits.get(kind="first")
        with self.assertRaises(ValidationError) as cm:
            maternal_visit_complete(
                actor=self.east_worker, visit=first, done_on=D(2025, 3, 18), note=" "
            )
        self.assertIn("随访情况", cm.exception.message_dict["note"][0])

    @time_machine.travel(at(2025, 10, 12), tick=False)
    def test_another_village_gets_404_on_every_pregnancy_page_and_nothing_changes(self) -> None:
        self.client.force_login(self.west_worker)
        first = self.pregnancy.visits.get(kind="first")
        posts = {
            "delivery/": {"delivered_on": "2025-10-08", "discharged_on": "2025-10-10"},
            "referral/": {"referred_on": "2025-10-10"},
            "visit-done/": {"visit": first.pk, "done_on": "2025-03-18", "note": "x"},
        }
        self.assertEqual(self.client.get(self.url).status_code, 404)
        for suffix, data in posts.items():
            with self.subTest(suffix=suffix):
                self.assertEqual(self.client.post(self.url + suffix, data).status_code, 404)
        self.assertEqual(self.pregnancy.visits.count(), 5)
        self.assertEqual(self.denied_events(self.west_worker), 4)
        missing = self.client.get("/population/pregnancies/999999/")
        self.assertEqual(missing.content, self.client.get(self.url).content)

    def test_other_roles_get_404_and_anonymous_users_the_login_page(self) -> None:
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)
