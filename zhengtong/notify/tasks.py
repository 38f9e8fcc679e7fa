"""Sending one message: in-app at once; SMS through the provider, with quiet hours, a daily cap
per phone and retries with backoff (each retry is a new job queued for later, never a sleep).
Then the delivery receipts: every ten minutes the schedule pulls what became of the SMS still
"sent" and marks each delivered or failed (with the carrier's reason)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhengtong.audit.actions import record_event
from zhengtong.jobs.enqueue import enqueue_on_commit
from zhengtong.jobs.registry import task
from zhengtong.lib.encrypted import index_lookup

from .models import Channel, Message, State
from .optout import OPTED_OUT_NOTE, withheld
from .rendering import sms_values
from .sms import DeliveryReport, SentSms, SmsMessage, get_backend
from .sms.console import FileBackend

QUIET_START = datetime.time(21, 0)
QUIET_END = datetime.time(8, 0)
BACKOFF_MINUTES = (1, 5, 30)
MAX_ATTEMPTS = 4
DEFAULT_DAILY_CAP = 5
DEMO_SIGN_NAME = "政通演示"
# Receipts are asked for during a week after sending (腾讯云 keeps them 7 days, 阿里云 30); a
# message still without one then stays "sent". A run asks for at most RECEIPT_BATCH messages.
RECEIPT_WINDOW = datetime.timedelta(days=7)
RECEIPT_BATCH = 500


def daily_cap() -> int:
    return int(getattr(settings, "NOTIFY_SMS_DAILY_CAP", DEFAULT_DAILY_CAP))


def quiet_until(now: datetime.datetime) -> datetime.datetime | None:
    """08:00 local time after `now` when `now` is in the quiet hours (21:00–08:00), else None."""
    local = timezone.localtime(now)
    if QUIET_END <= local.time() < QUIET_START:
        return None
    day = local.date() if local.time() < QUIET_END else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, QUIET_END, tzinfo=local.tzinfo)


def sign_name_for(backend) -> str:
    """Empty (the backend's SMS_SIGN_NAME), except that the development file backend, which
    sends nothing, signs as the demo when no signature is configured."""
    if not settings.SMS_SIGN_NAME and isinstance(backend, FileBackend):
        return DEMO_SIGN_NAME
    return ""


def sent_today(phone: str, now: datetime.datetime) -> int:
    local = timezone.localtime(now)
    start = datetime.datetime.combine(local.date(), datetime.time.min, tzinfo=local.tzinfo)
    # Sent, delivered or not: a message the provider accepted counts, whatever its receipt says.
    return Message.objects.filter(
        channel=Channel.SMS, **index_lookup(Message, "phone", phone), sent_at__gte=start
    ).count()


def _later(message: Message, when: datetime.datetime) -> None:
    message.next_attempt_at = when
    enqueue_on_commit(send_message.using(run_after=when), message.pk)


def _audit_sent(message: Message) -> None:
    """One audit row per sent message; the phone number never enters it."""
    target = message.target if message.target_type_id else None
    record_event(
        actor=None,
        action="message_sent",
        target=target or message,
        changes={
            "message": [None, message.pk],
            "event": [None, message.event_label],
            "channel": [None, message.get_channel_display()],
            "attempts": [None, message.attempts],
        },
    )


@task("发送消息", retry_safe=True)
def send_message(message_id: int) -> str:
    """Send message `message_id` if it is still waiting; a second run for it does nothing."""
    # The message row is locked for the whole attempt: a second job for the same message waits
    # here and then finds it no longer queued. The audit chain's lock is taken only at the end
    # (by record_event), so a slow provider never holds up other audited changes; no audited
    # change waits for a message row (the door only inserts), so this order cannot deadlock.
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "消息不存在。"
        if message.state != State.QUEUED:
            return f"消息已是“{message.get_state_display()}”,不再发送。"
        now = timezone.now()
        if message.next_attempt_at and message.next_attempt_at > now:
            return "未到发送时间。"
        from zhengtong.inbox.reminders import CANCELLED_NOTE, still_due

        if not still_due(message):
            message.state = State.CANCELLED
            message.next_attempt_at = None
            message.last_error = CANCELLED_NOTE
            message.save(update_fields=["state", "next_attempt_at", "last_error"])
            return CANCELLED_NOTE
        if message.channel == Channel.INAPP:
            message.attempts += 1
            message.state = State.SENT
            message.sent_at = now
            message.next_attempt_at = None
            message.save(update_fields=["attempts", "state", "sent_at", "next_attempt_at"])
            _audit_sent(message)
            return "站内消息已送达。"
        return _send_sms(message, now)


def _send_sms(message: Message, now: datetime.datetime) -> str:
    fields = [
        "attempts",
        "state",
        "sent_at",
        "next_attempt_at",
        "last_error",
        "provider_message_id",
    ]
    # The phone may have opted out since the message was written (e.g. while it waited for
    # the morning): ask again just before sending.
    if withheld(event=message.event, channel=message.channel, phone=message.phone):
        message.state = State.OPTED_OUT
        message.next_attempt_at = None
        message.last_error = OPTED_OUT_NOTE
        message.save(update_fields=fields)
        return OPTED_OUT_NOTE
    if not message.urgent and (morning := quiet_until(now)):
        _later(message, morning)
        message.save(update_fields=["next_attempt_at"])
        return f"免打扰时段,推迟到 {timezone.localtime(morning):%Y-%m-%d %H:%M} 发送。"
    cap = daily_cap()
    if sent_today(message.phone, now) >= cap:
        message.state = State.FAILED
        message.last_error = f"该手机号今日已收到 {cap} 条短信,达到每日上限,本条不再发送。"
        message.save(update_fields=fields)
        return message.last_error
    message.attempts += 1
    backend = get_backend()
    result = backend.send(
        SmsMessage(
            phone=message.phone,
            template_code=message.template_code,
            params=sms_values(message.context, recipient_name=message.recipient_name),
            sign_name=sign_name_for(backend),
        )
    )
    if result.ok:
        message.state = State.SENT
        message.sent_at = now
        message.next_attempt_at = None
        message.last_error = ""
        message.provider_message_id = result.message_id[:100]
        message.save(update_fields=fields)
        _audit_sent(message)
        return "短信已发送。"
    message.last_error = (result.error_message or "短信发送失败。")[:300]
    if result.retryable and message.attempts < MAX_ATTEMPTS:
        delay = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
        _later(message, now + datetime.timedelta(minutes=delay))
        message.save(update_fields=fields)
        return f"发送失败,{delay} 分钟后重试:{message.last_error}"
    message.state = State.FAILED
    message.next_attempt_at = None
    message.save(update_fields=fields)
    return f"发送失败:{message.last_error}"


def awaiting_receipt(now: datetime.datetime):
    """SMS the provider accepted within the receipt window that have no final status yet."""
    return Message.objects.filter(
        channel=Channel.SMS,
        state=State.SENT,
        sent_at__gte=now - RECEIPT_WINDOW,
    ).exclude(provider_message_id="")


def apply_receipt(report: DeliveryReport, now: datetime.datetime) -> bool:
    """Mark the message of `report` delivered or failed, once: a message no longer "sent" (an
    earlier pull got there first) is left as it is. True if this call changed it."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(
                channel=Channel.SMS,
                state=State.SENT,
                provider_message_id=report.message_id[:100],
            )
            .first()
        )
        if message is None or not report.message_id:
            return False
        message.receipt_at = report.received_at or now
        if report.delivered:
            message.state = State.DELIVERED
            message.last_error = ""
        else:
            message.state = State.FAILED
            message.last_error = (report.reason or "运营商未能送达。")[:300]
        message.save(update_fields=["state", "receipt_at", "last_error"])
        changes = {
            "message": [None, message.pk],
            "event": [None, message.event_label],
            "state": [State.SENT.label, message.state_label],
        }
        if not report.delivered:
            changes["reason"] = [None, message.last_error]
        target = message.target if message.target_type_id else None
        record_event(
            actor=None,
            action="message_delivered" if report.delivered else "message_undelivered",
            target=target or message,
            changes=changes,
            reason=message.last_error,
        )
    return True


@task("拉取短信送达回执", retry_safe=True)
def pull_delivery_receipts() -> str:
    """Ask the provider what became of the SMS still "sent"; mark each delivered or failed.

    Idempotent: a receipt for a message already final changes nothing. A provider error leaves
    the messages "sent" for the next run (every ten minutes) and is reported in the result."""
    now = timezone.now()
    pending = list(
        awaiting_receipt(now)
        .order_by("sent_at", "pk")
        .values_list("provider_message_id", "phone", "sent_at")[:RECEIPT_BATCH]
    )
    if not pending:
        return "没有等待回执的短信。"
    backend = get_backend()
    pull = backend.delivery_reports(
        [SentSms(message_id=m, phone=phone, sent_at=at) for m, phone, at in pending]
    )
    delivered = failed = 0
    for report in pull.reports:
        if apply_receipt(report, now):
            if report.delivered:
                delivered += 1
            else:
                failed += 1
    waiting = awaiting_receipt(now).count()
    summary = f"送达 {delivered} 条,送达失败 {failed} 条,仍在等待回执 {waiting} 条。"
    if pull.errors:
        summary += "查询出错,下次再查:" + ";".join(dict.fromkeys(pull.errors))
    return summary
