"""社会保险扩面征缴: the year's targets per insurance, recorded and corrected by 社会事业局,
read by the zone's leaders, refused to others; bad input refused in Chinese with nothing saved."""

from decimal import Decimal

from zhengtong.audit.models import Event
from zhengtong.livelihood.actions.insurance import insurance_drive_record
from zhengtong.livelihood.models import InsuranceDrive

from .jobs_fixtures import D, JobsTestCase

URL = "/livelihood/insurance/"


def post(**extra) -> dict:
    data = {
        "year": "2026",
        "insurance": "resident_medical",
        "enrol_target": "1500",
        "enrolled": "900",
        "collect_target": "5250000.00",
        "collected": "3100000.50",
        "as_of": "2026-06-10",
    }
    data.update(extra)
    return data


class InsuranceDriveTestCase(JobsTestCase):
    def drive(self, insurance="resident_pension", enrolled=812, collected="2436000.00", **kw):
        return insurance_drive_record(
            actor=kw.pop("actor", self.clerk),
            year=2026,
            insurance=insurance,
            enrol_target=kw.pop("enrol_target", 800),
            enrolled=enrolled,
            collect_target=Decimal(kw.pop("collect_target", "2400000.00")),
            collected=Decimal(collected),
            as_of=kw.pop("as_of", D(2026, 6, 1)),
            **kw,
        )

    def test_the_clerk_records_a_drive_and_the_list_shows_its_progress(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.post(URL + "new/", post())
        self.assertEqual(r.status_code, 302, r.content.decode()[:500])
        self.assertEqual(r["Location"], URL + "?year=2026")
        drive = InsuranceDrive.objects.get()
        self.assertEqual(drive.org_unit, self.social)
        self.assertEqual(drive.collected, Decimal("3100000.50"))
        event = Event.objects.get(action="insurance_drive_recorded")
        self.assertEqual(event.changes["enrolled"], 900)
        page = self.client.get(URL, {"year": 2026})
        self.assertContains(page, "城乡居民基本医疗保险")
        self.assertContains(page, "60.0%")  # 900 ÷ 1500
        self.assertContains(page, "59.0%")  # 3 100 000.50 ÷ 5 250 000
        self.assertContains(page, "已完成 0 / 1 个险种")

    def test_every_insurance_at_its_targets_reads_as_done(self) -> None:
        self.drive()
        self.drive("injury", enrolled=934, enrol_target=900, collected="1826000.00",
                   collect_target="1800000.00")  # fmt: skip
        self.client.force_login(self.leader)
        page = self.client.get(URL, {"year": 2026})
        self.assertContains(page, "2026 年社会保险扩面征缴工作已圆满完成:2 个险种全部达到")
        self.assertNotContains(page, "登记/更正")

    def test_a_second_record_of_the_same_year_and_insurance_corrects_it(self) -> None:
        first = self.drive(enrolled=500, collected="1000000.00")
        again = self.drive(enrolled=812, as_of=D(2026, 6, 12))
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(InsuranceDrive.objects.count(), 1)
        event = Event.objects.get(action="insurance_drive_updated")
        self.assertEqual(event.changes["enrolled"], [500, 812])
        self.assertEqual(event.changes["as_of"], ["2026-06-01", "2026-06-12"])

    def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.clerk)
        cases = [
            (post(enrolled="-1"), "新增参保"),
            (post(enrol_target="0"), "扩面目标"),
            (post(collect_target="0"), "征缴目标必须大于 0 元。"),
            (post(collected="12.345"), "已征缴"),
            (post(as_of="2025-12-31"), "截至日期应在 2026 年内。"),
            (post(as_of="2026-06-16"), "截至日期"),
            (post(insurance="pension"), "险种"),
            (post(year="abc"), "年度"),
        ]
        for data, message in cases:
            with self.subTest(message):
                r = self.client.post(URL + "new/", data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
                self.assertFalse(InsuranceDrive.objects.exists())

    def test_a_correction_cannot_go_back_in_time(self) -> None:
        self.drive(as_of=D(2026, 6, 10))
        self.client.force_login(self.clerk)
        r = self.client.post(URL + "new/", post(insurance="resident_pension", as_of="2026-06-01"))
        self.assertContains(r, "已有截至 2026-06-10 的数据,截至日期不能更早。")
        self.assertEqual(InsuranceDrive.objects.get().as_of, D(2026, 6, 10))

    def test_leaders_read_others_are_refused(self) -> None:
        self.drive()
        self.client.force_login(self.leader)
        self.assertContains(self.client.get(URL, {"year": 2026}), "城乡居民基本养老保险")
        self.assertEqual(self.client.get(URL + "new/").status_code, 403)
        self.assertEqual(self.client.post(URL + "new/", post()).status_code, 403)
        # 民政局 keeps welfare, not insurance: it sees none of 社会事业局's rows.
        self.client.force_login(self.civil_clerk)
        self.assertNotContains(self.client.get(URL, {"year": 2026}), "城乡居民基本养老保险")
        for user in (self.office, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(InsuranceDrive.objects.count(), 1)

    def test_the_list_takes_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.clerk)
        self.drive()

        def grow() -> None:
            for kind in ("injury", "unemployment", "employee_pension"):
                self.drive(kind)

        r = self.assert_fixed_queries(URL + "?year=2026", grow, contains=("", "工伤保险"))
        self.assertContains(r, "4 个险种全部达到扩面和征缴目标")
