"""A busy morning at the hall, with real concurrency on PostgreSQL: 16 clerks' requests at once.

Each worker thread has its own database connection, as each gunicorn worker would. The figures
are the ones the hall must keep: every request answered, every receipt and certificate number
unique, and the audit chain intact afterwards, so that no visitor can set off the nightly
tamper alarm by sheer numbers.
"""

import datetime
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from unittest import skipUnless

from django.core.management import call_command
from django.db import connection
from django.test import Client, TransactionTestCase, override_settings

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.audit.actions import verify_chain
from zhengtong.services.actions.decisions import application_approve
from zhengtong.services.models import Application, Material, ServiceItem
from zhengtong.test import make_id_number, make_unit, make_user

WORKERS = 16
INTAKES = 80


@skipUnless(
    connection.vendor == "postgresql",
    "needs concurrent writers; SQLite serialises all writes, so the race cannot happen there",
)
class BusyHallTestCase(TransactionTestCase):
    """The test builds every row it needs: an earlier TransactionTestCase may have flushed the
    rows the migrations seeded."""

    def setUp(self) -> None:
        county = make_unit("东阿县", "371524", OrgUnit.Kind.COUNTY)
        self.town = make_unit("刘集镇", "LIUJI", OrgUnit.Kind.TOWN, county)
        self.clerks = [
            make_user(
                f"clerk_{n}", full_name=f"窗口{n}", memberships=[(Role.WINDOW_CLERK, self.town)]
            )
            for n in range(WORKERS)
        ]
        self.item = ServiceItem.objects.create(
            code="BUSY",
            name="并发测试证明",
            department="刘集镇",
            legal_basis="测试",
            procedure=["申请"],
            promised_workdays=5,
            certificate_name="并发测试证明",
            certificate_prefix="BZ",
        )
        Material.objects.create(item=self.item, code="id", name="身份证")

    def in_parallel(self, work, jobs: list) -> list:
        """Run work(job) for every job on WORKERS threads released together; each thread
        closes its own connection when done."""
        barrier = threading.Barrier(WORKERS)
        local = threading.local()

        def run(job):
            if not getattr(local, "started", False):
                local.started = True
                barrier.wait(timeout=30)
            return work(job)

        def close(_):
            connection.close()

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            results = list(pool.map(run, jobs))
            # One close per thread: each worker thread owns one connection.
            barrier_close = threading.Barrier(WORKERS)
            list(pool.map(lambda _: (barrier_close.wait(timeout=30), close(_)), range(WORKERS)))
        return results

    def post_intake(self, n: int) -> tuple[int, str]:
        client = Client()
        client.force_login(self.clerks[n % WORKERS])
        response = client.post(
            "/api/v1/services/applications/",
            {
                "item": "BUSY",
                "applicant": {
                    "name": f"申请人{n}",
                    "id_number": make_id_number(datetime.date(1990, 1, 1), female=True, seq=n + 1),
                    "phone": f"138053{n:05d}",
                },
                "materials": ["id"],
            },
            content_type="application/json",
        )
        return response.status_code, response.content.decode()

    def assert_chain_intact(self) -> None:
        self.assertEqual(verify_chain(), [])
        out = StringIO()
        call_command("audit_verify", stdout=out)
        self.assertIn("审计链完整", out.getvalue())

    def test_80_intakes_from_16_clerks_at_once_all_succeed_with_unique_numbers(self) -> None:
        results = self.in_parallel(self.post_intake, list(range(INTAKES)))

        statuses = Counter(status for status, _ in results)
        self.assertEqual(statuses, Counter({201: INTAKES}), [b for s, b in results if s != 201][:3])
        receipts = list(Application.objects.values_list("receipt_no", flat=True))
        self.assertEqual(len(receipts), INTAKES)
        self.assertEqual(len(set(receipts)), INTAKES)
        self.assertEqual(sorted(int(r[-4:]) for r in receipts), list(range(1, INTAKES + 1)))
        self.assert_chain_intact()

        # Then every case approved at once: certificate serials are unique and gapless.
        cases = list(Application.objects.select_related("handler", "item").order_by("pk"))
        self.in_parallel(
            lambda i: application_approve(actor=cases[i].handler, application=cases[i]),
            list(range(INTAKES)),
        )
        certificates = list(Application.objects.values_list("certificate_no", flat=True))
        self.assertEqual(len(set(certificates)), INTAKES)
        self.assertEqual(sorted(int(c[-6:]) for c in certificates), list(range(1, INTAKES + 1)))
        self.assert_chain_intact()

    @override_settings(PUBLIC_LOOKUP_LIMIT=1000)
    def test_20_anonymous_lookups_at_once_leave_the_audit_chain_intact(self) -> None:
        status, body = self.post_intake(0)
        self.assertEqual(status, 201, body)
        receipt = Application.objects.get().receipt_no

        def lookup(n: int) -> int:
            response = Client().get(
                "/public/lookup.json", {"receipt_no": receipt, "phone_last4": "0000"}
            )
            return response.status_code

        statuses = self.in_parallel(lookup, list(range(WORKERS + 4)))
        self.assertEqual(set(statuses), {200})
        self.assert_chain_intact()
