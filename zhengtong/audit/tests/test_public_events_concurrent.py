"""Public lookups on their own connections while the chain lock is held and staff write."""

import threading
from unittest import skipUnless

from django.db import connection, connections, transaction
from django.test import Client, TransactionTestCase

from zhengtong.audit.actions import record_event, seal_pending, verify_chain
from zhengtong.audit.chain import lock_chain
from zhengtong.audit.models import Event, PendingEvent

LOOKUP_THREADS = 6
EACH = 5
STAFF_THREADS = 3


@skipUnless(connection.vendor == "postgresql", "needs concurrent connections; SQLite serialises")
class PublicReadsOffTheChainLockTestCase(TransactionTestCase):
    def test_lookups_finish_while_the_chain_lock_is_held_and_every_event_is_sealed_once(self):
        holding, release = threading.Event(), threading.Event()
        errors: list[BaseException] = []
        request_ids: list[str] = []
        staff_done: list[int] = []
        ids_lock = threading.Lock()

        def guarded(work):
            def run(*args):
                try:
                    work(*args)
                except BaseException as exc:  # noqa: BLE001  (reported below)
                    errors.append(exc)
                finally:
                    connections.close_all()

            return run

        @guarded
        def hold() -> None:
            with transaction.atomic():
                lock_chain()
                holding.set()
                release.wait(60)

        @guarded
        def staff(n: int) -> None:
            record_event(actor=None, action="staff_write", target_type="t", target_id=str(n))
            with ids_lock:
                staff_done.append(n)

        @guarded
        def public(n: int) -> None:
            client = Client()
            for i in range(EACH):
                r = client.get(
                    "/public/lookup.json",
                    {"receipt_no": f"LIUJI2026{n:02d}{i:02d}", "phone_last4": "1234"},
                    REMOTE_ADDR=f"10.7.0.{n + 1}",
                )
                assert r.status_code == 404, r.status_code
                with ids_lock:
                    request_ids.append(r["X-Request-ID"])

        holder = threading.Thread(target=hold)
        holder.start()
        self.assertTrue(holding.wait(10))
        writers = [threading.Thread(target=staff, args=(n,)) for n in range(STAFF_THREADS)]
        readers = [threading.Thread(target=public, args=(n,)) for n in range(LOOKUP_THREADS)]
        for t in writers + readers:
            t.start()
        for t in readers:
            t.join(30)
        # Every lookup has answered while the lock is still held: staff writes are still waiting.
        self.assertFalse(any(t.is_alive() for t in readers))
        self.assertEqual(errors, [])
        self.assertEqual(len(request_ids), LOOKUP_THREADS * EACH)
        self.assertEqual(staff_done, [])
        self.assertTrue(all(t.is_alive() for t in writers))
        self.assertEqual(PendingEvent.objects.count(), LOOKUP_THREADS * EACH)

        # Two sealers at once, while the staff writes go through: each row is sealed once.
        sealed: list[int] = []
        sealers = [
            threading.Thread(target=guarded(lambda: sealed.append(seal_pending(batch=7).sealed)))
            for _ in range(2)
        ]
        for t in sealers:
            t.start()
        release.set()
        for t in [holder, *writers, *sealers]:
            t.join(30)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(staff_done), list(range(STAFF_THREADS)))
        self.assertEqual(sum(sealed), LOOKUP_THREADS * EACH)
        self.assertFalse(PendingEvent.objects.exists())

        lookups = Event.objects.filter(action="public_lookup")
        self.assertEqual(sorted(lookups.values_list("request_id", flat=True)), sorted(request_ids))
        self.assertEqual(Event.objects.filter(action="staff_write").count(), STAFF_THREADS)
        ids = list(Event.objects.order_by("id").values_list("id", flat=True))
        self.assertEqual(ids, list(range(1, LOOKUP_THREADS * EACH + STAFF_THREADS + 1)))
        self.assertEqual(verify_chain(), [])
