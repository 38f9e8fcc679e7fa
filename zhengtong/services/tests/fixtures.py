"""The 刘集镇 service hall every service test builds on, and three catalogs on top of it.

`HallTestCase` adds to the BaseTestCase people: clerk_a (张敏, A) and clerk_b (李强, B) of the
post 计生服务岗 at 3号窗口 of 刘集镇; clerk_c (王芳), another window clerk there; town_leader
(区领导 role at 刘集镇, no window role); other_clerk (顾窗口), the window clerk of another
township, 顾官屯镇 (other_town), with no sight of 刘集镇.

The subclasses add the items their tests are written against:
- `CaseTestCase` (actions): item TEST5 "测试证明" with materials id, hukou and a conditional
  marriage certificate, 5 working days; `intake()` runs the real intake action.
- `PageTestCase` (staff pages and documents): TEST-SYDJ 生育登记 with four conditional
  materials and TEST-LDHY 流动人口婚育证明; `make_case(serial=...)` writes a case with the ORM.
- `PublicTestCase` (public pages, reports, API): T-SYZ 测试生育服务证 with three materials and
  the applicant 张三丰; `make_case(**fields)` writes a case with the ORM.

No tests here.
"""

import datetime
import itertools
from zoneinfo import ZoneInfo

from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.audit.models import Event
from zhengtong.lib.encrypted import index_lookup
from zhengtong.people.models import Person
from zhengtong.services.actions.intake import application_intake
from zhengtong.services.models import Application, Material, Post, ServiceItem
from zhengtong.test import BaseTestCase, make_id_number, make_unit, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
_receipt_serial = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware datetime in Asia/Shanghai."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def bad_checksum(number: str) -> str:
    """The ID number with its check digit changed, so only the checksum is wrong."""
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def make_person(
    name: str,
    org_unit,
    *,
    phone: str = "",
    seq: int = 1,
    female: bool = False,
    birth: datetime.date = datetime.date(1992, 3, 15),
) -> Person:
    """A registered person written with the ORM, with a valid ID number."""
    return Person.objects.create(
        id_number=make_id_number(birth, female=female, seq=seq),
        name=name,
        sex=Person.Sex.FEMALE if female else Person.Sex.MALE,
        birth_date=birth,
        phone=phone,
        org_unit=org_unit,
    )


class HallTestCase(BaseTestCase):
    """The people and the A/B post of the 刘集镇 hall, and a clerk of another township."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        clerk = Role.WINDOW_CLERK
        cls.other_town = make_unit("顾官屯镇", "GUGUAN", OrgUnit.Kind.TOWN, cls.county)
        cls.clerk_a = make_user(
            "clerk_a",
            full_name="张敏",
            phone="13800001111",
            staff_no="LJ-003",
            post="计生服务岗",
            memberships=[(clerk, cls.town)],
        )
        cls.clerk_b = make_user(
            "clerk_b",
            full_name="李强",
            staff_no="LJ-004",
            post="计生服务岗",
            memberships=[(clerk, cls.town)],
        )
        cls.clerk_c = make_user(
            "clerk_c", full_name="王芳", staff_no="LJ-005", memberships=[(clerk, cls.town)]
        )
        cls.town_leader = make_user(
            "town_leader", full_name="刘镇长", memberships=[(Role.LEADER, cls.town)]
        )
        cls.other_clerk = make_user(
            "other_clerk", full_name="顾窗口", memberships=[(clerk, cls.other_town)]
        )
        cls.post = Post.objects.create(
            org_unit=cls.town,
            name="计生服务岗",
            window="3号窗口",
            a_user=cls.clerk_a,
            b_user=cls.clerk_b,
        )

    def case_events(self, application: Application) -> list[str]:
        """The actions of the case's audit events, oldest first."""
        return list(
            Event.objects.filter(target_type="services.application", target_id=str(application.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )


class CaseTestCase(HallTestCase):
    """Item TEST5 测试证明 (5 working days; id, hukou, and marriage when married) and the
    applicant 刘芳; `intake()` takes a case in through the action."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.item = ServiceItem.objects.create(
            code="TEST5",
            name="测试证明",
            department="刘集镇计生办",
            legal_basis="测试依据",
            procedure=["申请", "受理", "办结"],
            promised_workdays=5,
            window="3号窗口",
            certificate_name="测试证明",
            certificate_prefix="CS",
        )
        cls.id_card = Material.objects.create(item=cls.item, code="id", name="身份证", sort_order=1)
        cls.hukou = Material.objects.create(
            item=cls.item, code="hukou", name="户口簿", sort_order=2
        )
        cls.marriage = Material.objects.create(
            item=cls.item,
            code="marriage",
            name="结婚证",
            sort_order=3,
            condition={"marital_status": ["married", "remarried"]},
        )
        cls.applicant = {
            "name": "刘芳",
            "id_number": make_id_number(datetime.date(1995, 3, 12), female=True),
            "phone": "13805351234",
        }

    def intake(self, materials=("id", "hukou"), *, actor=None, received_at=None, **kwargs):
        return application_intake(
            actor=actor or self.clerk_a,
            item_code=kwargs.pop("item_code", "TEST5"),
            applicant=kwargs.pop("applicant", self.applicant),
            materials=list(materials),
            received_at=received_at,
            situation=kwargs.pop("situation", {"marital_status": "single"}),
            **kwargs,
        )


class PageTestCase(HallTestCase):
    """Items TEST-SYDJ 生育登记 (3号窗口, 5 working days) and TEST-LDHY 流动人口婚育证明
    (2号窗口, 3 working days)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.birth = ServiceItem.objects.create(
            code="TEST-SYDJ",
            name="生育登记",
            department="刘集镇计划生育办公室",
            legal_basis="《山东省人口与计划生育条例》",
            eligibility="依法登记结婚的夫妻生育子女的,可办理生育登记。",
            procedure=["申请人提交材料", "窗口审核", "登记并发放生育登记服务卡"],
            promised_workdays=5,
            fee="不收费",
            window="3号窗口",
            certificate_name="生育服务证",
            certificate_prefix="SY",
            notes="可由夫妻一方办理。",
        )
        cls.m_id = Material.objects.create(
            item=cls.birth, code="id_card", name="夫妻双方居民身份证", sort_order=1
        )
        cls.m_marriage = Material.objects.create(
            item=cls.birth,
            code="marriage",
            name="结婚证",
            sort_order=2,
            condition={"marital_status": ["married", "remarried"]},
        )
        cls.m_hukou = Material.objects.create(
            item=cls.birth,
            code="hukou_book",
            name="户口簿",
            sort_order=3,
            condition={"hukou": "local"},
        )
        cls.m_permit = Material.objects.create(
            item=cls.birth,
            code="residence_permit",
            name="居住证",
            sort_order=4,
            condition={"hukou": "floating"},
        )
        cls.proof = ServiceItem.objects.create(
            code="TEST-LDHY",
            name="流动人口婚育证明",
            department="刘集镇计划生育办公室",
            legal_basis="《流动人口计划生育工作条例》",
            procedure=["提交材料", "审核", "出具证明"],
            promised_workdays=3,
            window="2号窗口",
        )
        cls.m_photo = Material.objects.create(
            item=cls.proof, code="photo", name="近期一寸免冠照片", sort_order=1
        )

    def make_case(
        self,
        *,
        serial: int = 1,
        status=Application.Status.ACCEPTED,
        handler=None,
        item=None,
        due_on=None,
        accepted_on=None,
        org_unit=None,
        **extra,
    ) -> Application:
        """A case written with the ORM (fast); flows through actions are tested separately.

        The applicant is 申请人<serial>, born 1990-01-01, ID number of seq `serial`.
        """
        number = make_id_number(datetime.date(1990, 1, 1), female=False, seq=serial)
        person, _ = Person.objects.get_or_create(
            **index_lookup(Person, "id_number", number),
            defaults={
                "id_number": number,
                "name": f"申请人{serial}",
                "sex": "M",
                "birth_date": datetime.date(1990, 1, 1),
            },
        )
        handler = handler or self.clerk_a
        today = timezone.localdate()
        return Application.objects.create(
            receipt_no=f"LIUJI{today:%Y%m%d}{serial:04d}",
            item=item or self.birth,
            org_unit=org_unit or self.town,
            applicant=person,
            applicant_phone="13912345678",
            situation={"hukou": "local", "marital_status": "married"},
            status=status,
            first_responder=extra.pop("first_responder", handler),
            handler=handler,
            received_at=timezone.now(),
            accepted_on=accepted_on,
            due_on=due_on,
            **extra,
        )


class PublicTestCase(HallTestCase):
    """Item T-SYZ 测试生育服务证 (ID always; MARRIAGE when married; FLOAT for a floating
    second or third child) and the applicant 张三丰 of 东村 (phone 13812345678)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.item = ServiceItem.objects.create(
            code="T-SYZ",
            name="测试生育服务证",
            department="刘集镇计生办",
            legal_basis="《山东省人口与计划生育条例》第二十条",
            procedure=["窗口受理", "审核", "发证"],
            promised_workdays=5,
            legal_workdays=20,
            fee="不收费",
            window="3号窗口",
            certificate_name="生育服务证",
            certificate_prefix="TSYZ",
            sort_order=900,
        )
        cls.id_card = Material.objects.create(
            item=cls.item, code="ID", name="夫妻双方身份证", sort_order=1
        )
        cls.marriage = Material.objects.create(
            item=cls.item,
            code="MARRIAGE",
            name="结婚证",
            condition={"marital_status": ["married", "remarried"]},
            sort_order=2,
        )
        cls.floating = Material.objects.create(
            item=cls.item,
            code="FLOAT",
            name="婚育证明",
            condition={"hukou": "floating", "child_order": [2, 3]},
            sort_order=3,
        )
        cls.person = make_person("张三丰", cls.east_village, phone="13812345678", seq=11)

    @classmethod
    def make_case(cls, **fields) -> Application:
        """An accepted T-SYZ case of 张三丰 handled by clerk_a (received 2026-11-02, due
        2026-11-09) written with the ORM; `fields` override any of it."""
        number = next(_receipt_serial)
        defaults = {
            "receipt_no": f"LIUJI2026{number:06d}",
            "item": cls.item,
            "org_unit": cls.town,
            "applicant": cls.person,
            "applicant_phone": "13812345678",
            "status": Application.Status.ACCEPTED,
            "first_responder": cls.clerk_a,
            "handler": cls.clerk_a,
            "received_at": at(2026, 11, 2),
            "accepted_on": datetime.date(2026, 11, 2),
            "due_on": datetime.date(2026, 11, 9),
        }
        defaults.update(fields)
        return Application.objects.create(**defaults)
