import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase

from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.audit.models import Event
from zhengtong.demo.org import ACCOUNTS, DEMO_PASSWORD
from zhengtong.demo.testing import seed_demo
from zhengtong.projects import progress
from zhengtong.projects import stats as project_stats
from zhengtong.projects.lists import CLOSED_STAGES
from zhengtong.projects.models import (
    STAGE_CLASS,
    Disbursement,
    Fund,
    FundAllocation,
    KeyProject,
    ListEntry,
    Milestone,
    Problem,
    ProgressReport,
    ProjectList,
    RelocationEntry,
    RelocationProgramme,
    Stage,
    WorkQuantity,
    WorkTarget,
)
from zhengtong.projects.selectors import with_flag
from zhengtong.projects.views_relocation import with_progress

# A fixed day, so the demo's "this year" and "last month" never depend on the wall clock.
TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

SEED_NAMED = [
    "中通新能源及节能型客车生产基地",
    "600兆瓦BIPV薄膜太阳能幕墙制造",
    "万合铜铝深加工",
    "红星美凯龙家居综合体",
    "义乌小商品城",
    "中央商务区",
    "农产品物流交易中心",
    "当代曙光大厦",
    "聊城国际会展中心",
    "御润最佳西方酒店",
    "聊城电子商务产业园",
]
SEED_OPERATING = [
    "农产品物流交易中心",
    "当代曙光大厦",
    "聊城国际会展中心",
    "御润最佳西方酒店",
    "聊城电子商务产业园",
]
ROADS_BUILDING = ["嫩江路", "金山路", "艾科路", "二干路"]
ROADS_IN_SURVEY = ["周公路", "保税区二号路"]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [
        OrgUnit,
        User,
        Membership,
        KeyProject,
        ProgressReport,
        Milestone,
        Problem,
        Fund,
        FundAllocation,
        Disbursement,
        WorkTarget,
        WorkQuantity,
        RelocationProgramme,
        RelocationEntry,
        Event,
    ]
    return {m.__name__: m.objects.count() for m in models}


def project(prefix: str) -> KeyProject:
    return KeyProject.objects.get(name__startswith=prefix)


@time_machine.travel(TODAY, tick=False)
class SeedDemoTestCase(TestCase):
    """The demo, built once per test run (demo/testing.py); each test reads what it built.

    A plain TestCase, not BaseTestCase: the demo builds its own org tree and people, and
    BaseTestCase's units and users would be found again by the same codes and usernames.
    """

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed_demo(at=TODAY)

    def test_it_builds_44_projects_of_this_year_with_the_seed_totals(self) -> None:
        projects = KeyProject.objects.on_list(2026)
        self.assertEqual(projects.count(), 44)
        sums = projects.aggregate(total=Sum("total_investment"), annual=Sum("annual_plan"))
        self.assertEqual(sums["total"], Decimal("65800000000"))
        self.assertEqual(sums["annual"], Decimal("11700000000"))
        self.assertIn("658.00亿元", self.output)
        self.assertIn("117.00亿元", self.output)

    def test_no_project_plans_more_this_year_than_its_total(self) -> None:
        for p in KeyProject.objects.on_list(2026):
            self.assertGreater(p.annual_plan, 0, p.name)
            self.assertLessEqual(p.annual_plan, p.total_investment, p.name)

    def test_every_project_the_seed_names_is_present(self) -> None:
        names = set(KeyProject.objects.values_list("name", flat=True))
        for name in SEED_NAMED:
            self.assertIn(name, names)

    def test_the_operating_projects_of_the_seed_are_completed(self) -> None:
        for name in SEED_OPERATING:
            self.assertEqual(project(name).stage, Stage.COMPLETED, name)

    def test_the_four_roads_are_under_construction_with_road_targets(self) -> None:
        for road in ROADS_BUILDING:
            p = project(road)
            self.assertEqual(p.stage, Stage.UNDER_CONSTRUCTION, road)
            self.assertEqual(p.category, KeyProject.Category.URBAN, road)
            self.assertTrue(p.targets.filter(measure=WorkTarget.Measure.ROAD_KM).exists(), road)

    def test_zhougong_road_is_in_survey_and_counts_as_not_started(self) -> None:
        for road in ROADS_IN_SURVEY:
            p = project(road)
            self.assertEqual(p.stage, Stage.SURVEY, road)
            self.assertEqual(STAGE_CLASS[Stage(p.stage)], Stage.NOT_STARTED, road)
        not_started = KeyProject.objects.in_class(Stage.NOT_STARTED)
        self.assertIn(project("周公路"), not_started)
        self.assertNotIn(project("周公路"), KeyProject.objects.in_class(Stage.UNDER_CONSTRUCTION))

    def test_the_lighting_programme_plans_1156_lamps_and_some_are_installed(self) -> None:
        lamps = WorkTarget.objects.filter(
            measure__in=[WorkTarget.Measure.LAMP_NEW, WorkTarget.Measure.LAMP_RENOVATED]
        )
        self.assertEqual(lamps.aggregate(s=Sum("planned_quantity"))["s"], Decimal("1156"))
        installed = WorkQuantity.objects.filter(target__in=lamps).aggregate(s=Sum("quantity"))["s"]
        self.assertGreater(installed, 0)
        self.assertLess(installed, 1156)

    def test_greening_works_have_area_targets(self) -> None:
        greening = WorkTarget.objects.filter(measure=WorkTarget.Measure.GREEN_M2)
        names = "".join(greening.values_list("project__name", flat=True))
        self.assertIn("小渭河湿地", names)
        self.assertIn("济聊一级路", "".join(greening.values_list("project__location", flat=True)))

    def test_every_project_under_construction_has_one_or_two_leaders(self) -> None:
        for p in KeyProject.objects.filter(stage=Stage.UNDER_CONSTRUCTION):
            self.assertIn(p.leader_links.count(), (1, 2), p.name)

    def test_the_2026_list_is_carried_to_2027_and_2026_keeps_its_figures(self) -> None:
        """Year rollover: the 2027 list comes from 2026's; 2026 still reads 44 / 658 / 117."""
        list_2026 = ProjectList.objects.get(year=2026)
        list_2027 = ProjectList.objects.get(year=2027)
        self.assertEqual(list_2026.status, ProjectList.Status.APPROVED)
        self.assertFalse(list_2026.is_example)
        self.assertEqual(list_2027.status, ProjectList.Status.APPROVED)
        self.assertEqual(list_2027.carried_from, list_2026)
        self.assertTrue(list_2027.is_example)
        self.assertEqual(
            project_stats.totals(KeyProject.objects.on_list(2026)),
            {
                "count": 44,
                "total_investment": Decimal("65800000000.00"),
                "annual_plan": Decimal("11700000000.00"),
            },
        )
        closed = KeyProject.objects.on_list(2026).filter(stage__in=CLOSED_STAGES)
        self.assertTrue(closed.filter(stage=Stage.COMPLETED).exists())
        carried = KeyProject.objects.on_list(2027)
        self.assertFalse(carried.filter(pk__in=closed.values("pk")).exists())
        self.assertEqual(carried.count(), 44 - closed.count())
        entries = ListEntry.objects.filter(project_list=list_2027)
        sums = entries.aggregate(total=Sum("project__total_investment"), plan=Sum("annual_plan"))
        totals = project_stats.totals(carried)
        self.assertEqual(totals["count"], entries.count())
        self.assertEqual(totals["total_investment"], sums["total"])
        self.assertEqual(totals["annual_plan"], sums["plan"])
        self.assertNotEqual(totals["annual_plan"], Decimal("11700000000.00"))
        self.assertIn("2027 年重点项目清单", self.output)

    def test_each_carried_project_is_proposed_what_is_left_and_keeps_its_reports(self) -> None:
        entries = ListEntry.objects.filter(project_list__year=2027).select_related("project")
        with_reports = 0
        for entry in entries:
            project = entry.project
            done = project.reports.aggregate(s=Sum("investment"))["s"] or Decimal("0")
            self.assertEqual(entry.remaining_investment, project.total_investment - done)
            self.assertLessEqual(entry.annual_plan, entry.remaining_investment)
            self.assertEqual(entry.origin, ListEntry.Origin.CARRIED)
            if done:
                with_reports += 1
                # The reports stay where they are: dated 2026, counted in 2026's figures only.
                self.assertEqual(set(project.reports.values_list("month__year", flat=True)), {2026})
        self.assertGreater(with_reports, 10)
        self.assertEqual(
            sorted(entries.values_list("position", flat=True)), list(range(1, entries.count() + 1))
        )

    def test_the_leader_picks_2026_or_2027_on_the_cockpit(self) -> None:
        self.client.force_login(User.objects.get(username="leader"))
        data_2026 = self.client.get("/projects/cockpit/data/").json()
        self.assertEqual((data_2026["year"], data_2026["count"]), (2026, 44))
        self.assertEqual(data_2026["annual_plan"], "11700000000.00")
        data_2027 = self.client.get("/projects/cockpit/data/?year=2027").json()
        self.assertEqual(data_2027["year"], 2027)
        self.assertEqual(data_2027["count"], KeyProject.objects.on_list(2027).count())
        self.assertEqual(data_2027["ytd_investment"], "0.00")
        page = self.client.get("/projects/cockpit/?year=2027")
        self.assertContains(page, "2027年市级重点建设项目(示例)")
        self.assertContains(page, "的年度计划投资为演示用示例数据。")

    def test_figures_the_seed_does_not_give_are_marked_as_examples(self) -> None:
        self.assertFalse(KeyProject.objects.filter(is_example=False).exists())
        self.assertFalse(Fund.objects.filter(is_example=False).exists())

    def test_reports_run_to_last_month_and_spread_across_the_three_flags(self) -> None:
        building = KeyProject.objects.on_list(2026).filter(stage=Stage.UNDER_CONSTRUCTION)
        self.assertEqual(
            ProgressReport.objects.filter(project__in=building).latest("month").month,
            datetime.date(2026, 10, 1),
        )
        self.assertFalse(
            ProgressReport.objects.filter(month__gte=datetime.date(2026, 11, 1)).exists()
        )
        flags = set(with_flag(building, year=2026, month=10).values_list("flag", flat=True))
        self.assertEqual(flags, {progress.AHEAD, progress.ON_TRACK, progress.BEHIND})

    def test_the_three_funds_have_allocations_within_budget_and_disbursements(self) -> None:
        names = set(Fund.objects.values_list("name", flat=True))
        self.assertEqual(names, {"科技研发扶持基金", "转调创扶持基金", "投融资担保基金"})
        for fund in Fund.objects.all():
            allocated = fund.allocations.aggregate(s=Sum("amount"))["s"]
            self.assertLessEqual(allocated, fund.budget)
        for allocation in FundAllocation.objects.all():
            paid = allocation.disbursements.aggregate(s=Sum("amount"))["s"] or 0
            self.assertLessEqual(paid, allocation.amount)
        self.assertTrue(Disbursement.objects.exists())

    def test_problems_are_open_overdue_and_escalated_or_resolved(self) -> None:
        today = TODAY.date()
        problems = Problem.objects.all()
        overdue = problems.filter(status=Problem.Status.OPEN, due_on__lt=today)
        self.assertTrue(overdue.exists())
        self.assertFalse(overdue.filter(escalated_at__isnull=True).exists())
        self.assertTrue(problems.filter(status=Problem.Status.OPEN, due_on__gte=today).exists())
        self.assertTrue(problems.filter(status=Problem.Status.RESOLVED).exists())
        self.assertTrue(Event.objects.filter(action="problem_escalated").exists())

    def test_milestones_have_met_scheduled_and_missed_ones(self) -> None:
        statuses = set(Milestone.objects.values_list("status", flat=True))
        self.assertTrue({"met", "scheduled", "notMet"} <= statuses)

    def test_writes_go_through_the_actions_and_leave_audit_rows(self) -> None:
        events = Event.objects.filter(channel="command")
        self.assertEqual(events.filter(action="project_created").count(), 44)
        self.assertEqual(
            events.filter(action="progress_reported").count(), ProgressReport.objects.count()
        )

    def test_there_is_one_demo_user_per_role_with_the_demo_password(self) -> None:
        for account in ACCOUNTS:
            user = User.objects.get(username=account.username)
            self.assertTrue(user.check_password(DEMO_PASSWORD), account.username)
            self.assertTrue(
                Membership.objects.filter(user=user, role=account.role).exists(), account.username
            )
        admin = User.objects.get(username="admin")
        self.assertTrue(admin.is_staff and admin.is_superuser)
        liaison = User.objects.get(username="liaison")
        self.assertEqual(liaison.memberships.get().org_unit.name, "中通客车控股股份有限公司")
        self.assertTrue(User.objects.get(username="leader").led_projects.count() >= 3)

    def test_the_relocation_programmes_keep_their_figures_in_order(self) -> None:
        """Three programmes of the zone; the two linked ones are the register's 城中村改造安置房
        (its 3200 套) and 农村新型社区建设; 入住 ≤ 拆迁 ≤ 签约 ≤ 户数, 建成 ≤ 套数."""
        rows = {p.name: p for p in with_progress(RelocationProgramme.objects.all())}
        self.assertEqual(len(rows), 3)
        urban = rows["蒋官屯片区城中村改造"]
        self.assertEqual((urban.project.name, urban.housing_units), ("城中村改造安置房", 3200))
        self.assertEqual(rows["广平新型社区"].project.name, "农村新型社区建设")
        self.assertIsNone(rows["北城片区城中村改造"].project)
        for p in rows.values():
            with self.subTest(programme=p.name):
                self.assertLessEqual(p.moved_in, p.demolished)
                self.assertLessEqual(p.demolished, p.signed)
                self.assertLessEqual(p.signed, p.households)
                self.assertLessEqual(p.built, p.housing_units)

    def test_running_it_again_changes_nothing(self) -> None:
        before = counts()
        output = seed()
        self.assertEqual(counts(), before)
        self.assertIn("未新建任何记录", output)

    def log_in(self, username: str) -> None:
        """Through the login form, so the demo password is the one that works."""
        r = self.client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        self.assertEqual(r.status_code, 302)

    def test_the_summary_endpoint_gives_the_seed_figures_to_a_leader(self) -> None:
        self.log_in("leader")
        r = self.client.get("/api/v1/projects/summary/")
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual(data["count"], 44)
        self.assertEqual(data["total_investment"], "65800000000.00")
        self.assertEqual(data["annual_plan"], "11700000000.00")
        self.assertEqual(data["by_stage"][Stage.SURVEY], 2)

    def test_the_liaison_sees_only_the_projects_of_their_company(self) -> None:
        self.log_in("liaison")
        data = self.client.get("/api/v1/projects/summary/").json()
        self.assertEqual(data["count"], 1)

    def test_demo_accounts_prints_every_account_with_its_role(self) -> None:
        out = io.StringIO()
        call_command("demo_accounts", stdout=out)
        text = out.getvalue()
        for account in ACCOUNTS:
            self.assertIn(account.username, text)
        self.assertIn(DEMO_PASSWORD, text)
        self.assertIn(str(Role.LEADER.label), text)
        self.assertIn("中通客车控股股份有限公司", text)
