"""People and village workers the care tests (campaigns, visits, referrals, 计生助福, pairings)
build on. No tests here.

Workers: east_worker (村专干 of 东村, BaseTestCase's outsider), west_worker (村专干 of 西村),
town_worker (计生办, 村专干 role at 刘集镇: all its villages). 2026-06-15 is a Monday.
"""

import datetime
import io
from zoneinfo import ZoneInfo

from PIL import Image

from zhengtong.accounts.models import Role
from zhengtong.people.models import Person
from zhengtong.test import BaseTestCase, make_id_number, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


def make_person(
    name: str,
    org_unit,
    *,
    seq: int,
    female: bool = True,
    birth: datetime.date = datetime.date(1990, 5, 1),
    hukou_type: str = Person.HukouType.LOCAL,
    phone: str = "",
) -> Person:
    return Person.objects.create(
        id_number=make_id_number(birth, female=female, seq=seq),
        name=name,
        sex=Person.Sex.FEMALE if female else Person.Sex.MALE,
        birth_date=birth,
        org_unit=org_unit,
        hukou_type=hukou_type,
        phone=phone,
    )


def image_bytes(fmt: str = "PNG", color=(200, 30, 30), size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


class CareTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.east_worker = cls.outsider
        cls.west_worker = make_user(
            "west_worker", full_name="陈专干", memberships=[(Role.VILLAGE_WORKER, cls.west_village)]
        )
        cls.town_worker = make_user(
            "town_worker", full_name="刘计生", memberships=[(Role.VILLAGE_WORKER, cls.town)]
        )
        cls.east_woman = make_person("张丽", cls.east_village, seq=1, phone="13700001111")
        cls.west_woman = make_person("李娟", cls.west_village, seq=2, phone="13700002222")

    def queries_of(self, url: str) -> int:
        """How many queries one GET of `url` runs (after a warm-up request)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.assertEqual(self.client.get(url).status_code, 200)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)
