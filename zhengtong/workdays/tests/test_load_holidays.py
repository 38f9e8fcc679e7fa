"""`manage.py load_holidays` reloads a year from chinesecalendar without duplicating anything."""

import datetime
from io import StringIO

from django.core.management import CommandError, call_command

from zhengtong.audit.models import Event
from zhengtong.test import BaseTestCase
from zhengtong.workdays.models import CalendarYear, Holiday, Source

D = datetime.date


def load(*args) -> str:
    out = StringIO()
    call_command("load_holidays", *args, stdout=out)
    return out.getvalue()


class LoadHolidaysTestCase(BaseTestCase):
    def test_reloading_a_seeded_year_changes_nothing(self) -> None:
        """The migration already seeded 2025: a reload finds nothing to do and logs nothing."""
        before = list(
            Holiday.objects.filter(date__year=2025).values_list("date", "is_workday", "name")
        )
        out = load("--year", "2025")
        self.assertIn("新增 0,更新 0,删除 0", out)
        after = list(
            Holiday.objects.filter(date__year=2025).values_list("date", "is_workday", "name")
        )
        self.assertEqual(before, after)
        self.assertFalse(Event.objects.filter(action="holidays_loaded").exists())

    def test_it_restores_a_year_and_records_one_event(self) -> None:
        """After the 2025 rows and year are gone, a load brings back every row once."""
        count = Holiday.objects.filter(date__year=2025).count()
        Holiday.objects.filter(date__year=2025).delete()
        CalendarYear.objects.filter(year=2025).delete()
        load("--year", "2025")
        load("--year", "2025")
        self.assertEqual(Holiday.objects.filter(date__year=2025).count(), count)
        self.assertEqual(CalendarYear.objects.get(year=2025).source, Source.SEED)
        events = Event.objects.filter(action="holidays_loaded")
        self.assertEqual(events.count(), 1)
        self.assertEqual(events.get().changes["created"], count)
        self.assertEqual(events.get().channel, "command")

    def test_it_repairs_a_changed_seed_row_and_removes_a_stray_one(self) -> None:
        """A seeded row edited outside the admin is put back; an extra seeded row is removed."""
        Holiday.objects.filter(date=D(2025, 10, 1)).update(is_workday=True, name="错")
        Holiday.objects.create(date=D(2025, 3, 3), is_workday=False, name="错", source=Source.SEED)
        out = load("--year", "2025")
        self.assertIn("更新 1,删除 1", out)
        self.assertFalse(Holiday.objects.get(date=D(2025, 10, 1)).is_workday)
        self.assertEqual(Holiday.objects.get(date=D(2025, 10, 1)).name, "国庆节")
        self.assertFalse(Holiday.objects.filter(date=D(2025, 3, 3)).exists())

    def test_admin_overrides_are_kept_unless_discarded(self) -> None:
        """An admin's correction survives a reload, and --discard-overrides replaces it."""
        Holiday.objects.filter(date=D(2025, 10, 8)).update(is_workday=True, source=Source.ADMIN)
        Holiday.objects.create(
            date=D(2025, 12, 31), is_workday=False, name="本地", source=Source.ADMIN
        )
        out = load("--year", "2025")
        self.assertIn("保留手工维护 2", out)
        self.assertTrue(Holiday.objects.get(date=D(2025, 10, 8)).is_workday)
        load("--year", "2025", "--discard-overrides")
        self.assertFalse(Holiday.objects.get(date=D(2025, 10, 8)).is_workday)
        self.assertEqual(Holiday.objects.get(date=D(2025, 10, 8)).source, Source.SEED)
        self.assertFalse(Holiday.objects.filter(date=D(2025, 12, 31)).exists())

    def test_a_year_the_package_lacks_is_refused(self) -> None:
        """2027 is not in chinesecalendar 1.11: a Chinese error, and no CalendarYear appears."""
        with self.assertRaisesMessage(CommandError, "没有 2027 年的数据"):
            load("--year", "2027")
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())

    def test_without_a_year_it_loads_every_package_year(self) -> None:
        """No --year: every year 2004–2026 is reported."""
        out = load()
        self.assertEqual(out.count("年:"), 23)
