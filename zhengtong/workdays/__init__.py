"""Chinese working days: `is_workday()`, `add_workdays()`, `workdays_between()`.

The answers come from the Holiday table (seeded from chinesecalendar, editable by admins). A
question about a year with no data raises HolidayDataMissing naming the year.
"""

from .calendar import (
    HolidayDataMissing,
    WorkCalendar,
    add_workdays,
    is_workday,
    next_workday_on_or_after,
    workdays_between,
)

__all__ = [
    "HolidayDataMissing",
    "WorkCalendar",
    "add_workdays",
    "is_workday",
    "next_workday_on_or_after",
    "workdays_between",
]
