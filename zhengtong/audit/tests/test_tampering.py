"""Tampering done straight in the database, one kind per test: `audit_verify` names the first
broken row and why, and exits 1. Each test changes rows with raw SQL, as an intruder with a
database login would, never through the model (which refuses)."""

import datetime
import hashlib
import json
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from zhengtong.audit.actions import verify_chain
from zhengtong.audit.models import Event
from zhengtong.audit.sealing import HASHED_FIELDS, canonical_bytes, seal
from zhengtong.test import BaseTestCase

from .helpers import make_event

WRONG_KEY = bytes(range(32))


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def json_param() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def rows() -> list[Event]:
    return list(Event.objects.order_by("id"))


def rewrite_chain(hash_row) -> None:
    """Recompute every row's prev_hash and hash with `hash_row(event) -> hex`, in id order."""
    prev = ""
    for event in rows():
        event.prev_hash = prev
        event.hash = hash_row(event)
        sql(
            "UPDATE audit_event SET prev_hash = %s, hash = %s WHERE id = %s",
            [event.prev_hash, event.hash, event.id],
        )
        prev = event.hash


class TamperingTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.events = [
            make_event(actor=self.clerk, org_unit=self.zone, changes={"name": ["甲", "乙"]}),
            make_event(org_unit=self.zone, ip="2001:0db8:0000::0001", reason="IPv6 客户端"),
            make_event(actor=self.office, org_unit=self.zone, changes={"n": [1, 2]}),
            make_event(actor=self.clerk, org_unit=self.social, changes={"b": [True, None]}),
            make_event(actor=self.office, org_unit=self.zone, reason="最新一条"),
        ]
        self.ids = [e.pk for e in self.events]

    def verify_fails(self) -> str:
        """Run audit_verify, expect exit 1, return its message."""
        with self.assertRaises(CommandError) as ctx:
            call_command("audit_verify", stdout=StringIO())
        self.assertEqual(ctx.exception.returncode, 1)
        message = str(ctx.exception)
        self.assertIn("审计链已损坏", message)
        return message

    def first_problem(self, message: str) -> str:
        return message.split("第一处:", 1)[1].splitlines()[0]

    def test_every_column_but_the_hash_is_sealed(self):
        columns = {f.attname for f in Event._meta.concrete_fields} - {"hash"}
        self.assertEqual(set(HASHED_FIELDS), columns)

    def test_an_untouched_chain_passes(self):
        out = StringIO()
        call_command("audit_verify", stdout=out)
        self.assertIn(f"审计链完整,共 {len(self.events)} 条", out.getvalue())

    def test_editing_any_column_of_a_row_is_found_and_named(self):
        victim = self.events[2]
        moment = victim.created_at + datetime.timedelta(microseconds=1)
        edits = {
            "created_at": ("%s", connection.ops.adapt_datetimefield_value(moment)),
            "actor_id": ("%s", self.clerk.pk),
            "actor_label": ("%s", "别人"),
            "ip": ("%s", "10.9.9.8"),
            "channel": ("%s", "api"),
            "request_id": ("%s", "0" * 32),
            "kind": ("%s", "read"),
            "action": ("%s", "other_action"),
            "target_type": ("%s", "people.person"),
            "target_id": ("%s", "2"),
            "target_repr": ("%s", "另一对象"),
            "org_unit_id": ("%s", self.town.pk),
            "changes": (json_param(), json.dumps({"n": [1, 3]})),
            "reason": ("%s", "被篡改"),
        }
        self.assertEqual(set(edits), set(HASHED_FIELDS) - {"id", "key_id", "prev_hash"})
        for column, (placeholder, value) in edits.items():
            with self.subTest(column=column), transaction.atomic():
                sql(
                    f"UPDATE audit_event SET {column} = {placeholder} WHERE id = %s",
                    [value, victim.pk],
                )
                message = self.verify_fails()
                self.assertEqual(
                    self.first_problem(message),
                    f"第 {victim.pk} 条记录的内容与其校验值不符:记录在系统之外被改动,"
                    "或校验值不是用审计密钥计算的。",
                )
                self.assertEqual(verify_chain(), [victim.pk])
                transaction.set_rollback(True)

    def test_moving_a_row_to_another_id_is_found(self):
        newest = self.events[-1]
        sql("UPDATE audit_event SET id = %s WHERE id = %s", [newest.pk + 10, newest.pk])
        message = self.verify_fails()
        self.assertIn(
            f"第 {newest.pk + 10} 条记录的内容与其校验值不符", self.first_problem(message)
        )

    def test_changing_the_key_id_is_found(self):
        victim = self.events[1]
        sql("UPDATE audit_event SET key_id = %s WHERE id = %s", ["k000000000000", victim.pk])
        message = self.verify_fails()
        self.assertIn(f"第 {victim.pk} 条记录的密钥编号「k000000000000」不在密钥环中", message)

    def test_changing_the_link_to_the_predecessor_is_found(self):
        victim = self.events[3]
        sql("UPDATE audit_event SET prev_hash = %s WHERE id = %s", ["0" * 64, victim.pk])
        message = self.verify_fails()
        self.assertIn(f"第 {victim.pk} 条记录与前一条(第 {self.ids[2]} 条)的链接断开", message)
        self.assertIn(f"第 {victim.pk} 条记录的内容与其校验值不符", message)

    def test_changing_the_stored_hash_is_found(self):
        victim = self.events[3]
        sql("UPDATE audit_event SET hash = %s WHERE id = %s", ["0" * 64, victim.pk])
        message = self.verify_fails()
        self.assertIn(f"第 {victim.pk} 条记录的内容与其校验值不符", self.first_problem(message))
        self.assertIn(f"第 {self.ids[4]} 条记录与前一条(第 {victim.pk} 条)的链接断开", message)

    def test_deleting_a_middle_row_breaks_the_link_of_its_successor(self):
        sql("DELETE FROM audit_event WHERE id = %s", [self.ids[2]])
        message = self.verify_fails()
        self.assertEqual(
            self.first_problem(message),
            f"第 {self.ids[3]} 条记录与前一条(第 {self.ids[1]} 条)的链接断开:"
            "其间的记录被删除、插入或改动。",
        )

    def test_deleting_the_first_row_is_found(self):
        sql("DELETE FROM audit_event WHERE id = %s", [self.ids[0]])
        message = self.verify_fails()
        self.assertIn(f"第 {self.ids[1]} 条是链上第一条,却指向一条前驱记录", message)

    def test_deleting_the_newest_rows_is_found_through_the_checkpoint(self):
        call_command("audit_verify", stdout=StringIO())  # writes checkpoint 1
        sql("DELETE FROM audit_event WHERE id >= %s", [self.ids[3]])
        message = self.verify_fails()
        self.assertIn(
            f"链上共 5 条、最后一条为第 {self.ids[4]} 条)之后的记录缺失:"
            f"现在的链只到第 {self.ids[2]} 条、共 3 条,最新的记录被删除(截断)。",
            self.first_problem(message),
        )

    def test_deleting_every_row_is_found_through_the_checkpoint(self):
        call_command("audit_checkpoint", stdout=StringIO())
        sql("DELETE FROM audit_event")
        self.assertIn("现在的链只到空链、共 0 条", self.verify_fails())

    def test_truncating_then_appending_again_is_found_as_a_rewrite(self):
        call_command("audit_checkpoint", stdout=StringIO())
        sql("DELETE FROM audit_event WHERE id >= %s", [self.ids[3]])
        make_event(org_unit=self.zone, reason="新的第四条")
        make_event(org_unit=self.zone, reason="新的第五条")
        message = self.verify_fails()
        self.assertIn(f"的第 {self.ids[4]} 条校验值与现在不同:该条及其之前的链被重写。", message)

    def test_recomputing_the_chain_with_plain_sha256_is_found(self):
        rewrite_chain(lambda e: hashlib.sha256(canonical_bytes(e)).hexdigest())
        message = self.verify_fails()
        self.assertIn(f"第 {self.ids[0]} 条记录的内容与其校验值不符", self.first_problem(message))
        self.assertEqual(verify_chain(), self.ids)

    def test_recomputing_the_chain_with_a_wrong_key_is_found(self):
        rewrite_chain(lambda e: seal(e, WRONG_KEY))
        message = self.verify_fails()
        self.assertIn(f"第 {self.ids[0]} 条记录的内容与其校验值不符", self.first_problem(message))
        self.assertEqual(verify_chain(), self.ids)

    def test_swapping_the_content_of_two_rows_is_found_as_a_change_of_order(self):
        columns = [c for c in HASHED_FIELDS if c != "id"] + ["hash"]
        a, b = self.ids[1], self.ids[3]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)} FROM audit_event WHERE id = %s", [a])
            row_a = cursor.fetchone()
            cursor.execute(f"SELECT {', '.join(columns)} FROM audit_event WHERE id = %s", [b])
            row_b = cursor.fetchone()
        assignments = ", ".join(
            f"{c} = {json_param() if c == 'changes' else '%s'}" for c in columns
        )

        def values(row):
            return [
                json.dumps(v) if c == "changes" and not isinstance(v, str) else v
                for c, v in zip(columns, row, strict=True)
            ]

        sql(f"UPDATE audit_event SET {assignments} WHERE id = %s", [*values(row_b), a])
        sql(f"UPDATE audit_event SET {assignments} WHERE id = %s", [*values(row_a), b])
        message = self.verify_fails()
        self.assertEqual(
            self.first_problem(message), f"第 {a} 条与第 {b} 条记录的内容被互换:记录的顺序被改动。"
        )
        self.assertIn(f"第 {a} 条记录与前一条(第 {self.ids[0]} 条)的链接断开", message)

    def test_a_forged_row_appended_without_the_key_is_found(self):
        head = self.events[-1]
        forged = Event(
            id=head.pk + 1,
            created_at=head.created_at,
            actor_label="system",
            kind="read",
            action="forged",
            target_type="accounts.orgunit",
            changes={},
            key_id=head.key_id,
            prev_hash=head.hash,
        )
        forged.hash = hashlib.sha256(canonical_bytes(forged)).hexdigest()
        sql(
            "INSERT INTO audit_event (id, created_at, actor_label, channel, request_id, kind,"
            " action, target_type, target_id, target_repr, changes, reason, key_id, prev_hash,"
            f" hash) VALUES (%s, %s, %s, '', '', %s, %s, %s, '', '', {json_param()}, '', %s, %s,"
            " %s)",
            [
                forged.id,
                connection.ops.adapt_datetimefield_value(forged.created_at),
                forged.actor_label,
                forged.kind,
                forged.action,
                forged.target_type,
                "{}",
                forged.key_id,
                forged.prev_hash,
                forged.hash,
            ],
        )
        message = self.verify_fails()
        self.assertEqual(
            self.first_problem(message),
            f"第 {forged.id} 条记录的内容与其校验值不符:记录在系统之外被改动,"
            "或校验值不是用审计密钥计算的。",
        )

    def test_the_report_lists_the_broken_rows_by_id(self):
        sql("UPDATE audit_event SET channel = %s WHERE id = %s", ["api", self.ids[1]])
        sql("UPDATE audit_event SET org_unit_id = %s WHERE id = %s", [self.town.pk, self.ids[3]])
        message = self.verify_fails()
        self.assertIn("共 2 处异常", message)
        self.assertIn(f"异常记录编号:{self.ids[1]}, {self.ids[3]}", message)
