"""The demo's livelihood ledgers (社会事业局) and welfare records (民政局) for this year, so that
the generated work report states the seed's 惠民生 figures exactly:

- 城镇新增就业 590 人, 就业困难人员再就业 40 人, 农村劳动力转移就业 223 人 (one record per
  person), and a monthly registered unemployment rate under 3%;
- 小额担保贷款 330 万元 disbursed (17 loans, one paid in two tranches; two more still waiting
  for approval or payment), 4 newly applied 市级就业见习基地, 2 training classes with 350
  trainees;
- 43 schools and kindergartens, every one inspected this year: some hazards rectified and
  verified, a few still open; the unlicensed-kindergarten clean-up closed;
- 35 困难家庭 and 17 孤儿 given 71,000.00 元 of relief, a census of elderly ability assessments
  and one approved nursing-subsidy cycle.

Everything goes through the modules' actions (`social` records the livelihood ledgers,
`civil` and `civil2` the welfare ones), so every row has its audit event and every rule is
checked. Names of schools, employers and amounts the seed does not give are examples
(示例; `School.is_example`). The people are fictitious: generated names and checksum-valid ID
numbers of 东昌府区 (371502), away from the township demo's 东阿县 numbers.

Each part is built only while this year has no rows of it, so running it again creates nothing.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.lib.encrypted import match
from zhengtong.lib.idcard import make_id_number
from zhengtong.livelihood import checklist
from zhengtong.livelihood.actions import (
    employment,
    insurance,
    internships,
    loans,
    schools,
    training,
)
from zhengtong.livelihood.models import (
    CleanupCampaign,
    EmploymentRecord,
    InsuranceDrive,
    InternshipBase,
    Loan,
    School,
    TrainingClass,
    UnemploymentFigure,
)
from zhengtong.people.actions import person_get_or_register
from zhengtong.people.models import Person
from zhengtong.welfare import actions as welfare
from zhengtong.welfare import scales
from zhengtong.welfare.models import Assessment, CensusCampaign, PaymentCycle, ReliefBatch
from zhengtong.welfare.selectors import active_scale

from .org import CITY, VILLAGES
from .projects import Totals
from .services import GIVEN_FEMALE, GIVEN_MALE, MOBILE_PREFIXES, SURNAMES

SEED = 3715022026
REGION = "371502"
SOCIAL = "ZONE-SHSY"
CIVIL = "ZONE-MZJ"

# The seed's figures (开发区 惠民生).
NEW_URBAN_JOBS = 590
REEMPLOYED = 40
RURAL_TRANSFER = 223
# 3,300,000 元 over 17 loans; the first 200,000 is paid in two tranches.
LOAN_AMOUNTS = [300_000] * 2 + [200_000] * 10 + [150_000] * 4 + [100_000]
TRAINING_CLASSES = [
    ("开发区被征地农民焊工技能培训班(第一期)", "skill", 200, 20),
    ("开发区 SYB 创业培训班(第一期)", "startup", 150, 10),
]
INTERNSHIP_BASES = [
    ("中通客车就业见习基地", "中通客车控股股份有限公司", 30, True),
    ("新能源动力电池就业见习基地", "聊城新能源动力电池有限公司", 20, True),
    ("生物医药产业园就业见习基地", "聊城生物医药产业园开发有限公司", 15, True),
    ("电子商务产业园就业见习基地", "聊城电子商务产业园管理有限公司", 25, False),
]
# 43 schools and kindergartens (示例 names): 9 小学, 4 初中, 2 九年一贯制, 28 幼儿园.
SCHOOL_COUNTS = [("primary", 9, "小学"), ("middle", 4, "中学"), ("nine_year", 2, "学校"),
                 ("kindergarten", 28, "幼儿园")]  # fmt: skip
# 险种, 扩面目标, 新增参保, 征缴目标 (元), 已征缴 (元): examples, each at or above its target.
INSURANCE_DRIVES = [
    ("employee_pension", 1200, 1236, "38000000.00", "38650000.00"),
    ("resident_pension", 800, 812, "2400000.00", "2436000.00"),
    ("resident_medical", 1500, 1528, "5250000.00", "5348000.00"),
    ("unemployment", 900, 915, "3100000.00", "3120000.00"),
    ("injury", 900, 934, "1800000.00", "1826000.00"),
]
PLACES = [
    "蒋官屯", "北城", "广平", "东城", "许营", "北顾", "湖西", "徐庄", "柳园", "汇通",
    "花园", "振华", "新区", "黄河", "长江", "泰山", "嵩山", "华山", "衡山", "恒山",
    "昌润", "东昌", "光岳", "聊堂", "运河", "兴华", "建设", "利民",
]  # fmt: skip
HAZARDS = {
    "fire": ("部分灭火器压力不足,应急照明灯损坏 2 处。", "更换失效灭火器,修复应急照明。", 5),
    "evacuation": ("教学楼二楼楼梯口堆放课桌椅,影响疏散。", "立即清理疏散通道并落实专人巡查。", 2),
    "canteen": ("食品留样记录不全,个别从业人员健康证过期。", "补全留样记录,过期健康证人员暂停上岗。", 10),
    "buildings": ("围墙东段出现裂缝并轻微倾斜。", "设置警示隔离,委托鉴定后加固或拆除重建。", 20),
}  # fmt: skip
# (school index, hazard items, stays open): most are rectified, verified and closed.
SCHOOLS_WITH_HAZARDS = [
    (0, ["fire"], False), (3, ["evacuation", "canteen"], False), (9, ["buildings"], True),
    (14, ["fire", "evacuation"], False), (20, ["canteen"], True), (27, ["fire"], False),
    (35, ["evacuation"], False),
]  # fmt: skip
UNLICENSED = [
    ("阳光宝贝看护点", "banned"), ("小天使托管班", "banned"), ("快乐童年幼儿班", "licensed"),
    ("启明星幼儿班", "merged"), ("童心园看护点", "banned"),
]  # fmt: skip
# Relief: 35 families (19 × 2,000 + 16 × 1,000) and 17 orphans × 1,000 = 71,000.00 元.
FAMILY_AMOUNTS = [2_000] * 19 + [1_000] * 16
ORPHAN_AMOUNT = 1_000
FAMILY_REASONS = ["illness"] * 24 + ["disaster"] * 6 + ["accident"] * 5
# Elderly census: (category, long-term dependent, wanted level) — eligible when 2/3 with 低保/特困.
ELDERLY = (
    [("dibao", True, 3)] * 4 + [("tekun", True, 2)] * 3 + [("dibao", True, 2)] * 3
    + [("dibao", False, 1)] * 2 + [("tekun", True, 1)] + [("", True, 3)]
)  # fmt: skip
# Elders of ELDERLY (by index) who live in an institution (not 散居): refused the subsidy.
IN_INSTITUTION = {3}
# The census (普查评估): candidates found this year and not yet assessed, by category.
CENSUS_UNASSESSED = ["dibao"] * 4 + ["tekun"] * 2


class LivelihoodBuilder:
    def __init__(self, *, units: dict[str, OrgUnit], users: dict[str, User]):
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.year = self.today.year
        self.social_unit = units[SOCIAL]
        self.civil_unit = units[CIVIL]
        self.social = users["social"]
        self.civil = users["civil"]
        self.civil2 = users["civil2"]
        self.villages = [units[code] for code in VILLAGES]
        self.city = units[CITY]
        self.made = Totals()
        self.taken: set[str] = set()

    # --- helpers --------------------------------------------------------------------------------

    def day(self, fraction: float) -> datetime.date:
        """The day `fraction` of the way from 1 January to today."""
        first = datetime.date(self.year, 1, 1)
        return first + datetime.timedelta(days=int((self.today - first).days * fraction))

    def some_day(self, low: float = 0.0, high: float = 1.0) -> datetime.date:
        return self.day(self.rng.uniform(low, high))

    def identity(self, *, age_low: int, age_high: int, female: bool | None = None) -> tuple:
        """(ID number, name, phone) of a new fictitious person aged age_low..age_high today."""
        if female is None:
            female = self.rng.random() < 0.5
        for _attempt in range(200):
            age = self.rng.randint(age_low, age_high)
            birth = datetime.date(self.today.year - age, 1, 1) - datetime.timedelta(
                days=self.rng.randrange(1, 365)
            )
            number = make_id_number(
                birth, female=female, seq=self.rng.randint(1, 499), region=REGION
            )
            if number in self.taken or match(Person.objects.all(), "id_number", number).exists():
                continue
            self.taken.add(number)
            name = self.rng.choice(SURNAMES) + self.rng.choice(
                GIVEN_FEMALE if female else GIVEN_MALE
            )
            phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            return number, name, phone
        raise RuntimeError("no free demo ID number")

    def build(self) -> Totals:
        self.employment()
        self.unemployment()
        self.loans()
        self.internships()
        self.training()
        self.insurance()
        self.schools()
        self.kindergartens()
        self.assessments()
        self.subsidy_cycle()
        self.relief()
        self.census()
        return self.made

    # --- 社会事业局 ------------------------------------------------------------------------------

    def employment(self) -> None:
        records = EmploymentRecord.objects.filter(
            org_unit=self.social_unit, employed_on__year=self.year
        )
        if records.exists():
            return
        employers = ["中通客车控股股份有限公司", "聊城新能源动力电池有限公司", "万合铜铝有限公司",
                     "聊城冷链物流有限公司", "聊城义乌小商品城有限公司", "聊城红星美凯龙家居有限公司",
                     "聊城中药制药有限公司", "聊城精密轴承有限公司"]  # fmt: skip
        destinations = ["浙江省宁波市北仑区", "江苏省苏州市昆山市", "广东省东莞市长安镇",
                        "上海市嘉定区", "天津市滨海新区", "山东省青岛市黄岛区"]  # fmt: skip
        plan = [
            (EmploymentRecord.Kind.NEW_URBAN, NEW_URBAN_JOBS, 18, 45, employers),
            (EmploymentRecord.Kind.REEMPLOYED, REEMPLOYED, 40, 55, employers),
            (EmploymentRecord.Kind.RURAL_TRANSFER, RURAL_TRANSFER, 18, 50, destinations),
        ]
        for kind, count, low, high, places in plan:
            for _n in range(count):
                number, name, phone = self.identity(age_low=low, age_high=high)
                employment.employment_record_create(
                    actor=self.social,
                    id_number=number,
                    name=name,
                    phone=phone,
                    kind=kind,
                    employed_on=self.some_day(),
                    employer=self.rng.choice(places),
                )
                self.made.add("就业登记")

    def unemployment(self) -> None:
        for month in range(1, self.today.month + 1):
            period = datetime.date(self.year, month, 1)
            if UnemploymentFigure.objects.filter(org_unit=self.social_unit, period=period).exists():
                continue
            labour_force = 15_200 + month * 35
            unemployed = 420 - month * 3 + self.rng.randint(-5, 5)
            employment.unemployment_figure_record(
                actor=self.social,
                period=period,
                registered_unemployed=unemployed,
                labour_force=labour_force,
            )
            self.made.add("登记失业率")

    def insurance(self) -> None:
        """社会保险扩面征缴, "圆满完成" in the seed: every insurance at or above both targets. The
        seed gives no figures; these are examples of a zone's size."""
        if InsuranceDrive.objects.filter(org_unit=self.social_unit, year=self.year).exists():
            return
        for kind, target, enrolled, collect_target, collected in INSURANCE_DRIVES:
            insurance.insurance_drive_record(
                actor=self.social,
                year=self.year,
                insurance=kind,
                enrol_target=target,
                enrolled=enrolled,
                collect_target=Decimal(collect_target),
                collected=Decimal(collected),
                as_of=self.today,
            )
            self.made.add("社保扩面征缴")

    def loans(self) -> None:
        if Loan.objects.filter(org_unit=self.social_unit, submitted_on__year=self.year).exists():
            return
        businesses = ["农家乐餐饮", "电商网店", "汽车维修店", "服装加工作坊", "快递驿站",
                      "蔬菜大棚种植", "家政服务公司", "小型超市"]  # fmt: skip
        guarantor = "开发区创业担保贷款担保基金"
        for index, amount in enumerate([*LOAN_AMOUNTS, 120_000, 80_000]):
            number, name, phone = self.identity(age_low=22, age_high=50)
            submitted_on = self.day(0.05 + 0.8 * index / (len(LOAN_AMOUNTS) + 2))
            loan = loans.loan_submit(
                actor=self.social,
                id_number=number,
                name=name,
                phone=phone,
                business=self.rng.choice(businesses),
                amount_requested=Decimal(amount),
                guarantor=guarantor,
                bank="聊城农村商业银行",
                submitted_on=submitted_on,
            )
            self.made.add("创业担保贷款")
            if index == len(LOAN_AMOUNTS) + 1:
                continue  # still waiting for its decision
            approved_on = min(submitted_on + datetime.timedelta(days=7), self.today)
            loans.loan_approve(
                actor=self.social, loan=loan, amount_approved=Decimal(amount),
                approved_on=approved_on,
            )  # fmt: skip
            if index == len(LOAN_AMOUNTS):
                continue  # approved, payment still due
            paid_on = min(approved_on + datetime.timedelta(days=5), self.today)
            tranches = [120_000, 80_000] if index == 2 else [amount]
            for tranche in tranches:
                loans.loan_disburse(
                    actor=self.social, loan=loan, amount=Decimal(tranche), paid_on=paid_on
                )
                paid_on = min(paid_on + datetime.timedelta(days=10), self.today)

    def internships(self) -> None:
        if InternshipBase.objects.filter(
            org_unit=self.social_unit, applied_on__year=self.year
        ).exists():
            return
        for index, (name, employer, positions, approved) in enumerate(INTERNSHIP_BASES):
            applied_on = self.day(0.1 + 0.2 * index)
            base = internships.internship_base_apply(
                actor=self.social,
                name=name,
                employer=employer,
                positions=positions,
                applied_on=applied_on,
            )
            self.made.add("就业见习基地")
            if approved:
                internships.internship_base_decide(
                    actor=self.social,
                    base=base,
                    approved=True,
                    decided_on=min(applied_on + datetime.timedelta(days=20), self.today),
                )

    def training(self) -> None:
        if TrainingClass.objects.filter(
            org_unit=self.social_unit, start_on__year=self.year
        ).exists():
            return
        for index, (name, kind, size, sessions) in enumerate(TRAINING_CLASSES):
            start_on = self.day(0.25 + 0.35 * index)
            end_on = start_on + datetime.timedelta(days=sessions + 10)
            klass = training.training_class_create(
                actor=self.social,
                name=name,
                kind=kind,
                start_on=start_on,
                end_on=end_on,
                sessions=sessions,
            )
            self.made.add("培训班")
            finished = end_on <= self.today
            for _n in range(size):
                number, name_, phone = self.identity(age_low=20, age_high=55)
                trainee = training.trainee_enrol(
                    actor=self.social, training_class=klass, id_number=number, name=name_,
                    phone=phone,
                )  # fmt: skip
                self.made.add("学员")
                if finished:
                    attended = sessions - self.rng.choice([0, 0, 0, 1, 2, 5])
                    training.trainee_update(
                        actor=self.social,
                        trainee=trainee,
                        attended_sessions=attended,
                        completed=attended >= training.completion_threshold(sessions),
                    )

    def schools(self) -> None:
        register = []
        index = 0
        # Contacts from their own generator, so the people generated after the schools stay the
        # same as before schools had contacts.
        contacts = random.Random(SEED + 43)
        for kind, count, suffix in SCHOOL_COUNTS:
            for n in range(count):
                place = PLACES[index % len(PLACES)]
                if kind == "kindergarten":
                    name = f"开发区{place}{'中心' if n < 6 else '第二'}{suffix}"
                else:
                    name = f"开发区{place}{suffix}"
                # The 中心小学 are the first four places (the zone's 街道 and 乡); the
                # recording rooms are part done, as the seed says ("积极推进…争取…全覆盖"):
                # every 初中 and the first two 中心小学 equipped, two still to go.
                central = kind == "primary" and n < 4
                equipped = kind in ("middle", "nine_year") or (central and n < 2)
                school = School.objects.filter(name=name).first()
                if school is None:
                    school = schools.school_create(
                        is_central=central,
                        recording_room_on=self.day(0.2 + 0.1 * n) if equipped else None,
                        actor=self.social,
                        org_unit=self.social_unit,
                        name=name,
                        kind=kind,
                        address=f"聊城经济技术开发区{place}路 {self.rng.randint(1, 300)} 号",
                        principal=self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_FEMALE),
                        contact_name=contacts.choice(SURNAMES) + contacts.choice(GIVEN_MALE),
                        contact_phone=contacts.choice(MOBILE_PREFIXES)
                        + f"{contacts.randrange(10**8):08d}",
                    )
                    # The seed counts 43 schools without naming them: names are examples.
                    School.objects.filter(pk=school.pk).update(is_example=True)
                    self.made.add("学校")
                register.append(school)
                index += 1
        hazards_of = {i: (items, stays_open) for i, items, stays_open in SCHOOLS_WITH_HAZARDS}
        for i, school in enumerate(register):
            if school.inspections.filter(inspected_on__year=self.year).exists():
                continue
            items, stays_open = hazards_of.get(i, ([], False))
            inspected_on = self.day(0.3 + 0.3 * i / len(register))
            results = {
                item.code: checklist.HAZARD if item.code in items else checklist.OK
                for item in checklist.ITEMS
            }
            inspection = schools.inspection_record(
                actor=self.social,
                school=school,
                inspected_on=inspected_on,
                inspectors="社会事业局 张明、刘洋;开发区消防大队 王磊",
                results=results,
                hazards=[
                    {"item": code, "description": HAZARDS[code][0],
                     "requirement": HAZARDS[code][1], "deadline_workdays": HAZARDS[code][2]}
                    for code in items
                ],
            )  # fmt: skip
            self.made.add("安全检查")
            if not items:
                continue
            hazards = list(inspection.hazards.order_by("id"))
            for n, hazard in enumerate(hazards):
                if stays_open and n == len(hazards) - 1:
                    continue  # still being rectified: it shows in 我的待办
                rectified_on = min(inspected_on + datetime.timedelta(days=7), self.today)
                schools.hazard_report_rectified(
                    actor=self.social,
                    hazard=hazard,
                    rectified_on=rectified_on,
                    note="已按通知书要求整改完毕,附整改前后照片。",
                )
                schools.hazard_verify(
                    actor=self.social,
                    hazard=hazard,
                    verified_on=min(rectified_on + datetime.timedelta(days=3), self.today),
                )
            if not stays_open:
                inspection.refresh_from_db()
                schools.inspection_close(
                    actor=self.social,
                    inspection=inspection,
                    closed_on=min(inspected_on + datetime.timedelta(days=12), self.today),
                )

    def kindergartens(self) -> None:
        if CleanupCampaign.objects.filter(
            org_unit=self.social_unit, started_on__year=self.year
        ).exists():
            return
        started_on = self.day(0.05)
        campaign = schools.campaign_create(
            actor=self.social,
            org_unit=self.social_unit,
            name=f"{self.year} 年开发区清理整顿无证幼儿园",
            started_on=started_on,
            due_on=self.day(0.5),
        )
        self.made.add("无证幼儿园清理整顿")
        found_on = self.day(0.1)
        for n, (name, outcome) in enumerate(UNLICENSED):
            kindergarten = schools.kindergarten_register(
                actor=self.social,
                campaign=campaign,
                name=name,
                operator=self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_FEMALE),
                address=f"聊城经济技术开发区{PLACES[n + 3]}村",
                children=self.rng.randint(12, 45),
                found_on=found_on,
            )
            schools.kindergarten_dispose(
                actor=self.social,
                kindergarten=kindergarten,
                outcome=outcome,
                outcome_on=self.day(0.2 + 0.05 * n),
                note={"banned": "依法取缔,在园幼儿分流至就近公办园。",
                      "licensed": "按标准整改后办理办园许可证。",
                      "merged": "并入开发区中心幼儿园。"}[outcome],
            )  # fmt: skip
        schools.campaign_close(actor=self.social, campaign=campaign, closed_on=self.day(0.5))

    # --- 民政局 ----------------------------------------------------------------------------------

    def scores_for(self, level: int) -> dict:
        """Item scores of the active scale that come out at `level` (searched, deterministic)."""
        definition = active_scale().definition
        pairs = scales.items(definition)
        for _attempt in range(5000):
            scores = {item["code"]: self.rng.choice(item["scores"]) for _dim, item in pairs}
            result = scales.score(definition, scores)
            # 认知 2 is “已确诊为认知障碍”: the demo keeps its diagnoses in the condition fields.
            if result.level == level and not result.gap and scores.get("cognition", 0) < 2:
                return scores
        raise RuntimeError(f"no scores found for level {level}")

    def assessments(self) -> None:
        if Assessment.objects.filter(
            org_unit=self.civil_unit, assessed_on__year=self.year
        ).exists():
            return
        for n, (category, dependent, level) in enumerate(ELDERLY):
            number, name, phone = self.identity(age_low=62, age_high=88)
            person = person_get_or_register(
                actor=self.civil,
                id_number=number,
                name=name,
                phone=phone,
                org_unit=self.villages[n % len(self.villages)],
            )
            welfare.welfare_status_set(
                actor=self.civil,
                person=person,
                category=category,
                long_term_dependent=dependent,
                in_institution=n in IN_INSTITUTION,
                verified_on=self.day(0.1),
            )
            welfare.assessment_create(
                actor=self.civil,
                person=person,
                assessed_on=self.day(0.15 + 0.02 * n),
                scores=self.scores_for(level),
                assessor_1=self.civil,
                assessor_2=self.civil2,
            )
            self.made.add("能力评估")

    def subsidy_cycle(self) -> None:
        month = self.today.replace(day=1)
        if month.month > 1:
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        if PaymentCycle.objects.filter(org_unit=self.civil_unit, month=month).exists():
            return
        cycle = welfare.cycle_create(actor=self.civil, month=month)
        self.made.add("护理补贴发放批次")
        if cycle.payments.exists():
            welfare.cycle_approve(actor=self.civil, cycle=cycle)

    def relief(self) -> None:
        names = [f"{self.year} 年因病因灾困难家庭救助", f"{self.year} 年孤儿救助"]
        if ReliefBatch.objects.filter(org_unit=self.civil_unit, name__in=names).exists():
            return
        families = welfare.relief_batch_create(actor=self.civil, name=names[0])
        for amount, reason in zip(FAMILY_AMOUNTS, FAMILY_REASONS, strict=True):
            number, name, _phone = self.identity(age_low=30, age_high=70)
            welfare.relief_grant_add(
                actor=self.civil,
                batch=families,
                recipient_kind="household",
                id_number=number,
                name=name,
                reason=reason,
                amount=Decimal(amount),
                note="金额为示例",
            )
            self.made.add("救助金")
        welfare.relief_batch_approve(actor=self.civil, batch=families)
        orphans = welfare.relief_batch_create(actor=self.civil, name=names[1])
        for _n in range(17):
            number, name, _phone = self.identity(age_low=4, age_high=16)
            welfare.relief_grant_add(
                actor=self.civil,
                batch=orphans,
                recipient_kind="orphan",
                id_number=number,
                name=name,
                reason="orphan",
                amount=Decimal(ORPHAN_AMOUNT),
                note="金额为示例",
            )
            self.made.add("救助金")
        welfare.relief_batch_approve(actor=self.civil, batch=orphans)

    def census(self) -> None:
        """This year's 普查评估 over the city, running until two months from today: the 12
        candidates of ELDERLY assessed, 6 more verified but not yet assessed (18, 66.7%)."""
        name = f"{self.year} 年散居困难老人普查评估"
        if CensusCampaign.objects.filter(org_unit=self.civil_unit, name=name).exists():
            return
        for n, category in enumerate(CENSUS_UNASSESSED):
            number, person_name, phone = self.identity(age_low=63, age_high=90)
            person = person_get_or_register(
                actor=self.civil,
                id_number=number,
                name=person_name,
                phone=phone,
                org_unit=self.villages[(2 * n + 1) % len(self.villages)],
            )
            welfare.welfare_status_set(
                actor=self.civil,
                person=person,
                category=category,
                long_term_dependent=True,
                in_institution=False,
                verified_on=self.day(0.1),
            )
        welfare.census_campaign_create(
            actor=self.civil,
            name=name,
            area=self.city,
            started_on=datetime.date(self.year, 1, 1),
            ends_on=self.today + datetime.timedelta(days=60),
        )
        self.made.add("普查评估")
