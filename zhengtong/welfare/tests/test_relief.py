import datetime
from decimal import Decimal

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.people.models import Household, HouseholdMember
from zhengtong.test import make_id_number

from ..actions import relief_batch_approve, relief_batch_create, relief_grant_add
from ..models import ReliefGrant
from .fixtures import TODAY, WelfareTestCase


def adult(seq):
    return make_id_number(datetime.date(1970, 3, 1), female=False, seq=seq)


def child(seq):
    return make_id_number(datetime.date(2015, 3, 1), female=True, seq=seq)


@time_machine.travel(TODAY)
class ReliefTestCase(WelfareTestCase):
    def setUp(self):
        super().setUp()
        self.batch = relief_batch_create(actor=self.civil, name="2015年慈善救助")

    def grant(self, number, *, kind="household", amount="1000", name="赵家", batch=None):
        return relief_grant_add(
            actor=self.civil, batch=batch or self.batch, recipient_kind=kind,
            id_number=number, name=name, reason="illness", amount=amount,
        )  # fmt: skip

    def test_the_seed_batch_gives_35_households_17_orphans_and_71000_yuan(self):
        """35 × 1,400 + 16 × 1,294.12 + 1,294.08 = 71,000.00 元, 52 recipients."""
        for i in range(1, 36):
            self.grant(adult(i), amount="1400", name=f"户主{i}")
        for i in range(1, 18):
            amount = "1294.12" if i < 17 else "1294.08"
            self.grant(child(i), kind="orphan", amount=amount, name=f"孤儿{i}")
        relief_batch_approve(actor=self.civil, batch=self.batch)
        from ..stats import welfare_totals

        totals = welfare_totals(self.leader, start=datetime.date(2025, 1, 1), end=TODAY)
        self.assertEqual(totals["relief_households"], 35)
        self.assertEqual(totals["relief_orphans"], 17)
        self.assertEqual(Decimal(totals["relief_total_yuan"]), Decimal("71000.00"))

    def test_a_household_grant_is_recorded_on_the_applicant_and_household(self):
        grant = self.grant(adult(1))
        household = Household.objects.create(org_unit=self.east_village, address="东村1号")
        HouseholdMember.objects.create(household=household, person=grant.person, relation="head")
        second = relief_batch_create(actor=self.civil, name="第二批")
        grant2 = self.grant(adult(1), batch=second)
        self.assertEqual(grant2.person, grant.person)
        self.assertEqual(grant2.household, household)

    def test_a_duplicate_person_in_one_batch_is_refused(self):
        self.grant(adult(1))
        with self.assertRaisesMessage(ValidationError, "同一批次不能重复救助"):
            self.grant(adult(1), kind="household")
        self.assertEqual(ReliefGrant.objects.count(), 1)

    def test_amount_must_be_positive(self):
        for amount in ["0", "-5", "abc"]:
            with self.subTest(amount=amount), self.assertRaises(ValidationError) as ctx:
                self.grant(adult(1), amount=amount)
            self.assertIn("amount", ctx.exception.message_dict)
        self.assertFalse(ReliefGrant.objects.exists())

    def test_an_adult_cannot_be_granted_as_an_orphan(self):
        with self.assertRaisesMessage(ValidationError, "孤儿须未满18周岁"):
            self.grant(adult(1), kind="orphan")

    def test_an_approved_batch_is_frozen(self):
        self.grant(adult(1))
        relief_batch_approve(actor=self.civil, batch=self.batch)
        with self.assertRaisesMessage(ValidationError, "已审批"):
            self.grant(adult(2))
        self.assertEqual(ReliefGrant.objects.count(), 1)
        self.client.force_login(self.civil)
        grant = ReliefGrant.objects.get()
        self.client.post(f"/welfare/relief/{self.batch.pk}/grants/{grant.pk}/remove/",
                         {"reason": "错报"})  # fmt: skip
        self.assertTrue(ReliefGrant.objects.filter(pk=grant.pk).exists())

    def test_an_empty_batch_cannot_be_approved(self):
        with self.assertRaisesMessage(ValidationError, "救助名单为空"):
            relief_batch_approve(actor=self.civil, batch=self.batch)

    def test_the_page_adds_a_grant_and_shows_errors_in_chinese(self):
        self.client.force_login(self.civil)
        url = f"/welfare/relief/{self.batch.pk}/grants/"
        data = {"id_number": adult(1), "name": "赵家", "recipient_kind": "household",
                "reason": "disaster", "amount": "800", "note": ""}  # fmt: skip
        self.assertRedirects(self.client.post(url, data), f"/welfare/relief/{self.batch.pk}/")
        r = self.client.post(url, data)
        self.assertContains(r, "同一批次不能重复救助", status_code=400)
        self.assertEqual(ReliefGrant.objects.count(), 1)

    def test_a_leader_reads_batches_but_cannot_change_them(self):
        self.grant(adult(1))
        self.client.force_login(self.leader)
        self.assertContains(self.client.get("/welfare/relief/"), "2015年慈善救助")
        r = self.client.post(f"/welfare/relief/{self.batch.pk}/approve/")
        self.assertEqual(r.status_code, 403)
        with self.assertRaises(PermissionDenied):
            relief_batch_approve(actor=self.leader, batch=self.batch)

    def test_a_social_affairs_clerk_gets_nothing(self):
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get("/welfare/relief/").status_code, 403)
        self.assertIn(self.client.get(f"/welfare/relief/{self.batch.pk}/").status_code, (403, 404))
        with self.assertRaises(PermissionDenied):
            relief_batch_create(actor=self.clerk, name="越权")

    def test_the_batch_list_runs_a_fixed_number_of_queries(self):
        self.client.force_login(self.civil)
        with CaptureQueriesContext(connection) as ctx:
            self.client.get("/welfare/relief/")
        for i in range(3):
            b = relief_batch_create(actor=self.civil, name=f"批次{i}")
            self.grant(adult(i + 1), batch=b)
        with self.assertNumQueries(len(ctx.captured_queries)):
            self.client.get("/welfare/relief/")
