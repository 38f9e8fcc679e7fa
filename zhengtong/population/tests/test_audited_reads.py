"""The population doors write one read row per view (a page reaching the same person through
two doors logs it once); another village's worker gets 404, a denied row and no read row."""

import datetime

from zhengtong.audit.models import Event
from zhengtong.people.tests.fixtures import RegistryTestCase
from zhengtong.population.models import FloatingRecord


class PopulationReadAuditTestCase(RegistryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = FloatingRecord.objects.create(
            person=self.west_person,
            direction=FloatingRecord.Direction.IN,
            org_unit=self.west_village,
            place="河南省濮阳市",
            started_on=datetime.date(2025, 3, 1),
            created_by=self.west_worker,
        )

    def reads(self):
        return Event.objects.filter(kind=Event.Kind.READ)

    def test_the_person_page_writes_exactly_one_read_row(self) -> None:
        self.client.force_login(self.west_worker)
        r = self.client.get(f"/population/persons/{self.west_person.pk}/")
        self.assertEqual(r.status_code, 200)
        read = self.reads().get()
        self.assertEqual(read.actor, self.west_worker)
        self.assertEqual(read.target_id, str(self.west_person.pk))
        self.assertEqual(read.org_unit, self.west_village)

    def test_the_floating_record_page_is_one_read_of_its_person(self) -> None:
        self.client.force_login(self.west_worker)
        r = self.client.get(f"/population/floating/{self.record.pk}/")
        self.assertEqual(r.status_code, 200)
        read = self.reads().get()
        self.assertEqual((read.action, read.target_id), ("person_viewed", str(self.west_person.pk)))
        self.assertEqual(read.changes["record"], f"population.floatingrecord:{self.record.pk}")
        self.assertEqual(read.changes["purpose"], "流动人口记录")

    def test_another_villages_worker_gets_404_and_no_read_row(self) -> None:
        self.client.force_login(self.east_worker)
        for url in (
            f"/population/persons/{self.west_person.pk}/",
            f"/population/floating/{self.record.pk}/",
            f"/api/v1/population/persons/{self.west_person.pk}/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(self.reads().exists())
        self.assertEqual(Event.objects.filter(kind=Event.Kind.DENIED).count(), 3)
