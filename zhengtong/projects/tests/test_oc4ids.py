import datetime
import json
from decimal import Decimal

from zhengtong.projects import oc4ids
from zhengtong.projects.models import (
    Fund,
    FundAllocation,
    KeyProject,
    Milestone,
    ProgressReport,
    Stage,
)
from zhengtong.projects.tests.factories import make_project, make_sector
from zhengtong.test import BaseTestCase

URL = "/api/v1/projects/oc4ids/"


class Oc4idsPackageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.leader.phone = "13800000001"
        self.leader.save(update_fields=["phone"])
        road = make_sector("roads", "道路工程", oc4ids_sector="transport.road", plate="0")
        self.bus = make_project(
            "ZT-001",
            self.company,
            name="中通新能源及节能型客车生产基地",
            description="年产 1 万辆新能源客车。",
            location="开发区黄山路东",
            total="5000000000.00",
            plan="1200000000.00",
            stage=Stage.UNDER_CONSTRUCTION,
            planned_start_on=datetime.date(2025, 3, 1),
            planned_finish_on=datetime.date(2027, 6, 30),
            responsible_unit=self.dept,
            leaders=[self.leader],
        )
        self.road = make_project(
            "ZT-002",
            self.zone,
            name="嫩江路",
            category=KeyProject.Category.URBAN,
            sector=road,
            total="300000000.00",
            plan="100000000.00",
            stage=Stage.SURVEY,
            project_type=KeyProject.ProjectType.EXPANSION,
        )
        make_project("ZT-003", self.other_company, name="万合铜铝深加工", stage=Stage.COMPLETED)
        make_project("ZT-004", self.other_company, name="已取消项目", stage=Stage.CANCELLED)
        for month, amount, pct in [(1, "10000000.00", "20"), (2, "25000000.55", "25.5")]:
            ProgressReport.objects.create(
                project=self.bus,
                month=datetime.date(2026, month, 1),
                investment=Decimal(amount),
                physical_progress=Decimal(pct),
                submitted_by=self.liaison,
            )
        Milestone.objects.create(
            project=self.bus,
            code=Milestone.Code.COMMENCEMENT,
            due_on=datetime.date(2025, 3, 1),
            met_on=datetime.date(2025, 3, 10),
            status=Milestone.Status.MET,
        )
        Milestone.objects.create(
            project=self.bus,
            code=Milestone.Code.MAIN_STRUCTURE,
            due_on=datetime.date(2026, 9, 30),
        )
        fund = Fund.objects.create(code="tech", name="科技研发扶持基金", budget=Decimal("50000000"))
        FundAllocation.objects.create(
            fund=fund,
            project=self.bus,
            amount=Decimal("3000000.00"),
            decided_on=datetime.date(2026, 1, 5),
        )

    def package_for(self, user) -> dict:
        self.client.force_login(user)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        return r.json()

    def test_the_package_validates_against_the_oc4ids_schema(self) -> None:
        """Four projects across stages, with milestones, reports and a fund: zero schema errors."""
        package = self.package_for(self.leader)
        self.assertEqual(oc4ids.validation_errors(package), [])
        self.assertEqual(package["version"], "0.9")
        self.assertEqual(len(package["projects"]), 4)

    def test_the_validator_does_report_a_broken_package(self) -> None:
        """Guard against a validator that accepts anything (e.g. an unresolved $ref)."""
        package = self.package_for(self.leader)
        package["projects"][0]["status"] = "building"
        package["projects"][1]["milestones"] = [{"status": "met"}]
        del package["publisher"]
        errors = oc4ids.validation_errors(package)
        self.assertEqual(len(errors), 3, errors)
        self.assertTrue(any("building" in e for e in errors))

    def test_a_project_carries_status_sector_budget_parties_and_progress(self) -> None:
        projects = {p["id"]: p for p in self.package_for(self.leader)["projects"]}
        bus = projects["oc4ids-zt-ZT-001"]
        self.assertEqual(bus["title"], "中通新能源及节能型客车生产基地")
        self.assertEqual(bus["status"], "implementation")
        self.assertEqual(bus["type"], "construction")
        self.assertEqual(bus["sector"], ["economy"])
        self.assertEqual(bus["budget"]["amount"], {"amount": 5000000000, "currency": "CNY"})
        self.assertEqual(bus["period"]["startDate"], "2025-03-01T00:00:00+08:00")
        self.assertEqual(bus["locations"], [{"id": "1", "description": "开发区黄山路东"}])
        roles = {p["name"]: p["roles"] for p in bus["parties"]}
        self.assertEqual(roles["中通客车控股股份有限公司"], ["publicAuthority"])
        self.assertEqual(roles["经济发展局"], ["administrativeEntity"])
        self.assertEqual(roles["科技研发扶持基金"], ["funder"])
        breakdown = bus["budget"]["budgetBreakdowns"][0]["budgetBreakdown"][0]
        self.assertEqual(breakdown["sourceParty"]["id"], "fund-tech")
        self.assertEqual(breakdown["amount"]["amount"], 3000000)
        milestones = {m["code"]: m for m in bus["milestones"]}
        self.assertEqual(milestones["commencement"]["status"], "met")
        self.assertEqual(milestones["commencement"]["dateMet"], "2025-03-10T00:00:00+08:00")
        self.assertEqual(milestones["mainStructure"]["status"], "scheduled")
        metrics = {m["id"]: m for m in bus["metrics"]}
        financial = metrics["financialProgress"]["observations"]
        self.assertEqual([o["value"]["amount"] for o in financial], [10000000, 35000000.55])
        self.assertEqual(metrics["physicalProgress"]["observations"][-1]["measure"], 25.5)
        plan = bus["forecasts"][0]["observations"]
        self.assertEqual(len(plan), 12)
        self.assertEqual(plan[-1]["value"]["amount"], 1200000000)

        road = projects["oc4ids-zt-ZT-002"]
        self.assertEqual(road["status"], "preparation")
        self.assertEqual(road["type"], "expansion")
        self.assertEqual(road["sector"], ["transport", "transport.road"])
        self.assertEqual(projects["oc4ids-zt-ZT-004"]["status"], "cancelled")

    def test_the_public_package_holds_no_personal_data(self) -> None:
        body = json.dumps(self.package_for(self.leader), ensure_ascii=False)
        for text in ["王区长", "leader", "钱联络", "liaison", "13800000001"]:
            self.assertNotIn(text, body)

    def test_a_liaison_gets_only_their_units_projects(self) -> None:
        ids = [p["id"] for p in self.package_for(self.liaison)["projects"]]
        self.assertEqual(ids, ["oc4ids-zt-ZT-001"])

    def test_the_query_count_does_not_grow_with_projects(self) -> None:
        self.client.force_login(self.office)
        self.client.get(URL)
        # Ten for the package, one for the yearly list it defaults to.
        with self.assertNumQueries(12) as ctx:
            self.client.get(URL)
        for i in range(4):
            make_project(f"ZT-1{i}", self.company, responsible_unit=self.dept)
        with self.assertNumQueries(len(ctx.captured_queries)):
            self.assertEqual(len(self.client.get(URL).json()["projects"]), 8)

    def test_anonymous_callers_are_refused(self) -> None:
        self.assertIn(self.client.get(URL).status_code, (401, 403))
