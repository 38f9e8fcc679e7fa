"""Chinese working days: `is_workday()`, `add_workdays()`, `workdays_between()`.

The answers come from the Holiday table for official years (seeded from chinesecalendar,
entered from the State Council's notice) and from the statutory rule for provisional years:
`year_status(year)` says which; `spans_provisional(start, due)` whether a due date is 暂定.
"""

from .calendar import (
    OFFICIAL,
    PROVISIONAL,
    HolidayDataMissing,
    WorkCalendar,
    add_workdays,
    is_workday,
    next_workday_on_or_after,
    spans_provisional,
    workdays_between,
    year_status,
)

__all__ = [
    "OFFICIAL",
    "PROVISIONAL",
    "HolidayDataMissing",
    "WorkCalendar",
    "add_workdays",
    "is_workday",
    "next_workday_on_or_after",
    "spans_provisional",
    "workdays_between",
    "year_status",
]
