"""Org units, users and their memberships: the facts every scope decision is made from."""

from collections.abc import Callable

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengtong.lib.files import IMAGE_EXTENSIONS, StoredImageField, StoredName


class Role(models.TextChoices):
    LEADER = "leader", _("区领导")
    PROJECT_OFFICE = "project_office", _("重点项目办")
    LIAISON = "liaison", _("项目单位联络员")
    DEPT_CLERK = "dept_clerk", _("部门经办")
    WINDOW_CLERK = "window_clerk", _("窗口人员")
    VILLAGE_WORKER = "village_worker", _("村专干")
    AUDITOR = "auditor", _("审计员")
    ADMIN = "admin", _("系统管理员")


class OrgUnit(models.Model):
    """One node of the tree 市/县 → 开发区/镇 → 部门/村. `path` makes a subtree one indexed prefix."""

    class Kind(models.TextChoices):
        CITY = "city", _("市")
        COUNTY = "county", _("县")
        ZONE = "zone", _("开发区")
        TOWN = "town", _("镇/街道")
        DEPARTMENT = "department", _("部门")
        VILLAGE = "village", _("村/管区")
        COMPANY = "company", _("项目单位")

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    otp_required = models.BooleanField(
        _("须两步验证"),
        default=False,
        help_text=_("勾选后,本单位及下属单位的所有人员登录时都须使用手机验证器。"),
    )
    # "/3/7/12/": ids from the root down to this unit. Maintained by save().
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k != "force_insert"}
        old_path = self.path
        self.path = (self.parent.path if self.parent else "/") + f"{self.pk}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # A moved unit carries its subtree along.
            for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                child.path = self.path + child.path[len(old_path) :]
                OrgUnit.objects.filter(pk=child.pk).update(path=child.path)

    def is_within(self, other: "OrgUnit") -> bool:
        """True when this unit is `other` or lies below it."""
        return self.path.startswith(other.path)


class User(AbstractUser):
    """A staff member. Residents use the public pages and have no account."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    staff_no = models.CharField(_("工号"), max_length=20, blank=True)
    post = models.CharField(_("岗位"), max_length=50, blank=True)
    photo = StoredImageField(_("照片"), upload_to=StoredName("staff", IMAGE_EXTENSIONS), blank=True)

    # Set on the request's user by django_otp's OTPMiddleware; not a column.
    is_verified: Callable[[], bool]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    """A user holds a role in an org unit, and with it sight of that unit's subtree."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org_unit", "role"], name="membership_unique_role_in_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org_unit}"


class RateCounter(models.Model):
    """How often something happened for one key (an address, an account) in one fixed window.

    Written only by `zhengtong.lib.ratelimit`, with one atomic upsert per hit, so concurrent
    requests on several app servers share one exact count.
    """

    key = models.CharField(_("键"), max_length=200)
    window_start = models.DateTimeField(_("窗口开始"))
    window_end = models.DateTimeField(_("窗口结束"), db_index=True)
    count = models.PositiveIntegerField(_("次数"), default=0)
    updated_at = models.DateTimeField(_("最后一次"))

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")
        ordering = ["-window_start", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="ratecounter_one_row_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.count}"


class ApiToken(models.Model):
    """A personal API token for a machine client: hashed, scoped, expiring, revocable.

    Only the SHA-256 of the token and its first characters (to tell tokens apart) are kept;
    the token itself is shown once, when it is made.
    """

    class Scope(models.TextChoices):
        READ = "read", _("只读")
        WRITE = "write", _("读写")

    class Module(models.TextChoices):
        PROJECTS = "projects", _("重点项目")
        SERVICES = "services", _("一站式服务")
        POPULATION = "population", _("流动人口与健康")
        LIVELIHOOD = "livelihood", _("惠民生台账")

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("令牌开头"), max_length=16)
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    scope = models.CharField(_("权限"), max_length=10, choices=Scope.choices, default=Scope.READ)
    # Empty: every API module.
    modules = models.JSONField(_("模块"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    def module_labels(self) -> str:
        labels = dict(self.Module.choices)
        return "、".join(str(labels.get(m, m)) for m in self.modules) or str(_("全部模块"))
