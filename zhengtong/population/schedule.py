"""The maternal follow-up schedule (FEATURES §3.2): pure date arithmetic, no database.

国家基本公共卫生服务规范(第三版)孕产妇健康管理 and 孕产期保健工作规范 (2011):

- antenatal: the 1st visit and 建册 before 13 weeks (window LMP … 12w6d), then 16w0d–20w6d,
  21w0d–24w6d, 28w0d–36w6d and 37w0d–40w6d; EDD = LMP + 280 days;
- postpartum: a home visit within 7 days after the mother leaves hospital (discharge … discharge
  + 7), and the 42-day check on delivery + 42 days. The check is not done earlier, since it
  assesses recovery at the end of the six-week puerperium (产褥期); one week is allowed after it,
  like the postpartum visit, so its window is delivery + 42 … delivery + 49 days;
- a high-risk referral is followed up within 2 weeks: referral day … referral day + 14;
- a high-risk pregnancy gets extra antenatal visits (`HIGH_RISK_SCHEDULE`, see there).

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

BASIC_ANTENATAL_KINDS = (
    Kind.FIRST,
    Kind.ANC_16_20,
    Kind.ANC_21_24,
    Kind.ANC_28_36,
    Kind.ANC_37_40,
)
HIGH_RISK_KINDS = (Kind.HR_25_27, Kind.HR_29_32, Kind.HR_33_36, Kind.HR_38, Kind.HR_39)
# Every visit that only makes sense before delivery (the inbox drops them once she delivers).
ANTENATAL_KINDS = BASIC_ANTENATAL_KINDS + HIGH_RISK_KINDS
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


# The extra visits of a high-risk pregnancy, in days after the LMP.
#
# 孕产期保健工作规范 (卫生部 卫妇社发〔2011〕56号), 产前检查: 孕期应当至少检查 5 次 … 发现异常
# 者应当酌情增加检查次数 — the five are the basic windows above. How many more is taken from
# 孕前和孕期保健指南 (中华医学会妇产科学分会, 2018), whose recommended checks are at 6–13+6,
# 14–19+6, 20–24, 25–28, 29–32, 33–36 and 37–41 weeks (weekly from 37): a high-risk pregnancy
# gets each of those the five basic windows leave open or share — 25–27+6, 29–32+6, 33–36+6
# (the 28–36 window keeps its own visit, so 28 weeks is covered), and weeks 38 and 39 (37 and 40
# are the 37–40 window). 孕产妇妊娠风险评估与管理工作规范 (国卫办妇幼发〔2017〕35号) leaves the
# number to the managing clinic for 橙色/红色 pregnancies; this is the village's minimum, a
# clinic may add more. Calendar days, like every maternal window.
HIGH_RISK_SCHEDULE = (
    (Kind.HR_25_27, gestational_day(25), gestational_day(27, 6)),
    (Kind.HR_29_32, gestational_day(29), gestational_day(32, 6)),
    (Kind.HR_33_36, gestational_day(33), gestational_day(36, 6)),
    (Kind.HR_38, gestational_day(38), gestational_day(38, 6)),
    (Kind.HR_39, gestational_day(39), gestational_day(39, 6)),
)


def high_risk_windows(lmp: datetime.date, *, from_day: datetime.date | None = None) -> list[Window]:
    """The extra windows of a high-risk pregnancy with this LMP; with `from_day`, only those not
    yet over on that day (a pregnancy found high-risk at 30 weeks gets no visit at 25–27)."""
    windows = [
        Window(kind, lmp + datetime.timedelta(days=start), lmp + datetime.timedelta(days=end))
        for kind, start, end in HIGH_RISK_SCHEDULE
    ]
    if from_day is not None:
        windows = [w for w in windows if w.window_end >= from_day]
    return windows


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
