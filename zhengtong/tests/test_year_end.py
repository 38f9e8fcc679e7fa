"""A year end lived through with the clock moved: 1 December 2026 to 31 January 2027.

A clerk receives cases, a liaison raises a problem, a resident rates; on 20 December the
administrator pastes the 2027 notice (a test text in the published form, not the real one):
every provisional due date becomes official, the moved ones are listed, nothing is overdue that
should not be, and no public page carries a message meant for the administrator.
"""

import datetime

import time_machine

from zhengtong.audit.models import Event
from zhengtong.inbox.registry import items_for
from zhengtong.projects.actions import problem_raise
from zhengtong.projects.tests.test_register import project
from zhengtong.services.actions.decisions import application_approve
from zhengtong.services.actions.ratings import rating_submit
from zhengtong.services.models import Application, ServiceItem
from zhengtong.services.tests.fixtures import CaseTestCase
from zhengtong.workdays import year_status
from zhengtong.workdays.tests.notices import N2027_TEST

D = datetime.date
ADMIN_WORDS = ("管理员", "维护", "日历", "缺少")


def on(day: str):
    return time_machine.travel(f"{day} 09:00 +0800", tick=False)


class YearEndTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for code, days in (("T20", 20), ("T40", 40)):
            item = ServiceItem.objects.create(
                code=code,
                name=f"{days}日事项",
                department="刘集镇",
                legal_basis="测试",
                procedure=["申请", "办结"],
                promised_workdays=days,
            )
            item.materials.create(code="id", name="身份证")

    def public_pages(self, case) -> list[str]:
        last4 = self.applicant["phone"][-4:]
        pages = []
        for url, params in (
            ("/public/lookup/", {"receipt_no": case.receipt_no, "phone_last4": last4}),
            ("/public/lookup.json", {"receipt_no": case.receipt_no, "phone_last4": last4}),
            ("/public/disclosure/", {}),
            ("/public/guide/", {}),
        ):
            response = self.client.get(url, params)
            self.assertEqual(response.status_code, 200, url)
            pages.append(response.content.decode())
        return pages

    def test_from_december_to_january(self) -> None:
        with on("2026-12-01"):
            a = self.intake(["id"], item_code="T20")  # due 2026-12-29, inside 2026
        with on("2026-12-04"):
            b = self.intake(["id"], item_code="T20")  # the 20th working day is in 2027
        with on("2026-12-15"):
            c = application_approve(actor=self.clerk_a, application=self.intake())
            rectification = rating_submit(application=c, level=1, comment="等候太久").rectification
        with on("2026-12-18"):
            d = self.intake(["id"], item_code="T40")  # runs into February 2027
            office_project = project("KP-YE", self.company, leaders=[self.leader])
            problem = problem_raise(
                actor=self.liaison,
                project=office_project,
                title="施工用电未接入",
                owning_unit=self.social,
                raised_on=D(2026, 12, 18),
            )

        # Nothing stops in December: every due date is there, the 2027 ones marked 暂定.
        self.assertEqual((a.due_on, a.due_provisional), (D(2026, 12, 29), False))
        self.assertEqual((b.due_on, b.due_provisional), (D(2027, 1, 4), True))
        self.assertEqual((d.due_on, d.due_provisional), (D(2027, 2, 17), True))
        self.assertEqual((problem.due_on, problem.due_provisional), (D(2027, 1, 4), True))
        self.assertEqual(rectification.due_on, D(2027, 1, 6))  # 15 working days from 12-15
        self.assertTrue(rectification.due_provisional)
        with on("2026-12-10"):
            self.client.force_login(self.clerk_a)
            page = self.client.get(f"/services/{b.receipt_no}/")
            self.assertContains(page, "暂定 2027-01-04")
            self.client.logout()
            for text in self.public_pages(b):
                for word in ADMIN_WORDS:
                    self.assertNotIn(word, text)

        # 20 December: the administrator pastes the notice, looks at the year, confirms.
        with on("2026-12-20"):
            self.client.force_login(self.admin)
            preview = self.client.post("/workdays/enter/", {"text": N2027_TEST})
            self.assertEqual(preview.status_code, 200)
            self.assertEqual(year_status(2027), "provisional")
            done = self.client.post(
                "/workdays/enter/",
                {"rows": preview.context["rows"], "year": "2027", "confirm": "1"},
            )
            self.assertEqual(done.status_code, 200)
            self.client.logout()
        self.assertEqual(year_status(2027), "official")
        result = done.context["result"]
        # Four provisional dates became official; only the case due in February moved (the
        # notice gives 5–13 February off and 14 February worked: 2月17日 → 2月22日).
        self.assertEqual(len(result.recomputed), 4)
        self.assertEqual(
            [(r.target.pk, r.old_on, r.new_on) for r in result.moved],
            [(d.pk, D(2027, 2, 17), D(2027, 2, 22))],
        )
        self.assertContains(done, "2027-02-22")
        for obj in (a, b, c, d, problem, rectification):
            obj.refresh_from_db()
        self.assertFalse(
            any(o.due_provisional for o in (a, b, d, problem, rectification)),
        )
        self.assertEqual(
            Event.objects.filter(action="due_date_recomputed").count(), len(result.recomputed)
        )
        event = Event.objects.get(action="due_date_recomputed", target_id=str(d.pk))
        self.assertEqual(event.changes["due_on"], ["2027-02-17", "2027-02-22"])

        # The countdown never lies: on the due day it is yellow, two working days later red.
        with on("2026-12-30"):
            items = {i.title: i for i in items_for(self.clerk_a)}
            self.assertEqual(items[f"{a.receipt_no} 20日事项"].deadline.state, "overdue")
            self.assertEqual(items[f"{b.receipt_no} 20日事项"].deadline.state, "normal")
        with on("2027-01-04"):
            items = items_for(self.clerk_a)
            states = {i.title: i.deadline.state for i in items}
            self.assertEqual(states[f"{b.receipt_no} 20日事项"], "warning")
            self.assertEqual(items[0].deadline.state, "overdue")  # overdue first
        with on("2027-01-06"):
            items = {i.title: i for i in items_for(self.clerk_a)}
            late = items[f"{b.receipt_no} 20日事项"].deadline
            self.assertEqual((late.state, late.days), ("overdue", 2))
            self.assertEqual(items[f"{d.receipt_no} 40日事项"].deadline.state, "normal")
        with on("2027-01-31"):
            self.assertEqual(
                Application.objects.filter(due_on__lt=D(2027, 1, 31), status="accepted").count(), 2
            )
            for text in self.public_pages(d):
                for word in ADMIN_WORDS:
                    self.assertNotIn(word, text)
