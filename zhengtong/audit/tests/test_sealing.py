"""The canonical form reads the same from SQLite and PostgreSQL, and an append stays cheap."""

import datetime
import decimal
import hashlib
import hmac
import importlib

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.actions import verify_chain
from zhengtong.audit.models import Event
from zhengtong.audit.sealing import canonical_bytes, get_keyring
from zhengtong.test import BaseTestCase

from .helpers import make_event

reseal_migration = importlib.import_module("zhengtong.audit.migrations.0002_hmac_sm3_chain")


class SealingTestCase(BaseTestCase):
    def test_the_seal_is_hmac_sm3_of_the_canonical_form(self):
        event = Event.objects.get(pk=make_event(org_unit=self.zone).pk)
        key = get_keyring().current
        expected = hmac.new(key, canonical_bytes(event), "sm3").hexdigest()
        self.assertEqual(event.hash, expected)
        self.assertTrue(canonical_bytes(event).startswith(b"zt-audit-v2\n{"))

    def test_sm3_is_the_standard_one(self):
        """GB/T 32905 test vector for "abc"."""
        self.assertEqual(
            hashlib.new("sm3", b"abc").hexdigest(),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
        )

    def test_values_the_database_rewrites_still_verify_after_reloading(self):
        """jsonb reorders keys and turns 1e16 into an integer; decimals and dates are stored
        as strings; IPv6 is compressed; microseconds survive."""
        changes = {
            "zeta": [1, 2],
            "alpha": {"b": 1.5, "a": 1e16, "c": 2.0},
            "amount": [decimal.Decimal("1.50"), decimal.Decimal("2")],
            "on": [datetime.date(2026, 12, 1), None],
            "empty": ["", None],
            "名称": ["甲", "乙"],
        }
        events = [
            make_event(org_unit=self.zone, changes=changes, ip="2001:0db8:0000:0000::0001"),
            make_event(org_unit=None, ip="::ffff:10.0.0.1", reason=" 前后空格 "),
            make_event(org_unit=self.town, ip="not-an-ip", changes={}),
        ]
        for event in events:
            stored = Event.objects.get(pk=event.pk)
            self.assertEqual(canonical_bytes(stored), canonical_bytes(event))
        self.assertEqual(verify_chain(), [])

    def test_an_append_reads_only_the_head_row(self):
        make_event(org_unit=self.zone)
        with CaptureQueriesContext(connection) as queries:
            make_event(org_unit=self.zone)
        reads = [
            q["sql"] for q in queries if q["sql"].startswith("SELECT") and "audit_event" in q["sql"]
        ]
        self.assertEqual(len(reads), 1)
        self.assertIn("LIMIT 1", reads[0])

    def test_ids_follow_the_head_without_gaps(self):
        ids = [make_event(org_unit=self.zone).pk for _ in range(4)]
        self.assertEqual(ids, list(range(ids[0], ids[0] + 4)))


def old_chain_rows() -> list[Event]:
    """Rewrite the table as the SHA-256 scheme before the migration left it."""
    prev = ""
    rows = list(Event.objects.order_by("id"))
    with connection.cursor() as cursor:
        for event in rows:
            event.prev_hash = prev
            event.hash = reseal_migration._old_sha256(event)
            cursor.execute(
                "UPDATE audit_event SET key_id = '', prev_hash = %s, hash = %s WHERE id = %s",
                [event.prev_hash, event.hash, event.id],
            )
            prev = event.hash
    return rows


class FakeSchemaEditor:
    connection = connection


def run_reseal() -> None:
    state = MigrationLoader(connection).project_state(("audit", "0002_hmac_sm3_chain"))
    reseal_migration.reseal(state.apps, FakeSchemaEditor())


class ResealMigrationTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.events = [make_event(org_unit=self.zone, reason=f"旧 {n}") for n in range(4)]
        old_chain_rows()
        self.assertNotEqual(verify_chain(), [])

    def test_an_intact_old_chain_is_resealed_and_says_so(self):
        run_reseal()
        self.assertEqual(verify_chain(), [])
        note = Event.objects.order_by("-id").first()
        self.assertEqual(note.action, "audit_chain_resealed")
        self.assertEqual(note.changes["rows"], 4)
        self.assertEqual(note.changes["old_check_failed"], 0)
        self.assertIn("全部校验通过", note.reason)
        self.assertEqual(
            set(Event.objects.values_list("key_id", flat=True)), {get_keyring().current_id}
        )

    def test_a_broken_old_chain_is_sealed_but_not_blessed(self):
        victim = self.events[1]
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_event SET reason = '改过' WHERE id = %s", [victim.pk])
        run_reseal()
        self.assertEqual(verify_chain(), [])
        note = Event.objects.order_by("-id").first()
        self.assertEqual(note.changes["old_check_failed"], 1)
        self.assertEqual(note.changes["failed_ids"], [victim.pk])
        self.assertIn("其中 1 条校验不通过", note.reason)
