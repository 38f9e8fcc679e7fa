import datetime
import subprocess
import tempfile

import time_machine

from zhengtong.services import reports
from zhengtong.services.models import Application, Notice, Rating

from .fixtures import SHANGHAI, PublicTestCase, at, make_person

S = Application.Status
URL = "/services/reports/weekly/"


@time_machine.travel(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI), tick=False)
class WeeklyDigestTestCase(PublicTestCase):
    """Week 2026-W47 runs from Monday 2026-11-16 00:00 to Monday 2026-11-23 00:00 (+08:00)."""

    def setUp(self) -> None:
        super().setUp()
        wang = make_person("王小红", self.west_village, phone="13600001111", seq=11, female=True)
        nobody = make_person("赵无村", None, seq=17)
        # Received Monday 00:00 sharp by A, accepted the same day: in the week.
        self.make_case(received_at=at(2026, 11, 16, 0, 0), accepted_on=datetime.date(2026, 11, 16))
        # Received by B on Sunday 23:59 of the week before, accepted that week: not in the week;
        # finished by A on Friday: in the week, for A.
        self.make_case(
            first_responder=self.clerk_b,
            handler=self.clerk_a,
            received_at=at(2026, 11, 15, 23, 59),
            accepted_on=datetime.date(2026, 11, 13),
            status=S.APPROVED,
            finished_at=at(2026, 11, 20, 15),
            certificate_no="TSYZ2026000201",
        )
        # Received by B for a 西村 applicant on Sunday 23:59 of the week: in the week, pending.
        pending = self.make_case(
            first_responder=self.clerk_b,
            handler=self.clerk_b,
            applicant=wang,
            status=S.PENDING,
            received_at=at(2026, 11, 22, 23, 59),
            accepted_on=None,
            due_on=None,
        )
        Notice.objects.create(
            application=pending, issued_at=at(2026, 11, 22, 23, 59), issued_by=self.clerk_b
        )
        # Received Monday 2026-11-23 00:00: the next week.
        self.make_case(received_at=at(2026, 11, 23, 0, 0), accepted_on=datetime.date(2026, 11, 23))
        # An applicant without a village; refused by B in the week.
        refused = self.make_case(
            applicant=nobody,
            first_responder=self.clerk_b,
            handler=self.clerk_b,
            received_at=at(2026, 11, 10),
            accepted_on=datetime.date(2026, 11, 10),
            status=S.REFUSED,
            finished_at=at(2026, 11, 17),
        )
        rating = Rating.objects.create(application=refused, level=1)
        Rating.objects.filter(pk=rating.pk).update(created_at=at(2026, 11, 18))
        # Another township's case in the week: never in 刘集镇's digest.
        self.make_case(
            org_unit=self.other_town,
            first_responder=self.other_clerk,
            handler=self.other_clerk,
            received_at=at(2026, 11, 17),
            accepted_on=datetime.date(2026, 11, 17),
        )

    def section(self, response, key):
        return next(s for s in response.context["digest"].sections if s.key == key)

    def rows(self, rows):
        return {row.label: row.values for row in rows}

    def test_a_window_clerk_gets_the_weeks_cases_per_clerk_and_per_area(self) -> None:
        self.client.force_login(self.clerk_a)
        r = self.client.get(URL, {"week": "2026-W47"})
        self.assertEqual(r.status_code, 200)
        cases = self.section(r, "cases")
        self.assertEqual(cases.columns, ["收件", "受理", "办结", "其中准予"])
        # 张敏 received 1 and accepted 1; finished 1 approved. 李强 received 1 (pending), finished 1 refused.
        self.assertEqual(self.rows(cases.by_clerk), {"张敏": [1, 1, 1, 1], "李强": [1, 0, 1, 0]})
        self.assertEqual(
            self.rows(cases.by_area),
            {"东村": [1, 1, 1, 1], "西村": [1, 0, 0, 0], "未登记村居": [0, 0, 1, 0]},
        )
        self.assertEqual(cases.totals, [2, 1, 2, 1])
        self.assertEqual(self.rows(self.section(r, "notices").by_clerk), {"李强": [1, 0]})
        ratings = self.section(r, "ratings")
        self.assertEqual(self.rows(ratings.by_clerk), {"李强": [1, 0, 0, 1]})
        self.assertContains(r, "2026-11-16(周一)0:00 至 2026-11-22(周日)24:00")
        self.assertNotContains(r, "顾窗口")

    def test_the_leader_of_the_township_sees_the_digest(self) -> None:
        self.client.force_login(self.town_leader)
        r = self.client.get(URL, {"week": "2026-W47"})
        self.assertEqual(self.section(r, "cases").totals, [2, 1, 2, 1])

    def test_the_week_defaults_to_the_current_one(self) -> None:
        self.client.force_login(self.clerk_a)
        r = self.client.get(URL)
        self.assertEqual(r.context["week"], "2026-W48")
        self.assertEqual(self.section(r, "cases").totals, [1, 1, 0, 0])

    def test_a_later_module_adds_its_section_without_changing_the_page(self) -> None:
        def followups(period):
            return reports.DigestSection(
                key="followups",
                title="随访",
                columns=["随访"],
                by_clerk=[reports.DigestRow("张敏", [3])],
                by_area=[reports.DigestRow("东村", [3])],
            )

        reports.digest_section(followups)
        self.addCleanup(reports._digest_sections.remove, followups)
        self.client.force_login(self.clerk_a)
        r = self.client.get(URL, {"week": "2026-W47"})
        self.assertContains(r, "4. 随访")
        self.assertEqual(self.section(r, "followups").totals, [3])

    def test_the_pdf_embeds_chinese_fonts(self) -> None:
        self.client.force_login(self.clerk_a)
        r = self.client.get("/services/reports/weekly/pdf/", {"week": "2026-W47"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTrue(r.content.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(r.content)
            f.flush()
            fonts = subprocess.run(
                ["pdffonts", f.name], capture_output=True, text=True, check=True
            ).stdout
            text = subprocess.run(
                ["pdftotext", f.name, "-"], capture_output=True, text=True, check=True
            ).stdout
        self.assertIn("计生周报", text)
        self.assertIn("张敏", text)
        self.assertIn("2026-W47", text)
        cjk = [line for line in fonts.splitlines() if "CJK" in line and "Noto" in line]
        self.assertTrue(cjk, fonts)
        for line in cjk:
            self.assertIn(" yes ", line)

    def test_other_townships_clerks_cannot_open_this_halls_digest(self) -> None:
        self.client.force_login(self.other_clerk)
        self.assertEqual(self.client.get(URL, {"hall": "LIUJI"}).status_code, 404)
        self.assertEqual(
            self.client.get("/services/reports/weekly/pdf/", {"hall": "LIUJI"}).status_code, 404
        )
        own = self.client.get(URL, {"week": "2026-W47"})
        self.assertEqual(own.context["hall"], self.other_town)
        self.assertEqual(self.section(own, "cases").totals, [1, 1, 0, 0])

    def test_staff_without_a_hall_role_are_refused(self) -> None:
        for user in [self.outsider, self.leader, self.office, self.auditor, self.admin]:
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403, user)
            self.assertEqual(
                self.client.get("/services/reports/weekly/pdf/").status_code, 403, user
            )

    def test_anonymous_visitors_are_sent_to_the_login_page(self) -> None:
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])

    def test_a_malformed_week_gets_a_chinese_message(self) -> None:
        self.client.force_login(self.clerk_a)
        self.assertContains(
            self.client.get(URL, {"week": "2026-47"}), "周次:格式应为", status_code=400
        )
        self.assertContains(
            self.client.get(URL, {"week": "2026-W60"}), "周次:该年没有这一周", status_code=400
        )


class WeekParsingTestCase(PublicTestCase):
    def test_weeks_start_on_monday_at_midnight_in_shanghai(self) -> None:
        monday = reports.parse_week("2026-W01")
        self.assertEqual(monday, datetime.date(2025, 12, 29))
        self.assertEqual(reports.local_midnight(monday).isoformat(), "2025-12-29T00:00:00+08:00")
        self.assertEqual(reports.week_label(monday), "2026-W01")
