import time_machine
from django.core.exceptions import ValidationError

from zhengtong.audit.models import Event
from zhengtong.population.actions.followups import (
    followup_complete,
    followup_plan_create,
    followup_skip,
)
from zhengtong.population.models import FollowUp, FollowUpPlan

from .test_followups_fixtures import D, FollowupTestCase, at


@time_machine.travel(at(2026, 3, 2), tick=False)
class FollowUpPlanCreateTestCase(FollowupTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = f"/population/persons/{self.east_woman.pk}/followups/new/"

    def test_a_new_plan_schedules_the_first_follow_up_at_start_plus_interval(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            self.url, {"kind": "phone", "interval_days": "90", "purpose": "流出人员季度电话随访"}
        )
        followup = FollowUp.objects.get()
        self.assertRedirects(r, f"/population/followups/{followup.pk}/")
        self.assertEqual(followup.due_on, D(2026, 5, 31))
        self.assertEqual(followup.status, FollowUp.Status.SCHEDULED)
        self.assertEqual(followup.plan.owner, self.east_worker)
        self.assertEqual(followup.plan.org_unit, self.east_village)
        self.assertEqual(Event.objects.filter(action="followup_plan_created").count(), 1)

    def test_a_given_first_date_is_used_for_the_first_follow_up(self) -> None:
        self.client.force_login(self.east_worker)
        self.client.post(
            self.url,
            {
                "kind": "home",
                "interval_days": "30",
                "purpose": "产后上门",
                "first_due_on": "2026-03-05",
            },
        )
        self.assertEqual(FollowUp.objects.get().due_on, D(2026, 3, 5))

    def test_a_plan_without_purpose_or_with_a_past_first_date_is_refused(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            self.url,
            {"kind": "phone", "interval_days": "90", "purpose": " ", "first_due_on": "2026-03-01"},
        )
        self.assertContains(r, "首次随访日期不能早于今天")
        self.assertFalse(FollowUpPlan.objects.exists())

    def test_the_owner_must_work_in_the_persons_village(self) -> None:
        with self.assertRaises(ValidationError) as cm:
            followup_plan_create(
                actor=self.east_worker,
                person=self.east_woman,
                kind="phone",
                interval_days=90,
                purpose="电话随访",
                owner=self.west_worker,
            )
        self.assertIn("责任人", cm.exception.message_dict["owner"][0])

    def test_a_worker_of_another_village_gets_404_and_is_audited(self) -> None:
        self.client.force_login(self.west_worker)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        r = self.client.post(self.url, {"kind": "phone", "interval_days": "90", "purpose": "x"})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(FollowUpPlan.objects.exists())
        self.assertEqual(self.denied_events(self.west_worker), 2)


class FollowUpCompleteTestCase(FollowupTestCase):
    def setUp(self) -> None:
        super().setUp()
        with time_machine.travel(at(2026, 1, 5), tick=False):
            self.plan = followup_plan_create(
                actor=self.east_worker,
                person=self.east_woman,
                kind="phone",
                interval_days=90,
                purpose="流出人员季度电话随访",
            )
        self.followup = self.plan.followups.get()
        self.url = f"/population/followups/{self.followup.pk}/"

    @time_machine.travel(at(2026, 4, 10), tick=False)
    def test_completing_on_day_d_schedules_the_next_at_d_plus_interval(self) -> None:
        self.assertEqual(self.followup.due_on, D(2026, 4, 5))
        self.client.force_login(self.east_worker)
        r = self.client.post(
            self.url + "complete/", {"done_on": "2026-04-08", "outcome": "在东莞务工,情况正常"}
        )
        following = self.plan.followups.get(status=FollowUp.Status.SCHEDULED)
        self.assertRedirects(r, f"/population/followups/{following.pk}/")
        self.assertEqual(following.due_on, D(2026, 7, 7))
        self.followup.refresh_from_db()
        self.assertEqual(self.followup.status, FollowUp.Status.DONE)
        self.assertEqual(self.followup.done_on, D(2026, 4, 8))
        event = Event.objects.get(action="followup_done")
        self.assertEqual(event.changes["next_due_on"], [None, "2026-07-07"])
        self.assertEqual(event.changes["late"], [None, True])

    @time_machine.travel(at(2026, 4, 6), tick=False)
    def test_a_scheduled_follow_up_past_its_due_date_shows_as_overdue(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(self.url)
        self.assertContains(r, "已超期")
        self.assertContains(r, "text-bg-danger")
        self.assertEqual(
            Event.objects.filter(action="person_viewed", actor=self.east_worker).count(), 1
        )

    @time_machine.travel(at(2026, 4, 5), tick=False)
    def test_on_its_due_day_a_follow_up_is_not_overdue(self) -> None:
        self.client.force_login(self.east_worker)
        self.assertNotContains(self.client.get(self.url), "已超期")

    @time_machine.travel(at(2026, 4, 10), tick=False)
    def test_a_follow_up_dated_in_the_future_or_without_outcome_is_refused(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(self.url + "complete/", {"done_on": "2026-04-11", "outcome": ""})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.plan.followups.count(), 1)
        with self.assertRaises(ValidationError) as cm:
            followup_complete(
                actor=self.east_worker, followup=self.followup, done_on=D(2026, 4, 11), outcome=""
            )
        self.assertIn("随访日期不能晚于今天", cm.exception.message_dict["done_on"][0])
        self.assertIn("随访情况", cm.exception.message_dict["outcome"][0])

    @time_machine.travel(at(2026, 4, 10), tick=False)
    def test_a_done_follow_up_cannot_be_completed_twice(self) -> None:
        followup_complete(
            actor=self.east_worker, followup=self.followup, done_on=D(2026, 4, 9), outcome="好"
        )
        with self.assertRaises(ValidationError):
            followup_complete(
                actor=self.east_worker, followup=self.followup, done_on=D(2026, 4, 9), outcome="好"
            )
        self.assertEqual(self.plan.followups.count(), 2)

    @time_machine.travel(at(2026, 4, 10), tick=False)
    def test_skipping_needs_a_reason_and_schedules_the_next_from_today(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(self.url + "skip/", {"skip_reason": ""})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "跳过原因", status_code=400)
        self.followup.refresh_from_db()
        self.assertEqual(self.followup.status, FollowUp.Status.SCHEDULED)
        with self.assertRaises(ValidationError) as cm:
            followup_skip(actor=self.east_worker, followup=self.followup, reason="  ")
        self.assertIn("原因", cm.exception.message_dict["skip_reason"][0])
        self.client.post(self.url + "skip/", {"skip_reason": "住院中,联系不上"})
        self.followup.refresh_from_db()
        self.assertEqual(self.followup.status, FollowUp.Status.SKIPPED)
        self.assertEqual(self.followup.skip_reason, "住院中,联系不上")
        following = self.plan.followups.get(status=FollowUp.Status.SCHEDULED)
        self.assertEqual(following.due_on, D(2026, 7, 9))

    @time_machine.travel(at(2026, 4, 10), tick=False)
    def test_stopping_the_plan_skips_the_open_follow_up_and_schedules_none(self) -> None:
        self.client.force_login(self.east_worker)
        self.client.post(self.url + "stop-plan/", {"reason": "已返乡"})
        self.plan.refresh_from_db()
        self.assertFalse(self.plan.active)
        self.assertFalse(self.plan.followups.filter(status=FollowUp.Status.SCHEDULED).exists())

    @time_machine.travel(at(2026, 4, 10), tick=False)
    def test_another_village_gets_404_on_every_follow_up_page_and_nothing_changes(self) -> None:
        self.client.force_login(self.west_worker)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        posts = {
            "complete/": {"done_on": "2026-04-08", "outcome": "x"},
            "skip/": {"skip_reason": "x"},
            "stop-plan/": {"reason": "x"},
        }
        for suffix, data in posts.items():
            with self.subTest(suffix=suffix):
                self.assertEqual(self.client.post(self.url + suffix, data).status_code, 404)
        self.followup.refresh_from_db()
        self.assertEqual(self.followup.status, FollowUp.Status.SCHEDULED)
        self.assertTrue(FollowUpPlan.objects.get().active)
        self.assertEqual(self.denied_events(self.west_worker), 4)
        self.assertEqual(
            self.client.get(self.url).content,
            self.client.get("/population/followups/999999/").content,
        )

    @time_machine.travel(at(2026, 4, 10), tick=False)
    def test_the_township_office_may_complete_a_village_follow_up(self) -> None:
        self.client.force_login(self.town_worker)
        self.client.post(self.url + "complete/", {"done_on": "2026-04-10", "outcome": "正常"})
        self.followup.refresh_from_db()
        self.assertEqual(self.followup.done_by, self.town_worker)
