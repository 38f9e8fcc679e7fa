"""The loan and employment doors audit each read (one row per view, the department's unit) and
each miss: a clerk of another department gets 404, a denied row and no read row."""

from zhengtong.audit.models import Event
from zhengtong.livelihood.actions.employment import employment_record_create

from .jobs_fixtures import D, JobsTestCase, id_for
from .test_loans import submit


class LivelihoodReadAuditTestCase(JobsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.loan = submit(self.clerk)

    def test_a_loan_page_writes_one_read_row(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.get(f"/livelihood/loans/{self.loan.pk}/")
        self.assertEqual(r.status_code, 200)
        reads = Event.objects.filter(kind=Event.Kind.READ)
        self.assertEqual(reads.count(), 1)
        read = reads.get()
        self.assertEqual(read.actor, self.clerk)
        self.assertEqual((read.target_type, read.target_id), ("livelihood.loan", str(self.loan.pk)))
        self.assertEqual(read.org_unit, self.social)

    def test_a_clerk_of_another_department_gets_404_and_no_read_row(self) -> None:
        self.client.force_login(self.civil_clerk)
        r = self.client.get(f"/livelihood/loans/{self.loan.pk}/")
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Event.objects.filter(kind=Event.Kind.READ).exists())
        denied = Event.objects.get(kind=Event.Kind.DENIED)
        self.assertEqual((denied.actor, denied.target_id), (self.civil_clerk, str(self.loan.pk)))

    def test_an_employment_record_page_writes_one_read_row(self) -> None:
        record = employment_record_create(
            actor=self.clerk,
            org_unit=self.social,
            id_number=id_for(7),
            name="再就业者",
            kind="new_urban",
            employer="中通客车",
            employed_on=D(2026, 6, 1),
        )
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(f"/livelihood/employment/{record.pk}/").status_code, 200)
        read = Event.objects.get(kind=Event.Kind.READ)
        self.assertEqual(read.target_id, str(record.pk))
        self.assertEqual(read.action, "employmentrecord_viewed")
