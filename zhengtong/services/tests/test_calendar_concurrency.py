"""A case taken in while the administrator confirms next year's notice is never left 暂定."""

import datetime
import threading
import time
from unittest import skipUnless

import time_machine
from django.db import connection, transaction
from django.test import TransactionTestCase

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.services.actions.intake import application_intake
from zhengtong.services.models import Application, Material, ServiceItem
from zhengtong.test import make_id_number, make_unit, make_user
from zhengtong.workdays.actions import (
    calendar_year_confirm,
    calendar_year_load,
    deadlines_recompute,
)
from zhengtong.workdays.models import CalendarYear, Holiday
from zhengtong.workdays.notice import parse_notice
from zhengtong.workdays.tests.notices import N2027_TEST


@skipUnless(
    connection.vendor == "postgresql",
    "needs concurrent transactions; SQLite serialises all writes, so the race cannot happen there",
)
class ConfirmWhileTakingInTestCase(TransactionTestCase):
    def setUp(self) -> None:
        # A TransactionTestCase starts from an empty database: 2026 comes from the package.
        calendar_year_load(year=2026)
        county = make_unit("东阿县", "371524", OrgUnit.Kind.COUNTY)
        town = make_unit("刘集镇", "LIUJI", OrgUnit.Kind.TOWN, county)
        self.clerk = make_user("clerk_x", memberships=[(Role.WINDOW_CLERK, town)])
        self.admin = make_user("admin_x", is_superuser=True, is_staff=True)
        item = ServiceItem.objects.create(
            code="T20C",
            name="二十日事项",
            department="刘集镇",
            legal_basis="测试",
            procedure=["申请"],
            promised_workdays=20,
        )
        Material.objects.create(item=item, code="id", name="身份证")

    def run_against(self, change) -> Application:
        """A clerk takes a case in (uncommitted for a second) while `change` runs."""
        taken_in = threading.Event()
        errors: list = []

        def clerk() -> None:
            try:
                with time_machine.travel("2026-12-04 09:00 +0800", tick=True):
                    with transaction.atomic():
                        application_intake(
                            actor=self.clerk,
                            item_code="T20C",
                            applicant={
                                "name": "申请人",
                                "id_number": make_id_number(
                                    datetime.date(1990, 1, 2), female=True, seq=7
                                ),
                                "phone": "13805351234",
                            },
                            materials=["id"],
                        )
                        taken_in.set()
                        time.sleep(1.0)  # still uncommitted while the notice is confirmed
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        def administrator() -> None:
            try:
                taken_in.wait(timeout=10)
                change()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=clerk), threading.Thread(target=administrator)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        self.assertEqual(errors, [])
        return Application.objects.get()

    def test_the_confirmation_waits_for_the_case_and_recomputes_it(self) -> None:
        case = self.run_against(
            lambda: calendar_year_confirm(parsed=parse_notice(N2027_TEST), actor=self.admin)
        )
        self.assertEqual(case.due_on, datetime.date(2027, 1, 4))
        self.assertFalse(case.due_provisional)

    def test_the_calendar_lock_alone_orders_a_change_after_the_case(self) -> None:
        """Without any audit record before the recomputation (whose own lock would also order
        the two), the calendar's lock still makes the change wait for the case."""

        def change() -> None:
            with transaction.atomic():
                CalendarYear.objects.create(year=2027)
                Holiday.objects.create(date=datetime.date(2027, 1, 4), name="测试")
                deadlines_recompute(years=[2027], actor=None)

        case = self.run_against(change)
        # Official 2027 with one row: 1 January is an ordinary Friday there.
        self.assertEqual(case.due_on, datetime.date(2027, 1, 1))
        self.assertFalse(case.due_provisional)
