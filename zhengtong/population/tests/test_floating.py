"""Floating population: 流出/流入 records, the 婚育证明 (Art. 7 fields) and its 30-day rule."""

import datetime

import time_machine
from django.core.exceptions import ValidationError

from zhengtong.audit.models import Event
from zhengtong.people.tests.fixtures import RegistryTestCase, make_person
from zhengtong.population.actions.floating import (
    certificate_due_on,
    certificate_present,
    floating_record_create,
    floating_record_end,
)
from zhengtong.population.models import FloatingRecord, MarriageCertificate

CERT = {
    "name": "王秀英",
    "age": 35,
    "marital_status": "已婚",
    "spouse": "张建国,371524198801010011",
    "fertility": "一孩",
    "contraception": "上环",
}


def travel(day: datetime.date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC), tick=False
    )


class CertificateDueTestCase(RegistryTestCase):
    def test_arrival_on_1_march_is_due_on_31_march(self) -> None:
        self.assertEqual(certificate_due_on(datetime.date(2025, 3, 1)), datetime.date(2025, 3, 31))

    def test_a_last_day_on_a_holiday_rolls_to_the_next_working_day(self) -> None:
        # 2025-09-01 + 30 days = 2025-10-01, National Day: the period ends on 2025-10-09.
        self.assertEqual(certificate_due_on(datetime.date(2025, 9, 1)), datetime.date(2025, 10, 9))


class ArrivalTestCase(RegistryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cert = {**CERT, "id_number": self.east_person.id_number}

    def arrive(self, person=None, **extra):
        with travel(datetime.date(2025, 3, 1)):
            return floating_record_create(
                actor=self.east_worker,
                person=person or self.east_person,
                direction=FloatingRecord.Direction.IN,
                place="河南省濮阳市",
                started_on=datetime.date(2025, 3, 1),
                **extra,
            )

    def test_an_arriving_woman_gets_a_certificate_item_due_in_30_days(self) -> None:
        record = self.arrive()
        certificate = record.certificate
        self.assertEqual(certificate.due_on, datetime.date(2025, 3, 31))
        self.assertIsNone(certificate.presented_on)
        self.assertEqual(certificate.name, "王秀英")
        self.assertEqual(Event.objects.filter(action="floating_record_created").count(), 1)

    def test_the_overdue_list_shows_her_from_1_april_not_before(self) -> None:
        record = self.arrive()
        with travel(datetime.date(2025, 3, 31)):
            self.client.force_login(self.east_worker)
            r = self.client.get("/population/floating/overdue/")
            self.assertNotContains(r, self.east_person.name)
        with travel(datetime.date(2025, 4, 1)):
            self.client.force_login(self.east_worker)
            r = self.client.get("/population/floating/overdue/")
            self.assertContains(r, self.east_person.name)
            self.assertContains(r, self.east_person.masked_id)
            self.assertNotContains(r, self.east_person.id_number)
            self.assertContains(r, f"/population/floating/{record.pk}/")
        # Another village's worker never sees her.
        with travel(datetime.date(2025, 4, 1)):
            self.client.force_login(self.west_worker)
            self.assertNotContains(self.client.get("/population/floating/overdue/"), "王秀英")

    def test_presenting_the_certificate_takes_her_off_the_overdue_list(self) -> None:
        record = self.arrive()
        with travel(datetime.date(2025, 4, 3)):
            certificate_present(
                actor=self.east_worker,
                certificate=record.certificate,
                presented_on=datetime.date(2025, 4, 2),
                **self.cert,
            )
            self.client.force_login(self.east_worker)
            self.assertNotContains(self.client.get("/population/floating/overdue/"), "王秀英")
        self.assertEqual(Event.objects.filter(action="certificate_presented").count(), 1)

    def test_a_certificate_missing_any_of_the_seven_fields_is_refused(self) -> None:
        record = self.arrive()
        for field in [
            "name",
            "age",
            "id_number",
            "marital_status",
            "spouse",
            "fertility",
            "contraception",
        ]:
            with self.subTest(field=field), travel(datetime.date(2025, 3, 20)):
                data = {**self.cert, field: ""}
                with self.assertRaises(ValidationError) as ctx:
                    certificate_present(
                        actor=self.east_worker,
                        certificate=record.certificate,
                        presented_on=datetime.date(2025, 3, 20),
                        **data,
                    )
                self.assertIn(field, ctx.exception.message_dict)
                self.assertIn("婚育证明缺少", ctx.exception.message_dict[field][0])
        record.certificate.refresh_from_db()
        self.assertIsNone(record.certificate.presented_on)
        self.assertFalse(Event.objects.filter(action="certificate_presented").exists())

    def test_the_page_refuses_a_missing_field_and_names_it(self) -> None:
        record = self.arrive()
        self.client.force_login(self.east_worker)
        data = {**self.cert, "cert_id_number": self.cert["id_number"], "presented_on": "2025-03-20"}
        data.pop("id_number")
        data["spouse"] = ""
        with travel(datetime.date(2025, 3, 20)):
            r = self.client.post(f"/population/floating/{record.pk}/certificate/", data)
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "婚育证明缺少「配偶信息」", status_code=400)
        self.assertIsNone(MarriageCertificate.objects.get(record=record).presented_on)

    def test_a_woman_outside_18_to_49_needs_no_certificate(self) -> None:
        older = make_person(
            "刘大娘",
            org_unit=self.east_village,
            birth=datetime.date(1970, 5, 1),
            female=True,
            seq=81,
        )
        record = self.arrive(person=older)
        self.assertFalse(MarriageCertificate.objects.filter(record=record).exists())
        with travel(datetime.date(2025, 5, 1)):
            self.client.force_login(self.east_worker)
            self.assertNotContains(self.client.get("/population/floating/overdue/"), "刘大娘")

    def test_a_man_needs_no_certificate(self) -> None:
        man = make_person(
            "周强",
            org_unit=self.east_village,
            birth=datetime.date(1990, 5, 1),
            female=False,
            seq=82,
        )
        record = self.arrive(person=man)
        self.assertFalse(MarriageCertificate.objects.filter(record=record).exists())

    def test_an_arrival_in_the_future_is_refused(self) -> None:
        with travel(datetime.date(2025, 2, 1)), self.assertRaises(ValidationError) as ctx:
            floating_record_create(
                actor=self.east_worker,
                person=self.east_person,
                direction=FloatingRecord.Direction.IN,
                place="濮阳",
                started_on=datetime.date(2025, 3, 1),
            )
        self.assertIn("started_on", ctx.exception.message_dict)
        self.assertFalse(FloatingRecord.objects.exists())


class DepartureTestCase(RegistryTestCase):
    def form(self, **extra) -> dict:
        data = {
            "direction": "out",
            "place": "浙江省宁波市北仑区",
            "started_on": "2025-02-10",
            "contact_phone": "13905351111",
            "employer": "宁波某电子厂",
            **CERT,
            "cert_id_number": self.east_person.id_number,
            "issued_by": "刘集镇人民政府",
            "issued_on": "2025-02-05",
        }
        data.update(extra)
        return data

    def test_a_departing_woman_is_recorded_with_her_certificate(self) -> None:
        with travel(datetime.date(2025, 2, 12)):
            self.client.force_login(self.east_worker)
            r = self.client.post(
                f"/population/persons/{self.east_person.pk}/floating/new/", self.form()
            )
        record = FloatingRecord.objects.get()
        self.assertRedirects(r, f"/population/floating/{record.pk}/", fetch_redirect_response=False)
        self.assertEqual(record.org_unit, self.east_village)
        self.assertEqual(record.certificate.spouse, CERT["spouse"])
        self.assertEqual(record.certificate.issued_by, "刘集镇人民政府")

    def test_a_departing_woman_without_contraception_status_is_refused(self) -> None:
        self.client.force_login(self.east_worker)
        with travel(datetime.date(2025, 2, 12)):
            r = self.client.post(
                f"/population/persons/{self.east_person.pk}/floating/new/",
                self.form(contraception=""),
            )
        self.assertEqual(r.status_code, 200)
        self.assertIn("contraception", r.context["form"].errors)
        self.assertContains(r, "婚育证明缺少「避孕节育情况」")
        self.assertFalse(FloatingRecord.objects.exists())

    def test_returning_home_ends_the_record(self) -> None:
        with travel(datetime.date(2025, 2, 12)):
            record = floating_record_create(
                actor=self.east_worker,
                person=self.east_person,
                direction="out",
                place="宁波",
                started_on=datetime.date(2025, 2, 10),
                certificate={**CERT, "id_number": self.east_person.id_number},
            )
        with travel(datetime.date(2025, 8, 1)):
            with self.assertRaises(ValidationError) as ctx:
                floating_record_end(
                    actor=self.east_worker, record=record, ended_on=datetime.date(2025, 1, 1)
                )
            self.assertIn("ended_on", ctx.exception.message_dict)
            floating_record_end(
                actor=self.east_worker, record=record, ended_on=datetime.date(2025, 7, 30)
            )
        record.refresh_from_db()
        self.assertEqual(record.ended_on, datetime.date(2025, 7, 30))

    def test_the_list_shows_masked_numbers_in_a_fixed_query_count(self) -> None:
        with travel(datetime.date(2025, 2, 12)):
            self.client.force_login(self.town_worker)
            floating_record_create(
                actor=self.town_worker,
                person=self.west_person,
                direction="in",
                place="濮阳",
                started_on=datetime.date(2025, 2, 10),
            )
            self.client.get("/population/floating/")
            with self.assertNumQueries(6):
                r = self.client.get("/population/floating/")
            self.assertContains(r, self.west_person.masked_id)
            self.assertNotContains(r, self.west_person.id_number)
            for n in range(4):
                p = make_person(
                    f"外来{n}",
                    org_unit=self.west_village,
                    birth=datetime.date(1960, 1, 1),
                    female=False,
                    seq=90 + n,
                )
                floating_record_create(
                    actor=self.town_worker,
                    person=p,
                    direction="in",
                    place="菏泽",
                    started_on=datetime.date(2025, 2, 1),
                )
            with self.assertNumQueries(6):
                self.client.get("/population/floating/")
