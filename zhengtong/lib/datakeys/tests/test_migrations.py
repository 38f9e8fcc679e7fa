"""The migrations that encrypt the existing clear-text rows, forward and back again."""

import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from zhengtong.lib.idcard import make_id_number

PEOPLE_BEFORE = ("people", "0002_person_hukou_type_person_merged_into_household_and_more")
PEOPLE_AFTER = ("people", "0003_encrypt_id_number_and_phone")
NOTIFY_BEFORE = ("notify", "0007_delivery_receipts")
NOTIFY_AFTER = ("notify", "0008_encrypt_message_phone")
BIRTH = datetime.date(1988, 6, 1)


class EncryptMigrationTestCase(TransactionTestCase):
    def migrate(self, *targets):
        executor = MigrationExecutor(connection)
        executor.migrate(list(targets))
        return executor.loader.project_state(list(targets)).apps

    def tearDown(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        super().tearDown()

    def raw(self, sql: str) -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def test_existing_rows_are_encrypted_and_decrypted_back(self) -> None:
        numbers = [make_id_number(BIRTH, female=True, seq=seq) for seq in (1, 2, 3)]
        old = self.migrate(PEOPLE_BEFORE, NOTIFY_BEFORE)
        Person = old.get_model("people", "Person")
        for i, number in enumerate(numbers):
            Person.objects.create(
                id_number=number,
                name=f"居民{i}",
                sex="F",
                birth_date=BIRTH,
                phone=f"1390535000{i}" if i else "",
            )
        old.get_model("notify", "Message").objects.create(
            phone="13905350001", channel="sms", event="x", text="t", dedupe_key="m1"
        )

        new = self.migrate(PEOPLE_AFTER, NOTIFY_AFTER)
        from zhengtong.lib import encrypted

        Person = new.get_model("people", "Person")
        by_number = {p.id_number: p for p in Person.objects.all()}
        self.assertEqual(set(by_number), set(numbers))
        self.assertEqual(by_number[numbers[1]].phone, "13905350001")
        self.assertEqual(by_number[numbers[0]].phone, "")
        self.assertEqual(
            by_number[numbers[2]].id_number_index, encrypted.blind_index("id", numbers[2])
        )
        self.assertEqual(by_number[numbers[2]].phone_mask, "139****0002")
        for (blob,) in self.raw("SELECT id_number FROM people_person"):
            self.assertFalse(any(n.encode() in bytes(blob) for n in numbers))
        message = new.get_model("notify", "Message").objects.get()
        self.assertEqual(message.phone_index, encrypted.blind_index("phone", "13905350001"))

        old = self.migrate(PEOPLE_BEFORE, NOTIFY_BEFORE)
        rows = self.raw("SELECT id_number, phone FROM people_person ORDER BY id_number")
        self.assertEqual(
            rows,
            sorted((n, f"1390535000{i}" if i else "") for i, n in enumerate(numbers)),
        )
        self.assertEqual(self.raw("SELECT phone FROM notify_message"), [("13905350001",)])
