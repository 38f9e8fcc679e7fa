"""我的待办: loan steps and unverified school hazards reach the keeping department's clerks."""

from zhengtong.inbox.registry import items_for
from zhengtong.livelihood.actions.loans import loan_approve, loan_reject, loan_submit
from zhengtong.livelihood.inbox import KIND_HAZARD, KIND_LOAN
from zhengtong.livelihood.models import Hazard, Inspection, School
from zhengtong.workdays import add_workdays

from .jobs_fixtures import D, JobsTestCase, id_for


def submit(actor, seq):
    return loan_submit(
        actor=actor,
        id_number=id_for(seq),
        name=f"借款人{seq}",
        business="小超市",
        amount_requested="50000",
        guarantor="担保中心",
        submitted_on=D(2026, 5, 25),
    )


class LoanInboxTestCase(JobsTestCase):
    def kinds(self, user, kind):
        return [i for i in items_for(user, today=D(2026, 6, 15)) if i.kind == kind]

    def test_the_clerk_sees_the_next_step_with_its_due_date(self) -> None:
        loan = submit(self.clerk, 1)
        [item] = self.kinds(self.clerk, KIND_LOAN)
        self.assertEqual(item.due_on, add_workdays(D(2026, 5, 25), 10))
        self.assertEqual(item.subtitle, "待审批")
        self.assertEqual(item.url, f"/livelihood/loans/{loan.pk}/")
        self.assertEqual(item.deadline.state, "overdue")
        loan_approve(
            actor=self.clerk, loan=loan, amount_approved="50000", approved_on=D(2026, 6, 15)
        )
        [item] = self.kinds(self.clerk, KIND_LOAN)
        self.assertEqual(item.subtitle, "待放款")

    def test_a_finished_loan_leaves_the_inbox(self) -> None:
        loan_reject(actor=self.clerk, loan=submit(self.clerk, 1), reason="材料不全")
        self.assertEqual(self.kinds(self.clerk, KIND_LOAN), [])

    def test_leaders_and_other_departments_own_no_loan_step(self) -> None:
        submit(self.clerk, 1)
        self.assertEqual(self.kinds(self.leader, KIND_LOAN), [])
        self.assertEqual(self.kinds(self.civil_clerk, KIND_LOAN), [])

    def test_the_provider_runs_fixed_queries(self) -> None:
        from zhengtong.livelihood.inbox import loan_items

        submit(self.clerk, 1)
        with self.assertNumQueries(2):
            self.assertEqual(len(loan_items(self.clerk)), 1)
        for seq in range(2, 6):
            submit(self.clerk, seq)
        with self.assertNumQueries(1):  # memberships are cached on the user
            self.assertEqual(len(loan_items(self.clerk)), 5)


class HazardInboxTestCase(JobsTestCase):
    def setUp(self) -> None:
        super().setUp()
        school = School.objects.create(name="开发区实验小学", kind="primary", org_unit=self.social)
        self.inspection = Inspection.objects.create(
            school=school, org_unit=self.social, inspected_on=D(2026, 6, 1), inspectors="郑经办"
        )

    def hazard(self, **kw):
        return Hazard.objects.create(
            inspection=self.inspection,
            description=kw.pop("description", "消防通道堵塞"),
            requirement="立即清理",
            deadline_workdays=3,
            **kw,
        )

    def test_unverified_hazards_with_a_due_date_are_listed(self) -> None:
        self.hazard(due_on=D(2026, 6, 4))
        self.hazard(description="灭火器过期", due_on=D(2026, 6, 20), rectified_on=D(2026, 6, 10))
        self.hazard(
            description="已复查",
            due_on=D(2026, 6, 4),
            verified_on=D(2026, 6, 5),
            verified_by=self.clerk,
        )
        self.hazard(description="无期限")
        items = [i for i in items_for(self.clerk, today=D(2026, 6, 15)) if i.kind == KIND_HAZARD]
        self.assertEqual(
            [i.title for i in items],
            ["开发区实验小学 · 消防通道堵塞", "开发区实验小学 · 灭火器过期"],
        )
        self.assertEqual([i.subtitle for i in items], ["待整改", "待复查确认"])
        self.assertEqual(items[0].url, f"/livelihood/inspections/{self.inspection.pk}/")
        self.assertEqual(items[0].deadline.state, "overdue")

    def test_hazards_stay_with_the_keeping_department(self) -> None:
        self.hazard(due_on=D(2026, 6, 4))
        for user in (self.leader, self.civil_clerk):
            self.assertEqual(
                [i for i in items_for(user, today=D(2026, 6, 15)) if i.kind == KIND_HAZARD], []
            )
