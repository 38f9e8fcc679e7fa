"""The maternal follow-up schedule (FEATURES §3.2): pure date arithmetic, no database.

国家基本公共卫生服务规范(第三版)孕产妇健康管理 and 孕产期保健工作规范 (2011):

- antenatal: the 1st visit and 建册 before 13 weeks (window LMP … 12w6d), then 16w0d–20w6d,
  21w0d–24w6d, 28w0d–36w6d and 37w0d–40w6d; EDD = LMP + 280 days;
- postpartum: a home visit within 7 days after the mother leaves hospital (discharge … discharge
  + 7), and the 42-day check on delivery + 42 days. The check is not done earlier, since it
  assesses recovery at the end of the six-week puerperium (产褥期); one week is allowed after it,
  like the postpartum visit, so its window is delivery + 42 … delivery + 49 days;
- a high-risk referral is followed up within 2 weeks: referral day … referral day + 14.

Days are calendar days: a window's last day is a due date, never moved for a holiday, because a
pregnancy does not wait for one. Week counts are gestational age (LMP + 7 × weeks + days).
"""

import datetime
from typing import NamedTuple

from .models import MaternalVisit

Kind = MaternalVisit.Kind

PREGNANCY_DAYS = 280
# An LMP further back than this cannot be a pregnancy that still needs registering.
MAX_LMP_AGE_DAYS = 44 * 7
POSTPARTUM_VISIT_DAYS = 7
DAY42_CHECK_DAYS = 42
DAY42_GRACE_DAYS = 7
REFERRAL_FOLLOWUP_DAYS = 14

ANTENATAL_KINDS = (Kind.FIRST, Kind.ANC_16_20, Kind.ANC_21_24, Kind.ANC_28_36, Kind.ANC_37_40)
POSTPARTUM_KINDS = (Kind.POSTPARTUM, Kind.DAY42)


class Window(NamedTuple):
    kind: str
    window_start: datetime.date
    window_end: datetime.date


def gestational_day(weeks: int, days: int = 0) -> int:
    return weeks * 7 + days


# (kind, first day, last day) in days after the LMP; the 1st visit window opens at the LMP.
ANTENATAL_SCHEDULE = (
    (Kind.FIRST, 0, gestational_day(12, 6)),
    (Kind.ANC_16_20, gestational_day(16), gestational_day(20, 6)),
    (Kind.ANC_21_24, gestational_day(21), gestational_day(24, 6)),
    (Kind.ANC_28_36, gestational_day(28), gestational_day(36, 6)),
    (Kind.ANC_37_40, gestational_day(37), gestational_day(40, 6)),
)


def expected_delivery(lmp: datetime.date) -> datetime.date:
    """预产期: LMP + 280 days (Naegele's rule in days)."""
    return lmp + datetime.timedelta(days=PREGNANCY_DAYS)


def antenatal_windows(lmp: datetime.date) -> list[Window]:
    """The five antenatal windows of a pregnancy with this LMP."""
    return [
        Window(kind, lmp + datetime.timedelta(days=start), lmp + datetime.timedelta(days=end))
        for kind, start, end in ANTENATAL_SCHEDULE
    ]


def postpartum_windows(delivered_on: datetime.date, discharged_on: datetime.date) -> list[Window]:
    """The postpartum home visit (within 7 days after discharge) and the 42-day check."""
    day42 = delivered_on + datetime.timedelta(days=DAY42_CHECK_DAYS)
    return [
        Window(
            Kind.POSTPARTUM,
            discharged_on,
            discharged_on + datetime.timedelta(days=POSTPARTUM_VISIT_DAYS),
        ),
        Window(Kind.DAY42, day42, day42 + datetime.timedelta(days=DAY42_GRACE_DAYS)),
    ]


def referral_window(referred_on: datetime.date) -> Window:
    """The follow-up of a high-risk referral: within 14 days of the referral."""
    return Window(
        Kind.REFERRAL, referred_on, referred_on + datetime.timedelta(days=REFERRAL_FOLLOWUP_DAYS)
    )


def lmp_error(lmp: datetime.date, today: datetime.date) -> str:
    """Why this LMP cannot be registered today, or "" when it can."""
    if lmp > today:
        return "末次月经日期不能晚于今天。"
    if (today - lmp).days > MAX_LMP_AGE_DAYS:
        return "末次月经日期不能早于 44 周前,请核对。"
    return ""


def delivery_errors(
    *,
    lmp: datetime.date,
    delivered_on: datetime.date,
    discharged_on: datetime.date,
    today: datetime.date,
) -> dict[str, str]:
    """Field → Chinese message for impossible delivery and discharge dates."""
    errors = {}
    if delivered_on <= lmp:
        errors["delivered_on"] = "分娩日期不能早于末次月经日期。"
    elif delivered_on > today:
        errors["delivered_on"] = "分娩日期不能晚于今天。"
    if discharged_on < delivered_on:
        errors["discharged_on"] = "出院日期不能早于分娩日期。"
    elif discharged_on > today:
        errors["discharged_on"] = "出院日期不能晚于今天。"
    return errors


def gestational_age(lmp: datetime.date, day: datetime.date) -> tuple[int, int]:
    """(weeks, days) of pregnancy on `day`, e.g. (12, 6) for "孕 12 周 + 6 天"."""
    return divmod((day - lmp).days, 7)


STATE_LABELS = {
    "done": "已完成",
    "late": "逾期完成",
    "upcoming": "未到窗口",
    "open": "窗口期内",
    "overdue": "已超期",
}


def window_state(
    window_start: datetime.date,
    window_end: datetime.date,
    done_on: datetime.date | None,
    today: datetime.date,
) -> str:
    """done / late (done after the window) / upcoming / open / overdue (not done, window past)."""
    if done_on is not None:
        return "late" if done_on > window_end else "done"
    if today < window_start:
        return "upcoming"
    if today > window_end:
        return "overdue"
    return "open"
