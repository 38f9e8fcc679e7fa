"""Livelihood ledgers kept by the zone's departments: every reported figure is a sum of rows.

Employment records, the registered unemployment rate, guaranteed start-up loans, job-internship
bases, training classes, school safety inspections and the unlicensed-kindergarten clean-up.
Each row belongs to the department (`org_unit`) that keeps it; scope runs through it.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL
UNIT = "accounts.OrgUnit"


class MoneyField(TypedDict):
    max_digits: int
    decimal_places: int
    validators: Sequence[MinValueValidator]


MONEY: MoneyField = {
    "max_digits": 14,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0"))],
}


class EmploymentRecord(models.Model):
    """One person placed in work: 城镇新增就业, 就业困难人员再就业 or 农村劳动力转移."""

    class Kind(models.TextChoices):
        NEW_URBAN = "new_urban", _("城镇新增就业")
        REEMPLOYED = "reemployed", _("就业困难人员再就业")
        RURAL_TRANSFER = "rural_transfer", _("农村劳动力转移就业")

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="employment_records",
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, db_index=True)
    employed_on = models.DateField(_("就业日期"), db_index=True)
    # Employer for 新增就业/再就业; destination (province/city) for 农村劳动力转移.
    employer = models.CharField(_("就业单位/转移去向"), max_length=200)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("就业登记")
        verbose_name_plural = _("就业登记")
        ordering = ["-employed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "employed_on"], name="employment_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_kind_display()}"


class UnemploymentFigure(models.Model):
    """The registered unemployment of a period: rate = registered unemployed / urban labour force."""

    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField(_("统计期(月初)"))
    registered_unemployed = models.PositiveIntegerField(_("城镇登记失业人数"))
    labour_force = models.PositiveIntegerField(
        _("城镇从业及登记失业人数"), validators=[MinValueValidator(1)]
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("登记失业率")
        verbose_name_plural = _("登记失业率")
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "period"], name="unemployment_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y年%m月}"


class InsuranceDrive(models.Model):
    """社会保险扩面征缴: for one insurance and one year, the department's targets — people newly
    enrolled (扩面) and contributions collected (征缴) — and where they stand on `as_of`. The seed
    reports the year's work as "圆满完成": done when both reach their targets."""

    class Insurance(models.TextChoices):
        EMPLOYEE_PENSION = "employee_pension", _("企业职工基本养老保险")
        RESIDENT_PENSION = "resident_pension", _("城乡居民基本养老保险")
        RESIDENT_MEDICAL = "resident_medical", _("城乡居民基本医疗保险")
        UNEMPLOYMENT = "unemployment", _("失业保险")
        INJURY = "injury", _("工伤保险")

    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    insurance = models.CharField(_("险种"), max_length=20, choices=Insurance.choices)
    enrol_target = models.PositiveIntegerField(_("扩面目标(人)"))
    enrolled = models.PositiveIntegerField(_("新增参保(人)"))
    collect_target = models.DecimalField(_("征缴目标(元)"), max_digits=16, decimal_places=2)
    collected = models.DecimalField(_("已征缴(元)"), max_digits=16, decimal_places=2)
    as_of = models.DateField(_("截至日期"), db_index=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("社会保险扩面征缴")
        verbose_name_plural = _("社会保险扩面征缴")
        ordering = ["-year", "insurance"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year", "insurance"], name="insurance_drive_once_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(collect_target__gte=0) & models.Q(collected__gte=0),
                name="insurance_drive_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_insurance_display()}"

    @property
    def done(self) -> bool:
        return self.enrolled >= self.enrol_target and self.collected >= self.collect_target


class Loan(models.Model):
    """创业担保贷款: submitted → approved → disbursed → repaid/closed (or rejected)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已申请")
        APPROVED = "approved", _("已审批")
        DISBURSED = "disbursed", _("已放款")
        REPAID = "repaid", _("已还清")
        CLOSED = "closed", _("已结清")
        REJECTED = "rejected", _("未批准")

    borrower = models.ForeignKey(
        "people.Person", verbose_name=_("借款人"), on_delete=models.PROTECT, related_name="loans"
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    business = models.CharField(_("创业项目"), max_length=200)
    amount_requested = models.DecimalField(_("申请金额(元)"), **MONEY)
    amount_approved = models.DecimalField(_("核准金额(元)"), null=True, blank=True, **MONEY)
    guarantor = models.CharField(_("担保机构/担保人"), max_length=100)
    bank = models.CharField(_("贷款银行"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    submitted_on = models.DateField(_("申请日期"))
    approved_on = models.DateField(_("审批日期"), null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("期限(月)"), default=24)
    # The date the next step (审批, 放款, 还款) is due, for 我的待办.
    next_step_due_on = models.DateField(_("下一步期限"), null=True, blank=True, db_index=True)
    next_step_due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限按尚未录入正式节假日安排的暂定年份计算,录入后自动重算。"),
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("创业担保贷款")
        verbose_name_plural = _("创业担保贷款")
        ordering = ["-submitted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.borrower.name} {self.business}"


class LoanDisbursement(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField(_("放款金额(元)"), **MONEY)
    paid_on = models.DateField(_("放款日期"), db_index=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("贷款发放")
        verbose_name_plural = _("贷款发放")
        ordering = ["loan", "paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.loan} {self.amount}"


class InternshipBase(models.Model):
    """就业见习基地: application to the city → approval."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("已申报")
        APPROVED = "approved", _("已认定")
        REJECTED = "rejected", _("未认定")

    name = models.CharField(_("基地名称"), max_length=100)
    employer = models.CharField(_("依托单位"), max_length=100)
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("级别"), max_length=10, default="市级")
    positions = models.PositiveSmallIntegerField(_("见习岗位数"), default=0)
    applied_on = models.DateField(_("申报日期"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    decided_on = models.DateField(_("认定日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("就业见习基地")
        verbose_name_plural = _("就业见习基地")
        ordering = ["-applied_on", "id"]

    def __str__(self) -> str:
        return self.name


class TrainingClass(models.Model):
    class Kind(models.TextChoices):
        SKILL = "skill", _("技能培训")
        STARTUP = "startup", _("创业培训")

    name = models.CharField(_("班次名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    start_on = models.DateField(_("开班日期"), db_index=True)
    end_on = models.DateField(_("结业日期"))
    sessions = models.PositiveSmallIntegerField(_("课时(次)"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-start_on", "id"]

    def __str__(self) -> str:
        return self.name


class Trainee(models.Model):
    """A person enrolled once in a class, with attendance and completion."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="trainees"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="trainings")
    attended_sessions = models.PositiveSmallIntegerField(_("出勤次数"), default=0)
    completed = models.BooleanField(_("结业"), default=False)

    class Meta:
        verbose_name = _("学员")
        verbose_name_plural = _("学员")
        ordering = ["training_class", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "person"], name="trainee_once_per_class"
            )
        ]

    def __str__(self) -> str:
        return f"{self.training_class} · {self.person.name}"


class School(models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("小学")
        MIDDLE = "middle", _("初中")
        NINE_YEAR = "nine_year", _("九年一贯制")
        KINDERGARTEN = "kindergarten", _("幼儿园")

    name = models.CharField(_("学校名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=15, choices=Kind.choices)
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("主管单位"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    principal = models.CharField(_("负责人"), max_length=50, blank=True)
    # Who receives the 《安全隐患通知书》: an SMS to the contact's phone, and an in-app
    # message to the school's own staff account when it has one.
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=20, blank=True, help_text=_("手机号或带区号的固定电话。")
    )
    contact_user = models.ForeignKey(
        USER,
        verbose_name=_("学校工作人员账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("填写后,隐患通知书同时以站内消息发给该账号。"),
    )
    # 录播室: the seed's aim is every 初中 and 中心小学 equipped with a recording room
    # ("争取率先在全市实现初中及中心小学录播室全覆盖"); `recording_room_target()` is that set.
    is_central = models.BooleanField(
        _("中心小学"), default=False, help_text=_("镇(街道)中心小学,录播室全覆盖的目标学校之一。")
    )
    recording_room_on = models.DateField(
        _("录播室配备日期"),
        null=True,
        blank=True,
        help_text=_("高标准录播室建成投用的日期;尚未配备的留空。"),
    )
    is_example = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def in_recording_room_target(self) -> bool:
        return self.kind in RECORDING_ROOM_KINDS or (
            self.kind == self.Kind.PRIMARY and self.is_central
        )


# 初中: the middle schools and the nine-year schools (which hold a 初中 section).
RECORDING_ROOM_KINDS = (School.Kind.MIDDLE, School.Kind.NINE_YEAR)


def recording_room_target() -> models.Q:
    """The schools the 录播室 coverage counts: every 初中 and every 中心小学."""
    return models.Q(kind__in=RECORDING_ROOM_KINDS) | models.Q(
        kind=School.Kind.PRIMARY, is_central=True
    )


class Inspection(models.Model):
    """A safety inspection of one school; closes only when every hazard is verified rectified."""

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        CLOSED = "closed", _("已闭环")

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="inspections"
    )
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField(_("检查日期"), db_index=True)
    inspectors = models.CharField(_("检查人员"), max_length=200)
    # {item code: "ok" | "hazard"} over the checklist in livelihood/checklist.py.
    checklist = models.JSONField(_("检查项目"), default=dict)
    notice_no = models.CharField(_("通知书编号"), max_length=40, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    closed_on = models.DateField(_("闭环日期"), null=True, blank=True)

    # Set by inspection_create() for the page that follows; not a column.
    warnings: list[str]

    class Meta:
        verbose_name = _("安全检查")
        verbose_name_plural = _("安全检查")
        ordering = ["-inspected_on", "id"]

    def __str__(self) -> str:
        return f"{self.school} {self.inspected_on}"


class Hazard(models.Model):
    """One item of the 《学校安全隐患通知书》, rectified by the school and verified by the office."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="hazards")
    description = models.CharField(_("隐患"), max_length=300)
    requirement = models.CharField(_("整改要求"), max_length=300)
    deadline_workdays = models.PositiveSmallIntegerField(
        _("整改时限(工作日)"), validators=[MinValueValidator(1)]
    )
    due_on = models.DateField(_("整改期限"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限按尚未录入正式节假日安排的暂定年份计算,录入后自动重算。"),
    )
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    rectification_note = models.TextField(_("整改情况"), blank=True)
    verified_on = models.DateField(_("复查确认日期"), null=True, blank=True)
    verified_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("安全隐患")
        verbose_name_plural = _("安全隐患")
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return self.description


class CleanupCampaign(models.Model):
    """The clean-up of unlicensed kindergartens; closes only when every one has an outcome."""

    name = models.CharField(_("名称"), max_length=100)
    org_unit = models.ForeignKey(
        UNIT, verbose_name=_("主管单位"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("开始日期"))
    # 整治完成期限: every kindergarten still 待处置 is on the keepers' 我的待办 until then, and
    # overdue after it. Campaigns opened before the field existed have none (see inbox.py).
    due_on = models.DateField(_("整治完成期限"), null=True, blank=True)
    closed_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("无证幼儿园清理整顿")
        verbose_name_plural = _("无证幼儿园清理整顿")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return self.name


class UnlicensedKindergarten(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "", _("待处置")
        BANNED = "banned", _("取缔")
        LICENSED = "licensed", _("整改后办证")
        MERGED = "merged", _("合并")

    campaign = models.ForeignKey(
        CleanupCampaign, on_delete=models.PROTECT, related_name="kindergartens"
    )
    name = models.CharField(_("名称"), max_length=100)
    operator = models.CharField(_("举办者"), max_length=50)
    address = models.CharField(_("地址"), max_length=200)
    children = models.PositiveSmallIntegerField(_("在园幼儿数"), default=0)
    found_on = models.DateField(_("摸排日期"))
    outcome = models.CharField(
        _("处置结果"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    outcome_on = models.DateField(_("处置日期"), null=True, blank=True)
    outcome_note = models.CharField(_("处置说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("无证幼儿园")
        verbose_name_plural = _("无证幼儿园")
        ordering = ["campaign", "name"]

    def __str__(self) -> str:
        return self.name
