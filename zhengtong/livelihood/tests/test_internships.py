"""就业见习基地: application → decision, the year's count, audited changes."""

from django.core.exceptions import PermissionDenied, ValidationError

from zhengtong.audit.models import Event
from zhengtong.livelihood.actions.internships import internship_base_apply, internship_base_decide
from zhengtong.livelihood.models import InternshipBase

from .jobs_fixtures import D, JobsTestCase

APPLIED_ON = D(2026, 3, 1)


def apply(actor, name="中通客车见习基地", applied_on=APPLIED_ON, **kw):
    return internship_base_apply(
        actor=actor,
        name=name,
        employer=kw.pop("employer", "中通客车"),
        applied_on=applied_on,
        positions=kw.pop("positions", 20),
        **kw,
    )


class InternshipActionsTestCase(JobsTestCase):
    def test_application_then_approval_is_audited(self) -> None:
        base = apply(self.clerk)
        base = internship_base_decide(
            actor=self.clerk, base=base, approved=True, decided_on=D(2026, 4, 1)
        )
        self.assertEqual(base.status, InternshipBase.Status.APPROVED)
        event = Event.objects.get(action="internship_base_approved")
        self.assertEqual(event.changes["status"], ["applied", "approved"])

    def test_a_rejection_needs_a_reason_and_a_decision_is_final(self) -> None:
        base = apply(self.clerk)
        with self.assertRaises(ValidationError) as ctx:
            internship_base_decide(
                actor=self.clerk, base=base, approved=False, decided_on=D(2026, 4, 1)
            )
        self.assertIn("reason", ctx.exception.message_dict)
        internship_base_decide(
            actor=self.clerk, base=base, approved=False, decided_on=D(2026, 4, 1), reason="岗位不足"
        )
        with self.assertRaises(ValidationError) as ctx:
            internship_base_decide(
                actor=self.clerk, base=base, approved=True, decided_on=D(2026, 4, 2)
            )
        self.assertIn("status", ctx.exception.message_dict)

    def test_bad_input_is_refused(self) -> None:
        base = apply(self.clerk)
        with self.assertRaises(ValidationError) as ctx:
            apply(self.clerk)
        self.assertIn("不能重复申报", " ".join(ctx.exception.message_dict["name"]))
        with self.assertRaises(ValidationError) as ctx:
            apply(self.clerk, name="新基地", applied_on=D(2026, 7, 1))
        self.assertIn("applied_on", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            apply(self.clerk, name="新基地", positions=-3)
        self.assertIn("positions", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            internship_base_decide(
                actor=self.clerk, base=base, approved=True, decided_on=D(2026, 2, 1)
            )
        self.assertIn("decided_on", ctx.exception.message_dict)
        self.assertEqual(InternshipBase.objects.count(), 1)

    def test_other_departments_cannot_apply_or_decide(self) -> None:
        base = apply(self.clerk)
        for user in (self.civil_clerk, self.leader):
            with self.assertRaises(PermissionDenied):
                apply(user, name="别的")
            with self.assertRaises(PermissionDenied):
                internship_base_decide(
                    actor=user, base=base, approved=True, decided_on=D(2026, 4, 1)
                )


class InternshipPagesTestCase(JobsTestCase):
    def test_the_list_shows_the_years_count_with_fixed_queries(self) -> None:
        apply(self.clerk, name="旧基地", applied_on=D(2025, 3, 1))
        apply(self.clerk, name="待认定基地", applied_on=D(2026, 2, 1))
        self.client.force_login(self.leader)

        def grow():
            for n in range(4):
                b = apply(self.clerk, name=f"基地{n}")
                internship_base_decide(
                    actor=self.clerk, base=b, approved=True, decided_on=D(2026, 4, 1)
                )

        r = self.assert_fixed_queries(
            "/livelihood/internships/?year=2026",
            grow,
            contains=("申报 <strong>1</strong> 个", "申报 <strong>5</strong> 个"),
        )
        self.assertContains(r, "认定 <strong>4</strong> 个")
        self.assertNotContains(r, "旧基地")

    def test_the_clerk_decides_on_the_page_and_others_cannot(self) -> None:
        base = apply(self.clerk)
        url = f"/livelihood/internships/{base.pk}/"
        self.client.force_login(self.civil_clerk)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get("/livelihood/internships/new/").status_code, 403)
        self.client.force_login(self.leader)
        self.assertContains(self.client.get(url), "中通客车见习基地")
        r = self.client.post(url, {"approved": "1", "decided_on": "2026-04-01"})
        self.assertEqual(r.status_code, 403)
        self.client.force_login(self.clerk)
        r = self.client.post(url, {"approved": "1", "decided_on": "2026-07-01"})
        self.assertContains(r, "不能晚于今天", status_code=400)
        self.assertRedirects(
            self.client.post(url, {"approved": "1", "decided_on": "2026-04-01"}), url
        )
        base.refresh_from_db()
        self.assertEqual(base.status, InternshipBase.Status.APPROVED)
