"""People and village workers the follow-up, maternal, contraception, inbox and working-list tests
build on. No tests here.

Workers: east_worker (村专干 of 东村, BaseTestCase's outsider), west_worker (村专干 of 西村),
town_worker (计生办: 村专干 role at 刘集镇, so all its villages). Women: east_woman (东村, born
1990-05-01) and west_woman (西村).
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.people.models import Person
from zhengtong.test import BaseTestCase, make_id_number, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
DEFAULT_BIRTH = D(1990, 5, 1)


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


def make_person(
    name: str,
    org_unit,
    *,
    seq: int,
    female: bool = True,
    birth: datetime.date = DEFAULT_BIRTH,
    phone: str = "",
) -> Person:
    return Person.objects.create(
        id_number=make_id_number(birth, female=female, seq=seq),
        name=name,
        sex=Person.Sex.FEMALE if female else Person.Sex.MALE,
        birth_date=birth,
        org_unit=org_unit,
        phone=phone,
    )


class FollowupTestCase(BaseTestCase):
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

    def denied_events(self, user) -> int:
        return Event.objects.filter(
            actor=user, action="person_access_denied", kind=Event.Kind.DENIED
        ).count()

    def queries_of(self, url: str) -> int:
        """How many queries one GET of `url` runs (after a warm-up request)."""
        self.assertEqual(self.client.get(url).status_code, 200)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)
