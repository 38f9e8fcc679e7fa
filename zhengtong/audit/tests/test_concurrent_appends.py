"""Appenders on separate connections: every row gets the next id and the chain stays sealed."""

import threading
from io import StringIO
from unittest import skipUnless

from django.core.management import call_command
from django.db import connection, connections
from django.test import TransactionTestCase

from zhengtong.audit.actions import record_event, verify_chain
from zhengtong.audit.models import Event

THREADS = 8
EACH = 10


@skipUnless(connection.vendor == "postgresql", "needs concurrent writers; SQLite serialises them")
class ConcurrentAppendTestCase(TransactionTestCase):
    def test_concurrent_appends_keep_the_chain_and_its_ids_whole(self):
        start = threading.Barrier(THREADS)
        errors = []

        def work(n):
            try:
                start.wait()
                for i in range(EACH):
                    record_event(
                        actor=None, action="concurrent", target_type="t", target_id=f"{n}-{i}"
                    )
            except Exception as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        ids = list(Event.objects.order_by("id").values_list("id", flat=True))
        self.assertEqual(len(ids), THREADS * EACH)
        self.assertEqual(ids, list(range(ids[0], ids[0] + THREADS * EACH)))
        self.assertEqual(verify_chain(), [])
        out = StringIO()
        call_command("audit_verify", stdout=out)
        self.assertIn(f"审计链完整,共 {THREADS * EACH} 条", out.getvalue())
