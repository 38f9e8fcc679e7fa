"""The door: `notify()` writes the messages of a change inside its transaction and queues
their sending for when it commits. A rolled-back change sends nothing; the same change saved
twice makes one message (the dedupe key is unique)."""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

from zhengtong.accounts.models import User
from zhengtong.jobs.enqueue import enqueue_on_commit
from zhengtong.lib.encrypted import blind_index

from .models import Channel, Message, MessageTemplate, State
from .optout import OPTED_OUT_NOTE, withheld
from .rendering import check_context, render

logger = logging.getLogger("zhengtong.notify")
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


@dataclass(frozen=True)
class Recipient:
    """A staff user (in-app message) or a resident's phone and name (SMS)."""

    user: User | None = None
    phone: str = ""
    name: str = ""

    @classmethod
    def staff(cls, user) -> "Recipient":
        return cls(user=user)

    @classmethod
    def resident(cls, phone: str, name: str = "") -> "Recipient":
        return cls(phone=(phone or "").strip(), name=(name or "").strip())

    @property
    def channel(self) -> str:
        return Channel.INAPP if self.user is not None else Channel.SMS

    @property
    def key(self) -> str:
        """The recipient's part of a message's dedupe key. A phone appears only as its blind
        index: the key is stored in clear beside the sealed number."""
        if self.user is not None:
            return f"u{self.user.pk}"
        return f"p{blind_index('phone', self.phone) or '-'}"


def template_for(event: str, channel: str, item=None) -> MessageTemplate | None:
    """The active template of the event and channel: the item's own, else the general one."""
    found = MessageTemplate.objects.filter(event=event, channel=channel, is_active=True)
    if item is not None:
        found = found.filter(models.Q(item=item) | models.Q(item__isnull=True))
        return found.order_by(models.F("item").asc(nulls_last=True)).first()
    return found.filter(item__isnull=True).first()


def notify(
    *,
    event: str,
    target: models.Model | None,
    recipients: Iterable[Recipient],
    context: dict,
    dedupe: str,
    urgent: bool = False,
    item=None,
) -> list[Message]:
    """Write one message per recipient (get-or-create on `dedupe` + channel + recipient) and
    queue its sending on commit. Call it inside the business action's transaction.

    An event without an active template for a channel sends nothing on it. An SMS of a
    non-essential event to a phone that opted out (退订) is kept as 已退订未发送 and not sent
    (`optout.SMS_DECISIONS`). `context` must be JSON values and hold no full ID number
    (refused with `UnsafeContent`)."""
    check_context(context)
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    target_id = str(target.pk) if target is not None else ""
    messages = []
    for recipient in recipients:
        channel = recipient.channel
        template = template_for(event, channel, item)
        if template is None:
            logger.info("事件 %s 在渠道 %s 没有启用的模板,不发送。", event, channel)
            continue
        text = render(template.text, context, channel=channel, recipient_name=recipient.name)
        state, error = State.QUEUED, ""
        if channel == Channel.SMS and not MOBILE_RE.match(recipient.phone):
            state, error = State.FAILED, "联系电话不是手机号码,无法发送短信。"
        elif withheld(event=event, channel=channel, phone=recipient.phone):
            state, error = State.OPTED_OUT, OPTED_OUT_NOTE
        message, created = Message.objects.get_or_create(
            dedupe_key=f"{dedupe}:{channel}:{recipient.key}"[:200],
            defaults={
                "user": recipient.user,
                "phone": recipient.phone,
                "recipient_name": recipient.name,
                "channel": channel,
                "event": event,
                "template_code": template.provider_template_code,
                "context": context,
                "text": text,
                "urgent": urgent,
                "state": state,
                "last_error": error,
                "target_type": target_type,
                "target_id": target_id,
            },
        )
        if created and message.state == State.QUEUED:
            from .tasks import send_message

            enqueue_on_commit(send_message, message.pk)
        messages.append(message)
    return messages


def messages_for(target: models.Model):
    """The messages `target` caused, oldest first (the case's API and timeline)."""
    return Message.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).order_by("created_at", "pk")
