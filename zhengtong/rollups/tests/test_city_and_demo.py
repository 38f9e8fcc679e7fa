"""On the demo and on a generated city (scale 0.01, made once for the class, about 30 s on
SQLite), every figure read from the summary tables equals a recount from the records."""

import datetime

import time_machine
from django.core.management import call_command
from django.test import TestCase

from zhengtong.accounts.models import OrgUnit
from zhengtong.demo.testing import seed_demo
from zhengtong.lib import periods

from .checks import disclosure_mismatches, mismatches, ranking_mismatches

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def some_periods(today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    year = datetime.date(today.year, 1, 1)
    month = today.replace(day=1)
    return [
        (year, datetime.date(today.year, 12, 31)),
        (year, today),
        (month, today),
        (year.replace(year=today.year - 1), datetime.date(today.year - 1, 12, 31)),
        (today - datetime.timedelta(days=45), today - datetime.timedelta(days=3)),
    ]


def unit_paths() -> list[str]:
    kinds = [OrgUnit.Kind.CITY, OrgUnit.Kind.COUNTY, OrgUnit.Kind.TOWN]
    paths = list(OrgUnit.objects.filter(kind__in=kinds).values_list("path", flat=True)[:12])
    return paths + list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE).values_list("path", flat=True)[:3]
    )


class DemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo(at=NOW)

    @time_machine.travel(NOW, tick=False)
    def test_every_figure_equals_a_recount(self) -> None:
        self.assertEqual(mismatches(unit_paths(), some_periods(NOW.date())), [])
        halls = [None, *OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWN)]
        self.assertEqual(disclosure_mismatches(halls, NOW.date().replace(day=1)), [])
        months = [datetime.date(2026, m, 1) for m in (9, 10, 11, 12)]
        self.assertEqual(ranking_mismatches(halls[1:], months), [])


class CityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("generate_city", scale=0.01, stdout=open("/dev/null", "w"))

    def test_every_figure_equals_a_recount(self) -> None:
        today = periods.today()
        self.assertEqual(mismatches(unit_paths(), some_periods(today)), [])
        halls = [None, *OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWN)[:5]]
        self.assertEqual(disclosure_mismatches(halls, today.replace(day=1)), [])
        month = today.replace(day=1)
        months = [month, (month - datetime.timedelta(days=1)).replace(day=1)]
        self.assertEqual(ranking_mismatches(halls[1:], months), [])
