"""The real columns at rest: no ID number or phone readable in any table, searches that still
find them, the Person ID kept unique, and the key rotation that resumes after an interruption."""

import datetime
import io

from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from zhengtong.audit.models import Event
from zhengtong.lib import encrypted
from zhengtong.lib.datakeys import keys, rotation
from zhengtong.lib.datakeys.models import DataKey
from zhengtong.notify.models import Channel, Message
from zhengtong.people.models import Person
from zhengtong.population.models import FloatingRecord, MarriageCertificate, Pairing
from zhengtong.services.tests.fixtures import PageTestCase, make_person
from zhengtong.test import make_id_number

PHONE = "13905351177"
VOLUNTEER = "13605352288"
APPLICANT_PHONE = "15805353399"
BIRTH = datetime.date(1991, 4, 8)


class EncryptedRowsTestCase(PageTestCase):
    """Adds 王秀英 of 东村 with a phone, her floating record and 婚育证明, a volunteer pairing,
    a case with the applicant phone APPLICANT_PHONE and an SMS to her phone."""

    def setUp(self) -> None:
        super().setUp()
        self.person = make_person(
            "王秀英", self.east_village, phone=PHONE, seq=77, female=True, birth=BIRTH
        )
        self.number = self.person.id_number
        record = FloatingRecord.objects.create(
            person=self.person,
            direction=FloatingRecord.Direction.OUT,
            org_unit=self.east_village,
            place="江苏省苏州市",
            started_on=datetime.date(2026, 3, 1),
            contact_phone=PHONE,
            created_by=self.clerk_a,
        )
        MarriageCertificate.objects.create(
            record=record,
            name="王秀英",
            age=35,
            id_number=self.number,
            marital_status="已婚",
            spouse="李强",
            fertility="一孩",
            contraception="上环",
        )
        Pairing.objects.create(
            person=self.person,
            org_unit=self.east_village,
            volunteer_name="赵志愿",
            volunteer_phone=VOLUNTEER,
            cadence_days=30,
            started_on=datetime.date(2026, 1, 1),
            next_due_on=datetime.date(2026, 2, 1),
        )
        self.case = self.make_case(serial=31)
        self.case.applicant_phone = APPLICANT_PHONE
        self.case.save(update_fields=["applicant_phone"])
        Message.objects.create(
            phone=PHONE,
            channel=Channel.SMS,
            event="case_received",
            text="您的申请已受理。",
            dedupe_key="at-rest-test",
        )

    def cells(self, table: str) -> list:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            return [cell for row in cursor.fetchall() for cell in row]


class AtRestTestCase(EncryptedRowsTestCase):
    def test_no_table_holds_a_readable_id_number_or_phone(self) -> None:
        secrets = [self.number, PHONE, VOLUNTEER, APPLICANT_PHONE, self.case.applicant.id_number]
        tables = {c.model._meta.db_table for c in rotation.encrypted_columns()}
        self.assertEqual(
            tables,
            {
                "people_person",
                "population_floatingrecord",
                "population_marriagecertificate",
                "population_pairing",
                "services_application",
                "services_onlineapplication",
                "notify_message",
            },
        )
        for table in tables:
            for cell in self.cells(table):
                raw = bytes(cell) if isinstance(cell, (bytes, memoryview)) else str(cell).encode()
                for secret in secrets:
                    with self.subTest(table=table, secret=secret[:3]):
                        self.assertNotIn(secret.encode(), raw)
                        # Not the birth date and the order code in the middle of an ID either.
                        self.assertNotIn(secret[3:10].encode(), raw)

    def test_the_list_shows_the_stored_mask(self) -> None:
        self.assertEqual(self.person.masked_id, self.number[:6] + "********" + self.number[-4:])
        loaded = Person.objects.only("name", "id_number_mask", "phone_mask").get(pk=self.person.pk)
        self.assertEqual(
            (loaded.masked_id, loaded.masked_phone), (self.person.masked_id, "139****1177")
        )

    def test_the_case_search_finds_the_applicant_by_the_last_four_digits(self) -> None:
        self.client.force_login(self.clerk_a)
        for q in (APPLICANT_PHONE[-4:], APPLICANT_PHONE[-6:], APPLICANT_PHONE):
            response = self.client.get("/services/", {"q": q})
            shown = [case.receipt_no for case in response.context["page"]]
            self.assertEqual(shown, [self.case.receipt_no], q)
        response = self.client.get("/services/", {"q": "0" + APPLICANT_PHONE[-5:]})
        self.assertEqual(list(response.context["page"]), [])

    def test_a_partial_save_of_a_phone_keeps_its_index_and_mask(self) -> None:
        self.person.phone = "13700001234"
        self.person.save(update_fields=["phone"])
        found = encrypted.match(Person.objects.all(), "phone", "137 0000 1234").get()
        self.assertEqual((found.pk, found.masked_phone), (self.person.pk, "137****1234"))
        self.assertFalse(encrypted.match(Person.objects.all(), "phone", PHONE).exists())

    def test_a_second_person_with_the_same_id_number_is_refused_by_the_database(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Person.objects.create(
                id_number=self.number.lower(), name="王秀", sex="F", birth_date=BIRTH
            )
        self.assertEqual(encrypted.match(Person.objects.all(), "id_number", self.number).count(), 1)

    def test_the_admin_refuses_a_known_id_number_in_chinese(self) -> None:
        self.client.force_login(self.admin)
        number = make_id_number(BIRTH, female=True, seq=77)
        self.assertEqual(number, self.number)
        response = self.client.post(
            "/admin/people/person/add/",
            {"id_number": number, "name": "王秀", "marital_status": "", "hukou_type": "local"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "该身份证号码已登记,不能重复登记。")
        self.assertEqual(Person.objects.count(), 2)  # 王秀英 and the case's applicant

    def test_the_daily_sms_cap_counts_by_the_blind_index(self) -> None:
        from zhengtong.notify.tasks import sent_today

        now = timezone.now()
        Message.objects.filter(dedupe_key="at-rest-test").update(state="sent", sent_at=now)
        self.assertEqual(sent_today("139 0535 1177", now), 1)
        self.assertEqual(sent_today("13900000000", now), 0)


class RotateDataKeyTestCase(EncryptedRowsTestCase):
    def blob_versions(self) -> set[int]:
        versions = set()
        for column in rotation.encrypted_columns():
            table = connection.ops.quote_name(column.model._meta.db_table)
            name = connection.ops.quote_name(column.field.column)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {name} FROM {table} WHERE {name} IS NOT NULL")
                versions |= {int.from_bytes(bytes(v)[:2], "big") for (v,) in cursor.fetchall()}
        return versions

    def test_rotation_re_encrypts_every_column_and_is_audited_once(self) -> None:
        before = self.blob_versions()
        self.assertEqual(len(before), 1)
        old = before.pop()
        out = io.StringIO()
        call_command("rotate_data_key", "--batch-size", "1", stdout=out)
        self.assertEqual(self.blob_versions(), {old + 1})
        self.assertIn(f"新建数据密钥第 {old + 1} 版", out.getvalue())
        self.assertIn("人员·公民身份号码:已重新加密", out.getvalue())
        self.assertEqual(Event.objects.filter(action="data_key_rotated").count(), 1)
        keys.clear_cache()
        person = Person.objects.get(pk=self.person.pk)
        self.assertEqual((person.id_number, person.phone), (self.number, PHONE))
        self.assertEqual(
            encrypted.match(Person.objects.all(), "id_number", self.number).get(), person
        )

    def test_a_rerun_after_an_interruption_finishes_the_same_version(self) -> None:
        old = self.blob_versions().pop()
        version, new = rotation.start()
        self.assertEqual((version, new), (old + 1, True))
        # Killed after the first batch of the first column.
        column = rotation.encrypted_columns()[0]
        next(rotation.reencrypt(column, version, batch_size=1))
        self.assertEqual(self.blob_versions(), {old, old + 1})
        out = io.StringIO()
        call_command("rotate_data_key", stdout=out)
        self.assertIn(f"继续上次未完成的轮换:重新加密到第 {old + 1} 版", out.getvalue())
        self.assertEqual(self.blob_versions(), {old + 1})
        self.assertEqual(
            DataKey.objects.filter(purpose=encrypted.DATA_PURPOSE).order_by("-version")[0].version,
            old + 1,
        )
        keys.clear_cache()
        certificate = MarriageCertificate.objects.get(record__person=self.person)
        self.assertEqual(certificate.id_number, self.number)
