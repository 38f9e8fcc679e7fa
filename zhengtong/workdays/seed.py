"""The State Council holiday data shipped in the chinesecalendar package, in Chinese.

Kept free of model imports so the seeding migration can use it with historical models.
"""

import datetime

import chinese_calendar
from chinese_calendar import constants

NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def package_years() -> list[int]:
    """Years the installed chinesecalendar package has data for."""
    return sorted(
        {day.year for day in constants.holidays} | {day.year for day in constants.workdays}
    )


def package_days(year: int) -> list[tuple[datetime.date, bool, str]]:
    """(date, is_workday, Chinese name) for every holiday and make-up workday of `year`."""
    days = sorted(d for d in [*constants.holidays, *constants.workdays] if d.year == year)
    rows = []
    for day in days:
        # get_holiday_detail answers (is_holiday, name); a make-up workday is not a holiday.
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        # Fall back to the English name so a festival added upstream is never dropped.
        rows.append((day, not is_holiday, NAMES_ZH.get(str(name), str(name or ""))))
    return rows
