"""The outbox: every message is a row, written in the transaction of the change that causes it."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from zhengtong.lib.encrypted import BlindIndexField, EncryptedField, MaskField, SavesCompanions
from zhengtong.lib.masking import mask_name_public

from .events import event_label


class Channel(models.TextChoices):
    INAPP = "inapp", "站内消息"
    SMS = "sms", "短信"


class State(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    DELIVERED = "delivered", "已送达"
    CANCELLED = "cancelled", "已取消"
    OPTED_OUT = "opted_out", "已退订未发送"


class MessageTemplate(models.Model):
    """The text of one event on one channel; one for a service item overrides the general one."""

    event = models.CharField("事件", max_length=50)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    item = models.ForeignKey(
        "services.ServiceItem",
        verbose_name="服务事项",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="留空则适用于所有事项;填写则只用于该事项,优先于通用模板。",
    )
    text = models.TextField(
        "模板内容", help_text="用 {占位符} 插入内容,如 {receipt_no}、{item}、{due_on}。"
    )
    provider_template_code = models.CharField(
        "短信平台模板编号",
        max_length=50,
        blank=True,
        help_text="短信服务商审核通过的模板编号(阿里云 SMS_…,腾讯云为数字模板 ID)。",
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        ordering = ["event", "channel", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"],
                condition=models.Q(item__isnull=True),
                name="notify_template_one_general",
                violation_error_message="该事件和渠道已有通用模板。",
            ),
            models.UniqueConstraint(
                fields=["event", "channel", "item"],
                name="notify_template_one_per_item",
                violation_error_message="该事件、渠道和事项已有模板。",
            ),
        ]

    def __str__(self) -> str:
        scope = self.item.name if self.item_id and self.item else "通用"
        return f"{event_label(self.event)} · {self.get_channel_display()} · {scope}"


class Message(SavesCompanions, models.Model):
    """One message to one recipient on one channel. `dedupe_key` makes a change send it once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收信工作人员",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    phone = EncryptedField("收信手机号", kind="phone")
    # The daily cap per phone reads it through the index notify_msg_phone_day.
    phone_index = BlindIndexField(db_index=False)
    phone_mask = MaskField("收信手机号")
    recipient_name = models.CharField("收信人", max_length=50, blank=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    event = models.CharField("事件", max_length=50)
    template_code = models.CharField("模板编号", max_length=50, blank=True)
    context = models.JSONField("内容数据", default=dict, blank=True)
    text = models.TextField("消息内容")
    urgent = models.BooleanField("紧急", default=False)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    provider_message_id = models.CharField("服务商消息编号", max_length=100, blank=True)
    target_type = models.ForeignKey(
        ContentType, verbose_name="对象类型", on_delete=models.PROTECT, null=True, blank=True
    )
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    receipt_at = models.DateTimeField("回执时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        indexes = [
            # The in-app list and the navbar's unread count.
            models.Index(fields=["user", "channel", "read_at"], name="notify_msg_inbox"),
            # The outbox page's filters, newest first.
            models.Index(fields=["state", "channel", "-created_at"], name="notify_msg_outbox"),
            # The messages of a case (API, timeline).
            models.Index(
                fields=["target_type", "target_id", "created_at"], name="notify_msg_target"
            ),
            # The daily cap: SMS sent to a phone today.
            models.Index(fields=["phone_index", "channel", "sent_at"], name="notify_msg_phone_day"),
            # Delivery receipts find their message by the provider's id.
            models.Index(fields=["provider_message_id"], name="notify_msg_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {event_label(self.event)}"

    @property
    def event_label(self) -> str:
        return event_label(self.event)

    @property
    def undelivered(self) -> bool:
        """The provider took the message but the carrier did not deliver it (a receipt said so);
        a message refused before sending has no send time."""
        return self.state == State.FAILED and self.sent_at is not None

    @property
    def state_label(self) -> str:
        """The state as people read it: a failed delivery is 送达失败, not 发送失败."""
        return "送达失败" if self.undelivered else self.get_state_display()

    @property
    def state_text(self) -> str:
        """The state with the carrier's reason when delivery failed: 送达失败(空号…)."""
        if self.undelivered and self.last_error:
            return f"送达失败({self.last_error.rstrip('。')})"
        return self.state_label

    @property
    def recipient_display(self) -> str:
        """The recipient as the outbox page may show it: staff by name, residents masked."""
        if self.user_id and self.user is not None:
            return self.user.display_name
        name = mask_name_public(self.recipient_name)
        phone = self.phone_mask
        return " ".join(part for part in (name, phone) if part)


class OptOut(models.Model):
    """A phone that asked for no non-essential SMS (退订), or asked for them back.

    Only the phone's blind index (HMAC-SM3, `lib.encrypted.blind_index("phone", …)`) and its
    mask are kept, never the number: the outbox finds the row from the number it is about to
    send to. Which messages still go is decided in `notify.optout.SMS_DECISIONS`."""

    class Source(models.TextChoices):
        PUBLIC = "public", "群众自助(短信验证)"
        HALL = "hall", "窗口登记"

    phone_index = models.CharField("手机号索引", max_length=64, unique=True)
    phone_mask = models.CharField("手机号", max_length=20)
    opted_out = models.BooleanField("已退订", default=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    application = models.ForeignKey(
        "services.Application",
        verbose_name="登记时的办件",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField("变更时间")

    class Meta:
        verbose_name = "短信退订"
        verbose_name_plural = "短信退订"
        ordering = ["-changed_at", "pk"]

    def __str__(self) -> str:
        state = "已退订" if self.opted_out else "接收"
        return f"{self.phone_mask} · {state}"


class VerificationCode(models.Model):
    """A 6-digit SMS code sent to a phone for one purpose (`notify.codes`).

    Only the code's keyed hash is kept, and the phone only as its blind index and mask. A code
    lives `codes.CODE_MINUTES` minutes and `codes.MAX_TRIES` wrong entries; a newer code for the
    same phone and purpose replaces it; a right entry spends it."""

    phone_index = models.CharField("手机号索引", max_length=64)
    phone_mask = models.CharField("手机号", max_length=20)
    purpose = models.CharField("用途", max_length=20)
    code_hash = models.CharField("验证码摘要", max_length=64)
    expires_at = models.DateTimeField("失效时间")
    tries = models.PositiveSmallIntegerField("错误次数", default=0)
    # Set when the code was used, replaced by a newer one or killed by too many wrong tries.
    closed_at = models.DateTimeField("作废时间", null=True, blank=True)
    created_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The live code of a phone and purpose, and the codes a phone got today.
            models.Index(fields=["phone_index", "purpose", "created_at"], name="notify_code_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.phone_mask} · {self.purpose}"
