"""Encrypted ID and phone fields: round trip, nothing readable in the table, blind-index search
and uniqueness, a wrong master key refused with a clear message, the deploy check."""

import datetime
import io
import tempfile

from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import IntegrityError, connection, models, transaction
from django.test import TestCase, override_settings

from zhengtong.lib import encrypted
from zhengtong.lib.datakeys import keys
from zhengtong.lib.datakeys.checks import dev_master_key_check, master_key_check
from zhengtong.lib.datakeys.keys import DataKeyError
from zhengtong.lib.datakeys.models import DataKey
from zhengtong.lib.encrypted import BlindIndexField, EncryptedField, MaskField
from zhengtong.lib.idcard import make_id_number

MASTER_A = "00112233445566778899aabbccddeeff"
MASTER_B = "ffeeddccbbaa99887766554433221100"
BIRTH = datetime.date(1949, 12, 31)
PRODUCTION = {"DEBUG": False, "AUDIT_HMAC_DEV_KEY": False}


class Resident(models.Model):
    name = models.CharField(max_length=20)
    id_number = EncryptedField("身份证号", kind="id")
    id_number_index = BlindIndexField(unique=True)
    id_number_mask = MaskField()
    phone = EncryptedField("手机号", kind="phone")
    phone_index = BlindIndexField()
    phone_mask = MaskField()

    class Meta:
        app_label = "datakeys"
        db_table = "datakeys_test_resident"
        managed = False
        verbose_name = verbose_name_plural = "测试居民"

    def __str__(self) -> str:
        return self.name


class EncryptedFieldTests(TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        with connection.schema_editor() as editor:
            editor.create_model(Resident)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        with connection.schema_editor() as editor:
            editor.delete_model(Resident)

    def setUp(self) -> None:
        # Each test starts with no data key (the suite's committed ones come back afterwards).
        DataKey.objects.all().delete()
        keys.clear_cache()
        self.addCleanup(keys.clear_cache)
        # One ending in X, to see the case folded.
        self.id_number = next(
            n
            for seq in range(1, 100)
            if (n := make_id_number(BIRTH, female=True, seq=seq))[-1] == "X"
        )

    def raw(self, column: str, pk: int):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM datakeys_test_resident WHERE id = %s", [pk])
            value = cursor.fetchone()[0]
        return bytes(value) if value is not None else None

    def test_a_value_round_trips_through_the_database(self):
        person = Resident.objects.create(name="张三", id_number=self.id_number, phone="13812345678")
        loaded = Resident.objects.get(pk=person.pk)
        self.assertEqual(loaded.id_number, self.id_number)
        self.assertEqual(loaded.phone, "13812345678")
        self.assertEqual(
            loaded.id_number_mask, self.id_number[:6] + "********" + self.id_number[-4:]
        )
        self.assertEqual(loaded.phone_mask, "138****5678")

    def test_an_empty_value_is_stored_as_null_and_reads_back_empty(self):
        person = Resident.objects.create(name="李四")
        self.assertIsNone(self.raw("id_number", person.pk))
        loaded = Resident.objects.get(pk=person.pk)
        self.assertEqual((loaded.id_number, loaded.id_number_index), ("", None))

    def test_the_raw_table_holds_no_digits_of_the_numbers(self):
        person = Resident.objects.create(name="张三", id_number=self.id_number, phone="13812345678")
        raw_id = self.raw("id_number", person.pk)
        raw_phone = self.raw("phone", person.pk)
        for secret, raw in ((self.id_number, raw_id), ("13812345678", raw_phone)):
            self.assertNotIn(secret.encode(), raw)
            # Neither the birth date nor the last four, in any encoding a reader might try.
            for part in (secret[6:14], secret[-4:]):
                self.assertNotIn(part.encode(), raw)
                self.assertNotIn(part.encode("utf-16-le"), raw)

    def test_the_same_value_seals_differently_each_time(self):
        a = Resident.objects.create(name="甲", phone="13812345678")
        b = Resident.objects.create(name="乙", phone="13812345678")
        self.assertNotEqual(self.raw("phone", a.pk), self.raw("phone", b.pk))
        self.assertEqual(a.phone_index, b.phone_index)

    def test_lookup_by_blind_index_finds_the_person_whatever_the_spelling(self):
        lower = self.id_number[:-1] + "x" if self.id_number.endswith("X") else self.id_number
        person = Resident.objects.create(name="张三", id_number=lower, phone="138 1234 5678")
        Resident.objects.create(name="李四", id_number=make_id_number(BIRTH, female=False))
        found = encrypted.match(Resident.objects.all(), "id_number", f" {self.id_number.lower()} ")
        self.assertEqual(list(found), [person])
        self.assertEqual(
            list(encrypted.match(Resident.objects.all(), "phone", "+86 13812345678")), [person]
        )
        self.assertFalse(encrypted.match(Resident.objects.all(), "phone", "13900000000").exists())
        self.assertFalse(encrypted.match(Resident.objects.all(), "id_number", "").exists())
        self.assertEqual(
            list(encrypted.match_any(Resident.objects.all(), "id_number", [self.id_number, "x"])),
            [person],
        )

    def test_the_blind_index_keeps_an_id_number_unique(self):
        Resident.objects.create(name="张三", id_number=self.id_number)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Resident.objects.create(name="张三二", id_number=self.id_number.lower())
        # Empty values do not collide.
        Resident.objects.create(name="甲")
        Resident.objects.create(name="乙")

    def test_bulk_update_keeps_index_and_mask_with_the_value(self):
        person = Resident.objects.create(name="张三", phone="13812345678")
        person.phone = "13987654321"
        Resident.objects.bulk_update([person], ["phone", "phone_index", "phone_mask"])
        loaded = Resident.objects.get(pk=person.pk)
        self.assertEqual((loaded.phone, loaded.phone_mask), ("13987654321", "139****4321"))
        self.assertEqual(
            list(encrypted.match(Resident.objects.all(), "phone", "13987654321")), [loaded]
        )

    def test_filtering_the_encrypted_column_directly_is_refused(self):
        with self.assertRaises(FieldError) as caught:
            Resident.objects.filter(id_number=self.id_number)
        self.assertIn("encrypted.match", str(caught.exception))
        self.assertEqual(Resident.objects.filter(id_number__isnull=True).count(), 0)

    def test_a_blob_copied_to_another_column_does_not_open(self):
        person = Resident.objects.create(name="张三", id_number=self.id_number, phone="13812345678")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE datakeys_test_resident SET phone = id_number WHERE id = %s", [person.pk]
            )
        # The row still loads (a list shows the stored mask); reading the value refuses.
        loaded = Resident.objects.get(pk=person.pk)
        self.assertEqual(loaded.phone_mask, "138****5678")
        with self.assertRaises(DataKeyError) as caught:
            loaded.phone  # noqa: B018
        self.assertIn("datakeys_test_resident.phone", str(caught.exception))
        with self.assertRaises(DataKeyError):
            Resident.objects.values_list("phone", flat=True).get(pk=person.pk)

    @override_settings(DATA_MASTER_KEY=MASTER_A, **PRODUCTION)
    def test_data_keys_are_stored_only_wrapped_with_their_version(self):
        person = Resident.objects.create(name="张三", id_number=self.id_number)
        row = DataKey.objects.get(purpose=encrypted.DATA_PURPOSE)
        self.assertEqual(row.version, 1)
        key = keys.get_key(encrypted.DATA_PURPOSE, 1)
        self.assertNotIn(key, bytes(row.wrapped))
        self.assertEqual(row.master_key_id, keys.fingerprint(bytes.fromhex(MASTER_A)))
        # A new version encrypts from now on; the old one still decrypts.
        version, _ = keys.new_version(encrypted.DATA_PURPOSE)
        self.assertEqual(version, 2)
        newer = Resident.objects.create(name="李四", phone="13812345678")
        self.assertEqual(int.from_bytes(self.raw("phone", newer.pk)[:2], "big"), 2)
        self.assertEqual(int.from_bytes(self.raw("id_number", person.pk)[:2], "big"), 1)
        keys.clear_cache()
        self.assertEqual(Resident.objects.get(pk=person.pk).id_number, self.id_number)

    def test_a_wrong_master_key_fails_with_a_clear_message(self):
        with override_settings(DATA_MASTER_KEY=MASTER_A, **PRODUCTION):
            person = Resident.objects.create(name="张三", id_number=self.id_number)
        with override_settings(DATA_MASTER_KEY=MASTER_B, **PRODUCTION):
            loaded = Resident.objects.get(pk=person.pk)
            with self.assertRaises(DataKeyError) as caught:
                loaded.id_number  # noqa: B018
        message = str(caught.exception)
        self.assertIn("无法解开", message)
        self.assertIn(keys.fingerprint(bytes.fromhex(MASTER_A)), message)
        self.assertIn(keys.fingerprint(bytes.fromhex(MASTER_B)), message)
        self.assertIn("DATA_MASTER_KEY", message)

    def test_the_master_key_file_is_read(self):
        self.enterContext(override_settings(**PRODUCTION))
        with tempfile.NamedTemporaryFile("w", suffix=".key") as handle:
            handle.write(MASTER_A + "\n")
            handle.flush()
            with override_settings(DATA_MASTER_KEY_FILE=handle.name):
                self.assertEqual(master_key_check(), [])
                self.assertEqual(keys.provider().key_id, keys.fingerprint(bytes.fromhex(MASTER_A)))


class ProviderHookTests(TestCase):
    def setUp(self) -> None:
        DataKey.objects.all().delete()
        keys.clear_cache()
        self.addCleanup(keys.clear_cache)

    @override_settings(DATA_KEY_PROVIDER=f"{__name__}.FakeKms", **PRODUCTION)
    def test_a_kms_provider_wraps_and_unwraps_the_data_keys(self):
        FakeKms.calls.clear()
        version, key = keys.current_key("pii")
        row = DataKey.objects.get(purpose="pii")
        self.assertEqual(row.master_key_id, "kms:test-key")
        self.assertEqual(bytes(row.wrapped), b"KMS" + key[::-1])
        keys.clear_cache()
        self.assertEqual(keys.get_key("pii", version), key)
        self.assertEqual([c[0] for c in FakeKms.calls], ["wrap", "unwrap"])
        self.assertEqual(FakeKms.calls[0][1], b"datakey:pii:1")
        self.assertEqual(dev_master_key_check(), [])


class FakeKms:
    """A stand-in for a KMS client: reverses the key, which is enough to see the calls."""

    key_id = "kms:test-key"
    is_dev = False
    calls: list[tuple[str, bytes]] = []

    def wrap(self, key: bytes, aad: bytes) -> bytes:
        self.calls.append(("wrap", aad))
        return b"KMS" + key[::-1]

    def unwrap(self, blob: bytes, aad: bytes) -> bytes:
        self.calls.append(("unwrap", aad))
        return blob[3:][::-1]


class MasterKeyCheckTests(TestCase):
    @override_settings(**PRODUCTION)
    def test_production_without_a_master_key_is_refused(self):
        errors = master_key_check()
        self.assertEqual([e.id for e in errors], ["datakeys.E001"])
        self.assertIn("DATA_MASTER_KEY", errors[0].msg)
        with self.assertRaises(DataKeyError):
            keys.load_provider()

    @override_settings(DATA_MASTER_KEY="abcd", **PRODUCTION)
    def test_a_short_master_key_is_refused(self):
        self.assertIn("16 字节", master_key_check()[0].msg)

    @override_settings(DATA_MASTER_KEY="not hex at all", **PRODUCTION)
    def test_a_master_key_that_is_not_hex_is_refused(self):
        self.assertIn("不是十六进制", master_key_check()[0].msg)

    @override_settings(DATA_MASTER_KEY_FILE="/nonexistent/data.key", **PRODUCTION)
    def test_a_missing_key_file_is_refused(self):
        self.assertIn("无法读取", master_key_check()[0].msg)

    @override_settings(DEBUG=False, AUDIT_HMAC_DEV_KEY=True)
    def test_the_development_master_key_is_an_error_on_deploy(self):
        self.assertEqual(master_key_check(), [])
        errors = dev_master_key_check()
        self.assertEqual([e.id for e in errors], ["datakeys.E002"])
        self.assertTrue(errors[0].is_serious())
        self.assertIn("开发主密钥", errors[0].msg)

    @override_settings(DEBUG=False, AUDIT_HMAC_DEV_KEY=True)
    def test_check_deploy_stops_on_the_development_master_key(self):
        with self.assertRaisesMessage(SystemCheckError, "datakeys.E002"):
            call_command("check", deploy=True, tags=["security"], stdout=io.StringIO())

    @override_settings(DATA_MASTER_KEY=MASTER_A, **PRODUCTION)
    def test_a_real_master_key_passes_both_checks(self):
        self.assertEqual(master_key_check(), [])
        self.assertEqual(dev_master_key_check(), [])

    def test_the_development_master_key_follows_secret_key(self):
        with override_settings(SECRET_KEY="a" * 50, AUDIT_HMAC_DEV_KEY=True):
            first = keys.load_provider().key_id
        with override_settings(SECRET_KEY="b" * 50, AUDIT_HMAC_DEV_KEY=True):
            second = keys.load_provider().key_id
        self.assertTrue(first.startswith("dev-"))
        self.assertNotEqual(first, second)
