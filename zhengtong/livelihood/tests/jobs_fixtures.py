"""Shared set-up of the jobs ledgers' tests: a 民政局 clerk beside the 社会事业局 clerk, and
helpers that make people and rows through the real actions."""

import datetime

import time_machine

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.lib.idcard import make_id_number
from zhengtong.test import BaseTestCase, make_unit, make_user

D = datetime.date
TODAY = "2026-06-15 10:00 +0800"


BORN = D(1990, 5, 1)


def id_for(seq: int, *, born=BORN, female=False) -> str:
    return make_id_number(born, female=female, seq=seq)


class JobsTestCase(BaseTestCase):
    """BaseTestCase plus civil (部门经办 of 民政局), the department that keeps welfare only.

    The clock stands at 2026-06-15 for every test."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.civil = make_unit("民政局", "ZONE-MZJ", OrgUnit.Kind.DEPARTMENT, cls.zone)
        cls.civil_clerk = make_user(
            "civil_clerk", full_name="陈民政", memberships=[(Role.DEPT_CLERK, cls.civil)]
        )

    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(TODAY, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def assert_fixed_queries(self, url: str, grow, *, contains: tuple[str, str] = ("", "")):
        """The page runs as many queries after `grow()` adds rows as before it."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as before:
            r = self.client.get(url)
        self.assertEqual(r.status_code, 200)
        if contains[0]:
            self.assertContains(r, contains[0])
        grow()
        with self.assertNumQueries(len(before.captured_queries)):
            r = self.client.get(url)
        if contains[1]:
            self.assertContains(r, contains[1])
        return r
