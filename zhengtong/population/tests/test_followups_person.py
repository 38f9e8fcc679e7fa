import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengtong.population.actions.followups import followup_plan_create
from zhengtong.population.actions.maternal import pregnancy_register
from zhengtong.population.models import ContraceptionReport, Transfer
from zhengtong.population.views_followups import followup_context

from .test_followups_fixtures import D, FollowupTestCase, at


def render(person, user) -> str:
    context = followup_context(person, user)
    return render_to_string("population/_person_followups.html", {"person": person, **context})


@time_machine.travel(at(2025, 4, 2), tick=False)
class PersonFollowupsFragmentTestCase(FollowupTestCase):
    def setUp(self) -> None:
        super().setUp()
        with time_machine.travel(at(2025, 3, 10), tick=False):
            pregnancy_register(actor=self.east_worker, person=self.east_woman, lmp=D(2025, 1, 1))
            followup_plan_create(
                actor=self.east_worker,
                person=self.east_woman,
                kind="phone",
                interval_days=14,
                purpose="孕期电话随访",
            )
        ContraceptionReport.objects.create(
            person=self.east_woman,
            org_unit=self.east_village,
            period_start=D(2025, 1, 1),
            period_end=D(2025, 3, 31),
        )

    def test_the_fragment_shows_windows_follow_ups_and_reports(self) -> None:
        html = render(self.east_woman, self.east_worker)
        self.assertIn("2025-01-01 ~ 2025-04-01", html)
        self.assertIn("已超期", html)
        self.assertIn("2025-04-23 ~ 2025-05-27", html)
        self.assertIn("孕期电话随访", html)
        self.assertIn("2025-03-24", html)
        self.assertIn("超期未寄回", html)
        self.assertIn("新建随访计划", html)

    def test_the_context_costs_a_fixed_number_of_queries(self) -> None:
        followup_context(self.east_woman, self.east_worker)
        with CaptureQueriesContext(connection) as one:
            followup_context(self.east_woman, self.east_worker)
        for _ in range(3):
            followup_plan_create(
                actor=self.east_worker,
                person=self.east_woman,
                kind="home",
                interval_days=30,
                purpose="上门",
            )
        with CaptureQueriesContext(connection) as many:
            followup_context(self.east_woman, self.east_worker)
        self.assertEqual(len(many), len(one))

    def test_an_old_owner_sees_what_was_recorded_before_the_transfer_read_only(self) -> None:
        Transfer.objects.create(
            person=self.east_woman,
            from_unit=self.east_village,
            to_unit=self.west_village,
            reason="迁居",
            transferred_at=timezone.now(),
            transferred_by=self.town_worker,
        )
        self.east_woman.org_unit = self.west_village
        self.east_woman.save()
        with time_machine.travel(at(2025, 4, 3), tick=False):
            followup_plan_create(
                actor=self.west_worker,
                person=self.east_woman,
                kind="home",
                interval_days=30,
                purpose="新属地上门随访",
            )
            html = render(self.east_woman, self.east_worker)
        self.assertIn("孕期电话随访", html)
        self.assertNotIn("新属地上门随访", html)
        self.assertNotIn("新建随访计划", html)
