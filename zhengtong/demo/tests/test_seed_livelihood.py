import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.test import TestCase

from zhengtong.accounts.models import Membership, Role, User
from zhengtong.audit.models import Event
from zhengtong.demo.org import DEMO_PASSWORD
from zhengtong.demo.testing import seed_demo
from zhengtong.livelihood.models import (
    EmploymentRecord,
    Hazard,
    Inspection,
    InternshipBase,
    Loan,
    LoanDisbursement,
    School,
    Trainee,
    TrainingClass,
    UnlicensedKindergarten,
)
from zhengtong.welfare.models import (
    Assessment,
    Payment,
    PaymentCycle,
    ReliefGrant,
    WelfareStatus,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
MODELS = [
    EmploymentRecord, Loan, LoanDisbursement, School, Inspection, Hazard, Trainee,
    UnlicensedKindergarten, Assessment, PaymentCycle, Payment, ReliefGrant, Event,
]  # fmt: skip


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@time_machine.travel(TODAY, tick=False)
class SeedLivelihoodTestCase(TestCase):
    """The demo, built once per test run (demo/testing.py); each test reads its ledgers."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed_demo(at=TODAY)
        cls.year = TODAY.year

    def test_civil_and_social_are_department_clerks_with_the_demo_password(self) -> None:
        for username, unit in [("civil", "民政局"), ("social", "社会事业局")]:
            user = User.objects.get(username=username)
            self.assertTrue(user.check_password(DEMO_PASSWORD))
            membership = Membership.objects.get(user=user)
            self.assertEqual((membership.role, membership.org_unit.name), (Role.DEPT_CLERK, unit))

    def test_employment_records_are_one_per_person_and_match_the_seed(self) -> None:
        records = EmploymentRecord.objects.filter(employed_on__year=self.year)
        counts = {k: records.filter(kind=k).count() for k in EmploymentRecord.Kind.values}
        self.assertEqual(counts, {"new_urban": 590, "reemployed": 40, "rural_transfer": 223})
        self.assertEqual(records.values("person").distinct().count(), 853)
        self.assertFalse(records.filter(employed_on__gt=TODAY.date()).exists())

    def test_loans_disbursed_this_year_sum_to_330_wan_and_never_exceed_approval(self) -> None:
        paid = LoanDisbursement.objects.filter(paid_on__year=self.year)
        self.assertEqual(sum(d.amount for d in paid), Decimal("3300000.00"))
        for loan in Loan.objects.filter(disbursements__isnull=False).distinct():
            self.assertLessEqual(
                sum(d.amount for d in loan.disbursements.all()), loan.amount_approved
            )
        self.assertTrue(Loan.objects.filter(status=Loan.Status.SUBMITTED).exists())

    def test_four_city_internship_bases_are_newly_applied_for_this_year(self) -> None:
        bases = InternshipBase.objects.filter(applied_on__year=self.year)
        self.assertEqual(bases.count(), 4)
        self.assertEqual(set(bases.values_list("level", flat=True)), {"市级"})

    def test_two_training_classes_train_350_people_each_once_per_class(self) -> None:
        classes = TrainingClass.objects.filter(start_on__year=self.year)
        self.assertEqual(classes.count(), 2)
        trainees = Trainee.objects.filter(training_class__in=classes)
        self.assertEqual(trainees.count(), 350)
        pairs = trainees.values_list("training_class_id", "person_id")
        self.assertEqual(len(set(pairs)), 350)

    def test_all_43_schools_are_inspected_with_some_hazards_still_open(self) -> None:
        self.assertEqual(School.objects.count(), 43)
        self.assertTrue(all(School.objects.values_list("is_example", flat=True)))
        inspected = Inspection.objects.filter(inspected_on__year=self.year)
        self.assertEqual(inspected.values("school").distinct().count(), 43)
        self.assertEqual(Hazard.objects.filter(verified_on__isnull=True).count(), 2)
        self.assertGreater(Hazard.objects.filter(verified_on__isnull=False).count(), 5)
        for inspection in inspected.filter(status=Inspection.Status.CLOSED):
            self.assertFalse(inspection.hazards.filter(verified_on__isnull=True).exists())

    def test_recording_rooms_cover_8_of_the_10_middle_and_central_schools(self) -> None:
        from zhengtong.livelihood.models import recording_room_target

        target = School.objects.filter(recording_room_target())
        self.assertEqual(target.count(), 10)
        self.assertEqual(target.filter(recording_room_on__isnull=False).count(), 8)
        self.assertEqual(School.objects.filter(is_central=True).count(), 4)

    def test_the_kindergarten_clean_up_is_closed_with_an_outcome_for_each(self) -> None:
        self.assertFalse(UnlicensedKindergarten.objects.filter(outcome="").exists())
        self.assertTrue(
            UnlicensedKindergarten.objects.filter(campaign__closed_on__isnull=False).exists()
        )

    def test_relief_reaches_35_families_and_17_orphans_with_71000_yuan(self) -> None:
        grants = ReliefGrant.objects.filter(batch__status="approved")
        self.assertEqual(grants.filter(recipient_kind="household").count(), 35)
        self.assertEqual(grants.filter(recipient_kind="orphan").count(), 17)
        self.assertEqual(sum(g.amount for g in grants), Decimal("71000.00"))

    def test_a_nursing_subsidy_cycle_is_approved_for_the_eligible_elderly(self) -> None:
        cycle = PaymentCycle.objects.get()
        self.assertEqual(cycle.status, PaymentCycle.Status.APPROVED)
        # 10 elders meet the level, category and dependency conditions; one of them lives in an
        # institution (not 散居) and is not paid.
        self.assertEqual(cycle.payments.count(), 9)
        in_institution = WelfareStatus.objects.get(in_institution=True)
        self.assertFalse(cycle.payments.filter(person=in_institution.person).exists())
        self.assertEqual(set(cycle.payments.values_list("level", flat=True)), {2, 3})
        self.assertGreater(Assessment.objects.count(), cycle.payments.count())

    def test_the_census_covers_12_of_18_candidates_in_the_villages(self) -> None:
        from zhengtong.welfare import census
        from zhengtong.welfare.models import CensusCampaign

        campaign = CensusCampaign.objects.get()
        rows = census.coverage(campaign)
        total = census.total(rows)
        self.assertEqual((total.candidates, total.assessed), (18, 12))
        self.assertEqual(len(rows), 5)
        self.assertEqual(census.unassessed(campaign).count(), 6)
        civil = User.objects.get(username="civil")
        self.client.force_login(civil)
        r = self.client.get(f"/welfare/census/{campaign.pk}/")
        self.assertContains(r, "候选人 18 人,已评估 12 人,未评估 6 人,覆盖率 66.7%")
        self.client.force_login(User.objects.get(username="leader"))
        self.assertEqual(self.client.get(f"/welfare/census/{campaign.pk}/").status_code, 200)
        from zhengtong.inbox.registry import items_for
        from zhengtong.welfare.inbox import KIND_CENSUS

        self.assertEqual(len([i for i in items_for(civil) if i.kind == KIND_CENSUS]), 6)

    def test_the_command_reports_the_seed_figures(self) -> None:
        self.assertIn("城镇新增就业 590 人", self.output)
        self.assertIn("孤儿 17 名", self.output)

    def test_running_it_again_creates_nothing(self) -> None:
        before = {m.__name__: m.objects.count() for m in MODELS}
        output = seed()
        self.assertEqual({m.__name__: m.objects.count() for m in MODELS}, before)
        self.assertIn("本次未新建任何记录", output)
