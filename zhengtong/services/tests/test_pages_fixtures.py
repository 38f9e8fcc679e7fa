"""The hall every page test uses: 刘集镇 with an A/B post, two items with conditional materials,
and a clerk of another township. No tests here; the page tests subclass `HallTestCase`."""

import datetime

from django.utils import timezone
from stdnum.cn import ric

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.people.models import Person
from zhengtong.services.models import Application, Material, Post, ServiceItem
from zhengtong.test import BaseTestCase, make_unit, make_user


def id_number(serial: int, birth: str = "19900101", area: str = "371524") -> str:
    """A valid 18-character ID number (correct check digit) for test person `serial`."""
    body = f"{area}{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def bad_checksum(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


class HallTestCase(BaseTestCase):
    """clerk_a (A) and clerk_b (B) at 3号窗口 of 刘集镇; clerk_c another window clerk there;
    far_clerk a window clerk of 姜楼镇 (no sight of 刘集镇)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.far_town = make_unit("姜楼镇", "JIANGLOU", OrgUnit.Kind.TOWN, cls.county)
        clerk = Role.WINDOW_CLERK
        cls.clerk_a = make_user(
            "clerk_a",
            full_name="张红",
            phone="13800001111",
            staff_no="LJ001",
            post="计生服务岗",
            memberships=[(clerk, cls.town)],
        )
        cls.clerk_b = make_user(
            "clerk_b", full_name="李明", staff_no="LJ002", memberships=[(clerk, cls.town)]
        )
        cls.clerk_c = make_user(
            "clerk_c", full_name="王芳", staff_no="LJ003", memberships=[(clerk, cls.town)]
        )
        cls.far_clerk = make_user(
            "far_clerk", full_name="赵远", memberships=[(clerk, cls.far_town)]
        )
        cls.post = Post.objects.create(
            org_unit=cls.town,
            name="计生服务",
            window="3号窗口",
            a_user=cls.clerk_a,
            b_user=cls.clerk_b,
        )
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
        """A case written with the ORM (fast); flows through actions are tested separately."""
        person, _ = Person.objects.get_or_create(
            id_number=id_number(serial),
            defaults={
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
