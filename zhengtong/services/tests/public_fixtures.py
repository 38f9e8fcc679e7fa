"""A service hall for the public-page, report and API tests: 刘集镇 with an A/B post, a second
township with its own clerk, one item with conditional materials, and cases made with the ORM."""

import datetime
import itertools
from zoneinfo import ZoneInfo

from stdnum.cn import ric

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.people.models import Person
from zhengtong.services.models import Application, Material, Post, ServiceItem
from zhengtong.test import BaseTestCase, make_unit, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    """An aware datetime in Asia/Shanghai."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def valid_id_number(birth: str = "19920315", seq: int = 123) -> str:
    body = f"371524{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


class HallTestCase(BaseTestCase):
    """Adds clerk_a and clerk_b (A/B of 3号窗口 at 刘集镇), town_leader (区领导 role at 刘集镇),
    other_clerk (窗口人员 of 顾官屯镇), and the item T-SYZ with three materials."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_town = make_unit("顾官屯镇", "GUGUAN", OrgUnit.Kind.TOWN, cls.county)
        cls.clerk_a = make_user(
            "clerk_a",
            full_name="张敏",
            staff_no="LJ-003",
            post="计生服务",
            memberships=[(Role.WINDOW_CLERK, cls.town)],
        )
        cls.clerk_b = make_user(
            "clerk_b",
            full_name="李强",
            staff_no="LJ-004",
            post="计生服务",
            memberships=[(Role.WINDOW_CLERK, cls.town)],
        )
        cls.town_leader = make_user(
            "town_leader", full_name="刘镇长", memberships=[(Role.LEADER, cls.town)]
        )
        cls.other_clerk = make_user(
            "other_clerk",
            full_name="顾窗口",
            memberships=[(Role.WINDOW_CLERK, cls.other_town)],
        )
        cls.post = Post.objects.create(
            org_unit=cls.town,
            name="计生服务岗",
            window="3号窗口",
            a_user=cls.clerk_a,
            b_user=cls.clerk_b,
        )
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
        number = next(_serial)
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


def make_person(name, org_unit, *, phone="", seq=1, birth="19920315") -> Person:
    number = valid_id_number(birth, seq)
    return Person.objects.create(
        id_number=number,
        name=name,
        sex="M" if seq % 2 else "F",
        birth_date=datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
        phone=phone,
        org_unit=org_unit,
    )
