"""The one registry of persons: an applicant, a woman followed up, a trainee and a relief
recipient are the same `Person` when they share an ID number."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengtong.lib.encrypted import BlindIndexField, EncryptedField, MaskField, SavesCompanions


class Person(SavesCompanions, models.Model):
    """A resident known by a validated ID number; birth date and sex come from the number."""

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class MaritalStatus(models.TextChoices):
        UNKNOWN = "", _("未登记")
        SINGLE = "single", _("未婚")
        MARRIED = "married", _("已婚")
        REMARRIED = "remarried", _("再婚")
        DIVORCED = "divorced", _("离婚")
        WIDOWED = "widowed", _("丧偶")

    # Stored SM4-encrypted; found and kept unique by its blind index (`lib.encrypted.match`).
    id_number = EncryptedField(_("公民身份号码"), kind="id")
    id_number_index = BlindIndexField(unique=True)
    id_number_mask = MaskField(_("公民身份号码"))
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    phone = EncryptedField(_("联系电话"), kind="phone")
    phone_index = BlindIndexField()
    phone_mask = MaskField(_("联系电话"))
    # The village or township the person belongs to; scope runs through it.
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("所属村/镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="persons",
    )
    hukou_address = models.CharField(_("户籍地"), max_length=200, blank=True)
    current_address = models.CharField(_("现居住地"), max_length=200, blank=True)
    marital_status = models.CharField(
        _("婚姻状况"), max_length=10, choices=MaritalStatus.choices, blank=True, default=""
    )

    class HukouType(models.TextChoices):
        LOCAL = "local", _("本地户籍")
        NONLOCAL = "nonlocal", _("外地户籍")

    hukou_type = models.CharField(
        _("户籍类别"), max_length=10, choices=HukouType.choices, default=HukouType.LOCAL
    )
    # Set when this record was merged into another (a duplicate registered by mistake); the
    # merged record stays for history and is hidden from lists.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}({self.masked_id})"

    @property
    def masked_id(self) -> str:
        return self.id_number_mask

    @property
    def masked_phone(self) -> str:
        return self.phone_mask


class Household(models.Model):
    """A household (户) in a village: its members and the flags derived from them."""

    class SpecialFamily(models.TextChoices):
        NONE = "", _("否")
        LOST_ONLY_CHILD = "lost_only_child", _("独生子女死亡家庭")
        DISABLED_ONLY_CHILD = "disabled_only_child", _("独生子女伤残家庭")

    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("所属村"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    address = models.CharField(_("住址"), max_length=200)
    # 计生特殊家庭 is a fact the office records, not something derived from members.
    special_family = models.CharField(
        _("计生特殊家庭"), max_length=30, choices=SpecialFamily.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")
        ordering = ["org_unit", "address", "id"]

    def __str__(self) -> str:
        return self.address


class HouseholdMember(models.Model):
    """A person's place in a household; a person belongs to one household at a time."""

    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        OTHER = "other", _("其他")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="membership")
    relation = models.CharField(_("与户主关系"), max_length=20, choices=Relation.choices)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "relation", "person"]

    def __str__(self) -> str:
        return f"{self.household} · {self.person.name}"
