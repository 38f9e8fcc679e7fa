"""Welfare rows are about named residents: the assessment, payment cycle and relief pages write
one read row per view through `get_for_user()`; the eligibility check takes the ID number in a
POST body only and audits the person it shows."""

from zhengtong.audit.models import Event

from .fixtures import WelfareTestCase


class WelfareReadAuditTestCase(WelfareTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.person = self.eligible_person()
        self.assessment = self.person.assessments.get()

    def reads(self):
        return Event.objects.filter(kind=Event.Kind.READ)

    def test_the_assessment_page_writes_one_read_row(self) -> None:
        self.client.force_login(self.civil)
        r = self.client.get(f"/welfare/assessments/{self.assessment.pk}/")
        self.assertEqual(r.status_code, 200)
        read = self.reads().get()
        self.assertEqual(read.actor, self.civil)
        self.assertEqual(
            (read.target_type, read.target_id), ("welfare.assessment", str(self.assessment.pk))
        )
        self.assertEqual(read.org_unit, self.civil_unit)

    def test_a_missing_assessment_is_a_404_with_a_denied_row_and_no_read_row(self) -> None:
        self.client.force_login(self.civil)
        r = self.client.get(f"/welfare/assessments/{self.assessment.pk + 100}/")
        self.assertEqual(r.status_code, 404)
        self.assertFalse(self.reads().exists())
        self.assertTrue(Event.objects.filter(kind=Event.Kind.DENIED, actor=self.civil).exists())

    def test_a_clerk_of_another_department_is_refused_and_reads_nothing(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.get(f"/welfare/assessments/{self.assessment.pk}/")
        self.assertEqual(r.status_code, 403)
        self.assertFalse(self.reads().exists())

    def test_the_eligibility_check_by_post_audits_the_person_shown(self) -> None:
        self.client.force_login(self.civil)
        r = self.client.post("/welfare/eligibility/", {"id_number": self.person.id_number})
        self.assertContains(r, "符合护理补贴条件")
        read = self.reads().get()
        self.assertEqual((read.target_type, read.target_id), ("people.person", str(self.person.pk)))
        self.assertEqual(read.changes["purpose"], "护理补贴资格核定")
        self.assertNotIn(self.person.id_number, str(read.changes))

    def test_the_eligibility_check_refuses_a_number_in_the_url(self) -> None:
        self.client.force_login(self.civil)
        r = self.client.get("/welfare/eligibility/", {"id_number": self.person.id_number})
        self.assertContains(r, "不能放在网址中", status_code=400)
        self.assertNotContains(r, self.person.name, status_code=400)
        self.assertFalse(self.reads().exists())
