"""A school inspection: checklist → hazards due in working days → rectified → verified → closed."""

import datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event
from zhengtong.livelihood.actions import schools as actions
from zhengtong.livelihood.models import Hazard, Inspection
from zhengtong.workdays import add_workdays

from .test_schools import NOW, TODAY, SchoolTestCase, all_ok, inspection_post

FIRE = ("灭火器 3 具过期", "更换过期灭火器并建立月检记录", 5)
CANTEEN = ("2 名从业人员健康证过期", "过期人员暂停上岗,补办健康证", 10)


@time_machine.travel(NOW, tick=False)
class InspectionFlowTestCase(SchoolTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.school = self.make_school("东城小学")

    def record_by_post(self, on=TODAY, hazards=None):
        self.client.force_login(self.clerk)
        return self.client.post(
            f"/livelihood/schools/{self.school.pk}/inspect/", inspection_post(on, hazards)
        )

    def test_each_hazard_gets_a_deadline_in_working_days_and_a_notice_number(self) -> None:
        on = datetime.date(2026, 5, 6)
        r = self.record_by_post(on, {"fire": FIRE, "canteen": CANTEEN})
        inspection = Inspection.objects.get()
        self.assertRedirects(r, f"/livelihood/inspections/{inspection.pk}/")
        self.assertEqual(inspection.status, Inspection.Status.OPEN)
        self.assertEqual(inspection.notice_no, "开发区校安〔2026〕1号")
        self.assertEqual(inspection.checklist["fire"], "hazard")
        self.assertEqual(inspection.checklist["guard"], "ok")
        fire, canteen = inspection.hazards.order_by("id")
        self.assertEqual(fire.description, "消防设施:灭火器 3 具过期")
        self.assertEqual(fire.due_on, add_workdays(on, 5))
        self.assertEqual(canteen.description, "食堂卫生:2 名从业人员健康证过期")
        self.assertEqual(canteen.due_on, add_workdays(on, 10))
        self.assertGreater(canteen.due_on, fire.due_on)
        self.assertEqual(Event.objects.filter(action="inspection_recorded").count(), 1)
        second = self.inspect(self.make_school("西城小学"), on, {"bus": ("无随车照管", "配齐", 3)})
        self.assertEqual(second.notice_no, "开发区校安〔2026〕2号")

    def test_the_whole_flow_closes_the_inspection(self) -> None:
        self.record_by_post(datetime.date(2026, 5, 6), {"fire": FIRE, "canteen": CANTEEN})
        inspection = Inspection.objects.get()
        url = f"/livelihood/inspections/{inspection.pk}/"
        for hazard in inspection.hazards.all():
            prefix = f"h{hazard.pk}"
            r = self.client.post(
                f"/livelihood/hazards/{hazard.pk}/rectify/",
                {f"{prefix}-rectified_on": "2026-05-08", f"{prefix}-rectification_note": "已整改"},
            )
            self.assertRedirects(r, url)
            r = self.client.post(
                f"/livelihood/hazards/{hazard.pk}/verify/", {f"{prefix}-verified_on": "2026-05-11"}
            )
            self.assertRedirects(r, url)
        r = self.client.post(f"{url}close/", {"closed_on": "2026-05-11"})
        self.assertRedirects(r, url)
        inspection.refresh_from_db()
        self.assertEqual(inspection.status, Inspection.Status.CLOSED)
        self.assertEqual(inspection.closed_on, TODAY)
        self.assertEqual(
            set(inspection.hazards.values_list("verified_by", flat=True)), {self.clerk.pk}
        )
        actions_seen = list(Event.objects.order_by("id").values_list("action", flat=True))
        self.assertEqual(actions_seen.count("hazard_rectified"), 2)
        self.assertEqual(actions_seen.count("hazard_verified"), 2)
        self.assertEqual(actions_seen.count("inspection_closed"), 1)
        self.assertContains(self.client.get(url), "已闭环")

    def test_closing_with_an_unverified_hazard_is_refused(self) -> None:
        inspection = self.inspect(self.school, TODAY, {"fire": FIRE, "canteen": CANTEEN})
        fire, canteen = inspection.hazards.order_by("id")
        actions.hazard_report_rectified(
            actor=self.clerk, hazard=fire, rectified_on=TODAY, note="已更换"
        )
        actions.hazard_verify(actor=self.clerk, hazard=fire, verified_on=TODAY)
        self.client.force_login(self.clerk)
        r = self.client.post(
            f"/livelihood/inspections/{inspection.pk}/close/", {"closed_on": "2026-05-11"}
        )
        self.assertContains(r, "还有 1 项隐患未复查确认整改到位,不能闭环", status_code=400)
        self.assertContains(r, "食堂卫生", status_code=400)
        inspection.refresh_from_db()
        self.assertEqual(inspection.status, Inspection.Status.OPEN)
        self.assertIsNone(inspection.closed_on)
        self.assertFalse(Event.objects.filter(action="inspection_closed").exists())

    def test_a_hazard_cannot_be_verified_before_it_is_rectified(self) -> None:
        inspection = self.inspect(self.school, TODAY, {"fire": FIRE})
        hazard = inspection.hazards.get()
        self.client.force_login(self.clerk)
        r = self.client.post(
            f"/livelihood/hazards/{hazard.pk}/verify/", {f"h{hazard.pk}-verified_on": "2026-05-11"}
        )
        self.assertContains(r, "该隐患尚未报告整改完成,不能复查确认", status_code=400)
        hazard.refresh_from_db()
        self.assertIsNone(hazard.verified_on)
        with self.assertRaises(ValidationError) as cm:
            actions.hazard_verify(actor=self.clerk, hazard=hazard, verified_on=TODAY)
        self.assertIn("verified_on", cm.exception.message_dict)

    def test_verification_cannot_predate_the_rectification(self) -> None:
        inspection = self.inspect(self.school, datetime.date(2026, 5, 4), {"fire": FIRE})
        hazard = inspection.hazards.get()
        actions.hazard_report_rectified(
            actor=self.clerk, hazard=hazard, rectified_on=datetime.date(2026, 5, 8), note="已更换"
        )
        with self.assertRaisesMessage(ValidationError, "复查确认日期不能早于整改完成日期"):
            actions.hazard_verify(
                actor=self.clerk, hazard=hazard, verified_on=datetime.date(2026, 5, 7)
            )

    def test_an_inspection_without_hazards_closes_at_once_without_a_notice(self) -> None:
        r = self.record_by_post(TODAY)
        inspection = Inspection.objects.get()
        self.assertRedirects(r, f"/livelihood/inspections/{inspection.pk}/")
        self.assertEqual(inspection.status, Inspection.Status.CLOSED)
        self.assertEqual(inspection.notice_no, "")
        self.assertEqual(
            self.client.get(f"/livelihood/inspections/{inspection.pk}/notice.pdf").status_code,
            404,
        )

    def test_a_hazard_item_without_its_description_is_refused(self) -> None:
        r = self.record_by_post(TODAY, {"fire": ("", "更换", 5)})
        self.assertContains(r, "“消防设施”的隐患描述不能为空", status_code=400)
        self.assertFalse(Inspection.objects.exists())
        self.assertFalse(Hazard.objects.exists())

    def test_an_unanswered_item_and_a_future_date_are_refused(self) -> None:
        data = inspection_post(TODAY)
        del data["guard_result"]
        self.client.force_login(self.clerk)
        r = self.client.post(f"/livelihood/schools/{self.school.pk}/inspect/", data)
        self.assertContains(r, "请填写“门卫安保”的检查结果", status_code=400)
        r = self.record_by_post(datetime.date(2026, 5, 12))
        self.assertContains(r, "检查日期不能晚于今天", status_code=400)
        with self.assertRaisesMessage(ValidationError, "整改时限须在 1 至 60 个工作日之间"):
            self.inspect(self.school, TODAY, {"fire": ("过期", "更换", 0)})
        self.assertFalse(Inspection.objects.exists())

    def test_the_same_school_on_the_same_day_is_refused(self) -> None:
        self.inspect(self.school, TODAY)
        with self.assertRaisesMessage(ValidationError, "已有检查记录"):
            self.inspect(self.school, TODAY)
        self.assertEqual(Inspection.objects.count(), 1)

    def test_a_provisional_year_gives_due_dates_marked_provisional(self) -> None:
        """2027 has no notice in the test database: the due dates are 暂定, never empty."""
        with time_machine.travel(datetime.datetime(2026, 12, 29, 10, tzinfo=datetime.UTC)):
            r = self.record_by_post(datetime.date(2026, 12, 28), {"fire": FIRE, "canteen": CANTEEN})
            inspection = Inspection.objects.get()
            page = self.client.get(r["Location"])
        self.assertEqual(inspection.status, Inspection.Status.OPEN)
        dates = list(inspection.hazards.values_list("due_on", "due_provisional"))
        self.assertEqual(
            dates, [(datetime.date(2027, 1, 5), True), (datetime.date(2027, 1, 12), True)]
        )
        self.assertContains(page, "暂定 2027-01-05")
        self.assertNotContains(page, "缺少 2027 年")

    def test_a_leader_reads_an_inspection_but_cannot_change_it(self) -> None:
        inspection = self.inspect(self.school, TODAY, {"fire": FIRE})
        hazard = inspection.hazards.get()
        self.client.force_login(self.leader)
        page = self.client.get(f"/livelihood/inspections/{inspection.pk}/")
        self.assertContains(page, "灭火器 3 具过期")
        self.assertNotContains(page, "录入整改情况")
        self.assertContains(self.client.get("/livelihood/inspections/"), "东城小学")
        r = self.client.post(
            f"/livelihood/hazards/{hazard.pk}/rectify/",
            {f"h{hazard.pk}-rectified_on": "2026-05-11", f"h{hazard.pk}-rectification_note": "x"},
        )
        self.assertEqual(r.status_code, 403)
        r = self.client.post(
            f"/livelihood/inspections/{inspection.pk}/close/", {"closed_on": "2026-05-11"}
        )
        self.assertEqual(r.status_code, 403)
        with self.assertRaises(PermissionDenied):
            actions.hazard_report_rectified(
                actor=self.leader, hazard=hazard, rectified_on=TODAY, note="x"
            )
        hazard.refresh_from_db()
        self.assertIsNone(hazard.rectified_on)

    def test_a_clerk_of_another_department_gets_not_found(self) -> None:
        inspection = self.inspect(self.school, TODAY, {"fire": FIRE})
        hazard = inspection.hazards.get()
        self.client.force_login(self.civil_clerk)
        self.assertEqual(
            self.client.get(f"/livelihood/inspections/{inspection.pk}/").status_code, 404
        )
        self.assertNotContains(self.client.get("/livelihood/inspections/"), "东城小学")
        r = self.client.post(
            f"/livelihood/hazards/{hazard.pk}/verify/", {f"h{hazard.pk}-verified_on": "2026-05-11"}
        )
        self.assertEqual(r.status_code, 404)
        self.assertEqual(
            self.client.get(f"/livelihood/schools/{self.school.pk}/inspect/").status_code, 404
        )
        with self.assertRaises(PermissionDenied):
            actions.inspection_record(
                actor=self.civil_clerk,
                school=self.school,
                inspected_on=TODAY,
                inspectors="陈",
                results=all_ok(),
                hazards=[],
            )

    def test_the_list_takes_a_fixed_number_of_queries(self) -> None:
        self.inspect(self.school, TODAY, {"fire": FIRE})
        self.client.force_login(self.clerk)
        with CaptureQueriesContext(connection) as few:
            self.client.get("/livelihood/inspections/")
        for i in range(30):
            self.inspect(
                self.make_school(f"学校{i:02d}"), TODAY, {"fire": FIRE, "canteen": CANTEEN}
            )
        with self.assertNumQueries(len(few)):
            r = self.client.get("/livelihood/inspections/")
        self.assertEqual(len(r.context["page"].object_list), 25)
        r = self.client.get("/livelihood/inspections/?status=closed")
        self.assertEqual(len(r.context["page"].object_list), 0)
