import datetime
import io
from decimal import Decimal

import openpyxl
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event
from zhengtong.projects.actions import project_create, project_update
from zhengtong.projects.models import KeyProject, ProjectLeader, Sector, Stage
from zhengtong.projects.tests.factories import create_project
from zhengtong.test import BaseTestCase

TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


def sector(code="auto", name="新能源汽车") -> Sector:
    obj, _ = Sector.objects.get_or_create(
        code=code, defaults={"name": name, "plate": Sector.Plate.LEADING}
    )
    return obj


def project(code, org_unit, *, total="12000000.00", plan="1200000.00", leaders=(), **extra):
    """A register row written directly, for tests that are not about creating it."""
    extra.setdefault("name", f"项目{code}")
    extra.setdefault("year", 2026)
    extra.setdefault("category", KeyProject.Category.INDUSTRY)
    row = create_project(
        code=code,
        org_unit=org_unit,
        sector=extra.pop("sector", None) or sector(),
        total_investment=Decimal(total),
        annual_plan=Decimal(plan),
        **extra,
    )
    for user in leaders:
        ProjectLeader.objects.create(project=row, user=user)
    return row


def create_args(test, **overrides) -> dict:
    args = {
        "actor": test.office,
        "code": "KP-2026-001",
        "name": "中通客车新能源产业园",
        "year": 2026,
        "sector": sector(),
        "category": KeyProject.Category.INDUSTRY,
        "org_unit": test.company,
        "total_investment": Decimal("6500000000.00"),
        "annual_plan": Decimal("1100000000.00"),
        "planned_start_on": datetime.date(2026, 3, 1),
        "planned_finish_on": datetime.date(2028, 6, 30),
    }
    args.update(overrides)
    return args


@time_machine.travel(TODAY, tick=False)
class ProjectCreateTestCase(BaseTestCase):
    def test_it_creates_a_project_and_records_an_event(self) -> None:
        """A valid project is saved in 未开工 and its creation is in the audit log."""
        created = project_create(**create_args(self))
        self.assertEqual(created.stage, Stage.NOT_STARTED)
        self.assertEqual(created.total_investment, Decimal("6500000000.00"))
        event = Event.objects.get(action="project_created", target_id=str(created.pk))
        self.assertEqual(event.actor, self.office)
        self.assertEqual(event.org_unit, self.company)
        self.assertEqual(event.changes["name"], [None, "中通客车新能源产业园"])

    def test_it_refuses_an_annual_plan_above_the_total(self) -> None:
        """年度计划 > 总投资 is refused on the annual_plan field and nothing is saved."""
        with self.assertRaises(ValidationError) as ctx:
            project_create(**create_args(self, annual_plan=Decimal("7000000000.00")))
        self.assertIn(
            "年度计划投资(元)不能超过总投资(元)。", ctx.exception.message_dict["annual_plan"]
        )
        self.assertFalse(KeyProject.objects.exists())

    def test_it_refuses_negative_amounts(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            project_create(**create_args(self, annual_plan=Decimal("-1")))
        self.assertIn("年度计划投资(元)不能为负数。", ctx.exception.message_dict["annual_plan"])
        self.assertFalse(KeyProject.objects.exists())

    def test_it_refuses_absurd_amounts(self) -> None:
        """1 万亿元 or more is a unit mistake, not a project."""
        with self.assertRaises(ValidationError) as ctx:
            project_create(**create_args(self, total_investment=Decimal("1000000000000")))
        self.assertIn("总投资(元)超过 1 万亿元", ctx.exception.message_dict["total_investment"][0])
        self.assertFalse(KeyProject.objects.exists())

    def test_it_refuses_a_finish_before_the_start(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            project_create(**create_args(self, planned_finish_on=datetime.date(2026, 2, 1)))
        self.assertEqual(
            ctx.exception.message_dict["planned_finish_on"], ["计划竣工日期不能早于计划开工日期。"]
        )

    def test_it_refuses_a_duplicate_code(self) -> None:
        project_create(**create_args(self))
        with self.assertRaises(ValidationError) as ctx:
            project_create(**create_args(self, name="另一个项目"))
        self.assertIn("code", ctx.exception.message_dict)
        self.assertEqual(KeyProject.objects.count(), 1)

    def test_it_refuses_under_construction_without_leaders(self) -> None:
        """Creating straight into 在建 needs the 帮包 leaders at once."""
        with self.assertRaises(ValidationError) as ctx:
            project_create(**create_args(self, stage=Stage.UNDER_CONSTRUCTION))
        self.assertIn("帮包领导", ctx.exception.message_dict["stage"][0])
        self.assertFalse(KeyProject.objects.exists())

    def test_it_creates_under_construction_with_leaders(self) -> None:
        created = project_create(
            **create_args(self, stage=Stage.UNDER_CONSTRUCTION, leaders=[self.leader])
        )
        self.assertEqual(list(created.leaders.all()), [self.leader])
        self.assertEqual(created.actual_start_on, datetime.date(2026, 3, 1))

    def test_it_refuses_a_leader_who_is_not_a_district_leader(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            project_create(
                **create_args(self, stage=Stage.UNDER_CONSTRUCTION, leaders=[self.liaison])
            )
        self.assertIn("不是本区区领导", ctx.exception.message_dict["leaders"][0])
        self.assertFalse(KeyProject.objects.exists())


@time_machine.travel(TODAY, tick=False)
class ProjectUpdateTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project_create(**create_args(self))

    def test_it_needs_a_reason_to_change_the_total_investment(self) -> None:
        """KP12: revising the total investment without a reason is refused; nothing changes."""
        with self.assertRaises(ValidationError) as ctx:
            project_update(
                actor=self.office, project=self.project, total_investment=Decimal("7000000000")
            )
        self.assertIn("总投资(元)", ctx.exception.message_dict["reason"][0])
        self.project.refresh_from_db()
        self.assertEqual(self.project.total_investment, Decimal("6500000000.00"))
        self.assertFalse(Event.objects.filter(action="project_updated").exists())

    def test_it_needs_a_reason_to_change_a_date(self) -> None:
        with self.assertRaises(ValidationError):
            project_update(
                actor=self.office,
                project=self.project,
                planned_finish_on=datetime.date(2028, 12, 31),
                reason="   ",
            )

    def test_it_records_old_and_new_values_with_the_reason(self) -> None:
        project_update(
            actor=self.office,
            project=self.project,
            total_investment=Decimal("7000000000"),
            reason="追加二期工程",
        )
        event = Event.objects.get(action="project_updated")
        self.assertEqual(event.changes["total_investment"], ["6500000000.00", "7000000000.00"])
        self.assertEqual(event.reason, "追加二期工程")
        self.assertEqual(event.actor, self.office)

    def test_it_changes_the_name_without_a_reason(self) -> None:
        project_update(actor=self.office, project=self.project, name="中通新能源产业园")
        self.project.refresh_from_db()
        self.assertEqual(self.project.name, "中通新能源产业园")

    def test_an_unchanged_amount_written_differently_is_no_change(self) -> None:
        """100 and 100.00 are the same amount: no reason needed, no event."""
        project_update(
            actor=self.office, project=self.project, total_investment=Decimal("6500000000")
        )
        self.assertFalse(Event.objects.filter(action="project_updated").exists())

    def test_it_refuses_to_change_the_stage(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            project_update(actor=self.office, project=self.project, stage=Stage.COMPLETED)
        self.assertIn("stage", ctx.exception.message_dict)

    def test_it_still_refuses_an_annual_plan_above_the_total(self) -> None:
        with self.assertRaises(ValidationError):
            project_update(
                actor=self.office,
                project=self.project,
                annual_plan=Decimal("9000000000"),
                reason="调整",
            )
        self.project.refresh_from_db()
        self.assertEqual(self.project.annual_plan, Decimal("1100000000.00"))


@time_machine.travel(TODAY, tick=False)
class ProjectHistoryPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project_create(**create_args(self))
        project_update(
            actor=self.office,
            project=self.project,
            total_investment=Decimal("7000000000"),
            reason="追加二期工程",
        )
        self.url = f"/projects/{self.project.pk}/history/"

    def test_it_shows_old_value_new_value_user_time_and_reason(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(self.url)
        self.assertContains(r, "65.00亿元")
        self.assertContains(r, "70.00亿元")
        self.assertNotContains(r, "7000000000")
        self.assertContains(r, "修改重点项目")
        self.assertContains(r, "追加二期工程")
        self.assertContains(r, "赵主任")
        self.assertContains(r, "2026-11-20")

    def test_it_hides_the_history_from_other_units(self) -> None:
        self.client.force_login(self.other_liaison)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.get(self.url, {"export": "xlsx"}).status_code, 404)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_the_history_costs_a_fixed_number_of_queries_and_exports_its_rows(self) -> None:
        self.client.force_login(self.leader)
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url)
        for i in range(5):
            project_update(
                actor=self.office,
                project=self.project,
                total_investment=Decimal(7100000000 + i),
                reason=f"调整{i}",
            )
        with self.assertNumQueries(len(few)):
            r = self.client.get(self.url)
        self.assertEqual(r.context["page"].paginator.count, 7)
        r = self.client.get(self.url, {"q": "追加"})
        self.assertEqual(r.context["page"].paginator.count, 1)
        r = self.client.get(self.url, {"export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0], ("时间", "变更", "操作人", "理由", "原值 → 新值"))
        self.assertEqual(len(rows) - 1, 7)

    def test_the_edit_page_requires_a_reason_when_money_changes(self) -> None:
        self.client.force_login(self.office)
        url = f"/projects/{self.project.pk}/edit/"
        form = self.client.get(url).context["form"]
        data = {k: ("" if v is None else getattr(v, "pk", v)) for k, v in form.initial.items()}
        data["total_investment"] = "8000000000"
        data["is_example"] = ""
        r = self.client.post(url, data)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "须填写变更理由")
        data["reason"] = "概算调整"
        r = self.client.post(url, data)
        self.assertRedirects(r, self.project.get_absolute_url())
        self.project.refresh_from_db()
        self.assertEqual(self.project.total_investment, Decimal("8000000000.00"))

    def test_an_auditor_cannot_edit(self) -> None:
        self.client.force_login(self.auditor)
        self.assertEqual(self.client.get(f"/projects/{self.project.pk}/edit/").status_code, 404)

    def test_a_leader_sees_but_cannot_edit(self) -> None:
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(f"/projects/{self.project.pk}/edit/").status_code, 403)
        self.assertEqual(
            self.client.post(f"/projects/{self.project.pk}/edit/", {"name": "x"}).status_code, 403
        )

    def test_the_office_creates_a_project_through_the_page(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(
            "/projects/new/",
            {
                "code": "KP-2026-002",
                "name": "周公路",
                "year": "2026",
                "sector": sector().pk,
                "category": "urban",
                "project_type": "construction",
                "org_unit": self.company.pk,
                "total_investment": "50000000",
                "annual_plan": "20000000",
                "stage": "survey",
            },
        )
        created = KeyProject.objects.get(code="KP-2026-002")
        self.assertRedirects(r, created.get_absolute_url())
        self.assertEqual(created.stage, Stage.SURVEY)
        self.assertEqual(created.stage_class, Stage.NOT_STARTED)

    def test_the_create_page_shows_the_chinese_error(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(
            "/projects/new/",
            {
                "code": "KP-2026-003",
                "name": "错误项目",
                "year": "2026",
                "sector": sector().pk,
                "category": "urban",
                "project_type": "construction",
                "org_unit": self.company.pk,
                "total_investment": "100",
                "annual_plan": "200",
                "stage": "not_started",
            },
        )
        self.assertContains(r, "年度计划投资(元)不能超过总投资(元)。")
        self.assertFalse(KeyProject.objects.filter(code="KP-2026-003").exists())

    def test_a_liaison_cannot_open_the_create_page(self) -> None:
        self.client.force_login(self.liaison)
        self.assertEqual(self.client.get("/projects/new/").status_code, 403)
