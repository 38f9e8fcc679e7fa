"""The statutory holidays of a year without the State Council's arrangement.

《全国年节及纪念日放假办法》(国务院令第 270 号,2024 年 11 月 10 日第四次修订,国务院令第 795 号,
2025 年 1 月 1 日起施行)第二条: 元旦 1 天(1 月 1 日);春节 4 天(农历除夕至正月初三);清明节
1 天(清明当日);劳动节 2 天(5 月 1 日、2 日);端午节 1 天(农历五月初五);中秋节 1 天(农历八月
十五);国庆节 3 天(10 月 1 日至 3 日).

A provisional year is these days plus the weekends, nothing else: the make-up working days and
the moved days off are decided each year by the State Council's notice and are never guessed.
A statutory day on a weekend stays a weekend day (no 补休 is assumed).
"""

import datetime
from functools import lru_cache

from lunar_python import Lunar

ONE_DAY = datetime.timedelta(days=1)

RULE_TEXT = (
    "尚未录入国务院办公厅当年节假日安排通知的年份为“暂定”年份,按《全国年节及纪念日放假办法》"
    "(2024 年 11 月 10 日国务院令第 795 号修订,2025 年 1 月 1 日起施行)第二条计算:元旦 1 天"
    "(1 月 1 日),春节 4 天(农历除夕至正月初三),清明节 1 天(清明节气当日),劳动节 2 天"
    "(5 月 1 日、2 日),端午节 1 天(农历五月初五),中秋节 1 天(农历八月十五),国庆节 3 天"
    "(10 月 1 日至 3 日);其余周六、周日休息,不推测调休上班日,落在周末的节日不另行补休。"
    "据暂定年份计算的期限标为“暂定”,录入正式通知后自动重算。"
)


def _solar(lunar: Lunar) -> datetime.date:
    s = lunar.getSolar()
    return datetime.date(s.getYear(), s.getMonth(), s.getDay())


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[datetime.date, str]:
    """{date: name} of the statutory holidays of `year` under the 2024 rule."""
    days: dict[datetime.date, str] = {datetime.date(year, 1, 1): "元旦"}
    new_year = _solar(Lunar.fromYmd(year, 1, 1))
    for offset in range(-1, 3):
        days[new_year + offset * ONE_DAY] = "春节"
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    days[datetime.date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days[datetime.date(year, 5, 1)] = "劳动节"
    days[datetime.date(year, 5, 2)] = "劳动节"
    days[_solar(Lunar.fromYmd(year, 5, 5))] = "端午节"
    days[_solar(Lunar.fromYmd(year, 8, 15))] = "中秋节"
    for day in (1, 2, 3):
        days[datetime.date(year, 10, day)] = "国庆节"
    return {d: name for d, name in sorted(days.items()) if d.year == year}
