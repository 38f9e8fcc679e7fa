"""Numbers under load: a sequence never repeats, and two clerks approving (or taking in) at the
same moment get one number each."""

import datetime
import threading
import time
from unittest import mock, skipUnless

import time_machine
from django.db import connection
from django.test import TransactionTestCase

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.services.actions.decisions import application_approve
from zhengtong.services.actions.intake import application_intake
from zhengtong.services.actions.numbering import sequence_next
from zhengtong.services.models import Application, Material, Sequence, ServiceItem
from zhengtong.test import make_id_number, make_unit, make_user

from .fixtures import CaseTestCase


class SequenceTestCase(CaseTestCase):
    def test_a_sequence_never_repeats(self) -> None:
        numbers = [sequence_next("cert:TEST:2026") for _ in range(50)]
        self.assertEqual(numbers, list(range(1, 51)))

    def test_each_key_counts_on_its_own(self) -> None:
        sequence_next("a")
        sequence_next("a")
        self.assertEqual(sequence_next("b"), 1)
        self.assertEqual(Sequence.objects.get(key="a").last_number, 2)

    def test_certificate_numbers_stay_unique_across_many_approvals(self) -> None:
        with time_machine.travel("2026-11-02 09:00 +0800", tick=False):
            numbers = [
                application_approve(actor=self.clerk_a, application=self.intake()).certificate_no
                for _ in range(12)
            ]
        self.assertEqual(len(set(numbers)), 12)
        self.assertEqual(numbers[-1], "CS2026000012")


def slow_save(original):
    """Sequence.save that dawdles, so two unlocked transactions would both read the old value."""

    def save(self, *args, **kwargs):
        time.sleep(0.3)
        return original(self, *args, **kwargs)

    return save


@skipUnless(
    connection.vendor == "postgresql",
    "needs concurrent writers; SQLite serialises all writes, so the race cannot happen there",
)
class ConcurrentNumbersTestCase(TransactionTestCase):
    """Real commits on separate connections; the test builds every row it needs, since an
    earlier TransactionTestCase may have flushed the data the migrations seeded."""

    def setUp(self) -> None:
        county = make_unit("东阿县", "371524", OrgUnit.Kind.COUNTY)
        self.town = make_unit("刘集镇", "LIUJI", OrgUnit.Kind.TOWN, county)
        self.clerks = [
            make_user(f"clerk_{n}", full_name=name, memberships=[(Role.WINDOW_CLERK, self.town)])
            for n, name in (("x", "甲"), ("y", "乙"))
        ]
        self.item = ServiceItem.objects.create(
            code="TESTC",
            name="并发测试证明",
            department="刘集镇",
            legal_basis="测试",
            procedure=["申请"],
            promised_workdays=5,
            certificate_name="并发测试证明",
            certificate_prefix="BF",
        )
        Material.objects.create(item=self.item, code="id", name="身份证")

    def run_together(self, work) -> list:
        """Run work(0) and work(1) in two threads released at the same instant."""
        barrier = threading.Barrier(2)
        results: list = [None, None]
        errors: list = []

        def run(index):
            try:
                barrier.wait(timeout=10)
                results[index] = work(index)
            except Exception as exc:  # noqa: BLE001 - reported to the test below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        with mock.patch.object(Sequence, "save", slow_save(Sequence.save)):
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
        self.assertEqual(errors, [])
        return results

    def intake(self, clerk, seq: int) -> Application:
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

    def test_two_clerks_approving_at_once_get_different_certificate_numbers(self) -> None:
        # An earlier approval of the day: the counter row exists, as on any busy day.
        application_approve(actor=self.clerks[0], application=self.intake(self.clerks[0], 9))
        cases = [self.intake(clerk, n) for n, clerk in enumerate(self.clerks, 1)]
        self.run_together(lambda i: application_approve(actor=self.clerks[i], application=cases[i]))
        numbers = sorted(Application.objects.values_list("certificate_no", flat=True))
        year = numbers[0][2:6]
        self.assertEqual(numbers, [f"BF{year}00000{n}" for n in (1, 2, 3)])

    def test_two_clerks_taking_in_at_once_get_different_receipt_numbers(self) -> None:
        self.intake(self.clerks[0], 19)
        self.run_together(lambda i: self.intake(self.clerks[i], i + 20))
        receipts = sorted(Application.objects.values_list("receipt_no", flat=True))
        self.assertEqual([r[-4:] for r in receipts], ["0001", "0002", "0003"])
