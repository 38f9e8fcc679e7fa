"""《开发区学校安全隐患通知书》: a PDF with the Noto CJK fonts embedded that lists every hazard.

The checks use poppler-utils (pdffonts, pdftotext); without them these tests fail.
"""

import datetime

import time_machine

from zhengtong.lib.tests.test_pdf import embedded_cjk_fonts, pdf_text
from zhengtong.workdays import add_workdays

from .test_schools import NOW, SchoolTestCase

INSPECTED_ON = datetime.date(2026, 5, 6)


@time_machine.travel(NOW, tick=False)
class HazardNoticeTestCase(SchoolTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.school = self.make_school("开发区实验小学")
        self.inspection = self.inspect(
            self.school,
            INSPECTED_ON,
            {
                "fire": ("灭火器三具过期", "更换过期灭火器", 5),
                "electricity": ("宿舍私拉电线", "拆除私拉电线并检修线路", 3),
                "surroundings": ("校门口缺少减速带", "协调交警设置减速带", 15),
            },
        )
        self.url = f"/livelihood/inspections/{self.inspection.pk}/notice.pdf"

    def get_pdf(self, user) -> bytes:
        self.client.force_login(user)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        self.assertTrue(embedded_cjk_fonts(response.content), "no embedded Noto CJK font")
        return response.content

    def test_the_notice_lists_each_hazard_with_its_requirement_and_deadline(self) -> None:
        flat = "".join(pdf_text(self.get_pdf(self.clerk)).split())
        self.assertIn("开发区学校安全隐患通知书", flat)
        self.assertIn("开发区校安〔2026〕1号", flat)
        self.assertIn("开发区实验小学", flat)
        self.assertIn("社会事业局", flat)
        for text in (
            "消防设施:灭火器三具过期",
            "更换过期灭火器",
            "用电安全:宿舍私拉电线",
            "拆除私拉电线并检修线路",
            "校园周边:校门口缺少减速带",
            "协调交警设置减速带",
        ):
            self.assertIn(text, flat)
        for hazard in self.inspection.hazards.all():
            due = add_workdays(INSPECTED_ON, hazard.deadline_workdays)
            self.assertIn(f"{due.year}年{due.month}月{due.day}日前完成", flat)
        self.assertIn("共3项隐患", flat)
        self.assertNotIn("另行通知", flat)

    def test_a_leader_may_print_the_notice(self) -> None:
        flat = "".join(pdf_text(self.get_pdf(self.leader)).split())
        self.assertIn("宿舍私拉电线", flat)

    def test_a_clerk_of_another_department_gets_not_found(self) -> None:
        self.client.force_login(self.civil_clerk)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_a_hazard_due_in_a_provisional_year_is_dated(self) -> None:
        """Inspected 2026-12-28 with 10 working days: due 2027-01-12 on the statutory rule."""
        with time_machine.travel(datetime.datetime(2026, 12, 29, 10, tzinfo=datetime.UTC)):
            inspection = self.inspect(
                self.make_school("西城小学"),
                datetime.date(2026, 12, 28),
                {"bus": ("随车照管人员缺岗", "配齐照管人员", 10)},
            )
        # A provisional year dates the hazard: no "整改期限未能计算" warning.
        self.assertEqual([w for w in inspection.warnings if "整改期限" in w], [])
        hazard = inspection.hazards.get()
        self.assertEqual(
            (hazard.due_on, hazard.due_provisional), (datetime.date(2027, 1, 12), True)
        )
        self.client.force_login(self.clerk)
        response = self.client.get(f"/livelihood/inspections/{inspection.pk}/notice.pdf")
        flat = "".join(pdf_text(response.content).split())
        self.assertIn("随车照管人员缺岗", flat)
        self.assertIn("2027年1月12日前完成", flat)
