"""Due dates that waited for a year's holiday data are filled in as soon as the year arrives,
whether an administrator adds the year in the admin or the load_holidays command loads it."""

import datetime
import io
from pathlib import Path
from unittest import mock

import time_machine
from django.core.management import call_command

from zhengtong.audit.models import Event
from zhengtong.services.models import Application, ServiceItem
from zhengtong.workdays.models import CalendarYear
from zhengtong.workdays.seed import package_days, package_years
from zhengtong.workdays.signals import holidays_loaded

from .fixtures import CaseTestCase

D = datetime.date


def with_2027(days_2027):
    """chinesecalendar as it will be once it ships 2027: same data, plus `days_2027`."""
    years = mock.patch(
        "zhengtong.workdays.actions.package_years", return_value=[*package_years(), 2027]
    )
    days = mock.patch(
        "zhengtong.workdays.actions.package_days",
        side_effect=lambda year: days_2027 if year == 2027 else package_days(year),
    )
    return years, days


class HolidaysLoadedTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        ten = ServiceItem.objects.create(
            code="TEN",
            name="十日事项",
            department="刘集镇",
            legal_basis="测试",
            procedure=["申请", "办结"],
            promised_workdays=10,
        )
        ten.materials.create(code="id", name="身份证")

    def setUp(self) -> None:
        super().setUp()
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())
        # Accepted 2026-12-20: the 10th working day falls in 2027, which has no data yet.
        with time_machine.travel("2026-12-20 09:00 +0800", tick=False):
            self.case = self.intake(item_code="TEN", materials=["id"])
        self.assertEqual(self.case.status, Application.Status.ACCEPTED)
        self.assertIsNone(self.case.due_on)
        self.assertEqual(self.case.calendar_missing_year, 2027)

    def due_computed(self) -> list[Event]:
        return list(Event.objects.filter(action="application_due_computed"))

    def test_the_load_holidays_command_fills_the_due_date(self) -> None:
        """Nine working days in 2026, then 2027-01-01 is 元旦: due Monday 2027-01-04."""
        years, days = with_2027([(D(2027, 1, 1), False, "元旦")])
        with years, days:
            call_command("load_holidays", "--year", "2027", stdout=io.StringIO())
        self.case.refresh_from_db()
        self.assertEqual(self.case.due_on, D(2027, 1, 4))
        self.assertIsNone(self.case.calendar_missing_year)
        [event] = self.due_computed()
        self.assertIsNone(event.actor)
        self.assertEqual(event.target_id, str(self.case.pk))
        self.assertEqual(event.changes["due_on"], [None, "2027-01-04"])

    def test_adding_the_year_in_the_admin_fills_the_due_date(self) -> None:
        """A year added by hand with no holidays yet: 2027-01-01 is an ordinary Friday."""
        self.client.force_login(self.admin)
        response = self.client.post(
            "/admin/workdays/calendaryear/add/", {"year": "2027", "note": "国务院办公厅通知"}
        )
        self.assertEqual(response.status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual(self.case.due_on, D(2027, 1, 1))
        self.assertIsNone(self.case.calendar_missing_year)
        [event] = self.due_computed()
        self.assertEqual(event.actor, self.admin)

    def test_the_signal_fills_due_dates_for_whoever_sends_it(self) -> None:
        CalendarYear.objects.create(year=2027, note="测试")
        holidays_loaded.send(sender=CalendarYear, years=[2027], actor=self.clerk_a)
        self.case.refresh_from_db()
        self.assertEqual(self.case.due_on, D(2027, 1, 1))
        self.assertEqual([e.actor for e in self.due_computed()], [self.clerk_a])

    def test_loading_another_year_leaves_the_case_waiting(self) -> None:
        call_command("load_holidays", "--year", "2026", stdout=io.StringIO())
        self.client.force_login(self.admin)
        self.client.post("/admin/workdays/calendaryear/add/", {"year": "2030", "note": ""})
        self.case.refresh_from_db()
        self.assertIsNone(self.case.due_on)
        self.assertEqual(self.case.calendar_missing_year, 2027)
        self.assertEqual(self.due_computed(), [])

    def test_the_command_announces_exactly_the_years_it_loaded(self) -> None:
        received = []

        def listen(sender, **kwargs):
            received.append((sender, kwargs["years"], kwargs["actor"]))

        holidays_loaded.connect(listen)
        self.addCleanup(holidays_loaded.disconnect, listen)
        call_command("load_holidays", "--year", "2025", "--year", "2026", stdout=io.StringIO())
        self.assertEqual(received, [(CalendarYear, [2025, 2026], None)])


class CalendarLayerTestCase(CaseTestCase):
    def test_the_workdays_app_never_imports_the_service_hall(self) -> None:
        """The calendar is the lower layer: it announces new data with a signal instead."""
        root = Path(__file__).resolve().parents[2] / "workdays"
        offenders = [
            str(path.relative_to(root))
            for path in root.rglob("*.py")
            if "zhengtong.services" in path.read_text(encoding="utf-8")
            or "from ..services" in path.read_text(encoding="utf-8")
        ]
        self.assertEqual(offenders, [])
