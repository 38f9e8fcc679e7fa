import datetime
import json
from decimal import Decimal

from django.core import checks
from django.test import override_settings

from zhengtong.projects import oc4ids
from zhengtong.projects.checks import oc4ids_placeholder_check, oc4ids_prefix_check
from zhengtong.projects.models import (
    Disbursement,
    Fund,
    FundAllocation,
    KeyProject,
    Milestone,
    ProgressReport,
    Stage,
)
from zhengtong.projects.tests.cove import cove_review
from zhengtong.projects.tests.factories import make_project, make_sector
from zhengtong.test import BaseTestCase

URL = "/api/v1/projects/oc4ids/"
PUBLIC_URL = "/api/v1/projects/oc4ids/public/"


def cove_problems(package: dict) -> dict:
    """What libcoveoc4ids finds wrong: schema errors, codes outside closed codelists, fields
    the schema does not define. Empty for a conforming package."""
    review = cove_review(package)
    problems = {
        "validation_errors": review["validation_errors"],
        "closed_codelists": review["additional_closed_codelist_values"],
        "additional_fields": review["additional_fields"],
    }
    return {k: v for k, v in problems.items() if v}


@override_settings(OC4IDS_PREFIX="oc4ids-abc123-")
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
        allocation = FundAllocation.objects.create(
            fund=fund,
            project=self.bus,
            amount=Decimal("3000000.00"),
            decided_on=datetime.date(2026, 1, 5),
        )
        for day, amount in [(10, "1000000.00"), (20, "500000.50")]:
            Disbursement.objects.create(
                allocation=allocation,
                amount=Decimal(amount),
                paid_on=datetime.date(2026, 2, day),
                created_by=self.office,
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
        bus = projects["oc4ids-abc123-ZT-001"]
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

        road = projects["oc4ids-abc123-ZT-002"]
        self.assertEqual(road["status"], "preparation")
        self.assertEqual(road["type"], "expansion")
        self.assertEqual(road["sector"], ["transport", "transport.road"])
        self.assertEqual(projects["oc4ids-abc123-ZT-004"]["status"], "cancelled")

    def test_the_public_package_holds_no_personal_data(self) -> None:
        body = json.dumps(self.package_for(self.leader), ensure_ascii=False)
        for text in ["王区长", "leader", "钱联络", "liaison", "13800000001"]:
            self.assertNotIn(text, body)

    def test_a_liaison_gets_only_their_units_projects(self) -> None:
        ids = [p["id"] for p in self.package_for(self.liaison)["projects"]]
        self.assertEqual(ids, ["oc4ids-abc123-ZT-001"])

    def test_the_query_count_does_not_grow_with_projects(self) -> None:
        self.client.force_login(self.office)
        self.client.get(URL)
        # Session and user, the yearly list it defaults to, and the package's own queries; the
        # unchanged session is not written back.
        with self.assertNumQueries(10) as ctx:
            self.client.get(URL)
        for i in range(4):
            make_project(f"ZT-1{i}", self.company, responsible_unit=self.dept)
        with self.assertNumQueries(len(ctx.captured_queries)):
            self.assertEqual(len(self.client.get(URL).json()["projects"]), 8)

    def test_anonymous_callers_are_refused(self) -> None:
        self.assertIn(self.client.get(URL).status_code, (401, 403))

    def public_package(self) -> dict:
        self.client.logout()
        r = self.client.get(PUBLIC_URL)
        self.assertEqual(r.status_code, 200)
        return r.json()

    def test_both_packages_pass_libcoveoc4ids(self) -> None:
        full = self.package_for(self.leader)
        self.assertEqual(cove_problems(full), {})
        self.assertEqual(cove_problems(self.public_package()), {})

    def test_libcoveoc4ids_does_report_a_broken_package(self) -> None:
        package = self.public_package()
        package["projects"][0]["status"] = "building"
        package["projects"][1]["milestones"] = [{"status": "met"}]
        package["projects"][0]["annualPlan"] = 1
        problems = cove_problems(package)
        self.assertEqual(
            set(problems), {"validation_errors", "closed_codelists", "additional_fields"}
        )

    def test_the_public_package_is_anonymous_and_holds_the_public_page_fields_only(self) -> None:
        package = self.public_package()
        projects = {p["id"]: p for p in package["projects"]}
        # The public page never lists cancelled projects.
        self.assertEqual(
            sorted(projects),
            ["oc4ids-abc123-ZT-001", "oc4ids-abc123-ZT-002", "oc4ids-abc123-ZT-003"],
        )
        bus = projects["oc4ids-abc123-ZT-001"]
        self.assertEqual(bus["budget"], {"amount": {"amount": 5000000000, "currency": "CNY"}})
        self.assertEqual(bus["metrics"][0]["observations"][0]["measure"], 25.5)
        self.assertEqual(len(bus["metrics"]), 1)
        self.assertEqual({m["code"] for m in bus["milestones"]}, {"commencement", "mainStructure"})
        for key in ("forecasts", "parties", "publicAuthority", "transactions"):
            self.assertNotIn(key, bus)
        body = json.dumps(package, ensure_ascii=False)
        # Neither the annual plan, the monthly investment nor the funds and units.
        for text in [
            "1200000000",
            "35000000",
            "科技研发扶持基金",
            "经济发展局",
            "中通客车控股",
            "王区长",
        ]:
            self.assertNotIn(text, body)

    def test_disbursements_are_transactions_of_the_full_package(self) -> None:
        projects = {p["id"]: p for p in self.package_for(self.office)["projects"]}
        transactions = projects["oc4ids-abc123-ZT-001"]["transactions"]
        self.assertEqual([t["value"]["amount"] for t in transactions], [1000000, 500000.5])
        self.assertEqual(transactions[0]["date"], "2026-02-10T00:00:00+08:00")
        self.assertEqual(transactions[0]["payer"]["id"], "fund-tech")
        self.assertEqual(transactions[0]["payee"]["name"], "中通客车控股股份有限公司")
        self.assertNotIn("transactions", projects["oc4ids-abc123-ZT-002"])

    def test_a_user_who_sees_no_projects_gets_a_clear_404_not_an_invalid_package(self) -> None:
        self.client.force_login(self.outsider)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 404)
        self.assertIn("没有您可查看的重点项目", r.json()["detail"])

    def test_a_year_without_public_projects_is_a_clear_404(self) -> None:
        r = self.client.get(PUBLIC_URL, {"year": "2031"})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["detail"], "2031 年度没有公开的重点项目。")
        self.assertEqual(self.client.get(PUBLIC_URL, {"year": "二〇二六"}).status_code, 400)

    @override_settings(OC4IDS_PUBLIC_LIMIT=2)
    def test_the_public_package_is_rate_limited_per_address(self) -> None:
        self.assertEqual(self.client.get(PUBLIC_URL).status_code, 200)
        self.assertEqual(self.client.get(PUBLIC_URL).status_code, 200)
        r = self.client.get(PUBLIC_URL)
        self.assertEqual(r.status_code, 429)
        self.assertIn("请求过于频繁", r.json()["detail"])
        other = self.client.get(PUBLIC_URL, REMOTE_ADDR="10.0.0.9")
        self.assertEqual(other.status_code, 200)

    def test_the_prefix_is_configuration(self) -> None:
        with override_settings(OC4IDS_PREFIX="oc4ids-lc0635-"):
            ids = [p["id"] for p in self.public_package()["projects"]]
        self.assertTrue(all(i.startswith("oc4ids-lc0635-ZT-") for i in ids), ids)


class Oc4idsPrefixCheckTestCase(BaseTestCase):
    def ids(self) -> list[tuple[str, int]]:
        found = [*oc4ids_placeholder_check(), *oc4ids_prefix_check()]
        return [(m.id, m.level) for m in found]

    def test_the_placeholder_prefix_warns_before_going_live_only(self) -> None:
        with override_settings(OC4IDS_PREFIX="oc4ids-xxxxxx-"):
            self.assertEqual(self.ids(), [("projects.W001", checks.WARNING)])
            self.assertEqual(oc4ids_prefix_check(), [])
        self.assertIn(oc4ids_placeholder_check, checks.registry.registry.get_checks(True))
        self.assertNotIn(oc4ids_placeholder_check, checks.registry.registry.get_checks(False))

    def test_a_malformed_prefix_is_an_error_and_a_registered_one_passes(self) -> None:
        with override_settings(OC4IDS_PREFIX="oc4ids-zt-"):
            self.assertEqual(self.ids(), [("projects.E001", checks.ERROR)])
        with override_settings(OC4IDS_PREFIX="oc4ids-abc123-"):
            self.assertEqual(self.ids(), [])
