"""Guidance funds: allocations within the budget, disbursements within the allocation."""

import datetime
import io
import threading
import unittest
from decimal import Decimal

import openpyxl
import time_machine
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.db.models import Sum
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.audit.models import Event
from zhengtong.projects.actions.funds import allocation_create, disbursement_create
from zhengtong.projects.models import Disbursement, Fund, FundAllocation, KeyProject, Sector
from zhengtong.projects.tests.factories import create_project
from zhengtong.test import BaseTestCase, make_unit, make_user

TODAY = "2025-06-15 10:00 +0800"


def make_project(code, org_unit, sector, **extra) -> KeyProject:
    fields = {
        "name": f"项目{code}",
        "year": 2025,
        "category": KeyProject.Category.INDUSTRY,
        "total_investment": Decimal("500000000"),
        "annual_plan": Decimal("120000000"),
    }
    fields.update(extra)
    return create_project(code=code, sector=sector, org_unit=org_unit, **fields)


class FundTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.sector = Sector.objects.create(code="auto", name="新能源汽车", plate="2")
        cls.project = make_project("KP-001", cls.company, cls.sector, name="中通新能源客车基地")
        cls.other_project = make_project(
            "KP-002", cls.other_company, cls.sector, name="万合铜铝深加工"
        )
        # A project of the county: outside the zone leaders' and office's sight.
        cls.far_project = make_project("KP-900", cls.town, cls.sector, name="刘集镇项目")
        cls.fund = Fund.objects.create(
            code="rd", name="科技研发扶持基金", budget=Decimal("1000000")
        )
        cls.other_fund = Fund.objects.create(
            code="guarantee", name="投融资担保基金", budget=Decimal("5000000")
        )

    def allocate(
        self, project=None, amount="300000", fund=None, decided_on=datetime.date(2025, 3, 1)
    ):
        return allocation_create(
            actor=self.office,
            fund=fund or self.fund,
            project=project or self.project,
            amount=Decimal(amount),
            decided_on=decided_on,
        )

    def disburse(self, allocation, amount, paid_on=datetime.date(2025, 4, 1)):
        return disbursement_create(
            actor=self.office, allocation=allocation, amount=Decimal(amount), paid_on=paid_on
        )


@time_machine.travel(TODAY, tick=False)
class AllocationCreateTestCase(FundTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = f"/projects/funds/{self.fund.pk}/allocate/"

    def post(self, **data):
        payload = {
            "project": self.project.pk,
            "amount": "30",
            "decided_on": "2025-03-01",
            "note": "",
        }
        payload.update(data)
        return self.client.post(self.url, payload)

    def test_the_office_allocates_in_wan_and_it_is_kept_in_yuan_with_an_event(self) -> None:
        """30 万元 typed on the form is stored as 300000.00 元 and audited."""
        self.client.force_login(self.office)
        r = self.post(note="2025 年第一批")
        self.assertRedirects(r, f"/projects/funds/{self.fund.pk}/", fetch_redirect_response=False)
        allocation = FundAllocation.objects.get()
        self.assertEqual(allocation.amount, Decimal("300000.00"))
        self.assertEqual(allocation.project, self.project)
        self.assertEqual(allocation.note, "2025 年第一批")
        event = Event.objects.get(action="fund_allocation_created")
        self.assertEqual(event.actor, self.office)
        self.assertEqual(event.changes["amount"], [None, "300000.00"])

    def test_an_allocation_beyond_the_budget_is_refused_naming_the_remaining_amount(self) -> None:
        """With 70 万元 already allocated of 100 万元, 40 万元 more is refused; 30 万元 remain."""
        self.allocate(project=self.other_project, amount="700000")
        self.client.force_login(self.office)
        r = self.post(amount="40")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "剩余可安排额度 30.00万元,超出 10.00万元。")
        self.assertEqual(FundAllocation.objects.count(), 1)
        self.assertEqual(Event.objects.filter(action="fund_allocation_created").count(), 1)

    def test_the_budget_can_be_allocated_exactly(self) -> None:
        self.allocate(project=self.other_project, amount="700000")
        self.allocate(amount="300000")
        total = FundAllocation.objects.filter(fund=self.fund).aggregate(t=Sum("amount"))["t"]
        self.assertEqual(total, self.fund.budget)

    def test_a_project_gets_one_allocation_per_fund(self) -> None:
        """A second allocation of the same fund to the same project is refused."""
        self.allocate(amount="100000")
        with self.assertRaises(ValidationError) as ctx:
            self.allocate(amount="100000")
        self.assertIn("不能重复安排", ctx.exception.message_dict["project"][0])
        self.assertEqual(FundAllocation.objects.count(), 1)
        # Another fund may still support the same project.
        self.allocate(fund=self.other_fund, amount="100000")
        self.assertEqual(FundAllocation.objects.count(), 2)

    def test_bad_input_is_refused_with_a_message_naming_the_field(self) -> None:
        self.client.force_login(self.office)
        cases = [
            ({"amount": "abc"}, "安排金额(万元)必须是数字。"),
            ({"amount": "-5"}, "安排金额必须大于 0 元。"),
            ({"amount": "0"}, "安排金额必须大于 0 元。"),
            ({"amount": ""}, "请填写安排金额(万元)。"),
            ({"decided_on": "2025-06-16"}, "安排日期不能晚于今天。"),
            ({"decided_on": "2025-13-01"}, "安排日期不是有效日期。"),
            ({"project": ""}, "请选择项目。"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                r = self.post(**data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
        self.assertFalse(FundAllocation.objects.exists())
        self.assertFalse(Event.objects.filter(action="fund_allocation_created").exists())

    def test_a_project_outside_the_office_sight_cannot_be_chosen(self) -> None:
        self.client.force_login(self.office)
        r = self.post(project=self.far_project.pk)
        self.assertContains(r, "所选项目不存在或无权安排")
        self.assertFalse(FundAllocation.objects.exists())

    def test_only_the_office_may_allocate(self) -> None:
        """Leaders read the funds but may not allocate; others may not even open the page."""
        for user in (
            self.leader,
            self.liaison,
            self.auditor,
            self.clerk,
            self.outsider,
            self.admin,
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(self.post().status_code, 403)
        self.assertFalse(FundAllocation.objects.exists())

    def test_an_unknown_fund_is_404(self) -> None:
        self.client.force_login(self.office)
        self.assertEqual(self.client.get("/projects/funds/999999/allocate/").status_code, 404)


@time_machine.travel(TODAY, tick=False)
class DisbursementCreateTestCase(FundTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.allocation = self.allocate(amount="100000")
        self.url = f"/projects/allocations/{self.allocation.pk}/disburse/"

    def post(self, **data):
        payload = {"amount": "4", "paid_on": "2025-04-01", "voucher_no": "PZ-001"}
        payload.update(data)
        return self.client.post(self.url, payload)

    def test_the_office_disburses_and_an_event_is_recorded(self) -> None:
        self.client.force_login(self.office)
        r = self.post()
        self.assertRedirects(r, f"/projects/funds/{self.fund.pk}/", fetch_redirect_response=False)
        d = Disbursement.objects.get()
        self.assertEqual(
            (d.amount, d.voucher_no, d.created_by), (Decimal("40000.00"), "PZ-001", self.office)
        )
        event = Event.objects.get(action="fund_disbursement_created")
        self.assertEqual(event.changes["disbursed_total"], ["0", "40000.00"])

    def test_a_disbursement_beyond_the_allocation_is_refused(self) -> None:
        """6 万元 paid of 10 万元: 6 万元 more would make 12 万元, and is refused."""
        self.disburse(self.allocation, "60000")
        self.client.force_login(self.office)
        r = self.post(amount="6")
        self.assertContains(r, "拨付后累计 12.00万元,超过安排金额 10.00万元,超出 2.00万元。")
        self.assertEqual(Disbursement.objects.count(), 1)

    def test_an_overage_that_rounds_away_in_wan_is_named_exactly(self) -> None:
        """8,000 万元 allocated, 7,999.99995 万元 paid: 1 元 more reads "8000.00万元 超过
        8000.00万元" on both sides, so the message names the 0.50 元 it is over by."""
        fund = Fund.objects.create(code="big", name="产业发展基金", budget=Decimal("80000000"))
        allocation = self.allocate(project=self.other_project, fund=fund, amount="80000000")
        self.disburse(allocation, "79999999.50")
        with self.assertRaises(ValidationError) as ctx:
            self.disburse(allocation, "1")
        self.assertEqual(
            ctx.exception.message_dict["amount"],
            ["拨付后累计 8000.00万元,超过安排金额 8000.00万元,超出 0.50元。"],
        )

    def test_the_allocation_can_be_disbursed_exactly(self) -> None:
        self.disburse(self.allocation, "60000")
        self.disburse(self.allocation, "40000")
        with self.assertRaises(ValidationError) as ctx:
            self.disburse(self.allocation, "0.01")
        self.assertEqual(
            ctx.exception.message_dict["amount"],
            ["拨付后累计 10.00万元,超过安排金额 10.00万元,超出 0.01元。"],
        )

    def test_bad_input_is_refused_with_a_message_naming_the_field(self) -> None:
        self.client.force_login(self.office)
        cases = [
            ({"amount": "abc"}, "拨付金额(万元)必须是数字。"),
            ({"amount": "-1"}, "拨付金额必须大于 0 元。"),
            ({"amount": "1.0000001"}, "拨付金额(万元)最多精确到分"),
            ({"amount": "99999999999"}, "拨付金额(万元)过大。"),
            ({"amount": "100000000"}, "拨付金额过大(不能达到 1 万亿元),请核对单位。"),
            ({"paid_on": "2025-06-16"}, "拨付日期不能晚于今天。"),
            ({"paid_on": "2025-02-01"}, "拨付日期不能早于安排日期 2025-03-01。"),
            ({"paid_on": "yesterday"}, "拨付日期不是有效日期。"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                r = self.post(**data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
        self.assertFalse(Disbursement.objects.exists())
        self.assertFalse(Event.objects.filter(action="fund_disbursement_created").exists())

    def test_the_action_refuses_floats_and_non_dates(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            disbursement_create(
                actor=self.office,
                allocation=self.allocation,
                amount=1.5,
                paid_on=datetime.date(2025, 4, 1),
            )
        self.assertIn("amount", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            disbursement_create(
                actor=self.office,
                allocation=self.allocation,
                amount=Decimal("1"),
                paid_on="2025-04-01",
            )
        self.assertIn("paid_on", ctx.exception.message_dict)

    def test_only_the_office_may_disburse(self) -> None:
        for user in (self.leader, self.liaison, self.auditor, self.clerk, self.outsider):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(self.post().status_code, 403)
        self.assertFalse(Disbursement.objects.exists())

    def test_an_allocation_outside_the_office_sight_is_404(self) -> None:
        far = self.allocate(project=self.far_project, amount="100000")
        self.client.force_login(self.office)
        r = self.client.post(
            f"/projects/allocations/{far.pk}/disburse/", {"amount": "1", "paid_on": "2025-04-01"}
        )
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Disbursement.objects.exists())

    @unittest.skipUnless(
        connection.vendor == "postgresql", "SQLite locks the whole database instead"
    )
    def test_the_allocation_row_is_locked_while_checking(self) -> None:
        with CaptureQueriesContext(connection) as ctx:
            self.disburse(self.allocation, "1000")
        locking = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
        self.assertTrue(any("projects_fundallocation" in sql for sql in locking))


@time_machine.travel(TODAY, tick=False)
class FundListTestCase(FundTestCase):
    url = "/projects/funds/"

    def test_per_fund_totals_equal_the_sum_of_transactions(self) -> None:
        """Allocated and disbursed on the page are Σ allocations and Σ disbursements (KP9)."""
        a = self.allocate(amount="300000")
        b = self.allocate(project=self.other_project, amount="200000")
        self.disburse(a, "120000.50")
        self.disburse(a, "79999.50")
        self.disburse(b, "50000")
        self.client.force_login(self.office)
        r = self.client.get(self.url)
        fund = next(f for f in r.context["page"] if f.pk == self.fund.pk)
        allocated = FundAllocation.objects.filter(fund=self.fund).aggregate(t=Sum("amount"))["t"]
        disbursed = Disbursement.objects.filter(allocation__fund=self.fund).aggregate(
            t=Sum("amount")
        )["t"]
        self.assertEqual(fund.allocated, allocated)
        self.assertEqual(fund.allocated, Decimal("500000.00"))
        self.assertEqual(fund.disbursed, disbursed)
        self.assertEqual(fund.disbursed, Decimal("250000.00"))
        self.assertEqual(fund.remaining, Decimal("500000.00"))
        cells = next(c for c in r.context["table"].rows if c[0].row.pk == self.fund.pk)
        self.assertEqual({c.column.key: c.text for c in cells}["disbursed_pct"], "50.0%")
        other = next(f for f in r.context["page"] if f.pk == self.other_fund.pk)
        self.assertEqual((other.allocated, other.disbursed), (Decimal("0"), Decimal("0")))
        self.assertContains(r, "50.00万元")
        self.assertContains(r, "25.00万元")
        totals = r.context["totals"]
        self.assertEqual((totals["allocated"], totals["disbursed"]), (allocated, disbursed))
        budgets = Fund.objects.aggregate(t=Sum("budget"))["t"]
        self.assertEqual(totals["remaining"], budgets - allocated)

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.office)
        self.client.get(self.url)  # warm the session
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url)
        for i in range(20):
            project = make_project(f"KP-1{i:02d}", self.company, self.sector)
            allocation = self.allocate(project=project, amount="1000", fund=self.other_fund)
            self.disburse(allocation, "500")
        with self.assertNumQueries(len(few)):
            r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)

    def test_leaders_see_only_allocations_of_projects_they_may_see(self) -> None:
        self.allocate(amount="100000")
        far = self.allocate(project=self.far_project, amount="400000")
        self.disburse(far, "400000")
        self.client.force_login(self.leader)
        r = self.client.get(self.url)
        fund = next(f for f in r.context["page"] if f.pk == self.fund.pk)
        self.assertEqual((fund.allocated, fund.disbursed), (Decimal("100000.00"), Decimal("0")))
        r = self.client.get(f"/projects/funds/{self.fund.pk}/")
        self.assertContains(r, self.project.name)
        self.assertNotContains(r, self.far_project.name)
        self.assertNotContains(r, "/disburse/")  # leaders read, they do not pay

    def test_users_other_than_leaders_and_the_office_get_403(self) -> None:
        for user in (self.liaison, self.auditor, self.clerk, self.outsider, self.admin):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(
                    self.client.get(f"/projects/funds/{self.fund.pk}/").status_code, 403
                )

    def test_search_sort_and_export_of_the_funds(self) -> None:
        self.allocate(amount="300000")
        self.client.force_login(self.office)
        r = self.client.get(self.url, {"q": self.fund.name})
        self.assertEqual([c[0].row.pk for c in r.context["table"].rows], [self.fund.pk])
        r = self.client.get(self.url, {"sort": "-allocated"})
        self.assertEqual(r.context["table"].rows[0][0].row.pk, self.fund.pk)
        r = self.client.get(self.url, {"q": self.fund.name, "export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0][:3], ("基金", "资金规模(万元)", "已安排(万元)"))
        self.assertEqual([row[0] for row in rows[1:]], [self.fund.name])
        self.assertEqual(rows[1][2], 30)

    def test_anonymous_users_are_sent_to_login(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 302)
        self.assertIn("login", r["Location"])


@time_machine.travel(TODAY, tick=False)
class FundDetailTestCase(FundTestCase):
    def test_it_shows_each_allocation_with_its_disbursed_sum_and_payments(self) -> None:
        a = self.allocate(amount="300000")
        self.disburse(a, "100000", paid_on=datetime.date(2025, 4, 2))
        self.disburse(a, "50000", paid_on=datetime.date(2025, 5, 3))
        self.client.force_login(self.office)
        r = self.client.get(f"/projects/funds/{self.fund.pk}/")
        row = r.context["page"][0]
        self.assertEqual(row.disbursed, Decimal("150000.00"))
        self.assertEqual(row.undisbursed, Decimal("150000.00"))
        self.assertContains(r, "2025-04-02")
        self.assertContains(r, "2025-05-03")
        self.assertContains(r, f"/projects/allocations/{a.pk}/disburse/")

    def test_the_detail_runs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.office)
        a = self.allocate(amount="1000")
        self.disburse(a, "10")
        url = f"/projects/funds/{self.fund.pk}/"
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for i in range(15):
            allocation = self.allocate(
                project=make_project(f"KP-2{i:02d}", self.company, self.sector), amount="1000"
            )
            self.disburse(allocation, "10")
            self.disburse(allocation, "20")
        with self.assertNumQueries(len(few)):
            self.client.get(url)

    def test_an_unknown_fund_is_404(self) -> None:
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get("/projects/funds/999999/").status_code, 404)

    def test_the_export_holds_only_allocations_of_projects_the_user_may_see(self) -> None:
        self.allocate(amount="100000")
        self.allocate(project=self.far_project, amount="400000")
        self.client.force_login(self.leader)
        r = self.client.get(f"/projects/funds/{self.fund.pk}/", {"export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual([row[0] for row in rows[1:]], [self.project.name])
        self.assertNotIn("操作", rows[0])


@unittest.skipUnless(
    connection.vendor == "postgresql", "needs row locks and concurrent connections"
)
class ConcurrentDisbursementTestCase(TransactionTestCase):
    """Two disbursements racing for the last 6 万元 of a 10 万元 allocation: one wins."""

    def test_only_one_of_two_concurrent_disbursements_passes(self) -> None:
        zone = make_unit("开发区", "ZONE-C", OrgUnit.Kind.ZONE)
        office = make_user("office-c", memberships=[(Role.PROJECT_OFFICE, zone)])
        sector = Sector.objects.create(code="c", name="板块", plate="2")
        project = make_project("KP-C", zone, sector)
        fund = Fund.objects.create(code="c", name="基金", budget=Decimal("100000"))
        allocation = FundAllocation.objects.create(
            fund=fund,
            project=project,
            amount=Decimal("100000"),
            decided_on=datetime.date(2025, 1, 1),
        )
        Disbursement.objects.create(
            allocation=allocation,
            amount=Decimal("40000"),
            paid_on=datetime.date(2025, 1, 2),
            created_by=office,
        )
        barrier = threading.Barrier(2)
        outcomes = []

        def pay():
            try:
                barrier.wait()
                disbursement_create(
                    actor=office,
                    allocation=allocation,
                    amount=Decimal("60000"),
                    paid_on=datetime.date(2025, 1, 3),
                )
                outcomes.append("paid")
            except ValidationError:
                outcomes.append("refused")
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=pay) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(outcomes), ["paid", "refused"])
        total = Disbursement.objects.filter(allocation=allocation).aggregate(t=Sum("amount"))["t"]
        self.assertEqual(total, Decimal("100000.00"))
