"""Elderly ability assessment, the nursing subsidy for disabled elderly people, and relief.

The ability scale is a versioned definition (MZ/T 039-2013 now; GB/T 42195-2022 beside it
later), so scoring rules are data the code reads, not code to rewrite.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL
UNIT = "accounts.OrgUnit"


class WelfareStatus(models.Model):
    """What the civil-affairs office has verified about a person: assistance category and care."""

    class Category(models.TextChoices):
        NONE = "", _("无")
        DIBAO = "dibao", _("低保")
        # 城市三无 and 农村五保 were merged into 特困人员 in 2016; the seed's labels are kept as
        # aliases of this one code.
        TEKUN = "tekun", _("特困(城市三无/农村五保)")
        DIBAO_EDGE = "dibao_edge", _("低保边缘")

    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="welfare_status"
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(
        _("救助类别"), max_length=12, choices=Category.choices, blank=True, default=""
    )
    long_term_dependent = models.BooleanField(_("生活长期不能自理"), default=False)
    # 散居 = not living in an institution; the nursing subsidy is for 散居 elders only.
    in_institution = models.BooleanField(_("入住养老机构(非散居)"), default=False)
    verified_on = models.DateField(_("核实日期"))
    verified_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("救助身份")
        verbose_name_plural = _("救助身份")
        ordering = ["person"]

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_category_display()}"


class AssessmentScale(models.Model):
    """A versioned ability scale: items with allowed scores, grade bands and the level rule."""

    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    # {"items": {...}, "grades": {...}, ...} — read by welfare/scales.py.
    definition = models.JSONField(_("定义"))
    active = models.BooleanField(_("启用"), default=True)
    verified = models.BooleanField(_("阈值已核实"), default=False)

    class Meta:
        verbose_name = _("能力评估量表")
        verbose_name_plural = _("能力评估量表")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """An elderly ability assessment signed by two different assessors."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("老人"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    scale = models.ForeignKey(
        AssessmentScale, verbose_name=_("量表"), on_delete=models.PROTECT, related_name="+"
    )
    # The version string of the definition it was scored by ("GB/T 42195-2022"), kept on the
    # row so the scale and version stay readable whatever later happens to the scale row.
    scale_version = models.CharField(_("量表版本"), max_length=30, blank=True)
    assessed_on = models.DateField(_("评估日期"), db_index=True)
    scores = models.JSONField(_("各项得分"))
    # Derived by the scale's rules when the assessment is saved; never typed.
    grades = models.JSONField(_("各维度等级"), default=dict)
    level = models.PositiveSmallIntegerField(_("能力等级"))
    # 等级变更 facts recorded by the assessors: MZ/T 039-2013 §5.3.2, GB/T 42195-2022 附录C C.4
    # (which also takes 昏迷 from 表A.5 A.5.11; MZ/T 039 reads it from 意识水平).
    coma = models.BooleanField(_("处于昏迷状态"), default=False)
    dementia = models.BooleanField(_("确诊为认知障碍/痴呆"), default=False)
    psychiatric = models.BooleanField(_("确诊为精神疾病"), default=False)
    incidents_30d = models.PositiveSmallIntegerField(
        _("近30天跌倒、噎食、自杀、走失次数"), default=0
    )
    # Set when a recomputation under the 等级变更 rules changed the level (see recompute.py).
    level_changed_from = models.PositiveSmallIntegerField(_("重算前等级"), null=True, blank=True)
    level_change_reason = models.CharField(_("重算原因"), max_length=200, blank=True)
    assessor_1 = models.ForeignKey(
        USER, verbose_name=_("评估员一"), on_delete=models.PROTECT, related_name="+"
    )
    assessor_2 = models.ForeignKey(
        USER, verbose_name=_("评估员二"), on_delete=models.PROTECT, related_name="+"
    )
    reassess_due_on = models.DateField(_("复评期限"), db_index=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("能力评估")
        verbose_name_plural = _("能力评估")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(assessor_1=models.F("assessor_2")),
                name="assessment_two_assessors",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.assessed_on} {self.level}级"


class PaymentCycle(models.Model):
    """One month's nursing-subsidy payments; frozen once approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        APPROVED = "approved", _("已审批")

    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("发放月份"))
    # The level → amount table in force when the cycle was made (from configuration).
    rates = models.JSONField(_("补贴标准"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("护理补贴发放批次")
        verbose_name_plural = _("护理补贴发放批次")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "month"], name="payment_cycle_once_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月} 护理补贴"


class Payment(models.Model):
    cycle = models.ForeignKey(PaymentCycle, on_delete=models.PROTECT, related_name="payments")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="nursing_payments"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("能力等级"))
    amount = models.DecimalField(
        _("金额(元)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("护理补贴")
        verbose_name_plural = _("护理补贴")
        ordering = ["cycle", "person"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="payment_once_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.person.name}"


class ReliefBatch(models.Model):
    """A batch of relief grants approved together."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        APPROVED = "approved", _("已审批")

    name = models.CharField(_("批次"), max_length=100)
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("审批日期"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("救助批次")
        verbose_name_plural = _("救助批次")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class ReliefGrant(models.Model):
    """Relief for a poor family (recorded on its applicant) or an orphan."""

    class RecipientKind(models.TextChoices):
        HOUSEHOLD = "household", _("困难家庭")
        ORPHAN = "orphan", _("孤儿")

    class Reason(models.TextChoices):
        ILLNESS = "illness", _("因病")
        DISASTER = "disaster", _("因灾")
        ACCIDENT = "accident", _("因意外")
        SCHOOLING = "schooling", _("因学")
        ORPHAN = "orphan", _("孤儿生活保障")
        OTHER = "other", _("其他")

    batch = models.ForeignKey(ReliefBatch, on_delete=models.PROTECT, related_name="grants")
    recipient_kind = models.CharField(_("救助对象"), max_length=10, choices=RecipientKind.choices)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("申请人/孤儿"),
        on_delete=models.PROTECT,
        related_name="relief_grants",
    )
    household = models.ForeignKey(
        "people.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relief_grants",
    )
    reason = models.CharField(_("救助原因"), max_length=10, choices=Reason.choices)
    amount = models.DecimalField(
        _("金额(元)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("救助金")
        verbose_name_plural = _("救助金")
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "person"], name="relief_once_per_batch")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.amount}"


class CensusCampaign(models.Model):
    """A 普查评估: every candidate of an area assessed within a window.

    A candidate is a person the office keeps as 低保 or 特困, 散居 (not in an institution),
    aged 60 or more on the first day, whose village lies under `area`. An assessment of the
    office dated within the window counts; coverage is assessed / candidates (welfare/census.py).
    """

    name = models.CharField(_("名称"), max_length=100)
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        UNIT, verbose_name=_("普查范围"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("普查评估")
        verbose_name_plural = _("普查评估")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("started_on")),
                name="census_window_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name
