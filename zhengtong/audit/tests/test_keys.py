"""The audit key lives outside the database, rotates without breaking old rows, and a server in
production refuses to start without one."""

import base64
import json
import os
import tempfile
from io import StringIO

from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from zhengtong.audit.actions import KEY_ROTATED, verify_chain
from zhengtong.audit.checks import audit_dev_key_check, audit_key_check
from zhengtong.audit.models import Event
from zhengtong.audit.sealing import AuditKeyError, get_keyring, key_fingerprint, seal
from zhengtong.test import BaseTestCase

from .helpers import make_event

KEY_A = "a1" * 32
KEY_B = "b2" * 32
PRODUCTION = {"DEBUG": False, "AUDIT_HMAC_DEV_KEY": False}


def audit_errors():
    return [m for m in checks.run_checks() if m.id and m.id.startswith("audit.")]


class KeyRotationTestCase(BaseTestCase):
    def test_rows_carry_the_id_of_the_key_they_are_sealed_with(self):
        with override_settings(AUDIT_HMAC_KEY=KEY_A, AUDIT_HMAC_KEY_ID="2026a"):
            event = make_event(org_unit=self.zone)
        self.assertEqual(Event.objects.get(pk=event.pk).key_id, "2026a")

    def test_the_key_id_defaults_to_a_fingerprint_of_the_key(self):
        with override_settings(AUDIT_HMAC_KEY=KEY_A):
            event = make_event(org_unit=self.zone)
        fingerprint = key_fingerprint(bytes.fromhex(KEY_A))
        self.assertEqual(Event.objects.get(pk=event.pk).key_id, fingerprint)
        self.assertNotIn(KEY_A[:16], fingerprint)

    def test_after_a_rotation_old_rows_verify_with_the_old_key_and_new_rows_with_the_new(self):
        with override_settings(AUDIT_HMAC_KEY=KEY_A, AUDIT_HMAC_KEY_ID="2026a"):
            old = [make_event(org_unit=self.zone) for _ in range(3)]
            call_command("audit_verify", stdout=StringIO())  # checkpoint signed with key a
        rotated = {
            "AUDIT_HMAC_KEY": KEY_B,
            "AUDIT_HMAC_KEY_ID": "2026b",
            "AUDIT_HMAC_OLD_KEYS": f"2026a:{KEY_A}",
        }
        with override_settings(**rotated):
            new = make_event(org_unit=self.zone, reason="轮换之后")
            rows = list(Event.objects.order_by("id"))
            self.assertEqual([r.key_id for r in rows], ["2026a"] * 3 + ["2026b", "2026b"])
            rotation = rows[3]
            self.assertEqual(rotation.action, KEY_ROTATED)
            self.assertEqual(rotation.changes, {"key_id": ["2026a", "2026b"]})
            self.assertEqual(rotation.prev_hash, old[-1].hash)
            self.assertEqual(rows[4].pk, new.pk)
            out = StringIO()
            call_command("audit_verify", stdout=out)
            self.assertIn("审计链完整,共 5 条,与 1 个检查点一致", out.getvalue())

    def test_rows_of_a_key_dropped_from_the_keyring_are_reported_as_unverifiable(self):
        with override_settings(AUDIT_HMAC_KEY=KEY_A, AUDIT_HMAC_KEY_ID="2026a"):
            first = make_event(org_unit=self.zone)
        with override_settings(AUDIT_HMAC_KEY=KEY_B, AUDIT_HMAC_KEY_ID="2026b"):
            make_event(org_unit=self.zone)
            with self.assertRaises(CommandError) as ctx:
                call_command("audit_verify", stdout=StringIO())
        self.assertIn(
            f"第一处:第 {first.pk} 条记录的密钥编号「2026a」不在密钥环中", str(ctx.exception)
        )

    def test_a_row_forged_with_a_retired_key_after_the_rotation_is_found(self):
        with override_settings(AUDIT_HMAC_KEY=KEY_A, AUDIT_HMAC_KEY_ID="2026a"):
            make_event(org_unit=self.zone)
        rotated = {
            "AUDIT_HMAC_KEY": KEY_B,
            "AUDIT_HMAC_KEY_ID": "2026b",
            "AUDIT_HMAC_OLD_KEYS": f"2026a:{KEY_A}",
        }
        with override_settings(**rotated):
            victim = make_event(org_unit=self.zone, reason="新密钥封存")
            # Someone who kept the old key re-seals the newest row with it.
            victim.key_id = "2026a"
            victim.reason = "改过"
            victim.hash = seal(victim, bytes.fromhex(KEY_A))
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE audit_event SET key_id = %s, reason = %s, hash = %s WHERE id = %s",
                    [victim.key_id, victim.reason, victim.hash, victim.pk],
                )
            self.assertEqual(verify_chain(), [victim.pk])
            with self.assertRaises(CommandError) as ctx:
                call_command("audit_verify", stdout=StringIO())
        self.assertIn(f"第 {victim.pk} 条记录用已轮换下来的密钥「2026a」封存", str(ctx.exception))

    def test_the_rotate_command_records_the_rotation_at_once(self):
        with override_settings(AUDIT_HMAC_KEY=KEY_A, AUDIT_HMAC_KEY_ID="2026a"):
            make_event(org_unit=self.zone)
        rotated = {
            "AUDIT_HMAC_KEY": KEY_B,
            "AUDIT_HMAC_KEY_ID": "2026b",
            "AUDIT_HMAC_KEYS_FILE": "",
            "AUDIT_HMAC_OLD_KEYS": f"2026a:{KEY_A}",
        }
        with override_settings(**rotated):
            out = StringIO()
            call_command("audit_key", "rotate", stdout=out)
            self.assertIn("已记录密钥轮换", out.getvalue())
            call_command("audit_key", "rotate", stdout=out)
            self.assertIn("无需记录轮换", out.getvalue())
            self.assertEqual(Event.objects.filter(action=KEY_ROTATED).count(), 1)
            self.assertEqual(verify_chain(), [])

    def test_old_keys_can_come_from_a_keys_file(self):
        path = self.tmp_file("# 旧密钥\n2026a:" + KEY_A + "\n")
        with override_settings(AUDIT_HMAC_KEY=KEY_A, AUDIT_HMAC_KEY_ID="2026a"):
            make_event(org_unit=self.zone)
        with override_settings(
            AUDIT_HMAC_KEY=KEY_B, AUDIT_HMAC_KEY_ID="2026b", AUDIT_HMAC_KEYS_FILE=path
        ):
            make_event(org_unit=self.zone)
            self.assertEqual(verify_chain(), [])

    def tmp_file(self, text: str) -> str:
        handle = tempfile.NamedTemporaryFile("w", suffix=".keys", delete=False, encoding="utf-8")
        self.addCleanup(os.unlink, handle.name)
        with handle:
            handle.write(text)
        return handle.name


@override_settings(AUDIT_HMAC_KEY="", AUDIT_HMAC_KEY_FILE="", AUDIT_HMAC_OLD_KEYS="")
class ProductionKeyCheckTestCase(BaseTestCase):
    @override_settings(**PRODUCTION)
    def test_production_without_a_key_fails_the_system_check_in_chinese_and_english(self):
        errors = audit_key_check()
        self.assertEqual([e.id for e in errors], ["audit.E001"])
        self.assertEqual(errors[0].level, checks.ERROR)
        self.assertIn("未配置审计链密钥", errors[0].msg)
        self.assertIn("The audit chain key is not configured", errors[0].msg)
        self.assertIn("audit.E001", [m.id for m in audit_errors()])

    @override_settings(**PRODUCTION)
    def test_production_without_a_key_writes_no_row(self):
        before = Event.objects.count()
        with self.assertRaises(AuditKeyError):
            make_event(org_unit=self.zone)
        self.assertEqual(Event.objects.count(), before)

    @override_settings(DEBUG=True, AUDIT_HMAC_DEV_KEY=False)
    def test_debug_allows_the_development_key(self):
        self.assertEqual(audit_key_check(), [])
        ring = get_keyring()
        self.assertTrue(ring.is_dev)
        self.assertTrue(ring.current_id.startswith("dev-"))

    @override_settings(DEBUG=False, AUDIT_HMAC_DEV_KEY=True)
    def test_the_explicit_setting_allows_the_development_key_and_deploy_checks_warn(self):
        self.assertEqual(audit_key_check(), [])
        self.assertEqual([w.id for w in audit_dev_key_check()], ["audit.W001"])

    @override_settings(AUDIT_HMAC_KEY=KEY_A, **PRODUCTION)
    def test_a_real_key_passes_every_check(self):
        self.assertEqual(audit_key_check(), [])
        self.assertEqual(audit_dev_key_check(), [])
        self.assertFalse(get_keyring().is_dev)

    @override_settings(AUDIT_HMAC_KEY="abcd", **PRODUCTION)
    def test_a_short_key_is_refused(self):
        errors = audit_key_check()
        self.assertEqual([e.id for e in errors], ["audit.E002"])
        self.assertIn("太短", errors[0].msg)

    @override_settings(AUDIT_HMAC_KEY="not a key!", **PRODUCTION)
    def test_a_key_that_is_neither_hex_nor_base64_is_refused(self):
        self.assertIn("不是十六进制或 base64", audit_key_check()[0].msg)

    @override_settings(AUDIT_HMAC_KEY_FILE="/nonexistent/audit.key", **PRODUCTION)
    def test_a_missing_key_file_is_refused(self):
        self.assertIn("无法读取", audit_key_check()[0].msg)

    def test_hex_and_base64_name_the_same_key(self):
        raw = bytes.fromhex(KEY_A)
        with override_settings(AUDIT_HMAC_KEY=KEY_A):
            hex_ring = get_keyring()
        with override_settings(AUDIT_HMAC_KEY=base64.b64encode(raw).decode()):
            b64_ring = get_keyring()
        self.assertEqual(hex_ring.current, raw)
        self.assertEqual(b64_ring.current, raw)
        self.assertEqual(hex_ring.current_id, b64_ring.current_id)

    def test_one_key_id_for_two_keys_is_refused(self):
        with (
            override_settings(
                AUDIT_HMAC_KEY=KEY_A, AUDIT_HMAC_KEY_ID="x", AUDIT_HMAC_OLD_KEYS=f"x:{KEY_B}"
            ),
            self.assertRaises(AuditKeyError),
        ):
            get_keyring()

    def test_the_generated_key_is_accepted(self):
        out = StringIO()
        call_command("audit_key", "generate", stdout=out)
        line = out.getvalue().splitlines()[0]
        self.assertTrue(line.startswith("AUDIT_HMAC_KEY="))
        with override_settings(AUDIT_HMAC_KEY=line.split("=", 1)[1], **PRODUCTION):
            self.assertEqual(audit_key_check(), [])

    def test_status_names_the_keys_the_chain_uses(self):
        make_event(org_unit=self.zone)
        out = StringIO()
        call_command("audit_key", "status", stdout=out)
        self.assertIn("开发密钥", out.getvalue())
        self.assertIn(json.dumps(get_keyring().current_id).strip('"'), out.getvalue())
