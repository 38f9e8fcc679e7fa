"""The work report's key-project progress, city works, masthead and scope, on the demo data."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.test import TestCase

from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.demo.testing import seed_demo
from zhengtong.lib.periods import year_period
from zhengtong.livelihood.models import InsuranceDrive, School, recording_room_target
from zhengtong.projects import stats
from zhengtong.projects.selectors import projects_visible_to
from zhengtong.reports.report import gather, yi
from zhengtong.services.models import Post

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@time_machine.travel(NOW, tick=False)
class WorkReportContentTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo(at=NOW)
        cls.leader = User.objects.get(username="leader")

    def text(self, user, query="year=2026") -> str:
        self.client.force_login(user)
        r = self.client.get(f"/reports/work-report/text/?{query}")
        self.assertEqual(r.status_code, 200)
        return r.content.decode()

    def test_the_key_project_progress_is_the_cockpits(self) -> None:
        """累计完成, %, 超进度/滞后 as the cockpit counts them to October (November's reports
        are not yet due on 20 November), and the open problems."""
        cockpit = stats.summary(projects_visible_to(self.leader).on_list(2026), year=2026, month=10)
        text = self.text(self.leader)
        self.assertIn(f"截至 10 月底累计完成投资{yi(cockpit['ytd_investment'])} 亿元", text)
        self.assertIn(f"占年度计划的 {cockpit['completion_pct']}%", text)
        self.assertIn(f"超进度项目{cockpit['flags']['ahead']} 个", text)
        self.assertIn(f"滞后项目{cockpit['flags']['behind']} 个", text)
        self.assertIn("尚待解决的问题8 个", text)

    def test_city_works_name_the_roads_and_the_1156_lamps(self) -> None:
        text = self.text(self.leader)
        self.assertIn("城市道路计划建设26.2 公里,已建成9.3 公里", text)
        self.assertIn("路灯工程计划新增和改造路灯1156 盏,已安装656 盏", text)

    def test_relocation_counts_programmes_households_and_moved_in(self) -> None:
        """3 programmes: 1860 + 420 + 380 households; 1760 + 400 + 60 demolished; 1140 + 310
        moved in by 20 November, 1450 / 2660 = 54.5%; each figure links to the programmes."""
        text = self.text(self.leader)
        self.assertIn(
            "【拆迁安置】城中村改造和农村新型社区项目3 个,应拆迁2660 户,已拆迁2220 户,"
            "已搬迁入住1450 户(入住率 54.5%)。",
            text,
        )
        r = self.client.get("/reports/work-report/?year=2026")
        self.assertContains(r, 'class="fw-semibold" href="/projects/relocation/"', count=5)

    def test_a_reader_without_programmes_reads_no_relocation_sentence(self) -> None:
        """A county leader sees none of the zone's programmes: no "项目0 个"."""
        county = OrgUnit.objects.get(code="371524")
        county_leader = User.objects.create_user("county_leader", password="x", full_name="县长")
        Membership.objects.create(user=county_leader, org_unit=county, role=Role.LEADER)
        self.assertNotIn("城中村改造和农村新型社区", self.text(county_leader))

    def test_a_period_before_the_entries_counts_the_programmes_but_no_progress(self) -> None:
        text = self.text(self.leader, "start=2026-01-01&end=2026-03-31")
        self.assertIn("项目3 个,应拆迁2660 户,已拆迁0 户,已搬迁入住0 户(入住率 0.0%)", text)

    def test_the_masthead_has_issue_issuer_date_and_cutoff(self) -> None:
        lines = self.text(self.leader).splitlines()
        self.assertEqual(
            lines[1:4],
            ["2026年第11期", "聊城经济技术开发区    2026年11月20日", "数据截至2026年11月20日"],
        )
        pdf = self.client.post("/reports/work-report/pdf/?year=2026")
        self.assertEqual(pdf.status_code, 302)  # to the job page of the PDF

    def test_a_zone_without_halls_or_villages_says_nothing_of_them(self) -> None:
        """The demo zone has neither: no "办结办件0 件" and no "应访 0 次"."""
        text = self.text(self.leader)
        self.assertNotIn("便民服务", text)
        self.assertNotIn("应访", text)

    def test_a_leader_over_a_hall_reads_its_figures(self) -> None:
        hall = OrgUnit.objects.get(pk=Post.objects.values_list("org_unit", flat=True)[0])
        town_leader = User.objects.create_user("hall_leader", password="x", full_name="刘镇长")
        Membership.objects.create(user=town_leader, org_unit=hall, role=Role.LEADER)
        text = self.text(town_leader)
        self.assertIn("【便民服务】便民服务中心办结办件", text)
        self.assertIn(hall.name, text.splitlines()[2])

    def test_the_recording_rooms_are_counted_against_every_middle_and_central_school(self) -> None:
        """The seed's aim: 初中及中心小学录播室全覆盖. The demo has 8 of its 10 equipped; the two
        missing ones are a link away, and equipping them turns the sentence into 全覆盖."""
        text = self.text(self.leader)
        self.assertIn(
            "【教育教学】推进高标准录播室配备工作,全区初中及中心小学10 所,已配备录播室8 所,"
            "覆盖率 80.0%,尚有 2 所未配备。",
            text,
        )
        page = self.client.get("/reports/work-report/?year=2026").content.decode()
        self.assertIn('href="/livelihood/schools/?room=missing"', page)
        missing = self.client.get("/livelihood/schools/?room=missing")
        self.assertEqual(len(missing.context["page"].object_list), 2)
        target = self.client.get("/livelihood/schools/?room=target")
        self.assertEqual(target.context["page"].paginator.count, 10)
        self.assertContains(
            self.client.get("/livelihood/schools/?room=all"), "录播室筛选条件不存在"
        )

        School.objects.filter(recording_room_target(), recording_room_on=None).update(
            recording_room_on=datetime.date(2026, 11, 2)
        )
        self.assertIn(
            "已配备录播室10 所,覆盖率 100.0%,已实现初中及中心小学录播室全覆盖。",
            self.text(self.leader),
        )

    def test_the_insurance_drive_reads_as_the_seed_when_every_target_is_reached(self) -> None:
        text = self.text(self.leader)
        self.assertIn(
            "【社会保险】截至 11 月 20 日,社会保险扩面新增参保5425 人(目标 5300 人),"
            "征缴社会保险费5138 万元(目标 5055 万元),圆满完成社会保险扩面征缴工作",
            text,
        )
        # A month that ended before the figures were recorded does not claim them.
        self.assertNotIn("社会保险", self.text(self.leader, "start=2026-01-01&end=2026-10-31"))
        # One insurance short of its target: the report says how many are done.
        InsuranceDrive.objects.filter(insurance="injury").update(enrolled=880)
        self.assertIn("5 个险种中 4 个已完成扩面和征缴目标。", self.text(self.leader))
        self.assertNotIn("圆满完成", self.text(self.leader))
        # A department that keeps no drive has none of them in its figures.
        civil = User.objects.get(username="civil")
        self.assertEqual(gather(civil, year_period(2026))["insurance"]["total"], 0)
