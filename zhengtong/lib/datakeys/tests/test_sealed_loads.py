"""Rows loaded from the database keep their encrypted values sealed: loading computes no blind
index and decrypts nothing, reading a value decrypts it once, assigning new text recomputes the
index, mask and suffix, and a row saved unchanged keeps its ciphertext. ``values()`` and
annotations still give the text, and ``only()`` / ``defer()`` / ``select_related()`` still work."""

import copy
import datetime
import pickle
from contextlib import contextmanager
from unittest import mock

from django.db import connection, models
from django.db.models import F
from django.test import TestCase

from zhengtong.lib import encrypted, sm4
from zhengtong.lib.datakeys import keys
from zhengtong.lib.encrypted import (
    BlindIndexField,
    EncryptedField,
    MaskField,
    SavesCompanions,
    SuffixField,
)
from zhengtong.lib.idcard import make_id_number
from zhengtong.people.models import Person
from zhengtong.people.tests.fixtures import RegistryTestCase

BIRTH = datetime.date(1988, 5, 20)


class Caller(SavesCompanions, models.Model):
    name = models.CharField(max_length=20)
    id_number = EncryptedField("身份证号", kind="id")
    id_number_index = BlindIndexField(unique=True)
    id_number_mask = MaskField()
    phone = EncryptedField("手机号", kind="phone", suffix_field="phone_last4")
    phone_index = BlindIndexField()
    phone_mask = MaskField()
    phone_last4 = SuffixField()

    class Meta:
        app_label = "datakeys"
        db_table = "datakeys_test_caller"
        managed = False

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    caller = models.ForeignKey(Caller, on_delete=models.CASCADE)
    topic = models.CharField(max_length=20)

    class Meta:
        app_label = "datakeys"
        db_table = "datakeys_test_call"
        managed = False

    def __str__(self) -> str:
        return self.topic


@contextmanager
def counted():
    """Counts the HMAC-SM3 computations and the SM4 openings inside the block."""
    with (
        mock.patch.object(sm4, "hmac_sm3", wraps=sm4.hmac_sm3) as hmac,
        mock.patch.object(sm4, "open_sealed", wraps=sm4.open_sealed) as opened,
    ):
        yield hmac, opened


def number(seq: int) -> str:
    return make_id_number(BIRTH, female=seq % 2 == 0, seq=seq)


class SealedLoadTests(TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        with connection.schema_editor() as editor:
            editor.create_model(Caller)
            editor.create_model(Call)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        with connection.schema_editor() as editor:
            editor.delete_model(Call)
            editor.delete_model(Caller)

    def setUp(self) -> None:
        keys.clear_cache()
        self.addCleanup(keys.clear_cache)
        self.first = Caller.objects.create(name="张三", id_number=number(1), phone="13812345678")

    def raw(self, pk: int) -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_number, id_number_index, id_number_mask, phone, phone_index, "
                "phone_mask, phone_last4 FROM datakeys_test_caller WHERE id = %s",
                [pk],
            )
            row = cursor.fetchone()
        return tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)

    def test_loading_fifty_rows_computes_no_index_and_opens_nothing(self):
        Caller.objects.bulk_create(
            Caller(name=f"居民{n}", id_number=number(n), phone=f"139{n:08d}") for n in range(2, 51)
        )
        with counted() as (hmac, opened):
            rows = list(Caller.objects.order_by("pk"))
            masks = [(r.id_number_mask, r.phone_mask, r.phone_last4) for r in rows]
            indexes = {r.id_number_index for r in rows}
        self.assertEqual(len(rows), 50)
        self.assertEqual((hmac.call_count, opened.call_count), (0, 0))
        # What a list shows came from the columns as stored.
        self.assertEqual(
            masks[1], (number(2)[:6] + "********" + number(2)[-4:], "139****0002", "0002")
        )
        self.assertEqual(len(indexes), 50)
        with counted() as (hmac, opened):
            self.assertEqual(rows[1].phone, "13900000002")
            self.assertEqual(rows[1].phone, "13900000002")
        self.assertEqual((hmac.call_count, opened.call_count), (0, 1))

    def test_an_assignment_after_load_recomputes_the_index_mask_and_suffix(self):
        loaded = Caller.objects.get(pk=self.first.pk)
        with counted() as (hmac, _):
            loaded.phone = "13905352468"
        self.assertEqual(hmac.call_count, 1)
        self.assertEqual((loaded.phone_mask, loaded.phone_last4), ("139****2468", "2468"))
        loaded.save()
        self.assertEqual(
            list(encrypted.match(Caller.objects.all(), "phone", "139 0535 2468")), [loaded]
        )
        self.assertFalse(encrypted.match(Caller.objects.all(), "phone", "13812345678").exists())
        again = Caller.objects.get(pk=self.first.pk)
        self.assertEqual(
            (again.phone, again.phone_mask, again.phone_last4),
            ("13905352468", "139****2468", "2468"),
        )

    def test_the_same_text_assigned_again_computes_nothing(self):
        # An edit form shows the values and posts them back unchanged.
        loaded = Caller.objects.get(pk=self.first.pk)
        shown = (loaded.id_number, loaded.phone)
        with counted() as (hmac, _):
            loaded.id_number = "".join(shown[0])  # equal text, another object
            loaded.phone = "13812345678"
        self.assertEqual(hmac.call_count, 0)
        self.assertEqual(loaded.phone_index, self.first.phone_index)

    def test_a_row_saved_unchanged_keeps_its_ciphertext_index_and_mask(self):
        stored = self.raw(self.first.pk)
        loaded = Caller.objects.get(pk=self.first.pk)
        loaded.name = "张三丰"
        with counted() as (hmac, opened):
            loaded.save()
        self.assertEqual((hmac.call_count, opened.call_count), (0, 0))
        self.assertEqual(self.raw(self.first.pk), stored)
        # Read, then saved: the same blob still.
        loaded = Caller.objects.get(pk=self.first.pk)
        self.assertEqual(loaded.id_number, number(1))
        loaded.save()
        self.assertEqual(self.raw(self.first.pk), stored)
        self.assertEqual(Caller.objects.get(pk=self.first.pk).name, "张三丰")

    def test_a_changed_value_is_sealed_anew_and_the_other_kept(self):
        stored = self.raw(self.first.pk)
        loaded = Caller.objects.get(pk=self.first.pk)
        loaded.phone = "13700001111"
        loaded.save(update_fields=["phone"])
        now = self.raw(self.first.pk)
        self.assertEqual(now[:3], stored[:3])  # the ID number: blob, index and mask as they were
        self.assertNotEqual(now[3], stored[3])
        self.assertEqual(now[5:], ("137****1111", "1111"))
        self.assertEqual(now[4], encrypted.blind_index("phone", "13700001111"))

    def test_a_row_under_an_older_key_saved_unchanged_is_sealed_under_the_current_one(self):
        version, _ = keys.new_version(encrypted.DATA_PURPOSE)
        loaded = Caller.objects.get(pk=self.first.pk)
        loaded.save()
        blob = self.raw(self.first.pk)[0]
        self.assertEqual(int.from_bytes(blob[:2], "big"), version)
        self.assertEqual(Caller.objects.get(pk=self.first.pk).id_number, number(1))

    def test_a_new_row_computes_each_index_once(self):
        with counted() as (hmac, _):
            Caller.objects.create(name="李四", id_number=number(3), phone="13600002222")
            Caller.objects.bulk_create(
                [Caller(name="王五", id_number=number(4), phone="13600003333")]
            )
        self.assertEqual(hmac.call_count, 4)
        row = Caller.objects.get(name="王五")
        self.assertEqual(row.phone_index, encrypted.blind_index("phone", "13600003333"))
        self.assertEqual((row.phone_mask, row.phone_last4), ("136****3333", "3333"))

    def test_values_and_annotations_give_the_text(self):
        self.assertEqual(
            list(Caller.objects.values("id_number", "phone")),
            [{"id_number": number(1), "phone": "13812345678"}],
        )
        self.assertEqual(list(Caller.objects.values_list("phone", flat=True)), ["13812345678"])
        row = Caller.objects.annotate(contact=F("phone")).get()
        self.assertEqual((row.contact, row.phone), ("13812345678", "13812345678"))
        Call.objects.create(caller=self.first, topic="咨询")
        self.assertEqual(
            list(Call.objects.values_list("topic", "caller__id_number")), [("咨询", number(1))]
        )

    def test_only_defer_and_select_related_still_behave(self):
        with counted() as (hmac, opened):
            masked = Caller.objects.only("name", "phone_mask").get()
            self.assertEqual(masked.phone_mask, "138****5678")
        self.assertEqual((hmac.call_count, opened.call_count), (0, 0))
        self.assertEqual(masked.phone, "13812345678")  # loaded when read
        deferred = Caller.objects.defer("id_number").get()
        self.assertEqual(deferred.id_number, number(1))
        self.assertEqual(deferred.id_number_index, self.first.id_number_index)
        # Only the value loaded, then changed: the save writes its index and mask with it.
        only_phone = Caller.objects.only("pk", "phone").get()
        only_phone.phone = "13511112222"
        only_phone.save()
        row = Caller.objects.get()
        self.assertEqual(
            (row.phone, row.phone_mask, row.phone_last4), ("13511112222", "135****2222", "2222")
        )
        self.assertEqual(row.phone_index, encrypted.blind_index("phone", "13511112222"))
        Call.objects.create(caller=self.first, topic="咨询")
        with counted() as (hmac, opened):
            call = Call.objects.select_related("caller").get()
            self.assertEqual(call.caller.id_number_mask, self.first.id_number_mask)
        self.assertEqual((hmac.call_count, opened.call_count), (0, 0))
        self.assertEqual(call.caller.id_number, number(1))

    def test_a_loaded_row_survives_pickling_and_copying(self):
        stored = self.raw(self.first.pk)
        loaded = pickle.loads(pickle.dumps(Caller.objects.get(pk=self.first.pk)))
        self.assertEqual(loaded.phone, "13812345678")
        copied = copy.deepcopy(Caller.objects.get(pk=self.first.pk))
        copied.save()
        self.assertEqual(self.raw(self.first.pk), stored)
        self.assertEqual(copied.id_number, number(1))

    def test_bulk_update_reseals_rows_loaded_sealed_under_the_current_key(self):
        # What the key rotation does with each batch (rotation.reencrypt).
        old = self.raw(self.first.pk)
        version, _ = keys.new_version(encrypted.DATA_PURPOSE)
        rows = list(Caller.objects.only("pk", "id_number", "phone"))
        Caller.objects.bulk_update(rows, ["id_number", "phone"])
        now = self.raw(self.first.pk)
        self.assertEqual(int.from_bytes(now[0][:2], "big"), version)
        self.assertNotEqual(now[0], old[0])
        self.assertEqual(now[1:3], old[1:3])
        self.assertEqual(Caller.objects.get().id_number, number(1))


class PersonListTests(RegistryTestCase):
    def test_the_person_list_decrypts_nothing_and_computes_no_index(self):
        for n in range(30):
            Person.objects.create(
                id_number=make_id_number(BIRTH, female=True, seq=100 + n),
                name=f"居民{n}",
                sex=Person.Sex.FEMALE,
                birth_date=BIRTH,
                phone=f"1370000{n:04d}",
                org_unit=self.east_village,
            )
        self.client.force_login(self.town_worker)
        self.client.get("/population/", {"per_page": 50})  # the session and the keys are warm
        with counted() as (hmac, opened):
            response = self.client.get("/population/", {"per_page": 50})
        self.assertEqual(response.status_code, 200)
        self.assertEqual((hmac.call_count, opened.call_count), (0, 0))
        self.assertContains(response, self.east_person.masked_id)
