"""employment_totals: every figure equals the sum of the rows of the period the user may see."""

from decimal import Decimal

from zhengtong.livelihood.actions.employment import (
    employment_record_create,
    unemployment_figure_record,
)
from zhengtong.livelihood.actions.internships import internship_base_apply
from zhengtong.livelihood.actions.loans import loan_approve, loan_disburse, loan_submit
from zhengtong.livelihood.actions.training import trainee_enrol, training_class_create
from zhengtong.livelihood.stats import employment_totals

from .jobs_fixtures import D, JobsTestCase, id_for

START, END = D(2026, 1, 1), D(2026, 12, 31)


class EmploymentTotalsTestCase(JobsTestCase):
    def setUp(self) -> None:
        super().setUp()
        c = self.clerk
        seq = iter(range(1, 400))
        # 2026: 5 新增就业, 2 再就业, 3 转移; 2025: 4 新增就业 (outside the period).
        for kind, n, day in [
            ("new_urban", 5, D(2026, 2, 1)),
            ("reemployed", 2, D(2026, 3, 1)),
            ("rural_transfer", 3, D(2026, 4, 1)),
            ("new_urban", 4, D(2025, 12, 31)),
        ]:
            for _ in range(n):
                s = next(seq)
                employment_record_create(
                    actor=c,
                    id_number=id_for(s),
                    name=f"人{s}",
                    kind=kind,
                    employed_on=day,
                    employer="某单位",
                )
        unemployment_figure_record(
            actor=c, period=D(2026, 3, 1), registered_unemployed=300, labour_force=10000
        )
        unemployment_figure_record(
            actor=c, period=D(2026, 5, 1), registered_unemployed=245, labour_force=9800
        )
        # Loans: 100000 + 50000 paid in 2026, 30000 paid in 2025.
        old = loan_submit(
            actor=c,
            id_number=id_for(450),
            name="旧户",
            business="餐饮",
            amount_requested="30000",
            guarantor="担保中心",
            submitted_on=D(2025, 11, 1),
        )
        loan_approve(actor=c, loan=old, amount_approved="30000", approved_on=D(2025, 11, 5))
        loan_disburse(actor=c, loan=old, amount="30000", paid_on=D(2025, 11, 20))
        new = loan_submit(
            actor=c,
            id_number=id_for(451),
            name="新户",
            business="物流",
            amount_requested="200000",
            guarantor="担保中心",
            submitted_on=D(2026, 1, 5),
        )
        loan_approve(actor=c, loan=new, amount_approved="150000", approved_on=D(2026, 1, 10))
        loan_disburse(actor=c, loan=new, amount="100000", paid_on=D(2026, 1, 20))
        loan_disburse(actor=c, loan=new, amount="50000", paid_on=D(2026, 3, 2))
        internship_base_apply(actor=c, name="甲基地", employer="甲", applied_on=D(2026, 2, 1))
        internship_base_apply(actor=c, name="乙基地", employer="乙", applied_on=D(2025, 6, 1))
        for name, start, people in [("技能班", D(2026, 3, 1), 3), ("旧班", D(2025, 3, 1), 2)]:
            tc = training_class_create(
                actor=c, name=name, kind="skill", start_on=start, end_on=start, sessions=2
            )
            for _ in range(people):
                s = next(seq)
                trainee_enrol(actor=c, training_class=tc, id_number=id_for(s), name=f"人{s}")

    def test_the_figures_are_sums_of_the_period_rows(self) -> None:
        totals = employment_totals(self.leader, start=START, end=END)
        self.assertEqual(
            totals,
            {
                "new_urban_jobs": 5,
                "reemployed_hard_to_employ": 2,
                "rural_labour_transferred": 3,
                "unemployment_rate": Decimal("2.50"),  # May: 245 / 9800
                "guaranteed_loans_yuan": Decimal("150000.00"),
                "internship_bases_new": 1,
                "training_classes": 1,
                "trainees": 3,
            },
        )

    def test_a_shorter_period_reads_its_own_latest_month(self) -> None:
        totals = employment_totals(self.clerk, start=D(2026, 1, 1), end=D(2026, 3, 31))
        self.assertEqual(totals["unemployment_rate"], Decimal("3.00"))
        self.assertEqual(totals["guaranteed_loans_yuan"], Decimal("150000.00"))
        self.assertEqual(totals["rural_labour_transferred"], 0)

    def test_another_department_sees_nothing(self) -> None:
        totals = employment_totals(self.civil_clerk, start=START, end=END)
        self.assertEqual(
            totals,
            {
                "new_urban_jobs": 0,
                "reemployed_hard_to_employ": 0,
                "rural_labour_transferred": 0,
                "unemployment_rate": None,
                "guaranteed_loans_yuan": Decimal("0.00"),
                "internship_bases_new": 0,
                "training_classes": 0,
                "trainees": 0,
            },
        )

    def test_the_overview_page_shows_the_totals(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get("/livelihood/?year=2026")
        self.assertContains(r, "5 人")
        self.assertContains(r, "2.50%")
        self.assertContains(r, "15.00万元")
        self.assertNotContains(r, "超过目标")
