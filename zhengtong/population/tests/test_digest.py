import datetime

import time_machine

from zhengtong.population import digest
from zhengtong.population.actions import care
from zhengtong.population.models import (
    Campaign,
    FollowUp,
    FollowUpPlan,
    MaternalVisit,
    Pregnancy,
)
from zhengtong.services import reports
from zhengtong.test import make_unit

from .test_visits_fixtures import NOW, CareTestCase, make_person

D = datetime.date


@time_machine.travel(NOW, tick=False)
class DigestSectionTestCase(CareTestCase):
    """Week 2026-W24 runs from Monday 2026-06-08 to Sunday 2026-06-14."""

    def setUp(self) -> None:
        super().setUp()
        digest.register_digest()
        plan = FollowUpPlan.objects.create(
            person=self.east_woman,
            org_unit=self.east_village,
            kind=FollowUpPlan.Kind.PHONE,
            interval_days=90,
            owner=self.east_worker,
            purpose="电话随访",
        )
        done = FollowUp.Status.DONE
        FollowUp.objects.create(
            plan=plan,
            due_on=D(2026, 6, 8),
            status=done,
            done_on=D(2026, 6, 8),
            done_by=self.east_worker,
        )
        FollowUp.objects.create(
            plan=plan,
            due_on=D(2026, 6, 7),
            status=done,
            done_on=D(2026, 6, 7),
            done_by=self.east_worker,
        )
        FollowUp.objects.create(plan=plan, due_on=D(2026, 6, 10))  # scheduled, not done
        pregnancy = Pregnancy.objects.create(
            person=self.west_woman,
            org_unit=self.west_village,
            lmp=D(2026, 1, 5),
            edd=D(2026, 10, 12),
            created_by=self.west_worker,
        )
        MaternalVisit.objects.create(
            pregnancy=pregnancy,
            kind=MaternalVisit.Kind.ANC_21_24,
            window_start=D(2026, 6, 1),
            window_end=D(2026, 6, 28),
            done_on=D(2026, 6, 14),
            done_by=self.west_worker,
        )
        for day in (D(2026, 6, 9), D(2026, 6, 14), D(2026, 6, 15)):
            care.home_visit_record(
                actor=self.east_worker,
                person=self.east_woman,
                visited_on=day,
                place="家",
                outcome="好",
            )
        campaign = care.campaign_create(
            actor=self.town_worker,
            org_unit=self.town,
            kind=Campaign.Kind.REPRODUCTIVE,
            start_on=D(2026, 6, 1),
            end_on=D(2026, 6, 30),
        )
        target = campaign.targets.get(person=self.west_woman)
        care.campaign_record_attendance(
            actor=self.town_worker, target=target, attended_on=D(2026, 6, 12)
        )
        # Another township's visit in the week stays out of 刘集镇's digest.
        other_town = make_unit("顾官屯镇", "GUGUAN", "town", self.county)
        other_village = make_unit("顾村", "GUGUAN-G", "village", other_town)
        from zhengtong.accounts.models import Role
        from zhengtong.test import make_user

        other_worker = make_user(
            "gu_worker", full_name="顾专干", memberships=[(Role.VILLAGE_WORKER, other_village)]
        )
        stranger = make_person("顾某", other_village, seq=40)
        care.home_visit_record(
            actor=other_worker, person=stranger, visited_on=D(2026, 6, 10), place="家", outcome="好"
        )

    def section(self):
        result = reports.weekly_digest(hall=self.town, monday=D(2026, 6, 8))
        return next(s for s in result.sections if s.key == "population_work")

    def test_it_counts_the_weeks_work_per_worker_and_village(self) -> None:
        section = self.section()
        self.assertEqual(section.columns, ["随访", "孕产期随访", "入户走访", "查体到检"])
        by_clerk = {row.label: row.values for row in section.by_clerk}
        self.assertEqual(by_clerk, {"冯专干": [1, 0, 2, 0], "陈专干": [0, 1, 0, 0]})
        by_area = {row.label: row.values for row in section.by_area}
        self.assertEqual(by_area, {"东村": [1, 0, 2, 0], "西村": [0, 1, 0, 1]})
        self.assertEqual(section.totals, [1, 1, 2, 1])

    def test_registering_twice_adds_the_section_once(self) -> None:
        digest.register_digest()
        result = reports.weekly_digest(hall=self.town, monday=D(2026, 6, 8))
        self.assertEqual([s.key for s in result.sections].count("population_work"), 1)

    def test_the_digest_page_shows_the_section(self) -> None:
        from zhengtong.accounts.models import Role
        from zhengtong.test import make_user

        clerk = make_user("hall_clerk", memberships=[(Role.WINDOW_CLERK, self.town)])
        self.client.force_login(clerk)
        r = self.client.get("/services/reports/weekly/?week=2026-W24")
        self.assertContains(r, "随访与走访")
