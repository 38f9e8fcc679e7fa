"""The demo's floating-population office: 刘集镇 villages with households, people on the move,
pregnancies, follow-ups, a check-up campaign, home visits, 计生助福 and this year's 健康义诊.

Everything goes through the population actions (person_register, household_*, floating records
and 婚育证明, pregnancy_register / pregnancy_record_delivery, followup_plan_create /
followup_complete, campaign_create / campaign_record_attendance, home_visit_record /
referral_open, assistance_record, pairing_create / pairing_record_visit, clinic_plan /
clinic_mark_held / clinic_attendance_record), so every row has its
audit event and every schedule its real windows. Dates are relative to today: the follow-ups
fall due, overdue and done whatever day the demo is loaded.

`village1` works in 刘集村 and records that village; `jishengban` (刘集镇计生办) records the
others. The people are fictitious: generated names, phones and checksum-valid ID numbers.

The data is built only while the township's villages have no household yet, so running it
again creates nothing.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.lib.encrypted import match
from zhengtong.lib.idcard import make_id_number
from zhengtong.people.actions import person_register
from zhengtong.people.models import Household, HouseholdMember, Person
from zhengtong.population.actions import care, clinics, families, floating, followups, maternal
from zhengtong.population.actions.registry import household_create, household_member_add
from zhengtong.population.models import (
    Campaign,
    FamilyCampaign,
    FloatingRecord,
    FollowUpPlan,
)

from .org import TOWN, VILLAGES
from .projects import Totals
from .services import GIVEN_FEMALE, GIVEN_MALE, MOBILE_PREFIXES, SURNAMES

SEED = 3715242027
HOUSEHOLDS_PER_VILLAGE = 16
VILLAGE1_UNIT = "LIUJI-LJ"
# ID numbers of the demo residents use order codes from here up, away from the hall's applicants.
FIRST_SEQ = 400
DESTINATIONS = [
    "浙江省宁波市北仑区", "江苏省苏州市昆山市", "广东省东莞市长安镇", "上海市嘉定区",
    "天津市滨海新区", "山东省青岛市黄岛区", "北京市大兴区", "江苏省无锡市新吴区",
]  # fmt: skip
ORIGINS = ["河南省濮阳市台前县", "河北省邯郸市馆陶县", "山东省菏泽市郓城县", "河南省范县"]
EMPLOYERS = ["电子厂", "纺织厂", "物流公司", "建筑公司", "汽车配件厂", "食品厂"]
STREETS = ["前街", "后街", "东街", "西街", "南街", "北街", "中心街", "新村路"]
ROLE_OF = HouseholdMember.Relation


# 文明家庭 nominations of 刘集村: 事迹, 公示摘要, then (passed, opinion) and (named, reason) as far
# as the nomination has gone. Fictitious; no names, as the summary goes on the public list.
FAMILY_NOMINATIONS = [
    (
        "儿子结婚时婚事新办,不要彩礼、不摆酒席,把省下的钱捐给村里修路;户主在村红白理事会"
        "任理事,带动邻里移风易俗。",
        "婚事新办不要彩礼,带动邻里移风易俗。",
        (True, "符合“移风易俗,婚事新办”和“热心公益”两条,事迹经村两委核实。"),
        (True, "镇评议小组一致同意。"),
    ),
    (
        "三代同堂,夫妻二人照料失能老人十余年,子女学业有成;家中两个女儿,户主常说“生男生女都一样”。",
        "三代同堂,孝老爱亲,照料失能老人十余年。",
        (True, "符合“家庭和睦,尊老爱幼”“男女平等”两条。"),
        (True, "镇评议小组一致同意。"),
    ),
    (
        "夫妻外出务工多年,返乡后办起家庭作坊,带动本村妇女务工增收。",
        "勤劳致富,带动本村妇女务工增收。",
        (False, "事迹材料不够具体,未附村两委核实意见,建议下年度补充后再推荐。"),
        (False, "评议未通过。"),
    ),
    (
        "独女户,户主夫妇享受计生奖励扶助,女儿大学毕业后回乡当村医,自强自立。",
        "独女户,女儿回乡当村医,自强自立。",
        (True, "符合“倡树新型婚育观”一条,事迹属实。"),
        None,
    ),
    (
        "户主退休后义务打扫村内道路多年,冬天为老人送煤送菜。",
        "热心公益,义务打扫村内道路多年。",
        None,
        None,
    ),
]


def _age_birth(today: datetime.date, age: int, rng: random.Random) -> datetime.date:
    return datetime.date(today.year - age, 1, 1) + datetime.timedelta(days=rng.randrange(360))


class PopulationBuilder:
    def __init__(self, *, units: dict[str, OrgUnit], users: dict[str, User]):
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.town = units[TOWN]
        self.villages = [units[code] for code in VILLAGES]
        self.village1 = users["village1"]
        self.office = users["jishengban"]
        self.made = Totals()
        self.taken: set[str] = set()
        self.out_persons: dict[OrgUnit, list[Person]] = {}

    def actor_for(self, village: OrgUnit) -> User:
        return self.village1 if village.code == VILLAGE1_UNIT else self.office

    def days_ago(self, n: int) -> datetime.date:
        return self.today - datetime.timedelta(days=n)

    def build(self) -> Totals:
        if Household.objects.filter(org_unit__in=self.villages).exists():
            self.families()
            return self.made
        # Residents by village: {village: [(person, relation, household)]}.
        self.residents: dict[OrgUnit, list[tuple[Person, str, Household]]] = {}
        for village in self.villages:
            self.residents[village] = []
            for n in range(HOUSEHOLDS_PER_VILLAGE):
                self.household(village, n)
        for village in self.villages:
            self.floating(village)
            self.pregnancies(village)
            self.followups(village)
            self.care(village)
        self.campaign()
        for village in self.villages:
            self.flagged_families(village)
            self.preconception(village)
        self.clinics()
        # Last, and without the random generator, so the figures above stay as they were.
        self.families()
        return self.made

    # --- people ---------------------------------------------------------------------------------

    def id_number(self, birth: datetime.date, female: bool) -> str:
        for seq in range(FIRST_SEQ, 500):
            number = make_id_number(birth, female=female, seq=seq)
            if (
                number not in self.taken
                and not match(Person.objects.all(), "id_number", number).exists()
            ):
                self.taken.add(number)
                return number
        raise RuntimeError(f"no free demo ID number for {birth}")

    def person(self, village, *, age: int, female: bool, surname: str = "", **fields) -> Person:
        birth = _age_birth(self.today, age, self.rng)
        given = self.rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        phone = ""
        if age >= 18:
            phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
        person = person_register(
            actor=self.actor_for(village),
            id_number=self.id_number(birth, female),
            name=(surname or self.rng.choice(SURNAMES)) + given,
            org_unit=village,
            phone=phone,
            **fields,
        )
        self.made.add("人员")
        return person

    def household(self, village: OrgUnit, n: int) -> None:
        rng = self.rng
        actor = self.actor_for(village)
        address = f"东阿县刘集镇{village.name}{rng.choice(STREETS)}{n + 1}号"
        # One 计生特殊家庭 per village (the 计生助福 programme's families).
        special = Household.SpecialFamily.LOST_ONLY_CHILD if n == 3 else ""
        household = household_create(
            actor=actor, org_unit=village, address=address, special_family=special
        )
        self.made.add("家庭户")
        surname = rng.choice(SURNAMES)
        common = {"hukou_address": address, "current_address": address}
        head_age = rng.randint(28, 62) if n != 3 else rng.randint(58, 68)
        members = [
            (
                self.person(village, age=head_age, female=False, surname=surname,
                            marital_status="married", **common),
                ROLE_OF.HEAD,
            ),
            (
                self.person(village, age=max(22, head_age - rng.randint(0, 4)), female=True,
                            marital_status="married", **common),
                ROLE_OF.SPOUSE,
            ),
        ]  # fmt: skip
        if n != 3:
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                age = max(0, head_age - rng.randint(22, 32))
                status = "married" if age >= 24 and rng.random() < 0.5 else "single"
                female = rng.random() < 0.5
                child = self.person(village, age=age, female=female, surname=surname,
                                    marital_status=status if age >= 18 else "", **common)  # fmt: skip
                members.append((child, ROLE_OF.CHILD))
        else:
            # The special family raises a grandchild after losing their only child.
            grandchild = self.person(village, age=rng.randint(7, 12), female=rng.random() < 0.5,
                                     surname=surname, **common)  # fmt: skip
            members.append((grandchild, ROLE_OF.GRANDCHILD))
        if rng.random() < 0.4:
            elder = self.person(village, age=rng.randint(68, 86), female=rng.random() < 0.6,
                                marital_status="widowed", **common)  # fmt: skip
            members.append((elder, ROLE_OF.PARENT))
        for person, relation in members:
            household_member_add(actor=actor, household=household, person=person, relation=relation)
            self.residents[village].append((person, relation, household))

    def flagged_families(self, village: OrgUnit) -> None:
        """Two households per village whose flags the household page and its export show:
        both parents working away with a grandmother at home (留守儿童 and 留守老人), and a
        divorced mother alone with her son (单亲). Built last, so the rest of the demo is the
        same as without them."""
        rng = self.rng
        actor = self.actor_for(village)
        n = HOUSEHOLDS_PER_VILLAGE
        away_address = f"东阿县刘集镇{village.name}{STREETS[0]}{n + 1}号"
        home = household_create(actor=actor, org_unit=village, address=away_address)
        common = {"hukou_address": away_address, "current_address": away_address}
        surname = rng.choice(SURNAMES)
        father = self.person(village, age=rng.randint(33, 40), female=False, surname=surname,
                             marital_status="married", **common)  # fmt: skip
        mother = self.person(village, age=rng.randint(31, 38), female=True,
                             marital_status="married", **common)  # fmt: skip
        child = self.person(village, age=rng.randint(6, 12), female=rng.random() < 0.5,
                            surname=surname, **common)  # fmt: skip
        grandma = self.person(village, age=rng.randint(66, 78), female=True, surname=surname,
                              marital_status="widowed", **common)  # fmt: skip
        for person, relation in ((father, ROLE_OF.HEAD), (mother, ROLE_OF.SPOUSE),
                                 (child, ROLE_OF.CHILD), (grandma, ROLE_OF.PARENT)):  # fmt: skip
            household_member_add(actor=actor, household=home, person=person, relation=relation)
        place = rng.choice(DESTINATIONS)
        started_on = self.days_ago(rng.randint(90, 300))
        for parent in (father, mother):
            certificate = None
            if floating.needs_certificate(parent, started_on):
                certificate = self.certificate(parent)
            floating.floating_record_create(
                actor=actor,
                person=parent,
                direction=FloatingRecord.Direction.OUT,
                place=place,
                started_on=started_on,
                contact_phone=parent.phone,
                employer=place[:3] + rng.choice(EMPLOYERS),
                certificate=certificate,
            )
            self.made.add("流出记录")
        single_address = f"东阿县刘集镇{village.name}{STREETS[1]}{n + 2}号"
        single = household_create(actor=actor, org_unit=village, address=single_address)
        common = {"hukou_address": single_address, "current_address": single_address}
        surname = rng.choice(SURNAMES)
        parent = self.person(village, age=rng.randint(32, 42), female=True, surname=surname,
                             marital_status="divorced", **common)  # fmt: skip
        son = self.person(village, age=rng.randint(7, 15), female=False, surname=surname, **common)
        household_member_add(actor=actor, household=single, person=parent, relation=ROLE_OF.HEAD)
        household_member_add(actor=actor, household=single, person=son, relation=ROLE_OF.CHILD)
        self.made.add("家庭户", 2)

    def preconception(self, village: OrgUnit) -> None:
        """孕前优生健康检查: per village one married woman enrolled last week (on the to-do
        lists) and one checked a month ago with a risk found and guidance given."""
        actor = self.actor_for(village)
        women = [
            p
            for p in self.adults(village, female=True, ages=(22, 35))
            if p.marital_status == "married"
            and not p.pregnancies.exists()
            and not p.floating_records.exists()
        ]
        for person, (enrolled_ago, done_ago) in zip(women, [(7, None), (40, 30)], strict=False):
            check = maternal.preconception_enrol(
                actor=actor, person=person, enrolled_on=self.days_ago(enrolled_ago)
            )
            self.made.add("孕前优生检查登记")
            if done_ago is not None:
                maternal.preconception_record(
                    actor=actor,
                    check=check,
                    done_on=self.days_ago(done_ago),
                    result="risk",
                    note="风疹病毒抗体阴性,建议接种风疹疫苗 3 个月后再怀孕;补充叶酸。",
                )
                self.made.add("孕前优生检查")

    def adults(self, village, *, female: bool | None = None, ages=(20, 49), relations=None):
        found = []
        for person, relation, _ in self.residents[village]:
            age = (self.today - person.birth_date).days // 365
            if not ages[0] <= age <= ages[1]:
                continue
            if female is not None and (person.sex == Person.Sex.FEMALE) != female:
                continue
            if relations and relation not in relations:
                continue
            found.append(person)
        return found

    # --- floating population ----------------------------------------------------------------------

    def certificate(self, person: Person) -> dict:
        married = person.marital_status in ("married", "remarried")
        return {
            "name": person.name,
            "age": (self.today - person.birth_date).days // 365,
            "id_number": person.id_number,
            "marital_status": "已婚" if married else "未婚",
            "spouse": "见家庭户成员" if married else "无",
            "fertility": self.rng.choice(["已生育一孩", "已生育二孩", "未生育"]),
            "contraception": self.rng.choice(["上环", "避孕套", "未采取措施"]),
            "issued_by": "刘集镇人民政府",
            "issued_on": self.days_ago(self.rng.randint(60, 200)),
        }

    def floating(self, village: OrgUnit) -> None:
        rng = self.rng
        actor = self.actor_for(village)
        movers = [p for p in self.adults(village, ages=(20, 50)) if p.sex == Person.Sex.MALE][:3]
        movers += self.adults(village, female=True, ages=(20, 35), relations=[ROLE_OF.CHILD])[:1]
        self.out_persons[village] = movers
        for person in movers:
            started_on = self.days_ago(rng.randint(40, 400))
            certificate = None
            if floating.needs_certificate(person, started_on):
                certificate = self.certificate(person)
            floating.floating_record_create(
                actor=actor,
                person=person,
                direction=FloatingRecord.Direction.OUT,
                place=rng.choice(DESTINATIONS),
                started_on=started_on,
                contact_phone=person.phone,
                employer=rng.choice(DESTINATIONS)[:3] + rng.choice(EMPLOYERS),
                certificate=certificate,
            )
            self.made.add("流出记录")
        # Arrivals, women who came to work here, as (days ago, 婚育证明): shown on arrival,
        # shown later, overdue (arrived 45 days ago), not yet due.
        arrivals = [(90, "on_arrival"), (45, None)]
        if village.code == VILLAGE1_UNIT:
            arrivals += [(50, "later"), (12, None)]
        for arrived, presented in arrivals:
            person = self.person(
                village,
                age=rng.randint(22, 40),
                female=True,
                marital_status="married",
                hukou_type=Person.HukouType.NONLOCAL,
                hukou_address=rng.choice(ORIGINS),
                current_address=f"东阿县刘集镇{village.name}租住",
            )
            started_on = self.days_ago(arrived)
            record = floating.floating_record_create(
                actor=actor,
                person=person,
                direction=FloatingRecord.Direction.IN,
                place=person.hukou_address,
                started_on=started_on,
                contact_phone=person.phone,
                employer="刘集镇" + rng.choice(EMPLOYERS),
                certificate=self.certificate(person) if presented == "on_arrival" else None,
            )
            self.made.add("流入记录")
            if presented == "later":
                floating.certificate_present(
                    actor=actor,
                    certificate=record.certificate,
                    presented_on=started_on + datetime.timedelta(days=20),
                    **self.certificate(person),
                )
                self.made.add("婚育证明交验")

    # --- maternal ----------------------------------------------------------------------------------

    def pregnancies(self, village: OrgUnit) -> None:
        actor = self.actor_for(village)
        women = [
            p
            for p in self.adults(village, female=True, ages=(22, 38))
            if p.marital_status == "married" and not p.floating_records.exists()
        ]
        # weeks since LMP; the last two have delivered (postpartum visit due / done).
        stages = [9, 22, 35, 41] if village.code == VILLAGE1_UNIT else [14, 30]
        for weeks, person in zip(stages, women, strict=False):
            lmp = self.days_ago(weeks * 7 + 2)
            pregnancy = maternal.pregnancy_register(
                actor=actor, person=person, lmp=lmp, high_risk=weeks == 35
            )
            self.made.add("孕产期登记")
            for visit in pregnancy.visits.order_by("window_start"):
                if visit.window_end < self.today - datetime.timedelta(days=3):
                    maternal.maternal_visit_complete(
                        actor=actor,
                        visit=visit,
                        done_on=max(visit.window_start, lmp) + datetime.timedelta(days=3),
                        note="按时产检,情况良好。",
                    )
                    self.made.add("孕产期随访")
            if weeks == 35:
                maternal.high_risk_referral(
                    actor=actor, pregnancy=pregnancy, referred_on=self.days_ago(4),
                    note="妊娠期高血压,转县妇幼保健院。",
                )  # fmt: skip
                self.made.add("高危转诊")
            if weeks == 41:
                delivered = self.days_ago(6)
                maternal.pregnancy_record_delivery(
                    actor=actor,
                    pregnancy=pregnancy,
                    delivered_on=delivered,
                    discharged_on=delivered + datetime.timedelta(days=2),
                )
                self.made.add("分娩登记")

    # --- follow-ups --------------------------------------------------------------------------------

    def followups(self, village: OrgUnit) -> None:
        """Quarterly phone follow-ups of the people who left: one due in two days, one overdue,
        one done with the next scheduled; and a monthly home follow-up of an elder."""
        actor = self.actor_for(village)
        plans = [(88, None), (100, None), (120, 28)]
        for person, (started, done_ago) in zip(self.out_persons[village], plans, strict=False):
            plan = followups.followup_plan_create(
                actor=actor,
                person=person,
                kind=FollowUpPlan.Kind.PHONE,
                interval_days=90,
                purpose="电话随访流出人员:了解务工地、婚育和避孕节育情况",
                start_on=self.days_ago(started),
            )
            self.made.add("随访计划")
            if done_ago is not None:
                followups.followup_complete(
                    actor=actor,
                    followup=plan.followups.get(),
                    done_on=self.days_ago(done_ago),
                    outcome="已电话联系本人,在外务工稳定,已婚未孕,避孕措施落实。",
                )
                self.made.add("随访记录")
        elders = self.adults(village, ages=(68, 100))
        if elders:
            followups.followup_plan_create(
                actor=actor,
                person=elders[0],
                kind=FollowUpPlan.Kind.HOME,
                interval_days=30,
                purpose="上门看望留守老人,了解身体和生活情况",
                start_on=self.days_ago(25),
            )
            self.made.add("随访计划")

    # --- care ------------------------------------------------------------------------------------------

    def care(self, village: OrgUnit) -> None:
        actor = self.actor_for(village)
        special = [
            (p, r)
            for p, r, h in self.residents[village]
            if h.special_family and r != ROLE_OF.GRANDCHILD
        ]
        child = next(p for p, r, h in self.residents[village] if r == ROLE_OF.GRANDCHILD)
        for person, _ in special[:1]:
            care.assistance_record(
                actor=actor,
                person=person,
                category="money",
                program="计生特殊家庭扶助",
                content="春节慰问金",
                amount=Decimal("800.00"),
                given_on=self.days_ago(40),
            )
            care.assistance_record(
                actor=actor,
                person=person,
                category="service",
                program="计生助福健康服务包",
                content="家庭医生签约、免费体检一次",
                given_on=self.days_ago(12),
            )
            self.made.add("帮扶记录", 2)
        pairing = care.pairing_create(
            actor=actor,
            person=child,
            volunteer_name=self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_FEMALE),
            volunteer_phone=self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}",
            cadence_days=30,
            started_on=self.days_ago(75),
        )
        self.made.add("志愿结对")
        if village.code == VILLAGE1_UNIT:
            care.pairing_record_visit(
                actor=actor, pairing=pairing, visited_on=self.days_ago(50),
                note="辅导作业,陪孩子过生日。",
            )  # fmt: skip
            self.made.add("结对走访")
        # Home visits to the elders; in 刘集村 one needs help and is referred to 民政.
        for index, person in enumerate(self.adults(village, ages=(68, 100))[:2]):
            visit, _ = care.home_visit_record(
                actor=actor,
                person=person,
                visited_on=self.days_ago(6 + index * 20),
                place=person.current_address,
                outcome=(
                    "老人独居,腿脚不便,生活困难,家中无人照料。"
                    if index == 0 and village.code == VILLAGE1_UNIT
                    else "老人身体尚好,子女每周电话联系。"
                ),
                latitude=Decimal("36.254300") + Decimal(index) / 1000,
                longitude=Decimal("116.243100") + Decimal(index) / 1000,
            )
            self.made.add("入户走访")
            if index == 0 and village.code == VILLAGE1_UNIT:
                care.referral_open(
                    actor=actor,
                    visit=visit,
                    kind="civil",
                    note="独居老人生活困难,建议民政部门评估临时救助。",
                )
                self.made.add("走访转介")

    def families(self) -> None:
        """This year's 文明家庭 campaign of the township: five 刘集村 households nominated by
        `village1`, evaluated and decided by the 计生办, two of them named."""
        if FamilyCampaign.objects.filter(org_unit=self.town, year=self.today.year).exists():
            return
        village = next(v for v in self.villages if v.code == VILLAGE1_UNIT)
        households = list(
            Household.objects.filter(org_unit=village, members__relation=ROLE_OF.HEAD).order_by(
                "id"
            )[: len(FAMILY_NOMINATIONS)]
        )
        campaign = families.family_campaign_create(
            actor=self.office,
            org_unit=self.town,
            year=self.today.year,
            criteria=families.DEFAULT_CRITERIA,
        )
        self.made.add("文明家庭创建活动")
        for household, (deeds, summary, evaluation, decision) in zip(
            households, FAMILY_NOMINATIONS, strict=False
        ):
            nomination = families.family_nominate(
                actor=self.village1,
                campaign=campaign,
                household=household,
                deeds=deeds,
                summary=summary,
            )
            self.made.add("文明家庭推荐")
            if evaluation is None:
                continue
            passed, opinion = evaluation
            families.family_evaluate(
                actor=self.office, nomination=nomination, passed=passed, opinion=opinion
            )
            if decision is None:
                continue
            named, reason = decision
            families.family_decide(
                actor=self.office, nomination=nomination, named=named, reason=reason
            )
            if named:
                self.made.add("文明家庭")

    def campaign(self) -> None:
        """This quarter's 孕环情普查 for the township: about half the targets have come."""
        quarter = (self.today.month - 1) // 3
        start = datetime.date(self.today.year, quarter * 3 + 1, 1)
        end = datetime.date(
            self.today.year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1
        ) - datetime.timedelta(days=1)
        campaign = care.campaign_create(
            actor=self.office,
            org_unit=self.town,
            kind=Campaign.Kind.PREGNANCY_RING,
            start_on=start,
            end_on=end,
        )
        self.made.add("查体活动")
        span = (self.today - start).days
        for index, target in enumerate(campaign.targets.select_related("org_unit")):
            if index % 2:
                continue
            attended = start + datetime.timedelta(days=self.rng.randint(0, span))
            care.campaign_record_attendance(
                actor=self.actor_for(target.org_unit),
                target=target,
                attended_on=attended,
                result=self.rng.choice(["未见异常", "节育环位置正常", "建议复查"]),
            )
            self.made.add("查体到检")

    # --- 健康义诊 ---------------------------------------------------------------------------------

    def clinics(self) -> None:
        """This year's 健康义诊 of the township: one held in 刘集村 and 东村 a week ago (within
        this year) with its inflow women examined, and one planned for the other villages. Built
        last, with its own random stream, so the figures before it stay as they were."""
        rng = random.Random(SEED + 1)
        held_on = max(self.days_ago(7), datetime.date(self.today.year, 1, 1))
        first = [v for v in self.villages if v.code == VILLAGE1_UNIT]
        first += [v for v in self.villages if v.name == "东村"]
        held = clinics.clinic_plan(
            actor=self.office,
            org_unit=self.town,
            held_on=held_on,
            villages=first,
            place="刘集村村委会卫生室",
        )
        clinics.clinic_mark_held(actor=self.office, clinic=held, held_on=held_on)
        self.made.add("健康义诊")
        findings = [
            ("血压、血糖、妇科检查、乳腺检查", "未见异常", "", True),
            (
                "血压、妇科检查、乳腺检查",
                "血压 142/90,偏高;妇科检查未见异常",
                "低盐饮食,一月后复测血压",
                True,
            ),
            ("血压、血常规、妇科B超", "轻度贫血(血红蛋白 105 g/L)", "转镇卫生院门诊复查", True),
            ("血压、血糖", "空腹血糖 6.5 mmol/L,偏高", "转县人民医院内分泌科进一步检查", False),
            ("血压、妇科检查", "宫颈轻度炎症", "镇卫生院妇科门诊随诊", True),
        ]
        arrivals = clinics.arrivals_on(self.town, held_on).filter(org_unit__in=first)
        for record, (items, result, advice, women) in zip(
            arrivals.select_related("person").order_by("org_unit__code", "started_on", "id"),
            findings,
            strict=False,
        ):
            clinics.clinic_attendance_record(
                actor=self.actor_for(record.org_unit),
                clinic=held,
                record=record,
                items=items,
                result=result,
                advice=advice,
                women_check=women and record.person.sex == Person.Sex.FEMALE,
            )
            self.made.add("义诊参诊")
        rest = [v for v in self.villages if v not in first]
        # Later this year: in 20 to 40 days, or the year's last day when that is sooner.
        planned_on = self.today + datetime.timedelta(days=rng.randint(20, 40))
        planned_on = min(planned_on, datetime.date(self.today.year, 12, 31))
        clinics.clinic_plan(
            actor=self.office,
            org_unit=self.town,
            held_on=planned_on,
            villages=rest,
            place=f"{rest[0].name}村委会大院",
        )
        self.made.add("健康义诊")
