"""The append-only audit log. Rows are sealed with HMAC-SM3 and chained (see sealing.py), so a
change made outside the app shows."""

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    pass


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("审计日志只能追加,不能修改。")

    def delete(self):
        raise AuditLogIsAppendOnly("审计日志只能追加,不能删除。")


class Event(models.Model):
    """One create, update, delete or sensitive read, with who, when, where and what changed."""

    class Kind(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        READ = "read", _("查阅")
        LOGIN = "login", _("登录")
        DENIED = "denied", _("拒绝")

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    channel = models.CharField(_("渠道"), max_length=20, blank=True)
    request_id = models.CharField(_("请求号"), max_length=40, blank=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, db_index=True)
    action = models.CharField(_("动作"), max_length=60, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=60, db_index=True)
    target_id = models.CharField(_("对象编号"), max_length=40, blank=True, db_index=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changes = models.JSONField(_("变更内容"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    # The id of the HMAC key the row is sealed with; the key itself is never in the database.
    key_id = models.CharField(_("密钥编号"), max_length=40, blank=True, default="")
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = EventQuerySet.as_manager()

    # Set on rows by the history pages that show them; not columns.
    label: str
    rows: list[tuple[Any, Any, Any]]

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # The audit log filtered by kind, newest first (a rare kind among millions of rows).
            models.Index(fields=["kind", "created_at"], name="audit_kind_time_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_repr}"
        )

    def save(self, *args, **kwargs):
        # record_event sets the id itself (it is sealed), so test the state, not the pk.
        if not self._state.adding:
            raise AuditLogIsAppendOnly("审计日志只能追加,不能修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("审计日志只能追加,不能删除。")

    def compute_hash(self, key: bytes | None = None) -> str:
        """The row's seal under `key` (by default the key its key_id names)."""
        from .sealing import get_keyring, seal

        if key is None:
            ring = get_keyring()
            key = ring.get(self.key_id) or ring.current
        return seal(self, key)


class PendingEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("待入链的审计记录只能追加,不能修改。")

    def delete(self):
        raise AuditLogIsAppendOnly("待入链的审计记录只能入链,不能删除。")


class PendingEvent(models.Model):
    """A public read's audit row, written without the chain lock and sealed into the chain soon.

    Anyone's lookup (办件查询, 证件核验) appends one row here with a plain INSERT, MACed on insert
    under the audit key (`mac`), so no lookup waits for the chain's lock. The sealing job
    (`zhengtong.audit.actions.seal_pending`, every minute, and `audit_verify` before it checks)
    moves the rows into the chain in id order and deletes them in the same transaction: a row
    is either pending or sealed, never both, never neither.
    """

    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    channel = models.CharField(_("渠道"), max_length=20, blank=True)
    request_id = models.CharField(_("请求号"), max_length=40, blank=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Event.Kind.choices)
    action = models.CharField(_("动作"), max_length=60)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changes = models.JSONField(_("变更内容"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    key_id = models.CharField(_("密钥编号"), max_length=40)
    mac = models.CharField(max_length=64)

    objects = PendingEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("待入链审计事件")
        verbose_name_plural = _("待入链审计事件")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"待入链 {self.pk} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("待入链的审计记录只能追加,不能修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("待入链的审计记录只能入链,不能删除。")
