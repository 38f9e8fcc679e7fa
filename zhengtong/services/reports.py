"""The hall's published and office reports, computed from the case rows by database aggregates.

- `disclosure()`: 办事公开, the monthly figures per item and the de-identified list of cases. The
  current month is read from the monthly case rollup (`zhengtong.rollups`) plus a count of the
  unfinished cases; a month that has ended is counted once, on its first view, and its figures
  are kept as published (`DisclosureSnapshot`).
- `weekly_digest()`: 计生周报, a week's records (Monday 00:00 to Monday 00:00, Asia/Shanghai)
  per clerk and per area, in sections; a later module adds its section with `digest_section`.
- `monthly_ranking()`: 月冠军, clerks ranked by the score stated in `SCORE_FORMULA`.

Each figure is defined once here and the pages print the definitions, so anyone can recompute
them from the rows.
"""

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth

from zhengtong.accounts.models import OrgUnit, Role, User
from zhengtong.lib import periods
from zhengtong.lib.display import percent_text
from zhengtong.lib.money import percent

from .models import Application, DisclosureSnapshot, Notice, Pause, Rating, ServiceItem

SHANGHAI = ZoneInfo("Asia/Shanghai")
FINISHED = (Application.Status.APPROVED, Application.Status.REFUSED)
NO_AREA = "未登记村居"

DISCLOSURE_DEFINITIONS = [
    ("收件", "本月收件的办件(按收件时间)。"),
    ("办结", "本月作出准予或不予办理决定的办件(按办结时间;撤回的不计)。"),
    ("按时办结", "办结中,办结日期不晚于办结期限的办件(未受理即不予办理的视为按时)。"),
    (
        "超期",
        "本月超期办结的办件,加上月末仍未办结、办结期限早于下月 1 日且月末未处于补正暂停的办件。",
    ),
    (
        "公布",
        "月份结束后按以上口径统计一次并公布,此后数字不再变动(其后对办件的更正不改写已公布的数字);"
        "当月数字随时按记录统计。",
    ),
]

SCORE_FORMULA = "得分 = 办结件数 × 1 + 按时办结率 × 10 + 好评数 × 2 − 差评数 × 5"
SCORE_NOTES = [
    "办结件数:本月由本人承办并作出准予或不予办理决定的办件数。",
    "按时办结率:办结件中办结日期不晚于办结期限的比例,以小数计(如 90% 记 0.9),无办结件记 0。",
    "好评数、差评数:本月对本人首问负责办件的评价中,“满意”“非常满意”为好评,"
    "“不满意”“非常不满意”为差评。",
    "同分时按按时办结率从高到低排列,再按姓名排列。",
]


# ---------------------------------------------------------------------------- periods


def parse_week(value: str | None) -> datetime.date:
    """The Monday of an ISO week "2026-W47"; the current week when `value` is empty.

    Raises ValueError with a Chinese message for anything else (`lib.periods`).
    """
    week = periods.parse_week(value) or periods.week_period(periods.today())
    return week.start


def parse_month(value: str | None) -> datetime.date:
    """The first day of a month "2026-03"; the current month when `value` is empty."""
    month = periods.parse_month(value) or periods.month_period(periods.today())
    return month.start


def hall_cases(hall: OrgUnit) -> QuerySet:
    """The hall's cases: what decides whether a week or a month of its reports has data."""
    return _in_hall(Application.objects.all(), hall)


def next_month(first: datetime.date) -> datetime.date:
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """00:00 of `day` in Asia/Shanghai (+08:00), whatever the active time zone."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI)


def week_label(monday: datetime.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def halls_for(user, roles) -> QuerySet:
    """The township halls (镇/街道 units) that lie under a unit where `user` holds `roles`."""
    from zhengtong.accounts.scope import scope

    return scope(OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWN), user, roles, via="")


def _in_hall(qs: QuerySet, hall: OrgUnit | None, via: str = "org_unit") -> QuerySet:
    if hall is None:
        return qs
    return qs.filter(**{f"{via}__path__startswith": hall.path})


# ---------------------------------------------------------------------------- 办事公开


@dataclass
class DisclosureRow:
    item_code: str
    item_name: str
    received: int = 0
    finished: int = 0
    on_time: int = 0
    overdue: int = 0


@dataclass
class Disclosure:
    month: datetime.date
    rows: list[DisclosureRow]
    totals: DisclosureRow
    cases: QuerySet  # the de-identified list: counted cases, oldest first
    # When the figures of a month that has ended were published; None for the current month.
    published_at: datetime.datetime | None = None


def _disclosure_filters(month: datetime.date) -> dict[str, Q]:
    start, end = local_midnight(month), local_midnight(next_month(month))
    last_day = next_month(month) - datetime.timedelta(days=1)
    received = Q(received_at__gte=start, received_at__lt=end)
    finished = Q(status__in=FINISHED, finished_at__gte=start, finished_at__lt=end)
    on_time = finished & (Q(due_on__isnull=True) | Q(finished_on__lte=F("due_on")))
    late = finished & Q(finished_on__gt=F("due_on"))
    open_at_end = Q(received_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=end))
    overdue = late | (open_at_end & Q(due_on__lte=last_day) & Q(paused_at_end=False))
    return {"received": received, "finished": finished, "on_time": on_time, "overdue": overdue}


def _annotated_cases(month: datetime.date, hall: OrgUnit | None) -> QuerySet:
    last_day = next_month(month) - datetime.timedelta(days=1)
    paused_at_end = Pause.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=last_day),
        application=OuterRef("pk"),
        started_on__lte=last_day,
    )
    return _in_hall(Application.objects.all(), hall).annotate(
        finished_on=TruncDate("finished_at", tzinfo=SHANGHAI),
        paused_at_end=Exists(paused_at_end),
    )


def _counted_cases(month: datetime.date, hall: OrgUnit | None) -> QuerySet:
    filters = _disclosure_filters(month)
    any_counted = filters["received"] | filters["finished"] | filters["overdue"]
    return _annotated_cases(month, hall).filter(any_counted)


def disclosure_count(*, month: datetime.date, hall: OrgUnit | None = None) -> list[DisclosureRow]:
    """The figures of `month` per item, counted from the case rows now."""
    filters = _disclosure_filters(month)
    counts = (
        _counted_cases(month, hall)
        .values("item__code", "item__name", "item__sort_order")
        .annotate(**{name: Count("id", filter=q) for name, q in filters.items()})
        .order_by("item__sort_order", "item__code")
    )
    return [
        DisclosureRow(
            item_code=row["item__code"],
            item_name=row["item__name"],
            received=row["received"],
            finished=row["finished"],
            on_time=row["on_time"],
            overdue=row["overdue"],
        )
        for row in counts
    ]


def disclosure_running(*, month: datetime.date, hall: OrgUnit | None = None) -> list[DisclosureRow]:
    """The figures of the current month per item, equal to `disclosure_count` while the month
    runs: 收件, 办结 and 按时办结 from the monthly case rollup (`zhengtong.rollups`); 超期 is the
    rollup's late finishes plus the cases open at the month's end (unfinished, or finished
    after it) whose due date falls in the month or before and that are not paused then: an
    indexed count of the unfinished cases only."""
    from zhengtong.rollups import read as rollups

    last_day = next_month(month) - datetime.timedelta(days=1)
    end = local_midnight(next_month(month))
    months = _in_hall(rollups.case_item_months(), hall).filter(month=month)
    counted = months.values("item_id").annotate(
        received=Sum("received"), finished=Sum("finished"), on_time=Sum("on_time")
    )
    paused = Pause.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=last_day),
        application=OuterRef("pk"),
        started_on__lte=last_day,
    )
    open_late = (
        _in_hall(Application.objects.all(), hall)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=end))
        .filter(received_at__lt=end, due_on__lte=last_day)
        .filter(~Exists(paused))
        .values("item_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    figures: dict[int, DisclosureRow] = {}
    for row in counted.order_by():
        figures[row["item_id"]] = DisclosureRow(
            item_code="",
            item_name="",
            received=row["received"],
            finished=row["finished"],
            on_time=row["on_time"],
            overdue=row["finished"] - row["on_time"],
        )
    for row in open_late:
        figures.setdefault(row["item_id"], DisclosureRow("", "")).overdue += row["n"]
    shown = {k: v for k, v in figures.items() if v.received or v.finished or v.overdue}
    items = {i.pk: i for i in ServiceItem.objects.filter(pk__in=shown)}
    for pk, row in shown.items():
        row.item_code, row.item_name = items[pk].code, items[pk].name
    return [
        shown[pk] for pk in sorted(shown, key=lambda pk: (items[pk].sort_order, items[pk].code))
    ]


def published_disclosure(*, month: datetime.date, hall: OrgUnit | None) -> DisclosureSnapshot:
    """The figures of a month that has ended: stored on the first view, then read as stored."""
    snapshot = DisclosureSnapshot.objects.filter(month=month, hall=hall).first()
    if snapshot is not None:
        return snapshot
    rows = [asdict(row) for row in disclosure_count(month=month, hall=hall)]
    try:
        with transaction.atomic():
            return DisclosureSnapshot.objects.create(month=month, hall=hall, rows=rows)
    except IntegrityError:
        # Another request published it first: theirs is the published one.
        return DisclosureSnapshot.objects.get(month=month, hall=hall)


def disclosure(
    *, month: datetime.date, hall: OrgUnit | None = None, today: datetime.date | None = None
) -> Disclosure:
    """办事公开 for `month` (its first day): per item received, finished, on time, overdue.

    A month that has ended (by `today`, Asia/Shanghai) shows its published figures.
    """
    today = today or periods.today()
    published_at = None
    if next_month(month) <= today:
        snapshot = published_disclosure(month=month, hall=hall)
        rows = [DisclosureRow(**row) for row in snapshot.rows]
        published_at = snapshot.published_at
    elif month <= today:
        rows = disclosure_running(month=month, hall=hall)
    else:
        rows = disclosure_count(month=month, hall=hall)
    totals = DisclosureRow(
        item_code="",
        item_name="合计",
        received=sum(r.received for r in rows),
        finished=sum(r.finished for r in rows),
        on_time=sum(r.on_time for r in rows),
        overdue=sum(r.overdue for r in rows),
    )
    listed = _counted_cases(month, hall).select_related("item", "applicant")
    return Disclosure(
        month=month,
        rows=rows,
        totals=totals,
        cases=listed.order_by("received_at", "id"),
        published_at=published_at,
    )


# ---------------------------------------------------------------------------- 计生周报


@dataclass
class DigestRow:
    label: str
    values: list[int]


@dataclass
class DigestSection:
    key: str
    title: str
    columns: list[str]
    by_clerk: list[DigestRow]
    by_area: list[DigestRow]
    note: str = ""
    clerk_heading: str = "工作人员"

    @property
    def totals(self) -> list[int]:
        return [sum(row.values[i] for row in self.by_area) for i in range(len(self.columns))]

    @property
    def is_empty(self) -> bool:
        return not any(self.totals)


@dataclass
class DigestPeriod:
    hall: OrgUnit
    monday: datetime.date
    start: datetime.datetime
    end: datetime.datetime

    @property
    def sunday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=6)


@dataclass
class Digest:
    period: DigestPeriod
    sections: list[DigestSection] = field(default_factory=list)


DigestSectionBuilder = Callable[[DigestPeriod], DigestSection]
_digest_sections: list[DigestSectionBuilder] = []


def digest_section(builder: DigestSectionBuilder) -> DigestSectionBuilder:
    """Register a section of the weekly digest; later modules call this from AppConfig.ready()."""
    if builder not in _digest_sections:
        _digest_sections.append(builder)
    return builder


def _grouped(
    qs: QuerySet, key: str, label: str, metrics: dict[str, Q]
) -> list[tuple[object, str | None, dict[str, int]]]:
    """(key, label, {metric: count}) per value of `key`, one aggregate query."""
    rows = (
        qs.values(key, label)
        .annotate(**{name: Count("id", filter=q, distinct=True) for name, q in metrics.items()})
        .order_by(label, key)
    )
    return [(row[key], row[label], {m: row[m] for m in metrics}) for row in rows]


def _clerk_rows(qs: QuerySet, clerk: str, metrics: dict[str, Q]) -> list[DigestRow]:
    rows = _grouped(qs, f"{clerk}_id", f"{clerk}__full_name", metrics)
    return [DigestRow(label or "—", list(c.values())) for _k, label, c in rows if any(c.values())]


def _area_rows(qs: QuerySet, area: str, metrics: dict[str, Q]) -> list[DigestRow]:
    rows = _grouped(qs, f"{area}_id", f"{area}__name", metrics)
    return [
        DigestRow(label or NO_AREA, list(c.values())) for _k, label, c in rows if any(c.values())
    ]


@digest_section
def cases_section(period: DigestPeriod) -> DigestSection:
    start, end = period.start, period.end
    metrics = {
        "received": Q(received_at__gte=start, received_at__lt=end),
        "accepted": Q(accepted_on__gte=period.monday, accepted_on__lte=period.sunday),
        "finished": Q(status__in=FINISHED, finished_at__gte=start, finished_at__lt=end),
        "approved": Q(
            status=Application.Status.APPROVED, finished_at__gte=start, finished_at__lt=end
        ),
    }
    cases = _in_hall(Application.objects.all(), period.hall).filter(
        Q(received_at__gte=start, received_at__lt=end)
        | Q(accepted_on__gte=period.monday, accepted_on__lte=period.sunday)
        | Q(finished_at__gte=start, finished_at__lt=end)
    )
    # Received and accepted count for the receiving clerk; finished for the handling clerk.
    received = {k: v for k, v in metrics.items() if k in ("received", "accepted")}
    finished = {k: v for k, v in metrics.items() if k in ("finished", "approved")}
    clerk_rows: dict[object, tuple[str, list[int]]] = {}
    for clerk, offset, source in [("first_responder", 0, received), ("handler", 2, finished)]:
        for key, label, counts in _grouped(cases, f"{clerk}_id", f"{clerk}__full_name", source):
            values = clerk_rows.setdefault(key, (label or "—", [0, 0, 0, 0]))[1]
            for i, name in enumerate(source):
                values[offset + i] += counts[name]
    by_clerk = [DigestRow(label, v) for label, v in sorted(clerk_rows.values()) if any(v)]
    by_area = _area_rows(cases, "applicant__org_unit", metrics)
    return DigestSection(
        key="cases",
        title="办件",
        columns=["收件", "受理", "办结", "其中准予"],
        by_clerk=by_clerk,
        by_area=by_area,
        note="收件、受理计入首问责任人,办结计入承办人;片区为申请人所属村居。",
    )


@digest_section
def notices_section(period: DigestPeriod) -> DigestSection:
    notices = _in_hall(Notice.objects.all(), period.hall, via="application__org_unit").filter(
        issued_at__gte=period.start, issued_at__lt=period.end
    )
    metrics = {
        "notices": Q(),
        "outside": Q(within_first_notice=False),
    }
    by_clerk = _clerk_rows(notices, "issued_by", metrics)
    by_area = _area_rows(notices, "application__applicant__org_unit", metrics)
    return DigestSection(
        key="notices",
        title="一次性告知",
        columns=["告知书", "其中超出首次告知"],
        by_clerk=by_clerk,
        by_area=by_area,
        note="按出具告知书的工作人员统计。",
    )


@digest_section
def ratings_section(period: DigestPeriod) -> DigestSection:
    ratings = _in_hall(Rating.objects.all(), period.hall, via="application__org_unit").filter(
        created_at__gte=period.start, created_at__lt=period.end
    )
    metrics = {
        "all": Q(),
        "good": Q(level__gte=Rating.Level.SATISFIED),
        "fair": Q(level=Rating.Level.BASICALLY_SATISFIED),
        "bad": Q(level__lte=Rating.Level.DISSATISFIED),
    }
    by_clerk = _clerk_rows(ratings, "application__first_responder", metrics)
    by_area = _area_rows(ratings, "application__applicant__org_unit", metrics)
    return DigestSection(
        key="ratings",
        title="好差评",
        columns=["评价", "好评", "基本满意", "差评"],
        by_clerk=by_clerk,
        by_area=by_area,
        note="计入办件的首问责任人;好评为满意及非常满意,差评为不满意及非常不满意。",
    )


def weekly_digest(*, hall: OrgUnit, monday: datetime.date) -> Digest:
    """计生周报 of the ISO week starting `monday`, for the hall's subtree."""
    period = DigestPeriod(
        hall=hall,
        monday=monday,
        start=local_midnight(monday),
        end=local_midnight(monday + datetime.timedelta(days=7)),
    )
    return Digest(period=period, sections=[build(period) for build in _digest_sections])


# ---------------------------------------------------------------------------- 月冠军


@dataclass
class RankRow:
    rank: int
    user: User
    finished: int
    on_time: int
    on_time_rate: Decimal
    good: int
    bad: int
    score: Decimal

    @property
    def on_time_percent(self) -> str:
        return f"{(self.on_time_rate * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def score_of(*, finished: int, on_time_rate: Decimal, good: int, bad: int) -> Decimal:
    """The one score formula, the one printed as SCORE_FORMULA."""
    score = Decimal(finished) + on_time_rate * 10 + Decimal(good) * 2 - Decimal(bad) * 5
    return score.quantize(Decimal("0.01"), ROUND_HALF_UP)


def handler_finished_count(*, hall: OrgUnit, month: datetime.date) -> dict[int, dict[str, int]]:
    """{handler id: {finished, on_time}} of the hall's cases finished in `month`, counted from
    the case rows: the definition `handler_finished` reads from the rollup."""
    start, end = local_midnight(month), local_midnight(next_month(month))
    finished_q = Q(status__in=FINISHED, finished_at__gte=start, finished_at__lt=end)
    rows = (
        _in_hall(Application.objects.all(), hall)
        .filter(finished_q, handler__isnull=False)
        .annotate(finished_on=TruncDate("finished_at", tzinfo=SHANGHAI))
        .values("handler_id")
        .annotate(
            finished=Count("id"),
            on_time=Count("id", filter=Q(due_on__isnull=True) | Q(finished_on__lte=F("due_on"))),
        )
        .order_by("handler_id")
    )
    return {
        row["handler_id"]: {"finished": row["finished"], "on_time": row["on_time"]} for row in rows
    }


def handler_finished(*, hall: OrgUnit, month: datetime.date) -> dict[int, dict[str, int]]:
    """`handler_finished_count` read from the monthly rollup per handler (`zhengtong.rollups`):
    a sum over the hall's units and clerks of one month, whatever the number of cases."""
    from zhengtong.rollups import read as rollups

    rows = (
        _in_hall(rollups.case_handler_months(), hall)
        .filter(month=month)
        .values("handler_id")
        .annotate(finished=Sum("finished"), on_time=Sum("on_time"))
        .filter(finished__gt=0)
        .order_by("handler_id")
    )
    return {
        row["handler_id"]: {"finished": row["finished"], "on_time": row["on_time"]} for row in rows
    }


def monthly_ranking(
    *,
    hall: OrgUnit,
    month: datetime.date,
    finished: Callable[..., dict[int, dict[str, int]]] = handler_finished,
) -> list[RankRow]:
    """月冠军: the hall's window clerks ranked by score, then on-time rate, then name.

    `finished` gives the finished cases per handler (the rollup; `handler_finished_count`
    counts the same from the rows)."""
    start, end = local_midnight(month), local_midnight(next_month(month))
    finished_by = finished(hall=hall, month=month)
    ratings = (
        _in_hall(Rating.objects.all(), hall, via="application__org_unit")
        .filter(created_at__gte=start, created_at__lt=end)
        .values("application__first_responder_id")
        .annotate(
            good=Count("id", filter=Q(level__gte=Rating.Level.SATISFIED)),
            bad=Count("id", filter=Q(level__lte=Rating.Level.DISSATISFIED)),
        )
        .order_by("application__first_responder_id")
    )
    rated_by = {row["application__first_responder_id"]: row for row in ratings}
    clerk_ids = set(
        User.objects.filter(
            memberships__role=Role.WINDOW_CLERK, memberships__org_unit__path__startswith=hall.path
        ).values_list("id", flat=True)
    )
    users = User.objects.filter(id__in=clerk_ids | set(finished_by) | set(rated_by))
    rows = []
    for user in users:
        done = finished_by.get(user.id, {"finished": 0, "on_time": 0})
        rated = rated_by.get(user.id, {"good": 0, "bad": 0})
        rate = Decimal(0)
        if done["finished"]:
            rate = (Decimal(done["on_time"]) / Decimal(done["finished"])).quantize(
                Decimal("0.0001"), ROUND_HALF_UP
            )
        rows.append(
            RankRow(
                rank=0,
                user=user,
                finished=done["finished"],
                on_time=done["on_time"],
                on_time_rate=rate,
                good=rated["good"],
                bad=rated["bad"],
                score=score_of(
                    finished=done["finished"],
                    on_time_rate=rate,
                    good=rated["good"],
                    bad=rated["bad"],
                ),
            )
        )
    rows.sort(key=lambda r: (-r.score, -r.on_time_rate, r.user.display_name, r.user.pk))
    for position, row in enumerate(rows, start=1):
        row.rank = position
    return rows


# ---------------------------------------------------------------------------- 好差评统计

RATING_DEFINITIONS = [
    ("评价数", "本月作出的好差评(按评价时间)。"),
    ("好评率", "“满意”“非常满意”的评价占评价数的比例。"),
    ("差评", "“不满意”“非常不满意”的评价;每条差评都要回访并整改。"),
    (
        "回访率",
        "已回访的差评占差评的比例;差评的整改办结时填写回访记录,即为已回访(截至统计时)。",
    ),
]
NO_WINDOW = "未设窗口"


@dataclass
class RatingRow:
    label: str
    rated: int = 0
    good: int = 0
    bad: int = 0
    called_back: int = 0

    @property
    def good_rate(self) -> str:
        return percent_text(percent(self.good, self.rated))

    @property
    def callback_rate(self) -> str:
        return percent_text(percent(self.called_back, self.bad))


@dataclass
class RatingReport:
    month: datetime.date
    by_item: list[RatingRow]
    by_window: list[RatingRow]
    by_month: list[RatingRow]  # January to `month` of its year
    totals: RatingRow


RATING_METRICS = {
    "rated": Q(),
    "good": Q(level__gte=Rating.Level.SATISFIED),
    "bad": Q(level__lte=Rating.Level.DISSATISFIED),
    "called_back": Q(level__lte=Rating.Level.DISSATISFIED)
    & Q(rectification__done_at__isnull=False)
    & ~Q(rectification__callback_note=""),
}


def _rating_counts(qs: QuerySet, *keys: str) -> QuerySet:
    return (
        qs.values(*keys)
        .annotate(**{name: Count("id", filter=q) for name, q in RATING_METRICS.items()})
        .order_by(*keys)
    )


def _rating_row(label: str, row: dict) -> RatingRow:
    return RatingRow(label, *(row[name] for name in RATING_METRICS))


def _sum_rows(label: str, rows: list[RatingRow]) -> RatingRow:
    return RatingRow(
        label,
        rated=sum(r.rated for r in rows),
        good=sum(r.good for r in rows),
        bad=sum(r.bad for r in rows),
        called_back=sum(r.called_back for r in rows),
    )


def rating_report(*, month: datetime.date, hall: OrgUnit | None = None) -> RatingReport:
    """好差评 for `month` (its first day) per item and per window, and per month of its year;
    every figure is a COUNT in the database under RATING_DEFINITIONS."""
    ratings = _in_hall(Rating.objects.all(), hall, via="application__org_unit")
    start, end = local_midnight(month), local_midnight(next_month(month))
    in_month = ratings.filter(created_at__gte=start, created_at__lt=end)
    by_item = [
        _rating_row(row["application__item__name"], row)
        for row in _rating_counts(
            in_month, "application__item__sort_order", "application__item__code",
            "application__item__name",
        )
    ]  # fmt: skip
    by_window = [
        _rating_row(row["application__item__window"] or NO_WINDOW, row)
        for row in _rating_counts(in_month, "application__item__window")
    ]
    year_start = local_midnight(month.replace(month=1))
    monthly = {
        row["rated_month"].month: row
        for row in _rating_counts(
            ratings.filter(created_at__gte=year_start, created_at__lt=end).annotate(
                rated_month=TruncMonth("created_at", tzinfo=SHANGHAI)
            ),
            "rated_month",
        )
    }
    by_month = [
        _rating_row(f"{month.year}年{m}月", monthly[m]) if m in monthly
        else RatingRow(f"{month.year}年{m}月")
        for m in range(1, month.month + 1)
    ]  # fmt: skip
    return RatingReport(
        month=month,
        by_item=by_item,
        by_window=by_window,
        by_month=by_month,
        totals=_sum_rows("合计", by_item),
    )


def rating_tables(report: RatingReport) -> list[tuple]:
    """(caption, first column, rows, total row or None) for `_rating_tables.html`."""
    month = f"{report.month:%Y}年{report.month.month}月"
    return [
        (f"{month}好差评 · 按事项", "事项", report.by_item, report.totals),
        (f"{month}好差评 · 按窗口", "窗口", report.by_window, report.totals),
        (f"{report.month:%Y}年好差评 · 按月", "月份", report.by_month, None),
    ]
