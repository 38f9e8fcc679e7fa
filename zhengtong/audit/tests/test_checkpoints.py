"""Signed checkpoints live outside the events table: a file and the log."""

import json
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from zhengtong.audit.checkpoints import checkpoint_path, read_checkpoints
from zhengtong.audit.models import Event
from zhengtong.test import BaseTestCase

from .helpers import make_event


class CheckpointTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.events = [make_event(org_unit=self.zone, reason=f"第 {n} 条") for n in range(3)]

    def test_a_checkpoint_goes_to_a_new_directory_and_to_the_log(self):
        directory = settings.AUDIT_CHECKPOINT_DIR / "nested" / "dir"
        with (
            override_settings(AUDIT_CHECKPOINT_DIR=directory),
            self.assertLogs("zhengtong.audit.checkpoint", "INFO") as logs,
        ):
            call_command("audit_checkpoint", stdout=StringIO())
            line = (directory / "checkpoints.jsonl").read_text().splitlines()[0]
        record = json.loads(line)
        head = self.events[-1]
        self.assertEqual(record["event_id"], head.pk)
        self.assertEqual(record["hash"], head.hash)
        self.assertEqual(record["count"], 3)
        self.assertEqual(len(record["signature"]), 64)
        self.assertIn(line, logs.output[0])

    def test_audit_verify_writes_a_checkpoint_when_the_chain_holds(self):
        out = StringIO()
        call_command("audit_verify", stdout=out)
        call_command("audit_verify", stdout=out)
        self.assertIn("与 1 个检查点一致", out.getvalue())
        self.assertEqual(len(read_checkpoints()[0]), 2)

    def test_no_checkpoint_leaves_the_file_alone(self):
        call_command("audit_verify", "--no-checkpoint", stdout=StringIO())
        self.assertFalse(checkpoint_path().exists())

    def test_an_edited_checkpoint_is_reported(self):
        call_command("audit_checkpoint", stdout=StringIO())
        path = checkpoint_path()
        record = json.loads(path.read_text())
        record["count"] = 2
        path.write_text(json.dumps(record) + "\n")
        with self.assertRaises(CommandError) as ctx:
            call_command("audit_verify", stdout=StringIO())
        self.assertIn("检查点文件第 1 行的签名无效:检查点被改动。", str(ctx.exception))

    def test_a_garbled_checkpoint_line_is_reported(self):
        call_command("audit_checkpoint", stdout=StringIO())
        with checkpoint_path().open("a") as handle:
            handle.write("{not json\n")
        with self.assertRaises(CommandError) as ctx:
            call_command("audit_verify", stdout=StringIO())
        self.assertIn("检查点文件第 2 行无法解析", str(ctx.exception))

    def test_a_checkpoint_is_refused_when_the_newest_row_was_changed(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_event SET reason = %s WHERE id = %s", ["改", self.events[-1].pk]
            )
        with self.assertRaises(CommandError) as ctx:
            call_command("audit_checkpoint", stdout=StringIO())
        self.assertIn("校验不通过,拒绝写入检查点", str(ctx.exception))
        self.assertFalse(checkpoint_path().exists())

    def test_a_checkpoint_is_refused_after_the_chain_was_truncated(self):
        call_command("audit_checkpoint", stdout=StringIO())
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_event WHERE id = %s", [self.events[-1].pk])
        with self.assertRaises(CommandError) as ctx:
            call_command("audit_checkpoint", stdout=StringIO())
        self.assertIn("不再一致,拒绝写入检查点", str(ctx.exception))
        self.assertEqual(len(read_checkpoints()[0]), 1)

    def test_an_unwritable_directory_is_a_clear_error(self):
        blocker = settings.AUDIT_CHECKPOINT_DIR / "file"
        blocker.parent.mkdir(parents=True, exist_ok=True)
        blocker.write_text("")
        with (
            override_settings(AUDIT_CHECKPOINT_DIR=blocker / "sub"),
            self.assertRaises(CommandError) as ctx,
        ):
            call_command("audit_checkpoint", stdout=StringIO())
        self.assertIn("请检查 AUDIT_CHECKPOINT_DIR", str(ctx.exception))

    def test_an_empty_log_gets_no_checkpoint(self):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_event")
        out = StringIO()
        call_command("audit_checkpoint", stdout=out)
        self.assertIn("审计日志为空", out.getvalue())
        self.assertEqual(Event.objects.count(), 0)
