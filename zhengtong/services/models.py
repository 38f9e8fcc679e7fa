"""The one-stop service hall: a catalog of items kept as data, and the cases taken in.

Rules of the hall: 一次性告知 (one notice lists every missing material), 首问负责 (the clerk who
receives a case is its first-responsible person for life), 限时办结 (due = acceptance date +
the item's promised working days, the clock stopped while the applicant supplements), A/B
roles (B handles A's cases while A is on leave) and 挂牌上岗 (the public on-duty board).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengtong.lib.encrypted import (
    BlindIndexField,
    EncryptedField,
    MaskField,
    SavesCompanions,
    SuffixField,
)
from zhengtong.lib.files import IMAGE_EXTENSIONS, StoredImageField, StoredName


class ServiceItem(models.Model):
    """A service item (事项) with its legal basis, steps, materials and promised time limit."""

    code = models.CharField(_("事项编码"), max_length=30, unique=True)
    name = models.CharField(_("事项名称"), max_length=100)
    department = models.CharField(_("承办机构"), max_length=100)
    legal_basis = models.TextField(_("设定依据"))
    eligibility = models.TextField(_("办理条件"), blank=True)
    # Ordered steps of the procedure (办理流程), one string each.
    procedure = models.JSONField(_("办理流程"), default=list)
    promised_workdays = models.PositiveSmallIntegerField(
        _("承诺办结时限(工作日)"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    legal_workdays = models.PositiveSmallIntegerField(
        _("法定办结时限(工作日)"), null=True, blank=True
    )
    fee = models.CharField(_("收费标准"), max_length=100, default="不收费")
    window = models.CharField(_("办理窗口"), max_length=50, blank=True)
    # The document issued on approval, e.g. 生育服务证; blank when nothing is issued.
    certificate_name = models.CharField(_("办理结果"), max_length=50, blank=True)
    certificate_prefix = models.CharField(_("证件编号前缀"), max_length=10, blank=True)
    # Printed on the guide and on the 办证服务告知书 the applicant takes home.
    notes = models.TextField(_("温馨提示"), blank=True)
    # For the administrators who configure the item; never shown to applicants.
    admin_notes = models.TextField(_("配置说明(不对外显示)"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:guide_detail", args=[self.code])


class Material(models.Model):
    """A material an item requires, possibly only in some situations.

    `condition` keys: "hukou" (local/floating), "marital_status" (list of Person.MaritalStatus
    values), "child_order" (list of ints: which child the application is for). An empty
    condition means always required.
    """

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(_("材料编码"), max_length=30)
    name = models.CharField(_("材料名称"), max_length=100)
    description = models.CharField(_("要求"), max_length=200, blank=True)
    copies = models.CharField(_("份数"), max_length=30, default="原件 1 份")
    condition = models.JSONField(_("适用情形"), default=dict, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="material_unique_code_per_item")
        ]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A post at a hall window, held by an A clerk with a B backup (AB角)."""

    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("服务大厅"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    name = models.CharField(_("岗位"), max_length=50)
    window = models.CharField(_("窗口"), max_length=30)
    a_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("A 角"),
        on_delete=models.PROTECT,
        related_name="a_posts",
    )
    b_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("B 角"),
        on_delete=models.PROTECT,
        related_name="b_posts",
    )

    class Meta:
        verbose_name = _("窗口岗位")
        verbose_name_plural = _("窗口岗位")
        ordering = ["org_unit", "window"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(a_user=models.F("b_user")), name="post_a_is_not_b"
            )
        ]

    def __str__(self) -> str:
        return f"{self.window} {self.name}"


class Leave(models.Model):
    """A recorded absence; while it lasts, the B clerk handles the A clerk's cases."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("请假人"),
        on_delete=models.PROTECT,
        related_name="leaves",
    )
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("事由"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Set on rows by the leave list; not a column.
    current: bool

    class Meta:
        verbose_name = _("请假记录")
        verbose_name_plural = _("请假记录")
        ordering = ["-start_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="leave_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.start_on}~{self.end_on}"


class DutyEntry(models.Model):
    """One clerk on duty at a post on one day (挂牌上岗)."""

    day = models.DateField(_("日期"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    post = models.ForeignKey(
        Post, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="duty"
    )

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["day", "post"]
        constraints = [
            models.UniqueConstraint(fields=["day", "user"], name="duty_one_post_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.user}"


class Application(SavesCompanions, models.Model):
    """A case: one applicant, one item, taken in by its first-responsible clerk."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待补正")
        ACCEPTED = "accepted", _("已受理")
        PAUSED = "paused", _("补正中(暂停计时)")
        APPROVED = "approved", _("已办结")
        REFUSED = "refused", _("不予办理")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Channel(models.TextChoices):
        WINDOW = "window", _("窗口")
        HOME_VISIT = "home_visit", _("上门服务")
        ONLINE = "online", _("网上申请")

    OPEN_STATUSES = (Status.PENDING, Status.ACCEPTED, Status.PAUSED)
    FINISHED_STATUSES = (Status.APPROVED, Status.REFUSED, Status.WITHDRAWN)

    receipt_no = models.CharField(_("受理编号"), max_length=30, unique=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="applications"
    )
    # The hall (township) the case belongs to; scope runs through it.
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("服务大厅"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant = models.ForeignKey(
        "people.Person",
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant_phone = EncryptedField(
        _("联系电话"), kind="phone", blank=False, suffix_field="applicant_phone_last4"
    )
    applicant_phone_index = BlindIndexField()
    applicant_phone_mask = MaskField(_("联系电话"))
    # The case search by 手机号后四位 (and the public status lookup) reads this column.
    applicant_phone_last4 = SuffixField(_("联系电话后四位"))
    # The applicant's situation that decides the materials: hukou, marital_status, child_order.
    situation = models.JSONField(_("申请情形"), default=dict, blank=True)
    channel = models.CharField(
        _("来源渠道"), max_length=20, choices=Channel.choices, default=Channel.WINDOW
    )
    # 上门服务: where the case was taken in (the phone's position), and the home visit it came
    # from when a village visit turned into a case (转窗口办理 / 上门受理).
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    home_visit = models.ForeignKey(
        "population.HomeVisit",
        verbose_name=_("来源走访"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    # 首问负责: set at intake, never changed. `handler` moves with an audited handover.
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首问责任人"),
        on_delete=models.PROTECT,
        related_name="first_cases",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    received_at = models.DateTimeField(_("收件时间"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限按尚未录入正式节假日安排的暂定年份计算,录入后自动重算。"),
    )
    paused_workdays = models.PositiveSmallIntegerField(_("暂停工作日数"), default=0)
    # Set instead of due_on when the due date falls in a year without holiday data.
    calendar_missing_year = models.PositiveSmallIntegerField(
        _("缺少节假日数据的年份"), null=True, blank=True
    )
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decision_note = models.TextField(_("办理意见"), blank=True)
    certificate_no = models.CharField(
        _("证件编号"), max_length=40, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["org_unit", "status", "due_on"], name="case_unit_status_due_idx"),
            models.Index(fields=["handler", "status"], name="case_handler_status_idx"),
            # A hall's cases by date: its case list (newest first), the cockpit and work report
            # of the zone or town above it, 办事公开 of one hall (bench/city.py shows the plans).
            models.Index(fields=["org_unit", "received_at"], name="case_unit_received_idx"),
            models.Index(fields=["org_unit", "finished_at"], name="case_unit_finished_idx"),
            # With the two above, a hall's cases received, accepted or finished in a week
            # (计生周报) are three index ranges instead of all its cases.
            models.Index(fields=["org_unit", "accepted_on"], name="case_unit_accepted_idx"),
            # Every hall's cases by date: 办事公开 of all halls and the mayor's cockpit.
            models.Index(fields=["received_at"], name="case_received_idx"),
            # The case list's 来源渠道 filter within a hall.
            models.Index(fields=["org_unit", "channel"], name="case_unit_channel_idx"),
            models.Index(fields=["finished_at"], name="case_finished_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.item}"

    def get_absolute_url(self) -> str:
        return reverse("services:application_detail", args=[self.receipt_no])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class HomePhoto(models.Model):
    """A photo taken at the applicant's home for a 上门服务 case, re-encoded, never public."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="home_photos"
    )
    image = StoredImageField(_("照片"), upload_to=StoredName("casephotos", IMAGE_EXTENSIONS))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("上门服务照片")
        verbose_name_plural = _("上门服务照片")
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "sha256"], name="home_photo_once")
        ]

    def __str__(self) -> str:
        return self.image.name or ""


class NoticeDelivery(models.Model):
    """上门告知: the 《办证服务告知书》 handed to the applicant at home, with the applicant's
    signature drawn on the clerk's phone or a photo of the handover (at least one of them).
    A case may have several: the notice is delivered again after a clause changed."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="deliveries"
    )
    delivered_on = models.DateField(_("告知日期"))
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("告知人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("告知地点"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    signature = StoredImageField(
        _("申请人签名"), upload_to=StoredName("signatures", ("png",)), blank=True
    )
    signature_sha256 = models.CharField(max_length=64, blank=True)
    photo = StoredImageField(
        _("现场照片"), upload_to=StoredName("deliveries", IMAGE_EXTENSIONS), blank=True
    )
    photo_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("上门告知记录")
        verbose_name_plural = _("上门告知记录")
        ordering = ["application", "delivered_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(signature="") | ~models.Q(photo=""),
                name="delivery_signed_or_photographed",
                violation_error_message=_("上门告知须有申请人签名或现场照片。"),
            ),
            # The same picture (or the same form sent twice) is kept once per case.
            models.UniqueConstraint(
                fields=["application", "photo_sha256"],
                condition=~models.Q(photo_sha256=""),
                name="delivery_photo_once",
            ),
            models.UniqueConstraint(
                fields=["application", "signature_sha256"],
                condition=~models.Q(signature_sha256=""),
                name="delivery_signature_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.receipt_no} 上门告知 {self.delivered_on:%Y-%m-%d}"


class Notice(models.Model):
    """The one-time notice (一次性告知书): every missing or defective material at once."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notices")
    issued_at = models.DateTimeField(_("告知时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # False for a later request that cited materials outside the first notice (warned and kept).
    within_first_notice = models.BooleanField(_("在首次告知范围内"), default=True)

    class Meta:
        verbose_name = _("一次性告知书")
        verbose_name_plural = _("一次性告知书")
        ordering = ["application", "issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.application.receipt_no} 告知 {self.issued_at:%Y-%m-%d}"


class NoticeItem(models.Model):
    class Problem(models.TextChoices):
        MISSING = "missing", _("缺少")
        DEFECTIVE = "defective", _("不符合要求")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    problem = models.CharField(_("问题"), max_length=10, choices=Problem.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("告知事项")
        verbose_name_plural = _("告知事项")
        ordering = ["notice", "material__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "material"], name="notice_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_problem_display()} {self.material}"


class ReceivedMaterial(models.Model):
    """A material the applicant has handed in for a case."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="received_materials"
    )
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("收取时间"))

    class Meta:
        verbose_name = _("已收材料")
        verbose_name_plural = _("已收材料")
        ordering = ["application", "material__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "material"], name="received_material_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.material)


class Pause(models.Model):
    """An interval in which the clock stood still waiting for the applicant (补正)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField(_("暂停日期"))
    ended_on = models.DateField(_("恢复日期"), null=True, blank=True)
    workdays = models.PositiveSmallIntegerField(_("暂停工作日数"), default=0)
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")
        ordering = ["application", "started_on", "id"]

    def __str__(self) -> str:
        return f"{self.application.receipt_no} {self.started_on}~{self.ended_on or ''}"


class Sequence(models.Model):
    """A named counter (receipt numbers, certificate serials), locked row by row when used."""

    key = models.CharField(max_length=60, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.last_number}"


class Rating(models.Model):
    """好差评: one rating per finished case, 5 levels (国办发〔2019〕51号)."""

    class Level(models.IntegerChoices):
        VERY_SATISFIED = 5, _("非常满意")
        SATISFIED = 4, _("满意")
        BASICALLY_SATISFIED = 3, _("基本满意")
        DISSATISFIED = 2, _("不满意")
        VERY_DISSATISFIED = 1, _("非常不满意")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="rating")
    level = models.PositiveSmallIntegerField(_("评价"), choices=Level.choices)
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-created_at"]
        # The ratings of a week, a month or a year: 计生周报, 月冠军, 好差评统计.
        indexes = [models.Index(fields=["created_at"], name="rating_created_idx")]

    def __str__(self) -> str:
        return f"{self.application.receipt_no} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level <= self.Level.DISSATISFIED


class Rectification(models.Model):
    """The callback and rectification a bad rating opens, due in 15 working days."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Empty, with calendar_missing_year set, when the 15 working days run into a year without
    # holiday data.
    due_on = models.DateField(_("整改期限"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限按尚未录入正式节假日安排的暂定年份计算,录入后自动重算。"),
    )
    calendar_missing_year = models.PositiveSmallIntegerField(
        _("缺少节假日数据的年份"), null=True, blank=True
    )
    callback_note = models.TextField(_("回访记录"), blank=True)
    result = models.TextField(_("整改情况"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.rating} 整改"


class DisclosureSnapshot(models.Model):
    """The 办事公开 figures of a month that has ended, as published: one hall, or all (empty).

    Computed from the case rows on the first view after the month ends and kept: the figures
    of a past month never change (a later correction to one of its cases leaves them as
    published), and no request pays for a recount of a month that is over.
    """

    month = models.DateField(_("月份"))
    hall = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("服务大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # One {item_code, item_name, received, finished, on_time, overdue} per service item.
    rows = models.JSONField(_("分事项数字"), default=list)
    published_at = models.DateTimeField(_("公布时间"), default=timezone.now)

    class Meta:
        verbose_name = _("办事公开月度数字")
        verbose_name_plural = _("办事公开月度数字")
        ordering = ["-month", "hall"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "hall"],
                condition=models.Q(hall__isnull=False),
                name="disclosure_once_per_hall_month",
            ),
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(hall__isnull=True),
                name="disclosure_once_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月} {self.hall or '全部大厅'}"


class OnlineApplication(SavesCompanions, models.Model):
    """网上申请: what a resident submitted from a phone, without an account, waiting in the
    hall's queue until a window clerk takes it (it becomes an `Application` with the same
    receipt number, the clerk its first responder) or declines it with a reason."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("待接件")
        TAKEN = "taken", _("已接件")
        DECLINED = "declined", _("已退回")

    receipt_no = models.CharField(_("受理编号"), max_length=30, unique=True)
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("事项"),
        on_delete=models.PROTECT,
        related_name="online_applications",
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("服务大厅"),
        on_delete=models.PROTECT,
        related_name="online_applications",
    )
    name = models.CharField(_("申请人姓名"), max_length=50)
    id_number = EncryptedField(_("公民身份号码"), kind="id", blank=False)
    id_number_index = BlindIndexField()
    id_number_mask = MaskField(_("公民身份号码"))
    phone = EncryptedField(_("手机号码"), kind="phone", blank=False, suffix_field="phone_last4")
    phone_index = BlindIndexField()
    phone_mask = MaskField(_("手机号码"))
    phone_last4 = SuffixField(_("手机号后四位"))
    situation = models.JSONField(_("申请情形"), default=dict, blank=True)
    note = models.CharField(_("补充说明"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    # The day the hall should have answered by (one working day): the queue's and 我的待办's date.
    respond_by = models.DateField(_("接件期限"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接件人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("接件时间"), null=True, blank=True)
    application = models.OneToOneField(
        Application,
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="online_submission",
    )
    declined_reason = models.CharField(_("退回理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("网上申请")
        verbose_name_plural = _("网上申请")
        ordering = ["submitted_at", "id"]
        indexes = [
            # The hall's queue and 我的待办: waiting submissions of a hall, oldest first.
            models.Index(
                fields=["org_unit", "status", "respond_by"], name="online_unit_status_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="taken")
                | models.Q(application__isnull=False, taken_by__isnull=False),
                name="online_taken_has_case",
                violation_error_message=_("已接件的网上申请须有办件和接件人。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(declined_reason=""),
                name="online_declined_has_reason",
                violation_error_message=_("退回的网上申请须写明理由。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.item}"

    def get_absolute_url(self) -> str:
        return reverse("services:online_detail", args=[self.pk])


class OnlinePhoto(models.Model):
    """A photo of one material of an online application, re-encoded, never public."""

    submission = models.ForeignKey(
        OnlineApplication, on_delete=models.CASCADE, related_name="photos"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="+"
    )
    image = StoredImageField(_("照片"), upload_to=StoredName("online", IMAGE_EXTENSIONS))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("网上申请材料照片")
        verbose_name_plural = _("网上申请材料照片")
        ordering = ["submission", "material__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "material", "sha256"], name="online_photo_once"
            )
        ]

    def __str__(self) -> str:
        return self.image.name or ""
