"""Clerks of one hall finishing cases at the same instant: every finish is counted once."""

import datetime
import threading
from unittest import skipUnless

from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.rollups.models import CaseDay
from zhengtong.rollups.rebuild import differences
from zhengtong.services.actions.decisions import application_approve
from zhengtong.services.actions.intake import application_intake
from zhengtong.services.models import Material, ServiceItem
from zhengtong.test import make_id_number, make_unit, make_user

WRITERS = 4


@skipUnless(
    connection.vendor == "postgresql",
    "needs concurrent writers; SQLite serialises all writes, so the race cannot happen there",
)
class ConcurrentFinishesTestCase(TransactionTestCase):
    def setUp(self) -> None:
        county = make_unit("东阿县", "371524", OrgUnit.Kind.COUNTY)
        self.town = make_unit("刘集镇", "LIUJI", OrgUnit.Kind.TOWN, county)
        self.clerks = [
            make_user(
                f"clerk_{n}", full_name=f"窗口{n}", memberships=[(Role.WINDOW_CLERK, self.town)]
            )
            for n in range(WRITERS)
        ]
        ServiceItem.objects.create(
            code="TESTC",
            name="并发测试证明",
            department="刘集镇",
            legal_basis="测试",
            procedure=["申请"],
            promised_workdays=5,
        )
        Material.objects.create(
            item=ServiceItem.objects.get(code="TESTC"), code="id", name="身份证"
        )

    def intake(self, clerk, seq: int):
        return application_intake(
            actor=clerk,
            item_code="TESTC",
            applicant={
                "name": f"申请人{seq}",
                "id_number": make_id_number(datetime.date(1995, 3, 12), female=True, seq=seq),
                "phone": "13805351234",
            },
            materials=["id"],
        )

    def run_together(self, work) -> None:
        barrier = threading.Barrier(WRITERS)
        errors: list = []

        def run(index):
            try:
                barrier.wait(timeout=10)
                work(index)
            except Exception as exc:  # noqa: BLE001 - reported to the test below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(errors, [])

    def test_cases_taken_in_and_finished_at_once_are_each_counted_once(self) -> None:
        # Nobody has written today's row yet: the first writers race to create it.
        self.run_together(
            lambda i: application_approve(
                actor=self.clerks[i], application=self.intake(self.clerks[i], i + 1)
            )
        )
        today = timezone.localdate()
        row = CaseDay.objects.get(org_unit=self.town, day=today)
        self.assertEqual((row.received, row.finished, row.on_time), (WRITERS, WRITERS, WRITERS))
        self.assertEqual(differences(), [])
