"""Admin edits of the calendar: they take effect and each one is in the audit log."""

import datetime

from zhengtong.audit.models import Event
from zhengtong.test import BaseTestCase
from zhengtong.workdays import is_workday, year_status
from zhengtong.workdays.models import CalendarYear, Holiday, Source

D = datetime.date
HOLIDAYS = "/admin/workdays/holiday/"
YEARS = "/admin/workdays/calendaryear/"


class HolidayAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.admin)

    def test_adding_a_holiday_overrides_the_day_and_records_an_event(self) -> None:
        """Marking 2026-12-31 off through the admin changes that day and logs who did it."""
        r = self.client.post(
            f"{HOLIDAYS}add/", {"date": "2026-12-31", "name": "临时调整", "is_workday": ""}
        )
        self.assertEqual(r.status_code, 302)
        holiday = Holiday.objects.get(date=D(2026, 12, 31))
        self.assertEqual(holiday.source, Source.ADMIN)
        self.assertEqual(holiday.updated_by, self.admin)
        self.assertFalse(is_workday(D(2026, 12, 31)))
        self.assertTrue(is_workday(D(2026, 12, 30)))
        event = Event.objects.get(action="admin_add", target_type="workdays.holiday")
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(event.kind, "create")
        self.assertEqual(event.changes["date"], [None, "2026-12-31"])
        self.assertEqual(event.changes["is_workday"], [None, False])
        self.assertEqual(event.changes["updated_by"], [None, self.admin.pk])
        self.assertNotIn("updated_at", event.changes)

    def test_changing_a_seeded_day_records_before_and_after(self) -> None:
        """Turning the seeded 2025-10-08 holiday into a workday keeps both values in the event."""
        holiday = Holiday.objects.get(date=D(2025, 10, 8))
        r = self.client.post(
            f"{HOLIDAYS}{holiday.pk}/change/",
            {"date": "2025-10-08", "name": "国庆节", "is_workday": "on"},
        )
        self.assertEqual(r.status_code, 302)
        self.assertTrue(is_workday(D(2025, 10, 8)))
        event = Event.objects.get(action="admin_change", target_type="workdays.holiday")
        self.assertEqual(event.changes["is_workday"], [False, True])
        self.assertEqual(event.changes["source"], ["seed", "admin"])
        self.assertNotIn("name", event.changes)

    def test_deleting_a_day_records_what_was_deleted(self) -> None:
        """Deleting the 2025-10-08 row makes it an ordinary Wednesday and logs the old row."""
        holiday = Holiday.objects.get(date=D(2025, 10, 8))
        r = self.client.post(f"{HOLIDAYS}{holiday.pk}/delete/", {"post": "yes"})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(is_workday(D(2025, 10, 8)))
        event = Event.objects.get(action="admin_delete", target_type="workdays.holiday")
        self.assertEqual(event.kind, "delete")
        self.assertEqual(event.target_id, str(holiday.pk))
        self.assertEqual(event.changes["date"], ["2025-10-08", None])

    def test_bulk_delete_records_one_event_per_row(self) -> None:
        """The "delete selected" action logs every row it removes."""
        pks = list(Holiday.objects.filter(date__year=2004).values_list("pk", flat=True)[:3])
        r = self.client.post(
            HOLIDAYS, {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
        )
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Holiday.objects.filter(pk__in=pks).count(), 0)
        self.assertEqual(
            Event.objects.filter(action="admin_delete", target_type="workdays.holiday").count(), 3
        )

    def test_a_duplicate_date_is_refused_and_nothing_is_saved(self) -> None:
        """A second row for 2025-10-01 fails validation; no event is written."""
        r = self.client.post(f"{HOLIDAYS}add/", {"date": "2025-10-01", "name": "重复"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "日期")
        self.assertContains(r, "已存在")
        self.assertEqual(Holiday.objects.filter(date=D(2025, 10, 1)).count(), 1)
        self.assertFalse(Event.objects.filter(target_type="workdays.holiday").exists())

    def test_the_list_filters_by_year_and_searches_by_name(self) -> None:
        """?year=2015 shows only 2015 rows; a name search narrows them further."""
        r = self.client.get(HOLIDAYS, {"year": "2015", "q": "抗战"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(
            [h.date for h in r.context["cl"].result_list],
            [D(2015, 9, 3), D(2015, 9, 4), D(2015, 9, 6)],
        )

    def test_non_staff_users_cannot_open_the_admin(self) -> None:
        """A leader is sent to the admin login page and cannot change anything."""
        self.client.force_login(self.leader)
        r = self.client.post(f"{HOLIDAYS}add/", {"date": "2026-12-31", "name": "x"})
        self.assertEqual(r.status_code, 302)
        self.assertFalse(Holiday.objects.filter(date=D(2026, 12, 31)).exists())


class CalendarYearAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.admin)

    def test_a_year_cannot_be_added_empty_in_the_admin(self) -> None:
        """A year is official only from its notice: the admin offers no empty "add year"."""
        r = self.client.post(f"{YEARS}add/", {"year": "2027", "note": "国办发明电〔2026〕号"})
        self.assertEqual(r.status_code, 403)
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())
        self.assertEqual(year_status(2027), "provisional")
