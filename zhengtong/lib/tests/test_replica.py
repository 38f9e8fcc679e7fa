from contextlib import contextmanager
from unittest import skipUnless

from django.conf import settings
from django.db import connection, connections
from django.db.models import Count
from django.test import SimpleTestCase, TransactionTestCase, override_settings

from zhengtong.accounts.models import OrgUnit
from zhengtong.audit.actions import record_event
from zhengtong.audit.models import Event
from zhengtong.lib.replica import REPLICA, ReplicaRouter, on_replica, reads_from_replica
from zhengtong.people.models import Person

WITH_REPLICA = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
    "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
}


class ReplicaRouterTests(SimpleTestCase):
    def test_without_a_replica_everything_stays_on_default(self):
        with on_replica():
            self.assertEqual(Person.objects.all().db, "default")

    @override_settings(DATABASES=WITH_REPLICA)
    def test_report_reads_go_to_the_replica_and_others_do_not(self):
        self.assertEqual(Person.objects.all().db, "default")
        with on_replica():
            self.assertEqual(Person.objects.all().db, "replica")
            self.assertEqual(ReplicaRouter().db_for_write(Person), "default")
        self.assertEqual(Person.objects.all().db, "default")

    @override_settings(DATABASES=WITH_REPLICA)
    def test_a_wrapped_view_reads_from_the_replica(self):
        view = reads_from_replica(lambda request: Person.objects.all().db)
        self.assertEqual(view(None), "replica")

    def test_the_replica_is_never_migrated(self):
        self.assertFalse(ReplicaRouter().allow_migrate("replica", "people"))
        self.assertTrue(ReplicaRouter().allow_migrate("default", "people"))


@skipUnless(connection.vendor == "postgresql", "needs a second PostgreSQL database")
class RealReplicaTests(TransactionTestCase):
    """A second PostgreSQL database as the replica: a copy of the primary that has fallen
    behind, so the rows a view shows say which database it read."""

    databases = {"default"}

    def setUp(self):
        OrgUnit.objects.create(name="复制前的镇", code="R-1", kind=OrgUnit.Kind.TOWN)
        primary = connections["default"].settings_dict
        self.replica_name = f"{primary['NAME']}_replica"
        connections.close_all()
        with self._admin() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.replica_name}"')
            # A template must have no other session: connections that earlier tests' threads
            # left open (a live server's, a concurrency test's) are ended first.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [primary["NAME"]],
            )
            cursor.execute(f'CREATE DATABASE "{self.replica_name}" TEMPLATE "{primary["NAME"]}"')
        connections.settings[REPLICA] = {**primary, "NAME": self.replica_name}
        # The alias exists only from here on; Django checks a test's databases when it connects.
        type(self).databases = {"default", REPLICA}
        # The primary moves on; the replica has not caught up yet.
        OrgUnit.objects.create(name="复制后的镇", code="R-2", kind=OrgUnit.Kind.TOWN)

    def tearDown(self):
        type(self).databases = {"default"}
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        with self._admin() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.replica_name}"')

    @contextmanager
    def _admin(self):
        """A cursor on the server's maintenance database, outside any transaction."""
        import psycopg

        params = connections["default"].get_connection_params()
        params["dbname"] = "postgres"
        with psycopg.connect(**params, autocommit=True) as conn, conn.cursor() as cursor:
            yield cursor

    def test_a_report_view_reads_the_replica_and_writes_to_the_primary(self):
        def report(request):
            towns = OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWN).aggregate(n=Count("id"))["n"]
            names = list(OrgUnit.objects.order_by("code").values_list("name", flat=True))
            # A write made while the report runs (its audit row) goes to the primary.
            event = record_event(actor=None, action="report_viewed", target_type="report")
            return {"towns": towns, "names": names, "event_db": event._state.db}

        databases = {**settings.DATABASES, REPLICA: connections.settings[REPLICA]}
        with override_settings(DATABASES=databases):
            seen = reads_from_replica(report)(None)
            # The same query outside the wrapper reads the primary.
            primary_names = list(OrgUnit.objects.order_by("code").values_list("name", flat=True))
        self.assertEqual(seen["names"], ["复制前的镇"])
        self.assertEqual(seen["towns"], 1)
        self.assertEqual(primary_names, ["复制前的镇", "复制后的镇"])
        self.assertEqual(seen["event_db"], "default")
        self.assertTrue(Event.objects.using("default").filter(action="report_viewed").exists())
        self.assertFalse(Event.objects.using(REPLICA).filter(action="report_viewed").exists())
