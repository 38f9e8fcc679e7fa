from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhengtong.audit.actions import verify_chain
from zhengtong.audit.models import Event
from zhengtong.test import BaseTestCase

from .helpers import make_event


class AuditVerifyTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.events = [
            make_event(org_unit=self.zone, changes={"name": ["甲", "乙"], "amount": ["1.50", "2"]}),
            make_event(org_unit=None, ip="2001:0db8:0000::0001", reason="IPv6 客户端"),
            make_event(org_unit=self.town, actor=self.office, changes={"n": [1, 2]}),
        ]

    def test_an_intact_chain_is_reported_with_its_length(self):
        out = StringIO()
        call_command("audit_verify", stdout=out)
        self.assertIn(f"审计链完整,共 {Event.objects.count()} 条", out.getvalue())

    def test_a_row_changed_by_raw_sql_is_found(self):
        victim = self.events[1]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_event SET reason = %s WHERE id = %s", ["被篡改", victim.pk]
            )
        self.assertEqual(verify_chain(), [victim.pk])
        with self.assertRaises(CommandError) as ctx:
            call_command("audit_verify", stdout=StringIO())
        self.assertEqual(ctx.exception.returncode, 1)
        self.assertIn(str(victim.pk), str(ctx.exception))
        self.assertIn("审计链已损坏", str(ctx.exception))

    def test_a_deleted_row_breaks_the_link_of_its_successor(self):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_event WHERE id = %s", [self.events[1].pk])
        self.assertEqual(verify_chain(), [self.events[2].pk])

    def test_ip_addresses_are_stored_as_the_database_keeps_them(self):
        """An IPv6 address is stored compressed, so the hash matches after reloading."""
        self.assertEqual(Event.objects.get(pk=self.events[1].pk).ip, "2001:db8::1")
        self.assertEqual(verify_chain(), [])

    def test_a_garbage_address_is_stored_as_none_and_the_chain_holds(self):
        event = make_event(org_unit=None, ip="not-an-ip")
        self.assertIsNone(Event.objects.get(pk=event.pk).ip)
        self.assertEqual(verify_chain(), [])
