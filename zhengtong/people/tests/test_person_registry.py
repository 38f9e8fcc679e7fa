"""One person per ID number, whichever module meets them first."""

import datetime

from django.core.exceptions import ValidationError

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.lib.encrypted import match
from zhengtong.people.actions import person_get_or_register
from zhengtong.people.models import Person
from zhengtong.test import BaseTestCase, make_id_number, make_user

BIRTH = datetime.date(1988, 7, 5)


def make_id() -> str:
    """王秀英's number: born 1988-07-05, a woman."""
    return make_id_number(BIRTH, female=True, seq=11)


class PersonRegistryTestCase(BaseTestCase):
    def test_a_new_person_gets_sex_and_birth_date_from_the_number(self) -> None:
        person = person_get_or_register(
            actor=self.clerk, id_number=make_id(), name="王秀英", phone="13905351111"
        )
        self.assertEqual(person.birth_date, datetime.date(1988, 7, 5))
        self.assertEqual(person.sex, Person.Sex.FEMALE)  # an even 17th digit is a woman
        self.assertEqual(Event.objects.filter(action="person_registered").count(), 1)

    def test_a_lowercase_x_is_normalised(self) -> None:
        candidates = (
            make_id_number(BIRTH, female=female, seq=seq)
            for seq in range(1, 500)
            for female in (False, True)
        )
        number = next(n for n in candidates if n[-1] == "X")
        person = person_get_or_register(actor=self.clerk, id_number=number.lower(), name="李娜")
        self.assertEqual(person.id_number, number)

    def test_the_same_number_returns_the_same_person_without_a_second_event(self) -> None:
        first = person_get_or_register(actor=self.clerk, id_number=make_id(), name="王秀英")
        second = person_get_or_register(actor=self.clerk, id_number=make_id(), name="王秀英")
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(Event.objects.filter(action="person_registered").count(), 1)

    def test_a_different_name_for_a_known_number_is_refused(self) -> None:
        person_get_or_register(actor=self.clerk, id_number=make_id(), name="王秀英")
        with self.assertRaises(ValidationError) as ctx:
            person_get_or_register(actor=self.clerk, id_number=make_id(), name="王秀兰")
        self.assertIn("name", ctx.exception.message_dict)
        self.assertEqual(Person.objects.get().name, "王秀英")

    def test_bad_numbers_are_refused_naming_the_field_and_nothing_is_saved(self) -> None:
        good = make_id()
        bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
        for number, text in (
            ("37152419880705", "18 位"),
            (bad_check, "校验位"),
            ("371524198802300210", "出生日期"),
            ("37152419880705A21X", "数字"),
        ):
            with self.subTest(number=number), self.assertRaises(ValidationError) as ctx:
                person_get_or_register(actor=self.clerk, id_number=number, name="王秀英")
            self.assertIn(text, ctx.exception.message_dict["id_number"][0])
        self.assertFalse(Person.objects.exists())
        self.assertFalse(Event.objects.filter(action="person_registered").exists())

    def test_an_empty_name_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            person_get_or_register(actor=self.clerk, id_number=make_id(), name="  ")
        self.assertIn("name", ctx.exception.message_dict)


class PersonAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.person = person_get_or_register(
            actor=self.clerk, id_number=make_id(), name="王秀英", org_unit=self.east_village
        )

    def test_a_village_worker_sees_the_person_with_a_masked_number(self) -> None:
        self.outsider.is_staff = True
        self.outsider.is_superuser = True
        self.outsider.save()
        self.client.force_login(self.outsider)
        r = self.client.get("/admin/people/person/")
        self.assertContains(r, "王秀英")
        self.assertContains(r, self.person.masked_id)
        self.assertNotContains(r, self.person.id_number)

    def test_a_system_administrator_without_a_resident_role_sees_no_one(self) -> None:
        self.client.force_login(self.admin)
        r = self.client.get("/admin/people/person/")
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "王秀英")

    def test_a_person_added_in_the_admin_gets_sex_and_birth_date_from_the_number(self) -> None:
        clerk = make_user(
            "hall", memberships=[(Role.WINDOW_CLERK, self.town)], is_staff=True, is_superuser=True
        )
        self.client.force_login(clerk)
        number = make_id_number(datetime.date(1992, 1, 1), female=False, seq=17)
        r = self.client.post(
            "/admin/people/person/add/",
            {"id_number": number, "name": "赵敏", "org_unit": self.town.pk, "marital_status": ""},
        )
        self.assertEqual(r.status_code, 302)
        person = match(Person.objects.all(), "id_number", number).get()
        self.assertEqual((person.birth_date, person.sex), (datetime.date(1992, 1, 1), "M"))
        self.assertTrue(Event.objects.filter(action="admin_add", target_id=str(person.pk)).exists())

    def test_a_bad_number_in_the_admin_is_refused_on_the_field(self) -> None:
        clerk = make_user(
            "hall", memberships=[(Role.WINDOW_CLERK, self.town)], is_staff=True, is_superuser=True
        )
        self.client.force_login(clerk)
        r = self.client.post("/admin/people/person/add/", {"id_number": "123", "name": "赵敏"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "18 位")
        self.assertEqual(Person.objects.count(), 1)
