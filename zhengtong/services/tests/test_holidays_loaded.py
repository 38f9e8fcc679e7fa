"""Due dates computed on a provisional year become official, and move, as soon as the year's
arrangement arrives: from the notice, the load_holidays command or an admin edit of a day."""

import datetime
import io
from pathlib import Path
from unittest import mock

import time_machine
from django.core.management import call_command

from zhengtong.audit.models import Event
from zhengtong.services.models import Application, ServiceItem
from zhengtong.workdays.actions import calendar_year_confirm
from zhengtong.workdays.models import CalendarYear, DeadlineMove, Holiday
from zhengtong.workdays.notice import parse_notice
from zhengtong.workdays.seed import package_days, package_years
from zhengtong.workdays.signals import holidays_loaded
from zhengtong.workdays.tests.notices import N2027_TEST

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
        # Accepted Sunday 2026-12-20: nine working days in 2026, 2027-01-01 is 元旦 by the
        # statutory rule, so the 10th is Monday 2027-01-04, provisional.
        with time_machine.travel("2026-12-20 09:00 +0800", tick=False):
            self.case = self.intake(item_code="TEN", materials=["id"])
        self.assertEqual(self.case.status, Application.Status.ACCEPTED)
        self.assertEqual(self.case.due_on, D(2027, 1, 4))
        self.assertTrue(self.case.due_provisional)

    def recomputed(self) -> list[Event]:
        return list(Event.objects.filter(action="due_date_recomputed", target_id=self.case.pk))

    def test_the_load_holidays_command_makes_the_due_date_official(self) -> None:
        years, days = with_2027([(D(2027, 1, 1), False, "元旦")])
        with years, days:
            call_command("load_holidays", "--year", "2027", stdout=io.StringIO())
        self.case.refresh_from_db()
        self.assertEqual(self.case.due_on, D(2027, 1, 4))
        self.assertFalse(self.case.due_provisional)
        [event] = self.recomputed()
        self.assertIsNone(event.actor)
        self.assertEqual(event.changes["due_on"], ["2027-01-04", "2027-01-04"])
        self.assertEqual(event.changes["due_provisional"], [True, False])

    def test_a_notice_that_adds_days_off_moves_the_due_date_later(self) -> None:
        """元旦 1 to 4 January in a notice: the 10th working day becomes Tuesday the 5th."""
        text = "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦:1月1日至4日放假调休,共4天。"
        result = calendar_year_confirm(parsed=parse_notice(text), actor=self.admin)
        self.case.refresh_from_db()
        self.assertEqual((self.case.due_on, self.case.due_provisional), (D(2027, 1, 5), False))
        self.assertEqual([r.target.pk for r in result.moved], [self.case.pk])
        [event] = self.recomputed()
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(event.changes["due_on"], ["2027-01-04", "2027-01-05"])
        self.assertFalse(DeadlineMove.objects.exists())

    def test_a_due_date_moved_earlier_is_flagged_to_its_handler(self) -> None:
        """A Saturday worked (1月2日上班): the 10th working day is that Saturday."""
        text = (
            "国务院办公厅关于2027年部分节假日安排的通知\n"
            "一、元旦:1月1日(周五)放假1天。1月2日(周六)上班。"
        )
        calendar_year_confirm(parsed=parse_notice(text), actor=self.admin)
        self.case.refresh_from_db()
        self.assertEqual(self.case.due_on, D(2027, 1, 2))
        [move] = DeadlineMove.objects.all()
        self.assertEqual(move.owner, self.case.handler)
        self.assertEqual((move.old_on, move.new_on), (D(2027, 1, 4), D(2027, 1, 2)))
        with time_machine.travel("2026-12-28 09:00 +0800", tick=False):
            self.client.force_login(self.case.handler)
            response = self.client.get("/")
        self.assertContains(response, "期限由 2027-01-04 提前至 2027-01-02")

    def test_an_admin_edit_of_a_day_moves_the_open_due_dates(self) -> None:
        calendar_year_confirm(parsed=parse_notice(N2027_TEST), actor=self.admin)
        self.case.refresh_from_db()
        self.assertEqual((self.case.due_on, self.case.due_provisional), (D(2027, 1, 4), False))
        day = Holiday.objects.create(date=D(2026, 12, 31), is_workday=False, name="测试")
        self.client.force_login(self.admin)
        response = self.client.post(
            f"/admin/workdays/holiday/{day.pk}/change/",
            {"date": "2026-12-31", "name": "测试", "is_workday": ""},
        )
        self.assertEqual(response.status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual(self.case.due_on, D(2027, 1, 5))

    def test_the_command_announces_exactly_the_years_it_loaded(self) -> None:
        received = []

        def listen(sender, **kwargs):
            received.append((sender, kwargs["years"], kwargs["actor"]))

        holidays_loaded.connect(listen)
        self.addCleanup(holidays_loaded.disconnect, listen)
        call_command("load_holidays", "--year", "2025", "--year", "2026", stdout=io.StringIO())
        self.assertEqual(received, [(CalendarYear, [2025, 2026], None)])
        self.case.refresh_from_db()
        self.assertTrue(self.case.due_provisional)


class CalendarLayerTestCase(CaseTestCase):
    def test_the_workdays_app_never_imports_the_service_hall(self) -> None:
        """The calendar is the lower layer: modules register with it instead."""
        root = Path(__file__).resolve().parents[2] / "workdays"
        offenders = [
            str(path.relative_to(root))
            for path in root.rglob("*.py")
            if "tests" not in path.parts
            and (
                "zhengtong.services" in path.read_text(encoding="utf-8")
                or "from ..services" in path.read_text(encoding="utf-8")
            )
        ]
        self.assertEqual(offenders, [])
