"""The public lookup's limit holds when twenty requests from one address arrive at once."""

import threading
from unittest import skipUnless

from django.db import connection
from django.test import Client, TransactionTestCase, override_settings


@skipUnless(
    connection.vendor == "postgresql",
    "needs concurrent writers; SQLite serialises all writes, so the race cannot happen there",
)
@override_settings(PUBLIC_LOOKUP_LIMIT=10)
class ConcurrentLookupTestCase(TransactionTestCase):
    def test_twenty_concurrent_lookups_from_one_address_answer_exactly_ten(self) -> None:
        barrier = threading.Barrier(20)
        responses: list = []
        errors: list = []

        def lookup() -> None:
            try:
                client = Client()
                barrier.wait(timeout=10)
                r = client.get(
                    "/public/lookup.json",
                    {"receipt_no": "LIUJI202611020099", "phone_last4": "5678"},
                    REMOTE_ADDR="10.9.9.9",
                )
                responses.append((r.status_code, r.json()["detail"]))
            except Exception as exc:  # noqa: BLE001 - reported to the test below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=lookup) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(errors, [])
        refused = [detail for status, detail in responses if status == 429]
        answered = [detail for status, detail in responses if status != 429]
        self.assertEqual(len(answered), 10)
        self.assertEqual(len(refused), 10)
        self.assertEqual(set(refused), {"查询过于频繁,请 10 分钟后再试。"})
        self.assertEqual(set(answered), {"未找到与受理编号和手机号后四位相符的办件,请核对后再试。"})
