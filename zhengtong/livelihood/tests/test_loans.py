"""创业担保贷款: the lifecycle, its due dates, every refusal and the department boundary."""

from django.core.exceptions import PermissionDenied, ValidationError

from zhengtong.audit.models import Event
from zhengtong.livelihood.actions.loans import (
    add_months,
    loan_approve,
    loan_close,
    loan_disburse,
    loan_reject,
    loan_repay,
    loan_submit,
)
from zhengtong.livelihood.models import Loan, LoanDisbursement
from zhengtong.workdays import add_workdays

from .jobs_fixtures import D, JobsTestCase, id_for

SUBMITTED_ON = D(2026, 5, 6)


def submit(actor, seq=1, amount="200000", submitted_on=SUBMITTED_ON, **kw):
    return loan_submit(
        actor=actor,
        id_number=id_for(seq),
        name=f"创业者{seq}",
        business=kw.pop("business", "汽车配件加工"),
        amount_requested=amount,
        guarantor="开发区创业担保中心",
        bank="农商银行",
        submitted_on=submitted_on,
        **kw,
    )


class LoanLifecycleTestCase(JobsTestCase):
    def test_a_loan_runs_from_application_to_closing(self) -> None:
        """Each step moves the status, sets the next due date and writes one event."""
        loan = submit(self.clerk)
        self.assertEqual(loan.status, Loan.Status.SUBMITTED)
        self.assertEqual(loan.next_step_due_on, add_workdays(D(2026, 5, 6), 10))

        loan = loan_approve(
            actor=self.clerk, loan=loan, amount_approved="150000", approved_on=D(2026, 5, 12)
        )
        self.assertEqual(loan.status, Loan.Status.APPROVED)
        self.assertEqual(loan.next_step_due_on, add_workdays(D(2026, 5, 12), 10))

        loan_disburse(actor=self.clerk, loan=loan, amount="100000", paid_on=D(2026, 5, 20))
        loan_disburse(actor=self.clerk, loan=loan, amount="50000", paid_on=D(2026, 6, 1))
        loan.refresh_from_db()
        self.assertEqual(loan.status, Loan.Status.DISBURSED)
        # Maturity: 24 months after the first disbursement.
        self.assertEqual(loan.next_step_due_on, D(2028, 5, 20))

        loan = loan_repay(actor=self.clerk, loan=loan, repaid_on=D(2026, 6, 15))
        self.assertEqual(loan.status, Loan.Status.REPAID)
        loan = loan_close(actor=self.clerk, loan=loan)
        self.assertEqual(loan.status, Loan.Status.CLOSED)
        self.assertIsNone(loan.next_step_due_on)
        actions = list(
            Event.objects.filter(target_type="livelihood.loan", target_id=str(loan.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )
        self.assertEqual(
            actions,
            [
                "loan_submitted",
                "loan_approved",
                "loan_disbursed",
                "loan_disbursed",
                "loan_repaid",
                "loan_closed",
            ],
        )

    def test_a_rejected_loan_has_nothing_due(self) -> None:
        loan = loan_reject(actor=self.clerk, loan=submit(self.clerk), reason="经营场所未落实")
        self.assertEqual(loan.status, Loan.Status.REJECTED)
        self.assertIsNone(loan.next_step_due_on)
        self.assertEqual(Event.objects.get(action="loan_rejected").reason, "经营场所未落实")
        with self.assertRaises(ValidationError):
            loan_approve(
                actor=self.clerk, loan=loan, amount_approved="1", approved_on=D(2026, 6, 1)
            )

    def test_add_months_keeps_the_month_end(self) -> None:
        self.assertEqual(add_months(D(2026, 1, 31), 1), D(2026, 2, 28))
        self.assertEqual(add_months(D(2026, 11, 15), 24), D(2028, 11, 15))


class LoanRefusalsTestCase(JobsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.loan = submit(self.clerk)

    def approved(self, amount="100000"):
        return loan_approve(
            actor=self.clerk, loan=self.loan, amount_approved=amount, approved_on=D(2026, 5, 8)
        )

    def assert_refused(self, field, fn, **kwargs):
        with self.assertRaises(ValidationError) as ctx:
            fn(**kwargs)
        self.assertIn(field, ctx.exception.message_dict)
        return " ".join(ctx.exception.message_dict[field])

    def test_a_disbursement_beyond_the_approved_amount_is_refused(self) -> None:
        loan = self.approved("100000")
        loan_disburse(actor=self.clerk, loan=loan, amount="60000", paid_on=D(2026, 5, 10))
        message = self.assert_refused(
            "amount",
            loan_disburse,
            actor=self.clerk,
            loan=loan,
            amount="40000.01",
            paid_on=D(2026, 5, 11),
        )
        self.assertIn("最多还可放款 40,000.00 元", message)
        self.assertEqual(LoanDisbursement.objects.count(), 1)
        loan_disburse(actor=self.clerk, loan=loan, amount="40000", paid_on=D(2026, 5, 11))
        self.assertEqual(LoanDisbursement.objects.count(), 2)

    def test_approval_above_the_request_or_not_positive_is_refused(self) -> None:
        for amount in ("200000.01", "0", "-5", "abc", "1.005"):
            self.assert_refused(
                "amount_approved",
                loan_approve,
                actor=self.clerk,
                loan=self.loan,
                amount_approved=amount,
                approved_on=D(2026, 5, 8),
            )
        self.loan.refresh_from_db()
        self.assertEqual(self.loan.status, Loan.Status.SUBMITTED)
        self.assertFalse(Event.objects.filter(action="loan_approved").exists())

    def test_negative_absurd_and_future_applications_are_refused(self) -> None:
        self.assert_refused("amount_requested", submit, actor=self.clerk, seq=2, amount="-1")
        self.assert_refused("amount_requested", submit, actor=self.clerk, seq=2, amount="9e9")
        self.assert_refused(
            "submitted_on", submit, actor=self.clerk, seq=2, submitted_on=D(2026, 6, 16)
        )
        self.assert_refused("term_months", submit, actor=self.clerk, seq=2, term_months=120)
        self.assertEqual(Loan.objects.count(), 1)

    def test_dates_out_of_order_or_in_the_future_are_refused(self) -> None:
        self.assert_refused(
            "approved_on",
            loan_approve,
            actor=self.clerk,
            loan=self.loan,
            amount_approved="1000",
            approved_on=D(2026, 5, 1),
        )
        self.assert_refused(
            "approved_on",
            loan_approve,
            actor=self.clerk,
            loan=self.loan,
            amount_approved="1000",
            approved_on=D(2026, 7, 1),
        )
        loan = self.approved()
        self.assert_refused(
            "paid_on",
            loan_disburse,
            actor=self.clerk,
            loan=loan,
            amount="1",
            paid_on=D(2026, 5, 7),
        )
        self.assert_refused(
            "paid_on",
            loan_disburse,
            actor=self.clerk,
            loan=loan,
            amount="1",
            paid_on=D(2026, 6, 16),
        )

    def test_steps_out_of_order_are_refused(self) -> None:
        self.assert_refused(
            "status",
            loan_disburse,
            actor=self.clerk,
            loan=self.loan,
            amount="1",
            paid_on=D(2026, 6, 1),
        )
        self.assert_refused(
            "status", loan_repay, actor=self.clerk, loan=self.loan, repaid_on=D(2026, 6, 1)
        )
        self.assert_refused("status", loan_close, actor=self.clerk, loan=self.loan)

    def test_other_departments_and_leaders_cannot_act(self) -> None:
        for user in (self.civil_clerk, self.leader):
            with self.assertRaises(PermissionDenied):
                loan_approve(
                    actor=user, loan=self.loan, amount_approved="1", approved_on=D(2026, 5, 8)
                )
            with self.assertRaises(PermissionDenied):
                submit(user, seq=3)


class LoanPagesTestCase(JobsTestCase):
    def test_the_clerk_files_and_approves_through_the_pages(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.post(
            "/livelihood/loans/new/",
            {
                "id_number": id_for(4),
                "name": "创业者4",
                "business": "电商",
                "amount_requested": "300000",
                "guarantor": "担保中心",
                "bank": "",
                "term_months": "24",
                "submitted_on": "2026-06-01",
            },
        )
        loan = Loan.objects.get()
        self.assertRedirects(r, f"/livelihood/loans/{loan.pk}/")
        r = self.client.post(
            f"/livelihood/loans/{loan.pk}/approve/",
            {"amount_approved": "300000", "approved_on": "2026-06-10"},
        )
        self.assertRedirects(r, f"/livelihood/loans/{loan.pk}/")
        r = self.client.post(
            f"/livelihood/loans/{loan.pk}/disburse/", {"amount": "300001", "paid_on": "2026-06-12"}
        )
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "累计放款不能超过核准金额", status_code=400)
        self.assertFalse(LoanDisbursement.objects.exists())

    def test_boundaries_between_departments(self) -> None:
        """民政局 clerk: 404 on the loan, 403 on filing; leader: reads, 403 on every step."""
        loan = submit(self.clerk)
        url = f"/livelihood/loans/{loan.pk}/"
        self.client.force_login(self.civil_clerk)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url + "approve/", {}).status_code, 404)
        self.assertEqual(self.client.get("/livelihood/loans/new/").status_code, 403)
        self.client.force_login(self.leader)
        r = self.client.get(url)
        self.assertContains(r, "创业者1")
        self.assertNotContains(r, "批准</button>")
        r = self.client.post(
            url + "approve/", {"amount_approved": "1", "approved_on": "2026-06-01"}
        )
        self.assertEqual(r.status_code, 403)
        self.assertEqual(self.client.post(url + "reject/", {"reason": "x"}).status_code, 403)
        loan.refresh_from_db()
        self.assertEqual(loan.status, Loan.Status.SUBMITTED)

    def test_the_list_shows_db_sums_with_fixed_queries(self) -> None:
        loan = submit(self.clerk)
        loan_approve(
            actor=self.clerk, loan=loan, amount_approved="100000", approved_on=D(2026, 5, 8)
        )
        loan_disburse(actor=self.clerk, loan=loan, amount="80000", paid_on=D(2026, 5, 9))
        self.client.force_login(self.clerk)

        def grow():
            for seq in range(2, 8):
                other = submit(self.clerk, seq=seq, amount="10000")
                loan_approve(
                    actor=self.clerk, loan=other, amount_approved="10000", approved_on=D(2026, 5, 8)
                )
                loan_disburse(actor=self.clerk, loan=other, amount="10000", paid_on=D(2026, 5, 9))

        r = self.assert_fixed_queries(
            "/livelihood/loans/?year=2026",
            grow,
            contains=(
                "已放款 <strong>8.00万元</strong>",
                "已放款 <strong>14.00万元</strong>",
            ),
        )
        self.assertContains(r, "共 <strong>7</strong> 笔")
