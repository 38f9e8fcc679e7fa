"""City works: installed quantities against physical targets, and the lighting programme."""

import datetime
import io
from decimal import Decimal

import openpyxl
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event
from zhengtong.projects.actions.works import quantity_record
from zhengtong.projects.models import KeyProject, Sector, WorkQuantity, WorkTarget
from zhengtong.projects.tests.factories import create_project
from zhengtong.test import BaseTestCase

TODAY = "2025-06-15 10:00 +0800"
M = WorkTarget.Measure


def make_work(code, org_unit, sector, **extra) -> KeyProject:
    fields = {
        "name": f"工程{code}",
        "year": 2025,
        "category": KeyProject.Category.URBAN,
        "total_investment": Decimal("80000000"),
        "annual_plan": Decimal("30000000"),
    }
    fields.update(extra)
    return create_project(code=code, sector=sector, org_unit=org_unit, **fields)


class WorksTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.sector = Sector.objects.create(code="urban", name="城市建设", plate="0")
        # Two lighting projects whose lamps add up to the seed's 1156 盏.
        cls.lighting = make_work("CJ-01", cls.company, cls.sector, name="主干道路灯新建工程")
        cls.lighting_renovation = make_work(
            "CJ-02", cls.other_company, cls.sector, name="老城区路灯改造工程"
        )
        cls.road = make_work("CJ-03", cls.company, cls.sector, name="嫩江路")
        cls.new_lamps = WorkTarget.objects.create(
            project=cls.lighting, measure=M.LAMP_NEW, planned_quantity=Decimal("656")
        )
        cls.renovated_lamps = WorkTarget.objects.create(
            project=cls.lighting_renovation,
            measure=M.LAMP_RENOVATED,
            planned_quantity=Decimal("500"),
        )
        cls.road_km = WorkTarget.objects.create(
            project=cls.road, measure=M.ROAD_KM, planned_quantity=Decimal("3.5")
        )
        cls.green = WorkTarget.objects.create(
            project=cls.road, measure=M.GREEN_M2, planned_quantity=Decimal("12000")
        )
        # An industrial project is never a city work, even with a target.
        cls.factory = make_work(
            "KP-01", cls.company, cls.sector, name="客车工厂", category=KeyProject.Category.INDUSTRY
        )
        # A county work: outside the zone's sight.
        cls.far_work = make_work("CJ-90", cls.town, cls.sector, name="刘集镇路灯")
        cls.far_lamps = WorkTarget.objects.create(
            project=cls.far_work, measure=M.LAMP_NEW, planned_quantity=Decimal("100")
        )

    def record(self, target, quantity, day=datetime.date(2025, 5, 1), actor=None):
        return quantity_record(
            actor=actor or self.office, target=target, recorded_on=day, quantity=Decimal(quantity)
        )


@time_machine.travel(TODAY, tick=False)
class QuantityRecordTestCase(WorksTestCase):
    def url(self, target):
        return f"/projects/targets/{target.pk}/record/"

    def test_the_liaison_records_a_quantity_and_an_event_is_written(self) -> None:
        self.client.force_login(self.liaison)
        r = self.client.post(
            self.url(self.road_km),
            {"recorded_on": "2025-06-01", "quantity": "1.25", "note": "K0+000—K1+250"},
        )
        self.assertRedirects(r, f"/projects/works/{self.road.pk}/", fetch_redirect_response=False)
        entry = WorkQuantity.objects.get()
        self.assertEqual(
            (entry.quantity, entry.created_by, entry.target),
            (Decimal("1.25"), self.liaison, self.road_km),
        )
        event = Event.objects.get(action="work_quantity_recorded")
        self.assertEqual(event.changes["installed_total"], ["0", "1.25"])
        self.assertEqual(event.org_unit, self.company)

    def test_the_inline_form_of_the_detail_page_is_accepted(self) -> None:
        """The detail page prefixes each target's form; the record view reads it."""
        self.client.force_login(self.office)
        r = self.client.post(
            self.url(self.green),
            {f"t{self.green.pk}-recorded_on": "2025-06-01", f"t{self.green.pk}-quantity": "3000"},
        )
        self.assertEqual(r.status_code, 302)
        self.assertEqual(WorkQuantity.objects.get().quantity, Decimal("3000"))

    def test_installing_more_than_planned_is_refused_naming_both_numbers(self) -> None:
        self.record(self.new_lamps, "600")
        self.client.force_login(self.office)
        r = self.client.post(
            self.url(self.new_lamps), {"recorded_on": "2025-06-01", "quantity": "57"}
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "登记后新增路灯累计完成 657盏,超过计划量 656盏")
        self.assertEqual(WorkQuantity.objects.count(), 1)

    def test_the_plan_can_be_met_exactly(self) -> None:
        self.record(self.road_km, "2")
        self.record(self.road_km, "1.5")
        with self.assertRaises(ValidationError) as ctx:
            self.record(self.road_km, "0.01")
        self.assertIn("超过计划量 3.5公里", ctx.exception.message_dict["quantity"][0])

    def test_bad_input_is_refused_with_a_message_naming_the_field(self) -> None:
        self.client.force_login(self.office)
        cases = [
            ({"quantity": "abc"}, "完成量必须是数字。"),
            ({"quantity": "-3"}, "完成量必须大于 0。"),
            ({"quantity": "0"}, "完成量必须大于 0。"),
            ({"quantity": "1.234"}, "完成量最多保留两位小数。"),
            ({"quantity": ""}, "请填写完成量。"),
            ({"recorded_on": "2025-06-16"}, "日期不能晚于今天。"),
            ({"recorded_on": "2025-02-30"}, "日期不是有效日期。"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                payload = {"recorded_on": "2025-06-01", "quantity": "1"}
                payload.update(data)
                r = self.client.post(self.url(self.road_km), payload)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
        self.assertFalse(WorkQuantity.objects.exists())
        self.assertFalse(Event.objects.filter(action="work_quantity_recorded").exists())

    def test_leaders_and_other_units_may_not_record(self) -> None:
        """Leaders read (403); another unit's liaison does not even see the work (404)."""
        data = {"recorded_on": "2025-06-01", "quantity": "1"}
        self.client.force_login(self.leader)
        self.assertEqual(self.client.post(self.url(self.road_km), data).status_code, 403)
        self.client.force_login(self.other_liaison)
        self.assertEqual(self.client.post(self.url(self.road_km), data).status_code, 404)
        for user in (self.clerk, self.outsider, self.auditor):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.post(self.url(self.road_km), data).status_code, 404)
        self.client.force_login(self.office)
        self.assertEqual(self.client.post(self.url(self.far_lamps), data).status_code, 404)
        self.assertFalse(WorkQuantity.objects.exists())

    def test_a_target_of_a_non_urban_project_is_404(self) -> None:
        target = WorkTarget.objects.create(
            project=self.factory, measure=M.GREEN_M2, planned_quantity=Decimal("10")
        )
        self.client.force_login(self.office)
        r = self.client.post(self.url(target), {"recorded_on": "2025-06-01", "quantity": "1"})
        self.assertEqual(r.status_code, 404)


@time_machine.travel(TODAY, tick=False)
class WorksListTestCase(WorksTestCase):
    url = "/projects/works/"

    def targets_of(self, r, work) -> dict:
        """{measure: {column key: cell}} of the rows of `work` on the page."""
        rows = [cells for cells in r.context["table"].rows if cells[0].row.project_id == work.pk]
        return {cells[0].row.measure: {c.column.key: c for c in cells} for cells in rows}

    def test_search_and_export_of_the_targets(self) -> None:
        self.record(self.road_km, "1.75")
        self.client.force_login(self.office)
        r = self.client.get(self.url, {"q": "嫩江路"})
        self.assertEqual({c[0].row.project_id for c in r.context["table"].rows}, {self.road.pk})
        r = self.client.get(self.url, {"q": "嫩江路", "export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0], ("工程", "阶段", "指标", "计划量", "已完成", "单位", "进度(%)"))
        road = next(row for row in rows[1:] if row[2] == "道路里程")
        self.assertEqual((road[3], road[4], road[5]), (3.5, 1.75, "公里"))
        self.assertEqual(len(rows) - 1, WorkTarget.objects.filter(project=self.road).count())

    def test_the_lighting_programme_plans_1156_lamps_new_plus_renovated(self) -> None:
        """Programme planned = 656 新增 + 500 改造 = 1156; progress = installed / 1156 (KP10)."""
        self.record(self.new_lamps, "300")
        self.record(self.renovated_lamps, "278")
        self.record(self.far_lamps, "50")  # out of the zone: not counted
        self.client.force_login(self.leader)
        r = self.client.get(self.url)
        lighting = r.context["lighting"]
        self.assertEqual(lighting["planned"], "1156")
        self.assertEqual(lighting["installed"], "578")
        self.assertEqual(lighting["progress_pct"], Decimal("50.0"))
        self.assertContains(r, '<strong id="lighting-planned">1156</strong>', html=False)
        rows = {row["measure"]: row for row in lighting["rows"]}
        self.assertEqual(
            (rows[M.LAMP_NEW]["planned"], rows[M.LAMP_NEW]["installed"]), ("656", "300")
        )
        self.assertEqual(rows[M.LAMP_NEW]["progress_pct"], Decimal("45.7"))

    def test_each_target_shows_planned_installed_and_progress_rounded_half_up(self) -> None:
        self.record(self.road_km, "1.75")  # 1.75 / 3.5 = 50.0%
        self.record(self.green, "1000.2")  # 1000.2 / 12000 = 8.335% → 8.3%
        self.record(self.green, "0.6")  # 1000.8 / 12000 = 8.34% → 8.3%
        self.client.force_login(self.office)
        r = self.client.get(self.url)
        targets = self.targets_of(r, self.road)
        self.assertEqual(targets[M.ROAD_KM]["installed"].value, Decimal("1.75"))
        self.assertEqual(targets[M.ROAD_KM]["progress"].value, Decimal("50.0"))
        self.assertEqual(targets[M.GREEN_M2]["installed"].value, Decimal("1000.8"))
        self.assertEqual(targets[M.GREEN_M2]["progress"].text, "8.3%")
        self.assertContains(r, "嫩江路")
        self.assertNotContains(r, "客车工厂")
        self.assertNotContains(r, "刘集镇路灯")

    def test_half_up_rounding_of_progress(self) -> None:
        target = WorkTarget.objects.create(
            project=self.road, measure=M.LAMP_NEW, planned_quantity=Decimal("2000")
        )
        self.record(target, "1")  # 0.05% → 0.1% half-up (banker's rounding would give 0.0)
        self.client.force_login(self.office)
        r = self.client.get(self.url)
        self.assertEqual(
            self.targets_of(r, self.road)[M.LAMP_NEW]["progress"].value, Decimal("0.1")
        )

    def test_a_liaison_sees_only_their_unit_works(self) -> None:
        self.client.force_login(self.other_liaison)
        r = self.client.get(self.url)
        self.assertContains(r, "老城区路灯改造工程")
        self.assertNotContains(r, "嫩江路")
        self.assertEqual(r.context["lighting"]["planned"], "500")

    def test_users_without_a_project_role_get_403(self) -> None:
        for user in (self.clerk, self.outsider, self.auditor, self.admin):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_the_list_runs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.office)
        self.client.get(self.url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url)
        for i in range(20):
            work = make_work(f"CJ-5{i:02d}", self.company, self.sector)
            target = WorkTarget.objects.create(
                project=work, measure=M.LAMP_NEW, planned_quantity=Decimal("10")
            )
            WorkTarget.objects.create(
                project=work, measure=M.ROAD_KM, planned_quantity=Decimal("1")
            )
            self.record(target, "2")
        with self.assertNumQueries(len(few)):
            r = self.client.get(self.url)
        self.assertEqual(r.context["lighting"]["planned"], "1356")


@time_machine.travel(TODAY, tick=False)
class WorksDetailTestCase(WorksTestCase):
    def test_it_lists_targets_entries_and_offers_the_form_to_the_liaison(self) -> None:
        self.record(self.road_km, "1", day=datetime.date(2025, 5, 20))
        self.client.force_login(self.liaison)
        r = self.client.get(f"/projects/works/{self.road.pk}/")
        self.assertContains(r, "2025-05-20")
        self.assertContains(r, f'action="/projects/targets/{self.road_km.pk}/record/"')
        self.assertContains(r, "道路里程")

    def test_leaders_read_without_the_form(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(f"/projects/works/{self.road.pk}/")
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "/record/")

    def test_the_entries_page_by_the_kit_with_a_fixed_number_of_queries(self) -> None:
        self.record(self.road_km, "1", day=datetime.date(2025, 5, 20))
        url = f"/projects/works/{self.road.pk}/"
        self.client.force_login(self.office)
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for i in range(10):
            self.record(self.green, "1", day=datetime.date(2025, 6, 1 + i))
        with self.assertNumQueries(len(few)):
            r = self.client.get(url)
        self.assertEqual(r.context["page"].paginator.count, 11)
        self.assertEqual(r.context["table"].rows[0][0].text, "2025-06-10")
        r = self.client.get(url, {"export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(len(rows) - 1, 11)
        self.client.force_login(self.other_liaison)
        self.assertEqual(self.client.get(url, {"export": "xlsx"}).status_code, 404)

    def test_works_out_of_sight_or_not_urban_are_404(self) -> None:
        self.client.force_login(self.other_liaison)
        self.assertEqual(self.client.get(f"/projects/works/{self.road.pk}/").status_code, 404)
        self.client.force_login(self.office)
        self.assertEqual(self.client.get(f"/projects/works/{self.far_work.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/projects/works/{self.factory.pk}/").status_code, 404)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(f"/projects/works/{self.road.pk}/").status_code, 404)
