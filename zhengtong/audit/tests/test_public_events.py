"""Public reads are audited without the chain lock: pending, MACed, then sealed in order."""

from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhengtong.audit.actions import record_public_event, seal_pending, verify_chain
from zhengtong.audit.context import acting
from zhengtong.audit.models import AuditLogIsAppendOnly, Event, PendingEvent
from zhengtong.audit.tasks import audit_seal_pending
from zhengtong.test import BaseTestCase

from .helpers import make_event


def lookup(n: int, *, org_unit=None, ip="10.3.3.3") -> PendingEvent:
    with acting(ip=ip, channel="web", request_id=f"req{n:04d}"):
        return record_public_event(
            action="public_lookup",
            target_type="services.lookup",
            target_repr=f"LIUJI2026{n:04d}",
            org_unit=org_unit,
            changes={"found": n % 2 == 0},
        )


class PublicEventTestCase(BaseTestCase):
    def test_a_public_read_waits_pending_then_enters_the_chain_once_in_order(self):
        make_event(org_unit=self.social, target_repr="员工的修改")
        for n in range(3):
            lookup(n, org_unit=self.social)
        self.assertEqual(PendingEvent.objects.count(), 3)
        self.assertEqual(Event.objects.filter(action="public_lookup").count(), 0)
        make_event(org_unit=self.social, target_repr="又一次修改")

        result = seal_pending()

        self.assertEqual((result.sealed, result.refused), (3, []))
        self.assertFalse(PendingEvent.objects.exists())
        rows = list(Event.objects.order_by("id"))
        self.assertEqual(
            [e.target_repr for e in rows],
            ["员工的修改", "又一次修改", "LIUJI20260000", "LIUJI20260001", "LIUJI20260002"],
        )
        sealed = rows[2]
        self.assertEqual(
            (sealed.ip, sealed.channel, sealed.request_id), ("10.3.3.3", "web", "req0000")
        )
        self.assertEqual((sealed.actor_id, sealed.actor_label), (None, "web"))
        self.assertEqual(sealed.org_unit, self.social)
        self.assertEqual(sealed.changes, {"found": True})
        self.assertEqual(verify_chain(), [])
        # A second run finds nothing to do and seals nothing twice.
        self.assertEqual(seal_pending().sealed, 0)
        self.assertEqual(Event.objects.count(), 5)

    def test_sealing_goes_in_batches_and_keeps_the_chain_whole(self):
        for n in range(7):
            lookup(n)
        self.assertEqual(seal_pending(batch=3).sealed, 7)
        self.assertEqual(
            list(Event.objects.order_by("id").values_list("request_id", flat=True)),
            [f"req{n:04d}" for n in range(7)],
        )
        self.assertEqual(verify_chain(), [])

    def test_the_phone_digits_never_reach_the_pending_row(self):
        with acting(ip="10.3.3.3", channel="web"):
            pending = record_public_event(
                action="public_lookup",
                target_type="services.lookup",
                changes={"phone": "13912345678"},
            )
        self.assertNotIn("13912345678", str(PendingEvent.objects.get(pk=pending.pk).changes))

    def test_pending_rows_cannot_be_changed_or_deleted_through_the_app(self):
        pending = lookup(1)
        with self.assertRaises(AuditLogIsAppendOnly):
            PendingEvent.objects.filter(pk=pending.pk).update(target_repr="改")
        with self.assertRaises(AuditLogIsAppendOnly):
            PendingEvent.objects.all().delete()
        with self.assertRaises(AuditLogIsAppendOnly):
            pending.delete()
        with self.assertRaises(AuditLogIsAppendOnly):
            pending.save()
        self.assertEqual(PendingEvent.objects.get(pk=pending.pk).target_repr, "LIUJI20260001")

    def test_a_pending_row_changed_in_the_database_is_not_sealed_and_audit_verify_says_so(self):
        lookup(1)
        changed = lookup(2)
        lookup(3)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_pendingevent SET target_repr = %s WHERE id = %s",
                ["LIUJI20269999", changed.pk],
            )
        result = seal_pending()
        self.assertEqual((result.sealed, result.refused), (2, [changed.pk]))
        self.assertEqual(PendingEvent.objects.get().pk, changed.pk)
        self.assertFalse(Event.objects.filter(target_repr="LIUJI20269999").exists())
        self.assertEqual(verify_chain(), [])
        with self.assertRaises(CommandError) as raised:
            call_command("audit_verify", "--no-checkpoint", stdout=StringIO())
        self.assertIn(
            f"待入链记录 {changed.pk}(公众查询)的内容与其校验值不符", str(raised.exception)
        )

    def test_a_copied_pending_row_is_refused(self):
        original = lookup(1)
        columns = [f.column for f in PendingEvent._meta.concrete_fields if f.column != "id"]
        names = ", ".join(columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO audit_pendingevent (id, {names}) "  # noqa: S608
                f"SELECT id + 100, {names} FROM audit_pendingevent WHERE id = %s",
                [original.pk],
            )
        result = seal_pending()
        self.assertEqual((result.sealed, result.refused), (1, [original.pk + 100]))
        self.assertEqual(Event.objects.filter(request_id="req0001").count(), 1)

    def test_audit_verify_seals_the_pending_rows_first(self):
        make_event()
        lookup(1)
        lookup(2)
        out = StringIO()
        call_command("audit_verify", "--no-checkpoint", stdout=out)
        self.assertIn("已将 2 条待入链的公众查询记录封存入链。", out.getvalue())
        self.assertIn("审计链完整,共 3 条", out.getvalue())
        self.assertFalse(PendingEvent.objects.exists())

    def test_the_minute_job_seals_and_says_how_many(self):
        lookup(1)
        self.assertEqual(audit_seal_pending.call(), "已将 1 条待入链记录封存入链。")
        self.assertEqual(Event.objects.filter(action="public_lookup").count(), 1)

    def test_the_audit_log_page_shows_public_reads_at_once(self):
        lookup(7, org_unit=self.social)
        lookup(8, org_unit=self.town)
        self.client.force_login(self.auditor)
        r = self.client.get("/audit/")
        self.assertContains(r, "LIUJI20260007")
        self.assertContains(r, "办件查询")
        # Sealed for every auditor, shown only within this auditor's scope.
        self.assertNotContains(r, "LIUJI20260008")
        self.assertFalse(PendingEvent.objects.exists())
        export = self.client.get("/audit/", {"export": "xlsx"})
        self.assertEqual(export.status_code, 200)
