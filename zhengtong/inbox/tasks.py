"""The daily reminder sweep (run by the worker's schedule at 08:00)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from zhengtong.jobs.registry import task
from zhengtong.workdays import WorkCalendar

from .reminders import item_key, leader_digest, reminders_for


@task("待办提醒与领导督办日报", retry_safe=True)
def remind_due() -> str:
    """Every active staff user's reminders for today (before, due, one overdue digest) and the
    leaders' 督办 digest, as 站内消息. Run twice the same day it sends nothing new: every
    message has a key of the user, the item and the day."""
    from zhengtong.notify.outbox import Recipient, notify

    today = timezone.localdate()
    calendar = WorkCalendar()
    users = get_user_model().objects.filter(is_active=True, memberships__isnull=False).distinct()
    reminded = digests = 0
    for user in users.order_by("pk"):
        with transaction.atomic():
            for reminder in reminders_for(user, today=today, calendar=calendar):
                notify(
                    event="reminder",
                    target=None,
                    recipients=[Recipient.staff(user)],
                    context={
                        "text": reminder.text,
                        "items": [item_key(i) for i in reminder.items],
                    },
                    dedupe=reminder.dedupe,
                )
                reminded += 1
            text = leader_digest(user, today=today)
            if text:
                notify(
                    event="leader_digest",
                    target=None,
                    recipients=[Recipient.staff(user)],
                    context={"text": text},
                    dedupe=f"digest:{user.pk}:{today.isoformat()}",
                )
                digests += 1
    return f"{today:%Y-%m-%d}:提醒 {reminded} 条,领导督办日报 {digests} 份。"
