"""A 刘集镇 hall for service tests: clerks A and B on one post, a third clerk, a second
township with its own clerk, a test item with two materials and a 5-working-day limit."""

import datetime

from django.utils import timezone
from stdnum.cn import ric

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.audit.models import Event
from zhengtong.services.actions import application_intake
from zhengtong.services.models import Application, Material, Post, ServiceItem
from zhengtong.test import BaseTestCase, make_unit, make_user

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def make_id(birth: str = "19950312", serial: str = "002") -> str:
    """A valid 18-character ID number of 东阿县 with the given birth date and serial."""
    body = f"371524{birth}{serial}"
    return body + ric.calc_check_digit(body + "0")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


class HallTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.clerk_a = make_user(
            "clerk_a", full_name="张丽", memberships=[(Role.WINDOW_CLERK, cls.town)]
        )
        cls.clerk_b = make_user(
            "clerk_b", full_name="李敏", memberships=[(Role.WINDOW_CLERK, cls.town)]
        )
        cls.clerk_c = make_user(
            "clerk_c", full_name="王芳", memberships=[(Role.WINDOW_CLERK, cls.town)]
        )
        cls.other_town = make_unit("姚寨镇", "YAOZHAI", OrgUnit.Kind.TOWN, cls.county)
        cls.other_clerk = make_user(
            "yz_clerk", full_name="赵强", memberships=[(Role.WINDOW_CLERK, cls.other_town)]
        )
        cls.post = Post.objects.create(
            org_unit=cls.town,
            name="计生服务",
            window="3号窗口",
            a_user=cls.clerk_a,
            b_user=cls.clerk_b,
        )
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
        cls.applicant = {"name": "刘芳", "id_number": make_id(), "phone": "13805351234"}

    def intake(self, materials=("id", "hukou"), *, actor=None, received_at=None, **kwargs):
        return application_intake(
            actor=actor or self.clerk_a,
            item_code=kwargs.pop("item_code", "TEST5"),
            applicant=kwargs.pop("applicant", self.applicant),
            materials=list(materials),
            received_at=received_at,
            **kwargs,
        )

    def case_events(self, application: Application) -> list[str]:
        return list(
            Event.objects.filter(target_type="services.application", target_id=str(application.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )

    @staticmethod
    def today() -> datetime.date:
        return timezone.localdate()
