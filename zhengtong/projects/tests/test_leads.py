"""招商引资: a lead's stage machine, who sees and moves it, bad input, the pipeline page and the
work report's sentence."""

import datetime
from decimal import Decimal

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.audit.models import Event
from zhengtong.lib.money import format_yuan
from zhengtong.lib.periods import Period
from zhengtong.projects.actions.funds import allocation_create, disbursement_create
from zhengtong.projects.actions.leads import (
    lead_convert,
    lead_create,
    lead_land,
    lead_sign,
    lead_terminate,
)
from zhengtong.projects.models import Fund, InvestmentLead, KeyProject, LeadStage, Sector
from zhengtong.projects.selectors import lead_totals
from zhengtong.projects.tests.factories import make_project, make_sector
from zhengtong.reports import report
from zhengtong.test import BaseTestCase, make_unit, make_user

NOW = "2026-11-20 10:00 +0800"
D = datetime.date
WAN = Decimal(10_000)
SIGNED_ON = D(2026, 3, 1)
LANDED_ON = D(2026, 5, 1)


@time_machine.travel(NOW, tick=False)
class LeadTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.sector = make_sector("nev", "新能源汽车", plate=Sector.Plate.LEADING)
        cls.services = make_sector("services", "现代服务业", plate=Sector.Plate.SERVICE)
        cls.public = make_sector("urban", "城市建设", plate=Sector.Plate.PUBLIC)
        # Another zone of the city, with its own office and leader: it sees none of ours.
        cls.other_zone = make_unit("高新技术产业开发区", "ZONE2", OrgUnit.Kind.ZONE, cls.city)
        cls.other_office = make_user(
            "office2", full_name="高新项目办", memberships=[(Role.PROJECT_OFFICE, cls.other_zone)]
        )
        cls.other_leader = make_user(
            "leader9", full_name="高新区长", memberships=[(Role.LEADER, cls.other_zone)]
        )

    def make_lead(self, company="中通新能源客车", amount=Decimal("600000") * WAN, **extra):
        fields = {
            "actor": self.office,
            "company": company,
            "sector": self.sector,
            "intended_investment": amount,
            "source": InvestmentLead.Source.GOING_OUT,
            "org_unit": self.zone,
            "owner": self.leader,
            "contacted_on": D(2026, 1, 10),
        }
        fields.update(extra)
        return lead_create(**fields)

    def signed(self, lead=None, amount=Decimal("500000") * WAN, on=SIGNED_ON):
        return lead_sign(actor=self.office, lead=lead or self.make_lead(), contract_amount=amount,
                         signed_on=on)  # fmt: skip

    def landed(self, lead=None, on=LANDED_ON):
        return lead_land(actor=self.office, lead=lead or self.signed(), landed_on=on,
                         registered_company="聊城中通新能源有限公司", land="黄河路以南地块 300 亩")  # fmt: skip


class StageMachineTestCase(LeadTestCase):
    def test_a_lead_moves_through_each_stage_dated_and_audited(self) -> None:
        lead = self.landed()
        project = make_project("KP-L1", self.company, sector=self.sector, name="中通新能源客车基地")
        lead = lead_convert(actor=self.office, lead=lead, converted_on=D(2026, 6, 1),
                            project=project)  # fmt: skip
        self.assertEqual(lead.stage, LeadStage.CONVERTED)
        self.assertEqual(lead.project, project)
        steps = list(lead.steps.values_list("stage", "happened_on"))
        self.assertEqual(
            steps,
            [
                ("negotiating", D(2026, 1, 10)),
                ("signed", D(2026, 3, 1)),
                ("landed", D(2026, 5, 1)),
                ("converted", D(2026, 6, 1)),
            ],
        )
        actions = list(
            Event.objects.filter(target_id=str(lead.pk), target_type="projects.investmentlead")
            .order_by("id")
            .values_list("action", flat=True)
        )
        self.assertEqual(actions, ["lead_created", "lead_signed", "lead_landed", "lead_converted"])

    def test_no_stage_can_be_skipped(self) -> None:
        lead = self.make_lead()
        with self.assertRaisesMessage(ValidationError, "下一步只能是“签约”"):
            lead_land(actor=self.office, lead=lead, registered_company="甲", land="乙",
                      landed_on=D(2026, 2, 1))  # fmt: skip
        project = make_project("KP-L2", self.company, sector=self.sector)
        with self.assertRaisesMessage(ValidationError, "下一步只能是“签约”"):
            lead_convert(actor=self.office, lead=lead, converted_on=D(2026, 2, 1),
                         project=project)  # fmt: skip
        lead.refresh_from_db()
        self.assertEqual(lead.stage, LeadStage.NEGOTIATING)
        self.assertEqual(lead.steps.count(), 1)

    def test_no_stage_goes_back_and_signing_happens_once(self) -> None:
        lead = self.landed()
        with self.assertRaisesMessage(ValidationError, "下一步只能是“转为重点项目”"):
            self.signed(lead)
        lead.refresh_from_db()
        self.assertEqual(lead.stage, LeadStage.LANDED)

    def test_a_lead_is_terminated_with_a_reason_from_an_open_stage_only(self) -> None:
        lead = self.signed()
        with self.assertRaisesMessage(ValidationError, "请填写终止原因"):
            lead_terminate(actor=self.office, lead=lead, reason="  ", terminated_on=D(2026, 4, 1))
        lead = lead_terminate(actor=self.office, lead=lead, reason="企业改投他地",
                              terminated_on=D(2026, 4, 1))  # fmt: skip
        self.assertEqual(lead.stage, LeadStage.TERMINATED)
        self.assertEqual(lead.termination_reason, "企业改投他地")
        with self.assertRaisesMessage(ValidationError, "不能再终止"):
            lead_terminate(actor=self.office, lead=lead, reason="再次", terminated_on=D(2026, 4, 2))
        with self.assertRaisesMessage(ValidationError, "不能再变更阶段"):
            self.landed(lead)

    def test_a_key_project_is_not_terminated(self) -> None:
        lead = self.landed()
        project = make_project("KP-L3", self.company, sector=self.sector)
        lead = lead_convert(actor=self.office, lead=lead, converted_on=D(2026, 6, 1),
                            project=project)  # fmt: skip
        with self.assertRaisesMessage(ValidationError, "不能再终止"):
            lead_terminate(actor=self.office, lead=lead, reason="x", terminated_on=D(2026, 7, 1))

    def test_one_project_per_lead_and_one_lead_per_project(self) -> None:
        project = make_project("KP-L4", self.company, sector=self.sector, name="万合铜铝深加工")
        first = lead_convert(actor=self.office, lead=self.landed(), converted_on=D(2026, 6, 1),
                             project=project)  # fmt: skip
        with self.assertRaisesMessage(ValidationError, "已转为重点项目"):
            lead_convert(actor=self.office, lead=first, converted_on=D(2026, 6, 2),
                         project=make_project("KP-L5", self.company, sector=self.sector))  # fmt: skip
        second = self.landed(self.signed(self.make_lead(company="万合铜铝")))
        with self.assertRaisesMessage(ValidationError, "已由招商线索“中通新能源客车”转入"):
            lead_convert(actor=self.office, lead=second, converted_on=D(2026, 6, 2),
                         project=project)  # fmt: skip
        second.refresh_from_db()
        self.assertEqual(second.stage, LeadStage.LANDED)
        self.assertIsNone(second.project)

    def test_a_new_key_project_is_made_by_the_register_action(self) -> None:
        lead = self.landed()
        lead = lead_convert(
            actor=self.office,
            lead=lead,
            converted_on=D(2026, 6, 1),
            new_project={
                "code": "KFQ2026-101",
                "name": "中通新能源客车三期",
                "year": 2026,
                "category": KeyProject.Category.INDUSTRY,
                "org_unit": self.company,
                "total_investment": Decimal("500000") * WAN,
                "annual_plan": Decimal("50000") * WAN,
            },
        )
        project = KeyProject.objects.get(code="KFQ2026-101")
        self.assertEqual(lead.project, project)
        self.assertEqual(project.sector, self.sector)
        self.assertTrue(Event.objects.filter(action="project_created", target_id=str(project.pk)))


class BadInputTestCase(LeadTestCase):
    def test_a_negative_or_zero_intended_investment_is_refused(self) -> None:
        for amount in (Decimal("-1"), Decimal("0")):
            with self.assertRaisesMessage(ValidationError, "意向投资必须大于 0 元"):
                self.make_lead(amount=amount)
        self.assertFalse(InvestmentLead.objects.exists())

    def test_signing_needs_an_amount_and_a_date(self) -> None:
        lead = self.make_lead()
        with self.assertRaisesMessage(ValidationError, "协议投资须填写金额数字"):
            lead_sign(actor=self.office, lead=lead, contract_amount=None, signed_on=D(2026, 3, 1))
        with self.assertRaisesMessage(ValidationError, "请填写签约日期"):
            lead_sign(actor=self.office, lead=lead, contract_amount=WAN, signed_on=None)
        with self.assertRaisesMessage(ValidationError, "协议投资必须大于 0 元"):
            lead_sign(actor=self.office, lead=lead, contract_amount=-WAN, signed_on=D(2026, 3, 1))
        lead.refresh_from_db()
        self.assertEqual(lead.stage, LeadStage.NEGOTIATING)

    def test_a_future_date_or_one_before_the_last_step_is_refused(self) -> None:
        lead = self.make_lead()
        with self.assertRaisesMessage(ValidationError, "签约日期不能晚于今天"):
            self.signed(lead, on=D(2026, 11, 21))
        with self.assertRaisesMessage(ValidationError, "不能早于上一步的日期 2026-01-10"):
            self.signed(lead, on=D(2026, 1, 9))
        with self.assertRaisesMessage(ValidationError, "首次洽谈日期不能晚于今天"):
            self.make_lead(contacted_on=D(2027, 1, 1))

    def test_public_works_are_not_an_industry_to_bring_in(self) -> None:
        with self.assertRaisesMessage(ValidationError, "请选择开发区的主导产业"):
            self.make_lead(sector=self.public)

    def test_the_owner_is_an_official_of_the_zone(self) -> None:
        with self.assertRaisesMessage(ValidationError, "招商责任人须是"):
            self.make_lead(owner=self.outsider)
        with self.assertRaisesMessage(ValidationError, "招商责任人须是"):
            self.make_lead(owner=self.other_office)

    def test_the_sign_form_says_what_is_missing_and_keeps_the_input(self) -> None:
        lead = self.make_lead()
        self.client.force_login(self.office)
        r = self.client.post(f"/projects/leads/{lead.pk}/advance/", {"note": "补充条款"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "请填写协议投资(万元)。")
        self.assertContains(r, "请填写签约日期。")
        self.assertContains(r, "补充条款")
        r = self.client.post(
            f"/projects/leads/{lead.pk}/advance/",
            {"contract_amount": "-5", "signed_on": "2026-03-01"},
        )
        self.assertContains(r, "协议投资必须大于 0 元")
        r = self.client.post(
            f"/projects/leads/{lead.pk}/advance/",
            {"contract_amount": "5000", "signed_on": "2026-12-01"},
        )
        self.assertContains(r, "签约日期不能晚于今天")
        lead.refresh_from_db()
        self.assertEqual(lead.stage, LeadStage.NEGOTIATING)

    def test_the_convert_form_asks_for_a_project_or_a_new_ones_fields(self) -> None:
        lead = self.landed()
        self.client.force_login(self.office)
        r = self.client.post(f"/projects/leads/{lead.pk}/advance/", {"converted_on": "2026-06-01"})
        self.assertContains(r, "新登记项目须填写新项目编号。")
        self.assertContains(r, "新登记项目须填写年度计划投资。")
        lead.refresh_from_db()
        self.assertEqual(lead.stage, LeadStage.LANDED)


class PagesTestCase(LeadTestCase):
    def test_the_office_registers_and_moves_a_lead_through_the_pages(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(
            "/projects/leads/new/",
            {
                "company": "义乌小商品城",
                "sector": self.services.pk,
                "intended_investment": "250000",
                "source": "promotion",
                "org_unit": self.zone.pk,
                "owner": self.leader.pk,
                "contacted_on": "2026-02-01",
            },
        )
        lead = InvestmentLead.objects.get(company="义乌小商品城")
        self.assertRedirects(r, f"/projects/leads/{lead.pk}/")
        self.assertEqual(lead.intended_investment, Decimal("2500000000"))
        url = f"/projects/leads/{lead.pk}/advance/"
        self.client.post(url, {"contract_amount": "240000", "signed_on": "2026-03-01"})
        self.client.post(url, {"registered_company": "聊城义乌小商品城有限公司",
                               "land": "东外环以西 500 亩", "landed_on": "2026-04-01"})  # fmt: skip
        project = make_project("KP-YW", self.company, sector=self.services, name="义乌小商品城")
        r = self.client.post(url, {"converted_on": "2026-05-01", "project": project.pk})
        self.assertRedirects(r, f"/projects/leads/{lead.pk}/")
        lead.refresh_from_db()
        self.assertEqual(lead.project, project)
        page = self.client.get(f"/projects/leads/{lead.pk}/")
        self.assertContains(page, "2026-03-01 签约")
        self.assertContains(page, "2026-04-01 落地")
        self.assertContains(page, "2026-05-01 转为重点项目")
        self.assertContains(page, f'href="/projects/{project.pk}/" id="lead-project"')
        self.assertContains(page, "项目尚未获得引导资金扶持。")
        self.assertNotContains(page, f"/projects/leads/{lead.pk}/advance/")

    def test_a_converted_lead_shows_its_projects_fund_support(self) -> None:
        project = make_project("KP-ZT", self.company, sector=self.sector, name="中通新能源客车基地")
        lead = lead_convert(actor=self.office, lead=self.landed(), converted_on=D(2026, 6, 1),
                            project=project)  # fmt: skip
        fund = Fund.objects.create(code="KJYF", name="科技研发扶持基金", budget=Decimal("1e8"))
        allocation = allocation_create(actor=self.office, fund=fund, project=project,
                                       amount=Decimal("3000000"), decided_on=D(2026, 7, 1))  # fmt: skip
        disbursement_create(actor=self.office, allocation=allocation, amount=Decimal("1000000"),
                            paid_on=D(2026, 8, 1))  # fmt: skip
        self.client.force_login(self.leader)
        r = self.client.get(f"/projects/leads/{lead.pk}/")
        self.assertContains(r, "科技研发扶持基金")
        self.assertContains(r, "共安排 300.00万元,已拨付 100.00万元。")
        self.assertContains(r, "2026-08-01 100.00万元")

    def test_a_leader_reads_but_does_not_move_a_lead(self) -> None:
        lead = self.make_lead()
        self.client.force_login(self.leader)
        r = self.client.get(f"/projects/leads/{lead.pk}/")
        self.assertContains(r, "中通新能源客车")
        self.assertNotContains(r, "/advance/")
        for url in (f"/projects/leads/{lead.pk}/advance/", f"/projects/leads/{lead.pk}/terminate/"):
            self.assertEqual(self.client.get(url).status_code, 403)
            self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 403)
        self.assertEqual(self.client.get("/projects/leads/new/").status_code, 403)

    def test_other_zones_village_workers_and_liaisons_never_see_a_lead(self) -> None:
        lead = self.make_lead()
        urls = [f"/projects/leads/{lead.pk}/", f"/projects/leads/{lead.pk}/advance/",
                f"/projects/leads/{lead.pk}/terminate/"]  # fmt: skip
        for user in (self.other_office, self.other_leader):
            self.client.force_login(user)
            for url in urls:
                self.assertEqual(self.client.get(url).status_code, 404, (user, url))
            r = self.client.post(urls[1], {"contract_amount": "1", "signed_on": "2026-03-01"})
            self.assertEqual(r.status_code, 404)
            r = self.client.get("/projects/leads/")
            self.assertEqual(r.status_code, 200)
            self.assertNotContains(r, "中通新能源客车")
        for user in (self.outsider, self.liaison, self.clerk):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/projects/leads/").status_code, 403)
            for url in urls:
                self.assertIn(self.client.get(url).status_code, (403, 404))
        self.client.logout()
        for url in ["/projects/leads/", *urls]:
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302)
            self.assertIn("/accounts/login/", r["Location"])
        lead.refresh_from_db()
        self.assertEqual(lead.stage, LeadStage.NEGOTIATING)

    def test_only_the_office_of_the_leads_unit_registers_or_moves_it(self) -> None:
        """The actions refuse whoever calls them, not only the pages: another zone's office and a
        leader of this zone can neither register a lead here nor move one."""
        lead = self.make_lead()
        for user in (self.other_office, self.leader):
            with self.assertRaises(PermissionDenied):
                self.make_lead(company="越权登记的线索", actor=user)
            with self.assertRaises(PermissionDenied):
                lead_sign(actor=user, lead=lead, contract_amount=WAN, signed_on=SIGNED_ON)
            with self.assertRaises(PermissionDenied):
                lead_terminate(actor=user, lead=lead, reason="越权", terminated_on=SIGNED_ON)
        lead.refresh_from_db()
        self.assertEqual(lead.stage, LeadStage.NEGOTIATING)
        self.assertFalse(InvestmentLead.objects.filter(company="越权登记的线索").exists())

    def test_an_unknown_or_malformed_id_is_not_found(self) -> None:
        self.client.force_login(self.office)
        self.assertEqual(self.client.get("/projects/leads/999999/").status_code, 404)
        self.assertEqual(self.client.get("/projects/leads/abc/").status_code, 404)


class PipelineTestCase(LeadTestCase):
    def make_rows(self, n: int) -> None:
        owners = [self.leader, self.second_leader, self.office]
        for i in range(n):
            lead = self.make_lead(company=f"企业{i:03d}", amount=Decimal(1000 + i) * WAN,
                                  owner=owners[i % 3],
                                  sector=self.sector if i % 2 else self.services)  # fmt: skip
            if i % 4 >= 1:
                self.signed(lead, amount=Decimal(900 + i) * WAN)
            if i % 4 >= 2:
                self.landed(lead)
            if i % 4 == 3 and i % 8 == 7:
                lead_terminate(actor=self.office, lead=lead, reason="企业资金链断裂",
                               terminated_on=D(2026, 6, 1))  # fmt: skip

    def test_the_page_costs_the_same_queries_whatever_the_row_count(self) -> None:
        self.client.force_login(self.leader)
        self.make_rows(3)
        few = self.queries_for("/projects/leads/")
        self.make_rows(40)
        with self.assertNumQueries(few):
            self.client.get("/projects/leads/")
        with self.assertNumQueries(few):
            self.client.get("/projects/leads/?stage=signed&per_page=100")

    def queries_for(self, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def test_the_stage_totals_equal_a_recount(self) -> None:
        self.make_rows(16)
        self.make_lead(company="高新区企业", org_unit=self.other_zone, owner=self.other_office,
                       actor=self.other_office)  # fmt: skip
        mine = InvestmentLead.objects.filter(org_unit=self.zone)
        totals = lead_totals(InvestmentLead.objects.visible_to(self.leader))
        for stage in LeadStage:
            rows = [lead for lead in mine if lead.stage == stage]
            self.assertEqual(totals[f"{stage.value}_count"], len(rows), stage)
            self.assertEqual(
                totals[f"{stage.value}_amount"],
                sum((lead.intended_investment for lead in rows), Decimal("0")),
            )
        self.assertEqual(totals["total_count"], 16)
        self.assertEqual(totals["reached_signed"], len([x for x in mine if x.signed_on]))
        self.client.force_login(self.leader)
        r = self.client.get("/projects/leads/?sector=nev")
        nev = mine.filter(sector=self.sector)
        self.assertContains(r, f'<td>合计</td><td class="text-end">{nev.count()} 个</td>')
        amount = nev.aggregate(total=Sum("intended_investment"))["total"]
        self.assertContains(r, format_yuan(amount))
        self.assertNotContains(r, "高新区企业")

    def test_the_list_filters_by_stage_industry_and_owner(self) -> None:
        self.make_rows(8)
        self.client.force_login(self.office)
        r = self.client.get(f"/projects/leads/?stage=landed&owner={self.leader.pk}")
        expected = InvestmentLead.objects.filter(stage="landed", owner=self.leader)
        self.assertContains(r, f"共 {expected.count()} 条")
        for lead in InvestmentLead.objects.exclude(pk__in=expected):
            self.assertNotContains(r, f">{lead.company}<")
        r = self.client.get("/projects/leads/?sector=nope")
        self.assertContains(r, "共 0 条")
        self.assertContains(r, "<svg", html=False)


class WorkReportTestCase(LeadTestCase):
    def test_the_report_counts_the_periods_signings_landings_and_projects(self) -> None:
        before = self.signed(self.make_lead(company="去年签约", contacted_on=D(2025, 5, 1)),
                             on=D(2025, 6, 1))  # fmt: skip
        self.landed(before, on=D(2026, 2, 1))
        self.signed(amount=Decimal("150000") * WAN, on=D(2026, 3, 1))
        lead = self.landed(self.signed(self.make_lead(company="乙"), amount=Decimal("50000") * WAN))
        project = make_project("KP-R1", self.company, sector=self.sector)
        lead_convert(actor=self.office, lead=lead, converted_on=D(2026, 6, 1), project=project)
        self.make_lead(company="丙")
        period = Period(D(2026, 1, 1), D(2026, 12, 31), "year")
        data = report.investment_leads(self.leader, period)
        signed = InvestmentLead.objects.filter(signed_on__year=2026)
        self.assertEqual(data["signed"], signed.count())
        self.assertEqual(data["contract_amount"], signed.aggregate(t=Sum("contract_amount"))["t"])
        self.assertEqual(
            data["landed"], InvestmentLead.objects.filter(landed_on__year=2026).count()
        )
        self.assertEqual(data["converted"], 1)
        self.client.force_login(self.leader)
        text = self.client.get("/reports/work-report/text/?year=2026").content.decode()
        self.assertIn(
            "【招商引资】新签约项目2 个,协议投资20 亿元,落地2 个,转为重点项目1 个。", text
        )
        page = self.client.get("/reports/work-report/?year=2026").content.decode()
        self.assertIn(
            "/projects/leads/?reached=signed&amp;since=2026-01-01&amp;until=2026-12-31", page
        )
        listed = self.client.get(
            "/projects/leads/?reached=signed&since=2026-01-01&until=2026-12-31"
        )
        self.assertContains(listed, "共 2 条")

    def test_a_reader_without_leads_reads_no_investment_paragraph(self) -> None:
        self.make_lead()
        self.client.force_login(self.other_leader)
        text = self.client.get("/reports/work-report/text/?year=2026").content.decode()
        self.assertNotIn("招商引资", text)
        self.assertFalse(InvestmentLead.objects.visible_to(self.other_leader).exists())
