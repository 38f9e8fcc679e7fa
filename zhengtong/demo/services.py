"""The demo's one-stop hall: 刘集镇便民服务中心, its window posts with A/B clerks, the duty roster
(挂牌上岗) and a few months of cases, so that 办事公开, 计生周报 and 月冠军 show real numbers.

Every case goes through the real actions (intake, one-time notice, supplement, correction with
the clock stopped, approval with a certificate number, refusal, withdrawal, rating,
rectification). The actions read the clock through `django.utils.timezone.now`; the builder
moves that clock (`clock()`) to each step's moment, so dates, due dates, pauses, audit events
and ratings carry the day they happened on. The steps of all cases run in time order, so the
audit log's order is the order of the days.

The applicants are fictitious: generated names, phone numbers and ID numbers (valid check
digit, 东阿县 area code). Rerunning creates nothing: posts are found by hall and window, the
roster by day and clerk, and the case history is built only while the hall has no case yet.
"""

import base64
import datetime
import heapq
import io
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.audit.actions import record_event
from zhengtong.audit.models import Event
from zhengtong.lib.idcard import make_id_number
from zhengtong.people.actions import person_get_or_register
from zhengtong.services import actions
from zhengtong.services.actions.home import notice_delivery_record
from zhengtong.services.models import Application, DutyEntry, Leave, Post, ServiceItem
from zhengtong.services.selectors import required_materials
from zhengtong.workdays import HolidayDataMissing, WorkCalendar

from .org import TOWN, VILLAGES
from .projects import Totals

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED = 3715242026

# (post name, window, A username, B username, the item the window takes in)
POSTS = [
    ("生育登记", "1号窗口", "clerk_a", "clerk_b", "SYDJ"),
    ("育儿补贴申领", "2号窗口", "clerk_c", "clerk_d", "YEBT"),
]
# The history runs from the first day of the month this many months back until now.
MONTHS_BACK = 3
# The roster covers today (when a working day) and this many working days after it.
ROSTER_WORKDAYS = 5

SURNAMES = "王李张刘陈杨赵孙高马郭徐朱侯耿宋于董韩曹田袁邢范段"
GIVEN_FEMALE = [
    "丽", "娟", "静", "敏", "燕", "艳", "芳", "霞", "婷", "雪", "倩", "慧", "玲", "红",
    "晓燕", "秀英", "雅琪", "欣怡", "梦瑶", "佳慧", "海燕", "春梅", "文静", "晓丽",
]  # fmt: skip
GIVEN_MALE = [
    "强", "伟", "磊", "军", "勇", "杰", "涛", "超", "鹏", "刚", "浩", "斌",
    "建华", "志强", "海涛", "晓东", "立新", "文博", "子轩", "振宇",
]  # fmt: skip
INTAKE_HOURS = [8, 9, 9, 10, 10, 11, 14, 15, 16]
MOBILE_PREFIXES = ["133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159",
                   "178", "182", "187", "188"]  # fmt: skip

REFUSE_REASONS = {
    "SYDJ": [
        "经核实,申请人已在户籍地办理本孩次的生育登记,不予重复登记。",
        "经核实,申请所报子女情况与户籍信息不符,申请人未能提供有效证明。",
    ],
    "YEBT": [
        "经核实,该婴幼儿已满 3 周岁,不在育儿补贴发放范围。",
        "经核实,该婴幼儿本年度补贴已在其他地方申领,不予重复发放。",
    ],
}
WITHDRAW_REASONS = ["申请人改为网上办理,申请撤回。", "申请人因家中有事,要求暂缓办理并撤回申请。"]
CORRECTION_NOTES = {
    "SYDJ": ("pledge", "承诺书缺少配偶签字,请夫妻双方签字后交回。"),
    "YEBT": ("bank_card", "银行卡户名与申领人姓名不一致,请提供申领人本人名下的银行卡。"),
}
GOOD_COMMENTS = ["一次就办好了,工作人员很耐心。", "告知得很清楚,没有跑冤枉路。", "", "", ""]
BAD_COMMENTS = {
    2: "窗口中午没人,等了四十多分钟。",
    1: "工作人员说话态度生硬,问了两遍才说清楚。",
}


@contextmanager
def clock(moment: datetime.datetime) -> Iterator[None]:
    """Run the block as if it were `moment`: every timezone.now() in the actions (audit events,
    auto_now fields, "today") answers it. In UTC, as timezone.now() itself answers: the audit
    hash covers the time's text, which must read the same after a round trip to the database."""
    moment = moment.astimezone(datetime.UTC)
    with mock.patch("django.utils.timezone.now", new=lambda: moment):
        yield


# Every so many cases of the history is taken in at the applicant's home (上门服务).
HOME_SERVICE_EVERY = 20


def home_position(case: "CasePlan") -> dict:
    """Where the home lies: a point in the township, a little apart for each case."""
    offset = Decimal(case.index % 50) / 2000
    return {"latitude": Decimal("36.431200") + offset, "longitude": Decimal("115.962400") + offset}


def drawn_signature(seed: int) -> str:
    """A signature as the page's canvas sends it: a PNG data URL of a few pen strokes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    points = [(30 + 30 * i, 60 + ((seed * 7 + i * 13) % 40) - 20) for i in range(11)]
    draw.line(points, fill="black", width=3, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@dataclass
class CasePlan:
    """One case of the history, decided before it runs."""

    index: int
    received: datetime.datetime
    item: str
    by_b: bool  # taken in by the post's B clerk although A is at work
    applicant: dict
    village: OrgUnit
    situation: dict
    missing: list[str]  # required materials not presented at intake
    supplement_after: int = 1  # working days until the applicant brings them
    withdraw_pending: bool = False  # the applicant gives up instead of supplementing
    correction_after: int | None = None  # working days after acceptance; None: no correction
    correction_days: int = 2  # working days the applicant takes to correct
    outcome: str = "approve"  # approve, refuse, withdraw, stall (left open)
    late_by: int = 0  # working days past the due date at which the case is finished
    rating: int | None = None
    close_rectification: bool = False
    notes: list[str] = field(default_factory=list)


class HallBuilder:
    """Builds the 刘集镇 hall of the demo as of `now` (the wall clock by default)."""

    def __init__(self, *, admin: User, units: dict[str, OrgUnit], now=None) -> None:
        self.admin = admin
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.hall = units[TOWN]
        self.villages = [units[code] for code in VILLAGES]
        self.calendar = WorkCalendar()
        self.rng = random.Random(SEED)
        self.made = Totals()
        self.moment = self.now
        self.leave: tuple[User, datetime.date, datetime.date] | None = None
        self.posts: list[Post] = []
        self.post_for: dict[str, Post] = {}

    # --- calendar -----------------------------------------------------------------------------

    def workdays(self, start: datetime.date, end: datetime.date) -> list[datetime.date]:
        """Working days from start to end, both included; stops at a year without data."""
        days = []
        day = start
        while day <= end:
            try:
                if self.calendar.is_workday(day):
                    days.append(day)
            except HolidayDataMissing:
                break
            day += datetime.timedelta(days=1)
        return days

    def after(self, day: datetime.date, n: int) -> datetime.date | None:
        """The n-th working day after `day`, or None when it lies in a year without data."""
        try:
            return self.calendar.add_workdays(day, n)
        except HolidayDataMissing:
            return None

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)

    def office_time(self, day: datetime.date | None) -> datetime.datetime | None:
        """A moment in office hours of `day` later than the current step, or None."""
        if day is None:
            return None
        earliest = self.moment + datetime.timedelta(minutes=20)
        hour, minute = self.rng.choice([9, 9, 10, 10, 11, 14, 15, 16]), self.rng.randrange(0, 60)
        moment = max(self.at(day, hour, minute), earliest)
        if timezone.localdate(moment) != day or moment.hour >= 17:
            return self.office_time(self.after(day, 1))
        return moment

    # --- posts and roster ---------------------------------------------------------------------

    def build_posts(self, users: dict[str, User]) -> list[Post]:
        posts = []
        for name, window, a, b, _item in POSTS:
            post = Post.objects.filter(org_unit=self.hall, window=window).first()
            if post is None:
                post = Post.objects.create(
                    org_unit=self.hall, name=name, window=window, a_user=users[a], b_user=users[b]
                )
                record_event(
                    actor=self.admin,
                    action="post_created",
                    kind=Event.Kind.CREATE,
                    target=post,
                    org_unit=self.hall,
                    changes={
                        "name": [None, name],
                        "window": [None, window],
                        "a_user": [None, users[a].display_name],
                        "b_user": [None, users[b].display_name],
                    },
                )
                self.made.add("窗口岗位")
            posts.append(post)
        return posts

    def build_roster(self) -> None:
        """挂牌上岗 for today (when the hall is open) and the coming working days."""
        days = self.workdays(self.today, self.today + datetime.timedelta(days=ROSTER_WORKDAYS * 3))
        for day in days[: ROSTER_WORKDAYS + (1 if days and days[0] == self.today else 0)]:
            for post in self.posts:
                for user in (post.a_user, post.b_user):
                    if DutyEntry.objects.filter(day=day, user=user).exists():
                        continue
                    if Leave.objects.filter(user=user, start_on__lte=day, end_on__gte=day).exists():
                        continue
                    actions.duty_assign(actor=post.a_user, day=day, post=post, user=user)
                    self.made.add("值班安排")

    # --- the plan -----------------------------------------------------------------------------

    def person(self, index: int, item: str) -> tuple[dict, OrgUnit]:
        female = item == "YEBT" or self.rng.random() < 0.8
        given = self.rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        age = self.rng.randint(23, 38)
        birth = datetime.date(self.today.year - age, 1, 1) + datetime.timedelta(
            days=self.rng.randrange(365)
        )
        phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
        applicant = {
            "name": self.rng.choice(SURNAMES) + given,
            "id_number": make_id_number(birth, female=female, seq=index % 499 + 1),
            "phone": phone,
        }
        village = self.rng.choices(self.villages, weights=[5, 3, 3, 2, 2])[0]
        return applicant, village

    def situation(self, item: str) -> dict:
        if item == "SYDJ":
            return {
                "hukou": "floating" if self.rng.random() < 0.15 else "local",
                "marital_status": "remarried" if self.rng.random() < 0.1 else "married",
                "child_order": self.rng.choices([1, 2, 3], weights=[5, 4, 1])[0],
            }
        return {
            "hukou": "local",
            "marital_status": "divorced" if self.rng.random() < 0.1 else "married",
            "child_order": self.rng.choices([1, 2, 3], weights=[5, 4, 1])[0],
        }

    def plan(self, items: dict[str, ServiceItem]) -> list[CasePlan]:
        rng = self.rng
        year, month = divmod(self.today.year * 12 + self.today.month - 1 - MONTHS_BACK, 12)
        first = datetime.date(year, month + 1, 1)
        plans: list[CasePlan] = []
        for day in self.workdays(first, self.today):
            for _ in range(rng.choice([0, 1, 1, 2, 2, 2, 3])):
                item = "SYDJ" if rng.random() < 0.65 else "YEBT"
                applicant, village = self.person(len(plans), item)
                situation = self.situation(item)
                required = [m.code for m in required_materials(items[item], situation)]
                missing = []
                if rng.random() < 0.35:
                    optional = [c for c in required if c not in ("id_cards", "applicant_id")]
                    missing = rng.sample(optional, k=min(len(optional), rng.choice([1, 1, 2])))
                plan = CasePlan(
                    index=len(plans),
                    received=self.at(day, rng.choice(INTAKE_HOURS), rng.randrange(0, 60)),
                    item=item,
                    by_b=rng.random() < 0.25,
                    applicant=applicant,
                    village=village,
                    situation=situation,
                    missing=missing,
                    supplement_after=rng.choice([1, 1, 2, 3, 4]),
                )
                roll = rng.random()
                if missing and roll < 0.05:
                    plan.withdraw_pending = True
                    plan.supplement_after = 5
                elif roll < 0.08:
                    plan.outcome = "withdraw"
                elif roll < 0.12:
                    plan.outcome = "refuse"
                if item == "YEBT" and rng.random() < 0.2:
                    plan.correction_after = rng.choice([1, 2, 3])
                    plan.correction_days = rng.choice([1, 2, 3, 4])
                if rng.random() < 0.08:
                    plan.late_by = rng.choice([1, 1, 2, 3])
                if rng.random() < 0.6:
                    plan.rating = rng.choices([5, 4, 3], weights=[12, 5, 2])[0]
                plans.append(plan)
        self.shape(plans)
        return plans

    def shape(self, plans: list[CasePlan]) -> None:
        """Make sure the history shows each rule at least once, whatever day it is built on:
        open cases past their due date, a bad rating called back and one still open, a case
        paused for correction now, and cases handled by B while A is on leave."""
        today = self.today

        def aged(case: CasePlan) -> int:
            return len(self.workdays(timezone.localdate(case.received), today)) - 1

        def pick(low: int, high: int, item: str | None = None) -> CasePlan | None:
            for case in plans:
                if low <= aged(case) <= high and (item is None or case.item == item):
                    if not case.notes:
                        return case
            return None

        for low, high in [(12, 20), (22, 30), (32, 45)]:
            if case := pick(low, high):
                case.missing, case.outcome, case.correction_after = [], "stall", None
                case.notes.append("overdue")
        for level, (low, high), close in [(2, (40, 60), True), (1, (6, 9), False)]:
            if case := pick(low, high):
                case.outcome, case.withdraw_pending, case.late_by = "approve", False, 0
                case.rating, case.close_rectification = level, close
                case.notes.append("bad rating")
        if case := pick(2, 8, "YEBT") or pick(2, 8):
            case.missing, case.withdraw_pending, case.outcome = [], False, "approve"
            case.correction_after, case.correction_days = 1, 30
            case.notes.append("paused now")
        if self.leave is not None:
            # A's case received on the eve of the leave, supplemented while A is away: B takes
            # it in hand and finishes it for A.
            start = self.leave[1]
            eve = max((d for d in self.workdays(start - datetime.timedelta(days=10), start)
                       if d < start), default=None)  # fmt: skip
            for case in plans:
                if timezone.localdate(case.received) == eve and case.item == "SYDJ":
                    if case.notes:
                        continue
                    case.by_b, case.withdraw_pending, case.outcome = False, False, "approve"
                    case.missing = case.missing or ["pledge"]
                    case.supplement_after, case.late_by, case.correction_after = 2, 0, None
                    case.notes.append("b for a")
                    break

    # --- running the plan -------------------------------------------------------------------

    def on_leave(self, user: User, day: datetime.date) -> bool:
        return (
            self.leave is not None
            and self.leave[0].pk == user.pk
            and self.leave[1] <= day <= self.leave[2]
        )

    def actor_for(self, application: Application) -> User:
        """The handler, or their B while the handler is on leave (B 代 A)."""
        handler = application.handler
        if self.on_leave(handler, timezone.localdate(self.moment)):
            return next(p.b_user for p in self.posts if p.a_user_id == handler.pk)
        return handler

    def leave_life(self, user: User, start: datetime.date, end: datetime.date):
        """A's leave, recorded by A on the working day before it starts."""
        eve = max(
            (d for d in self.workdays(start - datetime.timedelta(days=10), start) if d < start),
            default=start,
        )
        yield self.at(eve, 16, 30)
        actions.leave_record(actor=user, user=user, start_on=start, end_on=end, reason="年休假")
        self.made.add("请假记录")

    def case_life(self, case: CasePlan, items: dict[str, ServiceItem]):
        """The case's steps; each `yield` is the moment of the next one."""
        post = self.post_for[case.item]
        yield case.received
        day = timezone.localdate(self.moment)
        receiver = post.b_user if case.by_b or self.on_leave(post.a_user, day) else post.a_user
        item = items[case.item]
        required = [m.code for m in required_materials(item, case.situation)]
        person_get_or_register(
            actor=receiver,
            id_number=case.applicant["id_number"],
            name=case.applicant["name"],
            phone=case.applicant["phone"],
            org_unit=case.village,
        )
        at_home = case.index % HOME_SERVICE_EVERY == HOME_SERVICE_EVERY - 1
        position = home_position(case) if at_home else {}
        application = actions.application_intake(
            actor=receiver,
            item_code=case.item,
            applicant=case.applicant,
            materials=[c for c in required if c not in case.missing],
            situation=case.situation,
            received_at=self.moment,
            channel=Application.Channel.HOME_VISIT if at_home else Application.Channel.WINDOW,
            **position,
        )
        self.made.add("办件")
        if at_home:
            # 上门告知: the clerk hands over the 办证服务告知书 and the applicant signs on the phone.
            notice_delivery_record(
                actor=receiver,
                application=application,
                delivered_on=day,
                delivered_by=receiver,
                place=f"{case.village.name}申请人家中",
                signature=drawn_signature(case.index),
                **position,
            )
            self.made.add("上门告知")
        if application.status == Application.Status.PENDING:
            yield self.office_time(self.after(day, case.supplement_after))
            if case.withdraw_pending:
                actions.application_withdraw(
                    actor=self.actor_for(application),
                    application=application,
                    reason="申请人未在约定时间内补正材料,电话联系后申请撤回。",
                )
                return
            application = actions.application_supplement(
                actor=self.actor_for(application), application=application, materials=case.missing
            )
        if case.correction_after is not None and case.outcome != "withdraw":
            yield self.office_time(self.after(application.accepted_on, case.correction_after))
            code, note = CORRECTION_NOTES[case.item]
            actions.application_request_correction(
                actor=self.actor_for(application),
                application=application,
                materials=[code],
                note=note,
            )
            yield self.office_time(
                self.after(timezone.localdate(self.moment), case.correction_days)
            )
            application = actions.application_supplement(
                actor=self.actor_for(application), application=application, materials=[code]
            )
        if case.outcome == "stall":
            return
        yield self.finish_time(application, case)
        actor = self.actor_for(application)
        if case.outcome == "withdraw":
            actions.application_withdraw(
                actor=actor, application=application, reason=self.rng.choice(WITHDRAW_REASONS)
            )
            return
        if case.outcome == "refuse":
            actions.application_refuse(
                actor=actor,
                application=application,
                reason=self.rng.choice(REFUSE_REASONS[case.item]),
            )
        else:
            actions.application_approve(actor=actor, application=application)
        if case.rating is None:
            return
        finished = timezone.localdate(self.moment)
        yield self.at(
            finished + datetime.timedelta(days=self.rng.choice([0, 1, 1, 2])),
            self.rng.randint(max(self.moment.astimezone(SHANGHAI).hour + 1, 12), 21),
            self.rng.randrange(60),
        )
        level = case.rating
        comment = BAD_COMMENTS.get(level) or self.rng.choice(GOOD_COMMENTS)
        rating = actions.rating_submit(application=application, level=level, comment=comment)
        self.made.add("评价")
        if not case.close_rectification:
            return
        yield self.office_time(self.after(timezone.localdate(self.moment), 3))
        actions.rectification_close(
            actor=application.first_responder,
            rectification=rating.rectification,
            callback_note=(
                "电话回访申请人,就等候时间过长致歉,说明午间已安排 B 角轮流值守;申请人表示认可。"
            ),
            result="便民服务中心调整午间值班表,窗口实行 A/B 角错时就餐,确保午间有人受理。",
        )

    def finish_time(self, application: Application, case: CasePlan) -> datetime.datetime | None:
        """On time: between now and the due date; late: `late_by` working days after it."""
        day = timezone.localdate(self.moment)
        if application.due_on is None:
            return None
        if case.late_by:
            return self.office_time(self.after(application.due_on, case.late_by))
        try:
            left = max(self.calendar.workdays_between(day, application.due_on), 0)
        except HolidayDataMissing:
            left = 0
        return self.office_time(self.after(day, self.rng.randint(0, left)))

    def run(self, lives: list[Iterator]) -> None:
        """Run every life's steps in time order, each under the clock of its moment; steps
        later than now are left for the future (the case stays as it is today)."""
        queue: list[tuple[datetime.datetime, int, Iterator]] = []

        def schedule(life: Iterator, order: int) -> None:
            when = next(life, None)
            if when is not None and when <= self.now:
                heapq.heappush(queue, (when, order, life))

        for order, life in enumerate(lives):
            with clock(self.now):
                schedule(life, order)
        while queue:
            when, order, life = heapq.heappop(queue)
            self.moment = when
            with clock(when):
                schedule(life, order)

    def history(self) -> None:
        items = {i.code: i for i in ServiceItem.objects.prefetch_related("materials")}
        a_user = self.posts[0].a_user
        # A week of annual leave for the first post's A, six weeks ago.
        monday = self.today - datetime.timedelta(days=42 + self.today.weekday())
        days = self.workdays(monday, monday + datetime.timedelta(days=14))[:5]
        if days:
            self.leave = (a_user, days[0], days[-1])
        plans = self.plan(items)
        lives: list[Iterator] = []
        if self.leave is not None:
            lives.append(self.leave_life(*self.leave))
        lives += [self.case_life(case, items) for case in plans]
        self.run(lives)

    def build(self, users: dict[str, User]) -> Totals:
        self.posts = self.build_posts(users)
        self.post_for = {spec[4]: post for spec, post in zip(POSTS, self.posts, strict=True)}
        if not Application.objects.filter(org_unit=self.hall).exists():
            self.history()
        self.build_roster()
        return self.made
