"""Floating population, follow-ups, maternal care, check-ups, home visits and 计生助福.

This is the most sensitive data of the system (health, reproduction, minors, whereabouts). Each
row belongs to the village (`org_unit`) that keeps it; village workers see their own village only.
"""

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengtong.lib.encrypted import BlindIndexField, EncryptedField, MaskField, SavesCompanions
from zhengtong.lib.files import IMAGE_EXTENSIONS, StoredImageField, StoredName

if TYPE_CHECKING:
    from zhengtong.accounts.models import OrgUnit
    from zhengtong.inbox.registry import Deadline

USER = settings.AUTH_USER_MODEL
UNIT = "accounts.OrgUnit"


class FloatingRecord(SavesCompanions, models.Model):
    """One move of a person out of (流出) or into (流入) the township."""

    class Direction(models.TextChoices):
        OUT = "out", _("流出")
        IN = "in", _("流入")

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="floating_records",
    )
    direction = models.CharField(_("流向"), max_length=3, choices=Direction.choices, db_index=True)
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("负责村"), on_delete=models.PROTECT, related_name="+"
    )
    # 流出: where to; 流入: where from.
    place = models.CharField(_("流入地/流出地"), max_length=200)
    started_on = models.DateField(_("流出/流入日期"))
    ended_on = models.DateField(_("返回/离开日期"), null=True, blank=True)
    contact_phone = EncryptedField(_("联系电话"), kind="phone")
    contact_phone_index = BlindIndexField()
    contact_phone_mask = MaskField(_("联系电话"))
    employer = models.CharField(_("务工单位"), max_length=100, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("流动人口记录")
        verbose_name_plural = _("流动人口记录")
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["org_unit", "direction", "ended_on"], name="floating_unit_dir_idx")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_direction_display()} {self.place}"


class MarriageCertificate(SavesCompanions, models.Model):
    """婚育证明 (流动人口计划生育工作条例 Art. 7) of a woman aged 18–49 on the move.

    For an arrival, `due_on` is arrival + 30 days (rolled past a holiday); `presented_on` empty
    after that puts the record on the overdue list.
    """

    record = models.OneToOneField(
        FloatingRecord, on_delete=models.CASCADE, related_name="certificate"
    )
    name = models.CharField(_("姓名"), max_length=50)
    age = models.PositiveSmallIntegerField(_("年龄"))
    id_number = EncryptedField(_("公民身份号码"), kind="id", blank=False)
    id_number_index = BlindIndexField()
    id_number_mask = MaskField(_("公民身份号码"))
    marital_status = models.CharField(_("婚姻状况"), max_length=20)
    spouse = models.CharField(_("配偶信息"), max_length=100)
    fertility = models.CharField(_("生育状况"), max_length=100)
    contraception = models.CharField(_("避孕节育情况"), max_length=100)
    issued_by = models.CharField(_("出具机关"), max_length=100, blank=True)
    issued_on = models.DateField(_("出具日期"), null=True, blank=True)
    due_on = models.DateField(_("交验期限"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限按尚未录入正式节假日安排的暂定年份计算,录入后自动重算。"),
    )
    presented_on = models.DateField(_("交验日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("婚育证明")
        verbose_name_plural = _("婚育证明")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.name} 婚育证明"


class Transfer(models.Model):
    """A person's record moved from one township to another; the old owner keeps read access
    to the history up to `transferred_at`."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey(
        UNIT, verbose_name=_("转出单位"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        UNIT, verbose_name=_("转入单位"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=200)
    transferred_at = models.DateTimeField(_("转移时间"))
    transferred_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("属地转移")
        verbose_name_plural = _("属地转移")
        ordering = ["person", "transferred_at"]

    def __str__(self) -> str:
        return f"{self.person.name} {self.from_unit} → {self.to_unit}"


class FollowUpPlan(models.Model):
    """A repeatable follow-up (e.g. a quarterly phone call); each done one schedules the next."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("电话随访")
        HOME = "home", _("上门随访")

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="followup_plans"
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("负责村"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices)
    interval_days = models.PositiveSmallIntegerField(
        _("间隔(天)"), validators=[MinValueValidator(1)]
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("随访内容"), max_length=200)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Set on rows by the pages that show them; not columns.
    open_followup: "FollowUp | None"
    recent: "list[FollowUp]"

    class Meta:
        verbose_name = _("随访计划")
        verbose_name_plural = _("随访计划")
        ordering = ["person", "id"]

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_kind_display()} 每 {self.interval_days} 天"


class FollowUp(models.Model):
    """One scheduled follow-up: scheduled → done / skipped (overdue is scheduled past due)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("待随访")
        DONE = "done", _("已随访")
        SKIPPED = "skipped", _("已跳过")

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, related_name="followups")
    due_on = models.DateField(_("应随访日期"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    done_on = models.DateField(_("随访日期"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("随访情况"), blank=True)
    skip_reason = models.CharField(_("跳过原因"), max_length=200, blank=True)
    # The home visit that answered this 上门随访, when it was closed by logging a visit.
    visit = models.ForeignKey(
        "HomeVisit",
        verbose_name=_("入户走访"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
    )
    # Set when the follow-up was recorded offline and synced: a replay finds it and stores
    # nothing more (see population/sync.py).
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)

    # Set on rows by the pages that show them; not columns.
    deadline: "Deadline"

    class Meta:
        verbose_name = _("随访")
        verbose_name_plural = _("随访")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="followup_status_due_idx"),
            # The open follow-ups of a unit's plans by due date: work lists, 我的待办, cockpits.
            models.Index(fields=["plan", "status", "due_on"], name="followup_plan_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.due_on}"


class ContraceptionReport(models.Model):
    """避孕节育报告单 expected from a woman away for a period: expected → received → verified."""

    class Status(models.TextChoices):
        EXPECTED = "expected", _("待寄回")
        RECEIVED = "received", _("已收到待落实")
        VERIFIED = "verified", _("已落实")

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="contraception_reports"
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("负责村"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("报告期起"))
    period_end = models.DateField(_("报告期止"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.EXPECTED, db_index=True
    )
    method = models.CharField(_("避孕节育措施"), max_length=100, blank=True)
    received_on = models.DateField(_("收到日期"), null=True, blank=True)
    verified_on = models.DateField(_("落实日期"), null=True, blank=True)
    verified_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # The day the village must have chased (expected) or verified (received) the report by;
    # none once verified. Kept by save() so 我的待办 can sort and count in the database.
    due_on = models.DateField(_("办理期限"), null=True, blank=True, editable=False)

    # Days the village has to chase a missing report after the period, or to verify a received one.
    CHASE_DAYS = 15
    VERIFY_DAYS = 15

    class Meta:
        verbose_name = _("避孕节育报告单")
        verbose_name_plural = _("避孕节育报告单")
        ordering = ["period_end", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period_start"], name="contraception_report_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="contraception_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.person.name} {self.period_start}~{self.period_end}"

    def save(self, *args, **kwargs) -> None:
        self.due_on = self.compute_due_on()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "due_on" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "due_on"]
        super().save(*args, **kwargs)

    def compute_due_on(self) -> datetime.date | None:
        """Period end + CHASE_DAYS while expected, received + VERIFY_DAYS while received."""
        if self.status == self.Status.EXPECTED:
            return self.period_end + datetime.timedelta(days=self.CHASE_DAYS)
        if self.status == self.Status.RECEIVED and self.received_on is not None:
            return self.received_on + datetime.timedelta(days=self.VERIFY_DAYS)
        return None


class Pregnancy(models.Model):
    """A pregnancy followed under the national maternal schedule (国家基本公共卫生服务规范 第三版)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="pregnancies"
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("负责村"), on_delete=models.PROTECT, related_name="+"
    )
    lmp = models.DateField(_("末次月经"))
    edd = models.DateField(_("预产期"))
    delivered_on = models.DateField(_("分娩日期"), null=True, blank=True)
    discharged_on = models.DateField(_("出院日期"), null=True, blank=True)
    high_risk = models.BooleanField(_("高危"), default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Set on rows by the pages that show them; not columns.
    rows: list[Any]

    class Meta:
        verbose_name = _("孕产期")
        verbose_name_plural = _("孕产期")
        ordering = ["-lmp", "id"]

    def __str__(self) -> str:
        return f"{self.person.name} 末次月经 {self.lmp}"


class MaternalVisit(models.Model):
    """One visit window of a pregnancy (antenatal, postpartum, 42-day check, referral follow-up)."""

    class Kind(models.TextChoices):
        FIRST = "first", _("早孕建册及第 1 次产前检查")
        ANC_16_20 = "anc_16_20", _("孕 16–20 周产前随访")
        ANC_21_24 = "anc_21_24", _("孕 21–24 周产前随访")
        ANC_28_36 = "anc_28_36", _("孕 28–36 周产前随访")
        ANC_37_40 = "anc_37_40", _("孕 37–40 周产前随访")
        POSTPARTUM = "postpartum", _("产后访视")
        DAY42 = "day42", _("产后 42 天健康检查")
        REFERRAL = "referral", _("高危转诊随访")
        # The extra antenatal visits of a high-risk pregnancy (schedule.HIGH_RISK_SCHEDULE).
        HR_25_27 = "hr_25_27", _("高危加强随访(孕 25–27 周)")
        HR_29_32 = "hr_29_32", _("高危加强随访(孕 29–32 周)")
        HR_33_36 = "hr_33_36", _("高危加强随访(孕 33–36 周)")
        HR_38 = "hr_38", _("高危加强随访(孕 38 周)")
        HR_39 = "hr_39", _("高危加强随访(孕 39 周)")

    pregnancy = models.ForeignKey(Pregnancy, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(_("项目"), max_length=20, choices=Kind.choices)
    window_start = models.DateField(_("窗口起"))
    window_end = models.DateField(_("窗口止"), db_index=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("情况"), blank=True)

    class Meta:
        verbose_name = _("孕产期随访")
        verbose_name_plural = _("孕产期随访")
        ordering = ["pregnancy", "window_start", "id"]

    def __str__(self) -> str:
        return f"{self.pregnancy.person.name} {self.get_kind_display()}"


class PreconceptionCheck(models.Model):
    """孕前优生健康检查 (the free pre-pregnancy check, the seed's "免费套餐"): the stage before a
    pregnancy. A woman planning to conceive is enrolled; the check is due within working days
    of enrolment (`PRECONCEPTION_CHECK_WORKDAYS`, through the workdays door); its result is
    recorded, and the pregnancy registered later is linked to it."""

    class Result(models.TextChoices):
        NORMAL = "normal", _("未见异常")
        RISK = "risk", _("发现风险因素,已咨询指导")

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="preconception_checks"
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("负责村"), on_delete=models.PROTECT, related_name="+"
    )
    enrolled_on = models.DateField(_("登记日期"))
    due_on = models.DateField(_("检查期限"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限按尚未录入正式节假日安排的暂定年份计算,录入后自动重算。"),
    )
    done_on = models.DateField(_("检查日期"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("检查结果"), max_length=10, choices=Result.choices, blank=True)
    note = models.TextField(_("情况"), blank=True)
    pregnancy = models.OneToOneField(
        Pregnancy,
        verbose_name=_("孕产期"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="preconception_check",
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("孕前优生健康检查")
        verbose_name_plural = _("孕前优生健康检查")
        ordering = ["-enrolled_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(done_on__isnull=True, pregnancy__isnull=True),
                name="preconception_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(done_on__isnull=True) | ~models.Q(result=""),
                name="preconception_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} 孕前优生健康检查"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("population:preconception_detail", args=[self.pk])


class Campaign(models.Model):
    """A quarterly village check-up (孕环情普查 / 生殖健康查体) with its target list."""

    class Kind(models.TextChoices):
        PREGNANCY_RING = "pregnancy_ring", _("孕环情普查")
        REPRODUCTIVE = "reproductive", _("生殖健康查体")

    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    quarter = models.CharField(_("季度"), max_length=7, help_text="2026Q4")
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("查体活动")
        verbose_name_plural = _("查体活动")
        ordering = ["-start_on", "id"]

    def __str__(self) -> str:
        return self.name


class CampaignTarget(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="campaign_targets"
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("村"), on_delete=models.PROTECT, related_name="+"
    )
    attended_on = models.DateField(_("到检日期"), null=True, blank=True)
    result = models.CharField(_("结果"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("查体对象")
        verbose_name_plural = _("查体对象")
        ordering = ["campaign", "org_unit", "person"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="campaign_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.person.name}"


class HomeVisit(models.Model):
    """入户走访: who visited whom, when, where, and what came of it."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="home_visits"
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("村"), on_delete=models.PROTECT, related_name="+"
    )
    visited_by = models.ForeignKey(
        USER, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("走访日期"), db_index=True)
    place = models.CharField(_("地点"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    outcome = models.TextField(_("走访情况"))
    # Set by an offline client so a visit synced twice is stored once.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person.name} {self.visited_on}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="photos")
    image = StoredImageField(_("照片"), upload_to=StoredName("visits", IMAGE_EXTENSIONS))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["visit", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "sha256"], name="visit_photo_once")]

    def __str__(self) -> str:
        return self.image.name or ""


class Referral(models.Model):
    """A need found on a visit handed to the office that can meet it (医疗/民政/低保)."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("医疗救助")
        CIVIL = "civil", _("民政救助")
        DIBAO = "dibao", _("低保")

    class Status(models.TextChoices):
        OPEN = "open", _("待办理")
        DONE = "done", _("已办结")

    visit = models.ForeignKey(HomeVisit, on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(_("转介类别"), max_length=10, choices=Kind.choices)
    to_unit = models.ForeignKey(
        UNIT, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("情况说明"))
    opened_on = models.DateField(
        _("转介日期"), null=True, blank=True, help_text=_("办理期限自此日起算。")
    )
    due_on = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限按尚未录入正式节假日安排的暂定年份计算,录入后自动重算。"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    result = models.TextField(_("办理结果"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    # Set on rows by the pages that show them; not a column.
    deadline: "Deadline"

    class Meta:
        verbose_name = _("走访转介")
        verbose_name_plural = _("走访转介")
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.visit.person.name} {self.get_kind_display()}"


class Assistance(models.Model):
    """计生助福: goods, money or a service package given to a person."""

    class Category(models.TextChoices):
        GOODS = "goods", _("物资")
        MONEY = "money", _("资金")
        SERVICE = "service", _("服务套餐")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="assistance")
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("村"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    program = models.CharField(_("项目"), max_length=100)
    content = models.CharField(_("内容"), max_length=200)
    amount = models.DecimalField(
        _("金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    given_on = models.DateField(_("发放日期"))
    given_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("帮扶记录")
        verbose_name_plural = _("帮扶记录")
        ordering = ["-given_on", "id"]

    def __str__(self) -> str:
        return f"{self.person.name} {self.program}"


class Pairing(SavesCompanions, models.Model):
    """A volunteer 1+1 pairing with a child of a special family, visited at a set cadence."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("帮扶对象"),
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("村"), on_delete=models.PROTECT, related_name="+"
    )
    volunteer_name = models.CharField(_("志愿者"), max_length=50)
    volunteer_phone = EncryptedField(_("志愿者电话"), kind="phone", blank=False)
    volunteer_phone_index = BlindIndexField()
    volunteer_phone_mask = MaskField(_("志愿者电话"))
    cadence_days = models.PositiveSmallIntegerField(
        _("走访周期(天)"), validators=[MinValueValidator(1)]
    )
    started_on = models.DateField(_("结对日期"))
    next_due_on = models.DateField(_("下次走访期限"), db_index=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("志愿结对")
        verbose_name_plural = _("志愿结对")
        ordering = ["next_due_on", "id"]

    def __str__(self) -> str:
        return f"{self.volunteer_name} ↔ {self.person.name}"


class PairingVisit(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    note = models.TextField(_("情况"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("结对走访")
        verbose_name_plural = _("结对走访")
        ordering = ["pairing", "visited_on"]

    def __str__(self) -> str:
        return f"{self.pairing} {self.visited_on}"


class ImportJob(models.Model):
    """An xlsx import of persons or floating records, run in the background with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("有错误,未导入")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("类别"), max_length=20)
    file = models.FileField(_("文件"), upload_to=StoredName("imports", ("xlsx",)))
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    dry_run = models.BooleanField(_("试导入"), default=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    created_rows = models.PositiveIntegerField(_("新增"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    org_unit = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class WeeklyPost(models.Model):
    """计生采风: the township 计生办's week put on show (晾晒) — its work, its photos, the week's
    工作标兵 and one line per 管区 worker. Drafted by the office, approved by a township leader
    (or returned with a reason); only an approved post is public."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已公开")

    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="+"
    )
    week_start = models.DateField(_("周一"), db_index=True)
    summary = models.TextField(_("本周工作动态"), blank=True)
    model_worker = models.ForeignKey(
        USER,
        verbose_name=_("工作标兵"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    model_reason = models.CharField(_("标兵事迹"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("撰写人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("计生采风")
        verbose_name_plural = _("计生采风")
        ordering = ["-week_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "week_start"], name="weekly_post_once")
        ]
        indexes = [models.Index(fields=["status", "-week_start"], name="weekly_post_public")]

    def __str__(self) -> str:
        return f"{self.week_label}计生采风"

    @property
    def week_label(self) -> str:
        year, week, _ = self.week_start.isocalendar()
        return f"{year}年第{week}周"

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class WeeklyPostPhoto(models.Model):
    """A photo of a 计生采风 post: public once the post is approved, never before."""

    post = models.ForeignKey(WeeklyPost, on_delete=models.CASCADE, related_name="photos")
    image = StoredImageField(_("照片"), upload_to=StoredName("caifeng", IMAGE_EXTENSIONS))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("计生采风照片")
        verbose_name_plural = _("计生采风照片")
        ordering = ["post", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "sha256"], name="weekly_post_photo_once")
        ]

    def __str__(self) -> str:
        return self.image.name or ""


class WeeklyPostLine(models.Model):
    """One 管区 worker's week: the work the system recorded (follow-ups done, home visits) and
    what the office writes beside it."""

    post = models.ForeignKey(WeeklyPost, on_delete=models.CASCADE, related_name="lines")
    worker = models.ForeignKey(
        USER, verbose_name=_("管区人员"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        UNIT, verbose_name=_("管区"), on_delete=models.PROTECT, related_name="+"
    )
    followups = models.PositiveIntegerField(_("完成随访"), default=0)
    visits = models.PositiveIntegerField(_("入户走访"), default=0)
    text = models.CharField(_("本周工作"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("管区人员周工作")
        verbose_name_plural = _("管区人员周工作")
        ordering = ["post", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "worker"], name="weekly_post_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.worker}"


class Clinic(models.Model):
    """健康义诊: the township's 计生服务站 and 卫生院 go to its villages to examine the floating
    population (and give the inflow women of childbearing age a free check), once a year or more.
    Planned first; marked held on the day it took place, after which its attendees are recorded.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        HELD = "held", _("已举办")

    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("镇(街道)"), on_delete=models.PROTECT, related_name="clinics"
    )
    held_on = models.DateField(_("义诊日期"))
    villages: "models.ManyToManyField[OrgUnit, Any]" = models.ManyToManyField(
        UNIT, verbose_name=_("下村"), related_name="+"
    )
    place = models.CharField(_("义诊地点"), max_length=200)
    organisers = models.CharField(_("组织单位"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("健康义诊")
        verbose_name_plural = _("健康义诊")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["org_unit", "status", "held_on"], name="clinic_unit_status_idx")
        ]

    def __str__(self) -> str:
        return f"{self.org_unit.name} {self.held_on:%Y-%m-%d} 健康义诊"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("population:clinic_detail", args=[self.pk])


class ClinicAttendance(models.Model):
    """One floating person examined at a 健康义诊, filed under the village of their 流入 record;
    the findings also appear in the person's health record (timeline.py)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="attendances")
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("参诊人员"),
        on_delete=models.PROTECT,
        related_name="clinic_attendances",
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("村"), on_delete=models.PROTECT, related_name="+"
    )
    items = models.CharField(_("检查项目"), max_length=200)
    result = models.TextField(_("结果"))
    advice = models.CharField(_("建议/转诊"), max_length=200, blank=True)
    women_check = models.BooleanField(_("育龄妇女免费健康检查"), default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("义诊参诊记录")
        verbose_name_plural = _("义诊参诊记录")
        ordering = ["clinic", "org_unit", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "person"], name="clinic_attendance_once")
        ]
        indexes = [models.Index(fields=["org_unit", "clinic"], name="clinic_attendance_unit_idx")]

    def __str__(self) -> str:
        return f"{self.clinic} · {self.person.name}"


class FamilyCampaign(models.Model):
    """文明家庭 创建: one township's campaign of one year. Village workers nominate households
    of their villages; the township's 计生办 evaluates each against the campaign's criteria and
    decides whether it is named."""

    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("镇(街道)"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    criteria = models.TextField(_("评选条件"), help_text=_("每行一条。"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文明家庭创建活动")
        verbose_name_plural = _("文明家庭创建活动")
        ordering = ["-year", "org_unit", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year"], name="family_campaign_once_a_year")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def criteria_list(self) -> list[str]:
        return [line.strip() for line in self.criteria.splitlines() if line.strip()]


class FamilyNomination(models.Model):
    """A household put forward in a 文明家庭 campaign: nominated with its 事迹 by a village
    worker, evaluated (pass/fail with an opinion) by the township office, then decided. A
    decision is changed only by an audited correction with its reason."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("待评议")
        EVALUATED = "evaluated", _("已评议")
        NAMED = "named", _("评为文明家庭")
        NOT_NAMED = "not_named", _("未评上")

    DECIDED = (Status.NAMED, Status.NOT_NAMED)

    campaign = models.ForeignKey(
        FamilyCampaign,
        verbose_name=_("创建活动"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("家庭户"),
        on_delete=models.PROTECT,
        related_name="family_nominations",
    )
    # The household's village at nomination; scope runs through it.
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("村"), on_delete=models.PROTECT, related_name="+"
    )
    # "张家": the head's family name, the only name the public list shows.
    family_name = models.CharField(_("家庭"), max_length=10)
    deeds = models.TextField(_("事迹"))
    summary = models.CharField(_("公示摘要"), max_length=150)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=Status.choices,
        default=Status.NOMINATED,
        db_index=True,
    )
    nominated_by = models.ForeignKey(
        USER, verbose_name=_("推荐人"), on_delete=models.PROTECT, related_name="+"
    )
    nominated_on = models.DateField(_("推荐日期"))
    passed = models.BooleanField(_("评议通过"), null=True, blank=True)
    opinion = models.TextField(_("评议意见"), blank=True)
    evaluated_by = models.ForeignKey(
        USER,
        verbose_name=_("评议人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluated_on = models.DateField(_("评议日期"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("文明家庭推荐")
        verbose_name_plural = _("文明家庭推荐")
        ordering = ["campaign", "org_unit", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"], name="family_nomination_once_per_campaign"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="family_nomination_status"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.year}年 {self.family_name}({self.household.address})"

    @property
    def decided(self) -> bool:
        return self.status in self.DECIDED
