"""The case page /services/<receipt_no>/ and its actions: who sees it, who may act, B 代 A,
supplement, correction, handover, approve, refuse, withdraw, and the calendar gap."""

import datetime

import time_machine
from django.utils import timezone

from zhengtong.audit.models import Event
from zhengtong.services.actions.intake import application_intake
from zhengtong.services.models import Application, Leave
from zhengtong.test import make_id_number

from .fixtures import PageTestCase


class DetailTestCase(PageTestCase):
    def intake(self, materials=("id_card", "marriage", "hukou_book"), serial=31) -> Application:
        return application_intake(
            actor=self.clerk_a,
            item_code="TEST-SYDJ",
            applicant={
                "name": "刘小梅",
                "id_number": make_id_number(datetime.date(1990, 1, 1), female=False, seq=serial),
                "phone": "13912345678",
            },
            materials=list(materials),
            situation={"hukou": "local", "marital_status": "married"},
        )

    def url(self, application: Application, action: str = "") -> str:
        return f"/services/{application.receipt_no}/" + (f"{action}/" if action else "")


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class ApplicationDetailTestCase(DetailTestCase):
    def test_the_page_shows_the_case_its_materials_notice_and_timeline(self) -> None:
        case = self.intake(materials=["id_card"])
        self.client.force_login(self.clerk_a)
        response = self.client.get(self.url(case))
        for text in (
            "待补正",
            "首问责任人",
            "张敏",
            "夫妻双方居民身份证",
            "一次性告知书",
            "缺少:户口簿",
            "收件登记",
            "371524********",
        ):
            self.assertContains(response, text)
        self.assertNotContains(response, case.applicant.id_number)
        self.assertIn("supplement", response.context["forms"])

    def test_cases_of_another_township_are_not_found_for_a_clerk_there(self) -> None:
        case = self.intake()
        self.client.force_login(self.other_clerk)
        self.assertEqual(self.client.get(self.url(case)).status_code, 404)
        self.assertEqual(self.client.post(self.url(case, "approve")).status_code, 404)

    def test_a_village_worker_gets_not_found_and_a_visitor_the_login_page(self) -> None:
        case = self.intake()
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url(case)).status_code, 404)
        self.client.logout()
        response = self.client.get(self.url(case))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_a_colleague_sees_the_case_but_may_not_act_on_it(self) -> None:
        case = self.intake()
        self.client.force_login(self.clerk_c)
        response = self.client.get(self.url(case))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["forms"], {})
        self.assertContains(response, "您只能查看")
        self.assertEqual(self.client.post(self.url(case, "approve")).status_code, 403)
        case.refresh_from_db()
        self.assertEqual(case.status, Application.Status.ACCEPTED)

    def test_b_acts_for_a_on_leave_and_the_case_says_b_dai_a(self) -> None:
        case = self.intake()
        today = timezone.localdate()
        Leave.objects.create(
            user=self.clerk_a,
            start_on=today - datetime.timedelta(days=1),
            end_on=today + datetime.timedelta(days=1),
            reason="培训",
            created_by=self.clerk_a,
        )
        self.client.force_login(self.clerk_b)
        response = self.client.get(self.url(case))
        self.assertEqual(response.context["acting"], "b_for_a")
        self.assertContains(response, "李强 代 张敏")
        response = self.client.post(self.url(case, "approve"), {"approve-note": "材料齐全"})
        self.assertRedirects(response, self.url(case))
        case.refresh_from_db()
        self.assertEqual(case.status, Application.Status.APPROVED)
        event = Event.objects.get(action="application_approved")
        self.assertEqual(event.actor, self.clerk_b)
        self.assertEqual(event.changes["on_behalf_of"], [None, "张敏"])
        page = self.client.get(self.url(case))
        self.assertContains(page, "李强 代 张敏")
        self.assertContains(page, case.certificate_no)


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class ApplicationActionsTestCase(DetailTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.clerk_a)

    def test_supplementing_the_missing_materials_accepts_the_case(self) -> None:
        case = self.intake(materials=["id_card"])
        response = self.client.post(
            self.url(case, "supplement"), {"supplement-materials": ["marriage", "hukou_book"]}
        )
        self.assertRedirects(response, self.url(case))
        case.refresh_from_db()
        self.assertEqual(case.status, Application.Status.ACCEPTED)
        self.assertIsNotNone(case.due_on)
        self.assertContains(self.client.get(self.url(case)), "受理")

    def test_a_supplement_without_materials_says_so_and_changes_nothing(self) -> None:
        case = self.intake(materials=["id_card"])
        response = self.client.post(self.url(case, "supplement"), {})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["forms"]["supplement"].errors["materials"])
        case.refresh_from_db()
        self.assertEqual(case.status, Application.Status.PENDING)

    def test_a_correction_pauses_the_clock_and_warns_when_outside_the_first_notice(self) -> None:
        case = self.intake()
        response = self.client.post(
            self.url(case, "correction"),
            {"correction-materials": ["marriage"], "correction-note": "结婚证照片页模糊"},
            follow=True,
        )
        case.refresh_from_db()
        self.assertEqual(case.status, Application.Status.PAUSED)
        self.assertContains(response, "首次告知以外")
        self.assertContains(response, "超出首次告知范围")
        self.assertContains(response, "补正中")

    def test_a_handover_needs_a_reason_and_keeps_the_first_responsible_clerk(self) -> None:
        case = self.intake()
        response = self.client.post(
            self.url(case, "handover"), {"handover-to_user": self.clerk_c.pk}
        )
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["forms"]["handover"].errors["reason"])
        case.refresh_from_db()
        self.assertEqual(case.handler, self.clerk_a)
        response = self.client.post(
            self.url(case, "handover"),
            {"handover-to_user": self.clerk_c.pk, "handover-reason": "调岗"},
        )
        self.assertRedirects(response, self.url(case))
        case.refresh_from_db()
        self.assertEqual(case.handler, self.clerk_c)
        self.assertEqual(case.first_responder, self.clerk_a)
        # The case is now clerk_c's: clerk_a only sees it.
        self.assertEqual(
            self.client.post(self.url(case, "withdraw"), {"withdraw-reason": "x"}).status_code, 403
        )

    def test_a_refusal_needs_a_reason(self) -> None:
        case = self.intake()
        response = self.client.post(self.url(case, "refuse"), {"refuse-reason": ""})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "该字段是必填项", status_code=400)
        case.refresh_from_db()
        self.assertEqual(case.status, Application.Status.ACCEPTED)
        self.client.post(self.url(case, "refuse"), {"refuse-reason": "不符合生育登记条件"})
        case.refresh_from_db()
        self.assertEqual(case.status, Application.Status.REFUSED)
        self.assertEqual(case.decision_note, "不符合生育登记条件")

    def test_the_applicant_may_withdraw_with_a_reason(self) -> None:
        case = self.intake(materials=["id_card"])
        response = self.client.post(self.url(case, "withdraw"), {"withdraw-reason": "暂不办理"})
        self.assertRedirects(response, self.url(case))
        case.refresh_from_db()
        self.assertEqual(case.status, Application.Status.WITHDRAWN)
        page = self.client.get(self.url(case))
        self.assertEqual(page.context["forms"], {})
        self.assertContains(page, "撤回")


@time_machine.travel(datetime.datetime(2026, 12, 28, 10, 0, tzinfo=datetime.UTC), tick=False)
class CalendarGapTestCase(DetailTestCase):
    def test_a_due_date_in_a_provisional_year_is_shown_as_provisional(self) -> None:
        """Accepted 2026-12-28 + 5 working days runs into the provisional 2027: 暂定 2027-01-05."""
        case = self.intake(serial=41)
        self.assertEqual(case.due_on, datetime.date(2027, 1, 5))
        self.assertTrue(case.due_provisional)
        self.client.force_login(self.clerk_a)
        response = self.client.get(self.url(case))
        self.assertContains(response, "暂定 2027-01-05")
        self.assertNotContains(response, "日历缺失")
        listing = self.client.get("/services/")
        self.assertContains(listing, "暂定 2027-01-05")
