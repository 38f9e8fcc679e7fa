"""Registering residents: one record per ID number, derived sex and birth date, merges."""

import datetime

from django.core.exceptions import ValidationError

from zhengtong.audit.models import Event
from zhengtong.lib.encrypted import match
from zhengtong.people.actions import DuplicatePerson, person_register, persons_merge
from zhengtong.people.models import Household, HouseholdMember, Person
from zhengtong.population.models import FloatingRecord
from zhengtong.test import make_id_number

from .fixtures import RegistryTestCase, make_person

BIRTH = datetime.date(1992, 4, 5)


class PersonRegisterTestCase(RegistryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.number = make_id_number(BIRTH, female=False, seq=31)

    def form(self, **extra) -> dict:
        data = {
            "id_number": self.number,
            "name": "张建国",
            "phone": "13800001111",
            "org_unit": self.east_village.pk,
            "hukou_type": "local",
            "hukou_address": "东阿县刘集镇东村",
            "current_address": "东村 8 号",
            "marital_status": "married",
        }
        data.update(extra)
        return data

    def test_the_page_registers_a_person_with_sex_and_birth_date_from_the_number(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post("/population/persons/new/", self.form())
        person = match(Person.objects.all(), "id_number", self.number).get()
        self.assertRedirects(r, f"/population/persons/{person.pk}/")
        self.assertEqual(person.birth_date, BIRTH)
        self.assertEqual(person.sex, Person.Sex.MALE)
        self.assertEqual(person.org_unit, self.east_village)
        event = Event.objects.get(action="person_registered")
        self.assertEqual(event.actor, self.east_worker)
        self.assertNotIn(self.number, str(event.changes))  # masked in the audit row

    def test_a_duplicate_number_is_refused_with_a_link_to_the_existing_record(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            "/population/persons/new/", self.form(id_number=self.east_person.id_number)
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "该身份证号码已登记")
        self.assertContains(r, f'href="/population/persons/{self.east_person.pk}/"')
        self.assertEqual(
            match(Person.objects.all(), "id_number", self.east_person.id_number).count(), 1
        )

    def test_a_duplicate_in_another_village_is_refused_without_naming_that_person(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            "/population/persons/new/", self.form(id_number=self.west_person.id_number)
        )
        self.assertContains(r, "该身份证号码已登记")
        self.assertNotContains(r, self.west_person.name)
        self.assertNotContains(r, f"/population/persons/{self.west_person.pk}/")

    def test_the_action_refuses_a_duplicate_and_carries_the_existing_record(self) -> None:
        with self.assertRaises(DuplicatePerson) as ctx:
            person_register(
                actor=self.east_worker,
                id_number=self.east_person.id_number.lower(),
                name="别人",
                org_unit=self.east_village,
            )
        self.assertEqual(ctx.exception.existing, self.east_person)
        self.assertIn("id_number", ctx.exception.message_dict)

    def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(self) -> None:
        good = self.number
        bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
        self.client.force_login(self.east_worker)
        for data, field, text in (
            (self.form(id_number=bad_check), "id_number", "校验位"),
            (self.form(id_number="371524199202300011"), "id_number", "出生日期"),
            (self.form(name=""), "name", "必填"),
            (self.form(phone="1380000abcd"), "phone", "数字"),
        ):
            with self.subTest(field=field, text=text):
                r = self.client.post("/population/persons/new/", data)
                self.assertEqual(r.status_code, 200)
                self.assertIn(field, r.context["form"].errors)
                self.assertIn(text, "".join(r.context["form"].errors[field]))
        self.assertFalse(Person.objects.filter(name="张建国").exists())

    def test_a_worker_cannot_register_into_another_village(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            person_register(
                actor=self.east_worker,
                id_number=self.number,
                name="张建国",
                org_unit=self.west_village,
            )
        self.assertIn("org_unit", ctx.exception.message_dict)
        self.assertFalse(match(Person.objects.all(), "id_number", self.number).exists())

    def test_the_edit_page_changes_fields_but_never_the_number(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"/population/persons/{self.east_person.pk}/edit/"
        data = self.form(name="王秀英", phone="13905359999")
        del data["id_number"]
        r = self.client.post(url, {**data, "id_number": self.number})
        self.assertRedirects(r, f"/population/persons/{self.east_person.pk}/")
        self.east_person.refresh_from_db()
        self.assertEqual(self.east_person.phone, "13905359999")
        self.assertNotEqual(self.east_person.id_number, self.number)
        self.assertTrue(Event.objects.filter(action="person_updated").exists())


class PersonsMergeTestCase(RegistryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.duplicate = make_person(
            "王秀英",
            org_unit=self.east_village,
            birth=datetime.date(1990, 3, 8),
            female=True,
            seq=13,
        )
        self.record = FloatingRecord.objects.create(
            person=self.duplicate,
            direction=FloatingRecord.Direction.OUT,
            org_unit=self.east_village,
            place="济南市历下区",
            started_on=datetime.date(2025, 2, 1),
            created_by=self.east_worker,
        )
        household = Household.objects.create(org_unit=self.east_village, address="东村 1 号")
        HouseholdMember.objects.create(
            household=household, person=self.duplicate, relation=HouseholdMember.Relation.HEAD
        )

    def test_an_authorised_user_merges_with_an_audited_reason(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            f"/population/persons/{self.east_person.pk}/merge/",
            {"duplicate_id_number": self.duplicate.id_number, "reason": "同一人登记两次,号码录错"},
        )
        self.assertRedirects(r, f"/population/persons/{self.east_person.pk}/")
        self.duplicate.refresh_from_db()
        self.assertEqual(self.duplicate.merged_into, self.east_person)
        self.record.refresh_from_db()
        self.assertEqual(self.record.person, self.east_person)  # rows moved
        self.assertEqual(self.east_person.membership.household.address, "东村 1 号")
        event = Event.objects.get(action="persons_merged")
        self.assertEqual(event.reason, "同一人登记两次,号码录错")
        self.assertEqual(event.actor, self.east_worker)
        self.assertEqual(event.changes["moved"]["population.floatingrecord"], 1)

    def test_the_duplicate_is_hidden_from_lists_and_its_page(self) -> None:
        persons_merge(
            actor=self.east_worker, keep=self.east_person, duplicate=self.duplicate, reason="重复"
        )
        self.client.force_login(self.east_worker)
        r = self.client.get("/population/")
        self.assertContains(r, self.east_person.masked_id)
        self.assertNotContains(r, self.duplicate.masked_id)
        r = self.client.get(f"/population/persons/{self.duplicate.pk}/")
        self.assertEqual(r.status_code, 404)

    def test_a_merge_without_a_reason_is_refused_and_nothing_moves(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            f"/population/persons/{self.east_person.pk}/merge/",
            {"duplicate_id_number": self.duplicate.id_number, "reason": " "},
        )
        self.assertEqual(r.status_code, 200)
        self.assertIn("reason", r.context["form"].errors)
        self.duplicate.refresh_from_db()
        self.assertIsNone(self.duplicate.merged_into)
        self.record.refresh_from_db()
        self.assertEqual(self.record.person, self.duplicate)
        self.assertFalse(Event.objects.filter(action="persons_merged").exists())

    def test_a_village_worker_cannot_merge_a_record_of_another_village(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            persons_merge(
                actor=self.east_worker,
                keep=self.east_person,
                duplicate=self.west_person,
                reason="重复",
            )
        self.assertIn("duplicate", ctx.exception.message_dict)
        self.west_person.refresh_from_db()
        self.assertIsNone(self.west_person.merged_into)

    def test_the_page_does_not_find_a_duplicate_outside_the_area(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(
            f"/population/persons/{self.east_person.pk}/merge/",
            {"duplicate_id_number": self.west_person.id_number, "reason": "重复"},
        )
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, self.west_person.name)
        self.west_person.refresh_from_db()
        self.assertIsNone(self.west_person.merged_into)

    def test_the_township_merges_across_its_villages(self) -> None:
        persons_merge(
            actor=self.town_worker, keep=self.east_person, duplicate=self.west_person, reason="重复"
        )
        self.west_person.refresh_from_db()
        self.assertEqual(self.west_person.merged_into, self.east_person)
        # The kept record already had no household; the duplicate's membership moved to it.
        self.assertEqual(self.east_person.membership.household, self.west_household)
