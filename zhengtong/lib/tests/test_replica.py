from django.test import SimpleTestCase, override_settings

from zhengtong.lib.replica import ReplicaRouter, on_replica, reads_from_replica
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
