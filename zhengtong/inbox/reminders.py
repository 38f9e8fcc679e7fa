"""Reminders before things are late: one rule for every item of 我的待办, and the leaders'
daily 督办 digest.

Every item with a due date is already known to the inbox providers, so the rule needs nothing
from the modules: an owner is reminded `REMINDER_WORKDAYS_BEFORE` working days before the due
date (per kind, default 1; counted on the working-day calendar, provisional years included), on
the due day, and — when items are overdue — once a day in one digest, not one message per item.
Items already done are not in any provider, so they are never reminded of. A reminder carries
the keys of its items; one still waiting to be sent whose items have all left the owner's inbox
(the case closed, the problem resolved, the follow-up done) is cancelled: when such an object is
saved, in the same transaction (`cancel_closed()`, connected in `connect_close_hooks()`), and
again by `send_message` just before it sends (`still_due()`).

A leader also gets one 督办 digest a day, only when there is something to say: overdue problems
of the projects they lead (帮包), overdue cases per window of the halls under their units, and
the follow-up coverage of the month in their villages.

`reminders_for()` and `leader_digest()` compute; the daily task (`tasks.remind_due`) sends
what they return through the notification door, each with a key that makes it once a day.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from zhengtong.workdays import WorkCalendar

from .registry import InboxItem, items_for

DEFAULT_WORKDAYS_BEFORE = 1
DIGEST_ITEMS = 5


def daily_kinds() -> set[str]:
    """Kinds reminded every working day while they are open (the liaison's 月报, from the
    25th), instead of N working days before."""
    return set(getattr(settings, "REMINDER_DAILY_KINDS", {"项目月报"}))


def workdays_before(kind: str) -> int:
    """How many working days before the due date an item of `kind` is reminded of."""
    table = getattr(settings, "REMINDER_WORKDAYS_BEFORE", {}) or {}
    return int(table.get(kind, table.get("default", DEFAULT_WORKDAYS_BEFORE)))


@dataclass(frozen=True)
class Reminder:
    """One message to one user: `when` is "before", "due" or "overdue" (the digest)."""

    when: str
    title: str
    text: str
    url: str
    dedupe: str
    items: tuple[InboxItem, ...]


def item_key(item: InboxItem) -> str:
    return f"{item.kind}|{item.url}|{item.due_on.isoformat()}"


REMINDER_EVENTS = frozenset({"reminder"})
CANCELLED_NOTE = "提醒的事项已办结或已移出待办,提醒已取消。"
# The objects whose closing takes an item out of 我的待办: a case, a problem, a follow-up.
CLOSING_MODELS = ("services.Application", "projects.Problem", "population.FollowUp")


def still_due(message) -> bool:
    """Whether a reminder message still has an item in its owner's 我的待办 (any other message
    is always still due). A reminder without item keys (written before they were kept) is."""
    if message.event not in REMINDER_EVENTS or message.user_id is None:
        return True
    keys = message.context.get("items") or []
    if not keys:
        return True
    # The due date is left out: a postponed item is still the same item to remind of.
    open_items = {item_key(i).rsplit("|", 1)[0] for i in items_for(message.user)}
    return any(key.rsplit("|", 1)[0] in open_items for key in keys)


def cancel_closed() -> int:
    """Cancel every queued reminder whose items have all left the inbox; how many."""
    from django.db import transaction

    from zhengtong.notify.models import Message, State

    cancelled = 0
    waiting = Message.objects.filter(event__in=REMINDER_EVENTS, state=State.QUEUED)
    if not waiting.exists():
        return 0
    for message in waiting.select_related("user").order_by("pk"):
        if still_due(message):
            continue
        with transaction.atomic():
            updated = Message.objects.filter(pk=message.pk, state=State.QUEUED).update(
                state=State.CANCELLED, next_attempt_at=None, last_error=CANCELLED_NOTE
            )
        cancelled += updated
    return cancelled


def _on_close(sender, instance, **kwargs) -> None:
    # In the saving transaction: a rolled-back close cancels nothing. One query when no
    # reminder is waiting, which is nearly always (in-app reminders go out within seconds).
    cancel_closed()


def connect_close_hooks() -> None:
    """Saving a case, problem or follow-up re-checks the queued reminders."""
    from django.apps import apps
    from django.db.models.signals import post_save

    for label in CLOSING_MODELS:
        post_save.connect(
            _on_close, sender=apps.get_model(label), dispatch_uid=f"remind-close-{label}"
        )


def reminders_for(
    user, *, today: datetime.date, calendar: WorkCalendar | None = None
) -> list[Reminder]:
    """What `user` is to be reminded of today, from their 我的待办."""
    calendar = calendar or WorkCalendar()
    items = items_for(user, today=today)
    out: list[Reminder] = []
    overdue: list[InboxItem] = []
    for item in items:
        if item.due_on < today:
            overdue.append(item)
            continue
        if item.due_on == today:
            when, words = "due", "今天到期"
        elif item.kind in daily_kinds() and calendar.is_workday(today):
            when, words = f"daily-{today.isoformat()}", f"{item.due_on:%m月%d日}到期,请按时办理"
        elif calendar.workdays_between(today, item.due_on) == workdays_before(item.kind):
            when = "before"
            words = f"{item.due_on:%m月%d日}到期(还有 {workdays_before(item.kind)} 个工作日)"
        else:
            continue
        subtitle = f"({item.subtitle})" if item.subtitle else ""
        out.append(
            Reminder(
                when=when,
                title=f"【{item.kind}】{item.title}",
                text=f"【{item.kind}】{item.title}{subtitle}{words}。",
                url=item.url,
                dedupe=f"remind:{user.pk}:{when}:{item_key(item)}",
                items=(item,),
            )
        )
    if overdue:
        shown = ";".join(f"{i.kind}:{i.title}" for i in overdue[:DIGEST_ITEMS])
        more = f"等 {len(overdue)} 项" if len(overdue) > DIGEST_ITEMS else f"共 {len(overdue)} 项"
        out.append(
            Reminder(
                when="overdue",
                title=f"您有 {len(overdue)} 项待办已超期",
                text=f"已超期待办{more}:{shown}。请尽快办理。",
                url="/",
                dedupe=f"remind:{user.pk}:overdue:{today.isoformat()}",
                items=tuple(overdue),
            )
        )
    return out


def leader_digest(user, *, today: datetime.date) -> str | None:
    """The leader's 督办 text for today, or None when there is nothing to say."""
    from zhengtong.accounts.models import Role
    from zhengtong.accounts.scope import has_role, scope
    from zhengtong.lib.periods import month_period
    from zhengtong.projects.selectors import problems_overdue_for_leader
    from zhengtong.reports.report import followup_coverage
    from zhengtong.services.models import Application
    from zhengtong.services.selectors import applications_overdue

    if not has_role(user, Role.LEADER):
        return None
    parts = []
    problems = list(problems_overdue_for_leader(user, today=today)[: DIGEST_ITEMS + 1])
    if problems:
        names = "、".join(f"{p.project.name}“{p.title}”" for p in problems[:DIGEST_ITEMS])
        more = "等" if len(problems) > DIGEST_ITEMS else ""
        parts.append(f"帮包项目超期或已升级问题:{names}{more}")
    cases = applications_overdue(scope(Application.objects.all(), user, [Role.LEADER]), today)
    windows = list(
        cases.values("item__window").annotate(count=Count("pk")).order_by("-count", "item__window")
    )
    if windows:
        counts = "、".join(f"{w['item__window'] or '未分窗口'} {w['count']} 件" for w in windows)
        parts.append(f"超期办件:{counts}")
    coverage = followup_coverage(user, month_period(today), today=today)
    if coverage["due"] and coverage["done"] < coverage["due"]:
        rate = f"{coverage['rate']}%" if coverage["rate"] is not None else "—"
        parts.append(
            f"本月随访应访 {coverage['due']} 次、已访 {coverage['done']} 次(覆盖率 {rate})"
        )
    if not parts:
        return None
    return f"{today:%Y年%m月%d日}督办:" + ";".join(parts) + "。"
