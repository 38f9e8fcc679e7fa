"""Transfer to another township: the owner changes, history stays, the old owner reads only."""

import datetime

import time_machine
from django.core.exceptions import ValidationError

from zhengtong.audit.models import Event
from zhengtong.people.tests.fixtures import RegistryTestCase
from zhengtong.population.actions.transfers import person_transfer
from zhengtong.population.models import FloatingRecord, HomeVisit, Transfer


def travel(day: datetime.date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC), tick=False
    )


class TransferTestCase(RegistryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.visit = HomeVisit.objects.create(
            person=self.east_person,
            org_unit=self.east_village,
            visited_by=self.east_worker,
            visited_on=datetime.date(2025, 3, 3),
            place="东村 8 号",
            outcome="身体良好,已宣传孕前检查",
        )
        self.open_record = FloatingRecord.objects.create(
            person=self.east_person,
            direction=FloatingRecord.Direction.OUT,
            org_unit=self.east_village,
            place="姜楼镇南村",
            started_on=datetime.date(2025, 3, 1),
            created_by=self.east_worker,
        )
        with travel(datetime.date(2025, 4, 1)):
            self.transfer = person_transfer(
                actor=self.east_worker,
                person=self.east_person,
                to_unit=self.south_village,
                reason="婚后定居姜楼镇南村",
            )

    def test_the_owner_changes_and_open_work_moves_with_the_person(self) -> None:
        self.east_person.refresh_from_db()
        self.assertEqual(self.east_person.org_unit, self.south_village)
        self.open_record.refresh_from_db()
        self.assertEqual(self.open_record.org_unit, self.south_village)
        self.visit.refresh_from_db()
        self.assertEqual(self.visit.org_unit, self.east_village)  # history stays with its source
        self.assertEqual(Transfer.objects.get().from_unit, self.east_village)
        event = Event.objects.get(action="person_transferred")
        self.assertEqual(event.reason, "婚后定居姜楼镇南村")

    def test_the_old_owner_reads_the_history_but_cannot_write(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"/population/persons/{self.east_person.pk}/"
        r = self.client.get(url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "入户走访")
        self.assertContains(r, "只能查阅转出前的记录")
        self.assertNotContains(r, f"{url}edit/")
        for path in ("edit/", "floating/new/", "transfer/", "merge/"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(url + path).status_code, 403)
                self.assertEqual(self.client.post(url + path, {"name": "改名"}).status_code, 403)
        self.east_person.refresh_from_db()
        self.assertEqual(self.east_person.name, "王秀英")
        self.assertTrue(
            Event.objects.filter(action="person_access_denied", actor=self.east_worker).exists()
        )

    def test_the_old_owner_does_not_see_what_the_new_owner_records_later(self) -> None:
        HomeVisit.objects.create(
            person=self.east_person,
            org_unit=self.south_village,
            visited_by=self.other_town_worker,
            visited_on=datetime.date(2025, 5, 5),
            place="南村 2 号",
            outcome="新属地首次走访",
        )
        self.client.force_login(self.east_worker)
        r = self.client.get(f"/population/persons/{self.east_person.pk}/")
        self.assertNotContains(r, "新属地首次走访")
        self.client.force_login(self.other_town_worker)
        r = self.client.get(f"/population/persons/{self.east_person.pk}/")
        self.assertContains(r, "新属地首次走访")

    def test_the_new_owner_writes_and_sees_the_old_history_marked_with_its_source(self) -> None:
        self.client.force_login(self.other_town_worker)
        url = f"/population/persons/{self.east_person.pk}/"
        r = self.client.get(url)
        self.assertContains(r, "来源:刘集镇 东村")
        self.assertContains(r, f"{url}edit/")
        r = self.client.post(
            url + "edit/",
            {
                "name": "王秀英",
                "phone": "13905358888",
                "org_unit": self.south_village.pk,
                "hukou_type": "local",
                "marital_status": "married",
            },
        )
        self.assertRedirects(r, url)
        self.east_person.refresh_from_db()
        self.assertEqual(self.east_person.phone, "13905358888")

    def test_a_third_township_sees_nothing(self) -> None:
        self.client.force_login(self.west_worker)
        r = self.client.get(f"/population/persons/{self.east_person.pk}/")
        self.assertEqual(r.status_code, 404)

    def test_the_old_owner_cannot_transfer_again_and_bad_input_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            person_transfer(
                actor=self.east_worker,
                person=self.east_person,
                to_unit=self.west_village,
                reason="x",
            )
        self.assertIn("person", ctx.exception.message_dict)
        for to_unit, reason, field in (
            (self.south_village, "", "reason"),
            (self.other_town, "同镇内", "to_unit"),
            (self.zone, "错误单位", "to_unit"),
        ):
            with (
                self.subTest(field=field, reason=reason),
                self.assertRaises(ValidationError) as ctx,
            ):
                person_transfer(
                    actor=self.other_town_worker,
                    person=self.east_person,
                    to_unit=to_unit,
                    reason=reason,
                )
            self.assertIn(field, ctx.exception.message_dict)
        self.assertEqual(Transfer.objects.count(), 1)

    def test_the_transfer_page_lists_it_for_both_sides(self) -> None:
        for user in (self.east_worker, self.other_town_worker):
            self.client.force_login(user)
            r = self.client.get("/population/transfers/")
            self.assertContains(r, "婚后定居姜楼镇南村")
            self.assertContains(r, self.east_person.masked_id)
        self.client.force_login(self.west_worker)
        self.assertNotContains(self.client.get("/population/transfers/"), "婚后定居")


class TransferPageTestCase(RegistryTestCase):
    def test_the_owner_transfers_through_the_page(self) -> None:
        self.client.force_login(self.west_worker)
        r = self.client.post(
            f"/population/persons/{self.west_person.pk}/transfer/",
            {"to_unit": self.south_village.pk, "reason": "随子女迁居"},
        )
        self.assertRedirects(r, "/population/transfers/")
        self.west_person.refresh_from_db()
        self.assertEqual(self.west_person.org_unit, self.south_village)
