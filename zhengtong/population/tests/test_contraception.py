import io

import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from zhengtong.audit.models import Event
from zhengtong.population.actions.followups import (
    contraception_report_receive,
    contraception_report_verify,
    contraception_reports_close_period,
    contraception_reports_open_period,
    quarter_of,
)
from zhengtong.population.inbox import inbox_items
from zhengtong.population.models import ContraceptionReport, FloatingRecord

from .test_followups_fixtures import D, FollowupTestCase, at, make_person


class QuarterTestCase(FollowupTestCase):
    def test_quarters_are_calendar_quarters(self) -> None:
        self.assertEqual(quarter_of(D(2026, 2, 15)), (D(2026, 1, 1), D(2026, 3, 31)))
        self.assertEqual(quarter_of(D(2026, 12, 31)), (D(2026, 10, 1), D(2026, 12, 31)))
        self.assertEqual(quarter_of(D(2026, 6, 30)), (D(2026, 4, 1), D(2026, 6, 30)))


class ContraceptionTestCase(FollowupTestCase):
    """East woman away since 2026-01-10; others who owe no report."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()

        def away(person, village, started, ended=None):
            FloatingRecord.objects.create(
                person=person,
                direction=FloatingRecord.Direction.OUT,
                org_unit=village,
                place="广东省东莞市",
                started_on=started,
                ended_on=ended,
                created_by=cls.town_worker,
            )

        away(cls.east_woman, cls.east_village, D(2026, 1, 10))
        away(cls.west_woman, cls.west_village, D(2025, 6, 1))
        away(
            make_person("男工", cls.east_village, seq=3, female=False),
            cls.east_village,
            D(2026, 1, 10),
        )
        away(
            make_person("五十岁", cls.east_village, seq=4, birth=D(1975, 12, 31)),
            cls.east_village,
            D(2026, 1, 10),
        )
        away(
            make_person("已返乡", cls.east_village, seq=5),
            cls.east_village,
            D(2025, 3, 1),
            D(2025, 12, 20),
        )
        FloatingRecord.objects.create(
            person=make_person("流入女", cls.east_village, seq=6),
            direction=FloatingRecord.Direction.IN,
            org_unit=cls.east_village,
            place="河南",
            started_on=D(2026, 1, 2),
            created_by=cls.town_worker,
        )

    def open_q1(self):
        with time_machine.travel(at(2026, 2, 15), tick=False):
            return contraception_reports_open_period(today=D(2026, 2, 15))

    def test_a_report_is_expected_from_each_woman_of_18_to_49_away_in_the_quarter(self) -> None:
        created = self.open_q1()
        self.assertEqual(
            sorted((r.person.name, r.org_unit.name) for r in created),
            [("张丽", "东村"), ("李娟", "西村")],
        )
        report = ContraceptionReport.objects.get(person=self.east_woman)
        self.assertEqual((report.period_start, report.period_end), (D(2026, 1, 1), D(2026, 3, 31)))
        self.assertEqual(report.status, ContraceptionReport.Status.EXPECTED)
        self.assertEqual(self.open_q1(), [])
        self.assertEqual(ContraceptionReport.objects.count(), 2)

    def test_a_missing_report_becomes_a_task_after_its_period_once(self) -> None:
        self.open_q1()
        with time_machine.travel(at(2026, 3, 31), tick=False):
            self.assertEqual(contraception_reports_close_period(today=D(2026, 3, 31)), [])
            self.assertEqual(
                [i for i in inbox_items(self.east_worker) if i.kind == "避孕节育报告单"], []
            )
        with time_machine.travel(at(2026, 4, 1), tick=False):
            closed = contraception_reports_close_period(today=D(2026, 4, 1))
            self.assertEqual(len(closed), 2)
            self.assertEqual(contraception_reports_close_period(today=D(2026, 4, 1)), [])
            tasks = [i for i in inbox_items(self.east_worker) if i.kind == "避孕节育报告单"]
        self.assertEqual(len(tasks), 1)
        self.assertIn("张丽", tasks[0].title)
        self.assertIn("催收", tasks[0].title)
        self.assertEqual(tasks[0].due_on, D(2026, 4, 15))
        self.assertEqual(Event.objects.filter(action="contraception_report_missing").count(), 2)

    def test_the_daily_command_is_idempotent(self) -> None:
        out = io.StringIO()
        call_command("population_daily", "--today", "2026-04-02", stdout=out)
        call_command("population_daily", "--today", "2026-04-02", stdout=out)
        # Q2 reports are opened; there was no Q1 report to close.
        self.assertEqual(ContraceptionReport.objects.filter(period_start=D(2026, 4, 1)).count(), 2)
        self.assertEqual(ContraceptionReport.objects.count(), 2)
        self.assertIn("新增应寄回报告单 0 份", out.getvalue())

    @time_machine.travel(at(2026, 4, 3), tick=False)
    def test_receiving_then_verifying_moves_the_report_through_its_statuses(self) -> None:
        self.open_q1()
        report = ContraceptionReport.objects.get(person=self.east_woman)
        self.client.force_login(self.east_worker)
        url = f"/population/contraception/{report.pk}/"
        r = self.client.post(url + "receive/", {"received_on": "2026-04-02", "method": "上环"})
        self.assertRedirects(r, url)
        report.refresh_from_db()
        self.assertEqual(report.status, ContraceptionReport.Status.RECEIVED)
        tasks = [i for i in inbox_items(self.east_worker) if i.kind == "避孕节育报告单"]
        self.assertEqual([t.title for t in tasks], ["张丽 已收到,待落实"])
        self.client.post(url + "verify/", {"verified_on": "2026-04-03", "note": "电话核实"})
        report.refresh_from_db()
        self.assertEqual(report.status, ContraceptionReport.Status.VERIFIED)
        self.assertEqual(report.verified_by, self.east_worker)
        self.assertEqual(
            [i for i in inbox_items(self.east_worker) if i.kind == "避孕节育报告单"], []
        )

    @time_machine.travel(at(2026, 4, 3), tick=False)
    def test_bad_input_is_refused_with_the_field_named(self) -> None:
        self.open_q1()
        report = ContraceptionReport.objects.get(person=self.east_woman)
        with self.assertRaises(ValidationError) as cm:
            contraception_report_receive(
                actor=self.east_worker, report=report, received_on=D(2026, 4, 4), method=""
            )
        self.assertIn("收到日期", cm.exception.message_dict["received_on"][0])
        self.assertIn("避孕节育措施", cm.exception.message_dict["method"][0])
        with self.assertRaises(ValidationError) as cm:
            contraception_report_verify(
                actor=self.east_worker, report=report, verified_on=D(2026, 4, 3)
            )
        self.assertIn("已收到", cm.exception.message_dict["status"][0])
        report.refresh_from_db()
        self.assertEqual(report.status, ContraceptionReport.Status.EXPECTED)

    @time_machine.travel(at(2026, 4, 3), tick=False)
    def test_the_list_shows_own_villages_only_with_a_fixed_query_count(self) -> None:
        self.open_q1()
        self.client.force_login(self.west_worker)
        r = self.client.get("/population/contraception/")
        self.assertContains(r, "李娟")
        self.assertNotContains(r, "张丽")
        self.assertContains(r, "超期未寄回")
        self.assertNotContains(r, self.west_woman.id_number)
        self.assertContains(r, self.west_woman.masked_id)
        before = self.queries_of("/population/contraception/")
        for seq in range(10, 20):
            woman = make_person(f"女{seq}", self.west_village, seq=seq)
            ContraceptionReport.objects.create(
                person=woman,
                org_unit=self.west_village,
                period_start=D(2026, 1, 1),
                period_end=D(2026, 3, 31),
            )
        self.assertEqual(self.queries_of("/population/contraception/"), before)

    @time_machine.travel(at(2026, 4, 3), tick=False)
    def test_another_village_gets_404_on_the_report_pages_and_nothing_changes(self) -> None:
        self.open_q1()
        report = ContraceptionReport.objects.get(person=self.east_woman)
        url = f"/population/contraception/{report.pk}/"
        self.client.force_login(self.west_worker)
        self.assertEqual(self.client.get(url).status_code, 404)
        r = self.client.post(url + "receive/", {"received_on": "2026-04-02", "method": "上环"})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(
            self.client.post(url + "verify/", {"verified_on": "2026-04-03"}).status_code, 404
        )
        report.refresh_from_db()
        self.assertEqual(report.status, ContraceptionReport.Status.EXPECTED)
        self.assertEqual(self.denied_events(self.west_worker), 3)

    @time_machine.travel(at(2026, 4, 3), tick=False)
    def test_the_list_filters_by_status_and_searches_by_name(self) -> None:
        self.open_q1()
        report = ContraceptionReport.objects.get(person=self.east_woman)
        contraception_report_receive(
            actor=self.east_worker, report=report, received_on=D(2026, 4, 2), method="上环"
        )
        self.client.force_login(self.town_worker)
        url = "/population/contraception/"

        def names(data) -> list[str]:
            return [cells[0].text for cells in self.client.get(url, data).context["table"].rows]

        self.assertEqual(names({"status": "received"}), ["张丽"])
        self.assertEqual(names({"status": "expected"}), ["李娟"])
        self.assertEqual(names({"q": "李"}), ["李娟"])
        r = self.client.get(url, {"status": "bogus"})
        self.assertContains(r, "筛选条件有误")
        self.assertEqual(r.context["table"].rows, [])
        sheet = self.client.get(url, {"status": "expected", "export": "xlsx"})
        self.assertIn("attachment", sheet["Content-Disposition"])

    def test_other_roles_are_refused_the_list(self) -> None:
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get("/population/contraception/").status_code, 403)
