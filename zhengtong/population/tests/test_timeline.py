"""The health-record timeline: every encounter in date order, other townships' entries marked."""

import datetime

from zhengtong.people.tests.fixtures import RegistryTestCase
from zhengtong.population import models as m
from zhengtong.population.timeline import person_timeline
from zhengtong.test import AUDIT_ROW_QUERIES


class TimelineTestCase(RegistryTestCase):
    def setUp(self) -> None:
        super().setUp()
        p, v = self.east_person, self.east_village
        m.HomeVisit.objects.create(
            person=p,
            org_unit=v,
            visited_by=self.east_worker,
            visited_on=datetime.date(2025, 5, 2),
            place="东村 8 号",
            outcome="家中走访",
        )
        m.Assistance.objects.create(
            person=p,
            org_unit=v,
            category="money",
            program="计生助福",
            content="慰问金",
            amount=500,
            given_on=datetime.date(2025, 1, 20),
            given_by=self.east_worker,
        )
        plan = m.FollowUpPlan.objects.create(
            person=p,
            org_unit=v,
            kind="phone",
            interval_days=90,
            owner=self.east_worker,
            purpose="季度电话随访",
        )
        m.FollowUp.objects.create(
            plan=plan,
            due_on=datetime.date(2025, 3, 1),
            status="done",
            done_on=datetime.date(2025, 3, 2),
            outcome="已联系,情况正常",
        )
        m.FollowUp.objects.create(plan=plan, due_on=datetime.date(2025, 5, 31))
        # A visit recorded while she stayed in 姜楼镇.
        m.HomeVisit.objects.create(
            person=p,
            org_unit=self.south_village,
            visited_by=self.other_town_worker,
            visited_on=datetime.date(2025, 4, 10),
            place="南村",
            outcome="流入地走访",
        )

    def test_entries_come_in_date_order_with_pending_windows_flagged(self) -> None:
        entries = person_timeline(self.east_person, self.east_worker)
        self.assertEqual(
            [(e.day, e.kind, e.pending) for e in entries],
            [
                (datetime.date(2025, 1, 20), "助福", False),
                (datetime.date(2025, 3, 2), "随访", False),
                (datetime.date(2025, 4, 10), "走访", False),
                (datetime.date(2025, 5, 2), "走访", False),
                (datetime.date(2025, 5, 31), "随访", True),
            ],
        )

    def test_an_entry_from_another_township_names_its_source(self) -> None:
        entries = person_timeline(self.east_person, self.east_worker)
        sources = {e.day: e.source for e in entries}
        self.assertEqual(sources[datetime.date(2025, 4, 10)], "姜楼镇 南村")
        self.assertEqual(sources[datetime.date(2025, 5, 2)], "")

    def test_the_person_page_shows_the_timeline_in_a_fixed_query_count(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"/population/persons/{self.east_person.pk}/"
        self.client.get(url)
        # 28 for the page (one query per timeline source), one audited read row.
        with self.assertNumQueries(28 + AUDIT_ROW_QUERIES):
            r = self.client.get(url)
        self.assertContains(r, "已联系,情况正常")
        self.assertContains(r, "来源:姜楼镇 南村")
        self.assertContains(r, "季度电话随访")
        m.HomeVisit.objects.create(
            person=self.east_person,
            org_unit=self.east_village,
            visited_by=self.east_worker,
            visited_on=datetime.date(2025, 5, 9),
            place="东村",
            outcome="再次走访",
        )
        # 28 for the page (one query per timeline source), one audited read row.
        with self.assertNumQueries(28 + AUDIT_ROW_QUERIES):
            self.client.get(url)
