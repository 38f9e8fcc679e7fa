"""Key projects (重点项目) and everything kept against them.

Amounts are Decimal 元 (two places), never float. Year-to-date figures are derived from the
monthly reports, never typed. The change history of a project lives in the audit log.
"""

import datetime
from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhengtong.lib.files import IMAGE_EXTENSIONS, StoredImageField, StoredName


class MoneyDigits(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: MoneyDigits = {"max_digits": 16, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Sector(models.Model):
    """One plate of the zone's "2+5+1" industrial layout (or 城市建设/社会民生 for public works)."""

    class Plate(models.TextChoices):
        LEADING = "2", _("两大支柱产业")
        MAIN = "5", _("五大主导产业")
        SERVICE = "1", _("现代服务业")
        PUBLIC = "0", _("城建与民生")

    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    plate = models.CharField(_("板块"), max_length=1, choices=Plate.choices)
    # OC4IDS projectSector code, e.g. transport.road.
    oc4ids_sector = models.CharField(_("OC4IDS 行业"), max_length=40, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("产业板块")
        verbose_name_plural = _("产业板块")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    NOT_STARTED = "not_started", _("未开工")
    SURVEY = "survey", _("勘查设计")
    UNDER_CONSTRUCTION = "under_construction", _("在建")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


# OC4IDS 0.9.5 projectStatus for each stage.
OC4IDS_STATUS = {
    Stage.NOT_STARTED: "identification",
    Stage.SURVEY: "preparation",
    Stage.UNDER_CONSTRUCTION: "implementation",
    Stage.COMPLETED: "completion",
    Stage.CANCELLED: "cancelled",
}

# The seed's three classes for 分类指导: 勘查设计 counts as 未开工, not 在建.
STAGE_CLASS = {
    Stage.NOT_STARTED: Stage.NOT_STARTED,
    Stage.SURVEY: Stage.NOT_STARTED,
    Stage.UNDER_CONSTRUCTION: Stage.UNDER_CONSTRUCTION,
    Stage.COMPLETED: Stage.COMPLETED,
    Stage.CANCELLED: Stage.CANCELLED,
}

# Forward moves anyone managing the register may make. Anything else is refused, except a
# reopening (REOPEN) which needs a reason.
STAGE_TRANSITIONS = {
    Stage.NOT_STARTED: {Stage.SURVEY, Stage.UNDER_CONSTRUCTION, Stage.CANCELLED},
    Stage.SURVEY: {Stage.NOT_STARTED, Stage.UNDER_CONSTRUCTION, Stage.CANCELLED},
    Stage.UNDER_CONSTRUCTION: {Stage.COMPLETED, Stage.CANCELLED},
    Stage.COMPLETED: set(),
    Stage.CANCELLED: set(),
}
STAGE_REOPEN = {
    Stage.COMPLETED: {Stage.UNDER_CONSTRUCTION},
    Stage.CANCELLED: {Stage.NOT_STARTED, Stage.SURVEY},
}


class KeyProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .selectors import projects_visible_to

        return projects_visible_to(user, self)

    def in_class(self, stage_class: str):
        return self.filter(stage__in=[s for s, c in STAGE_CLASS.items() if c == stage_class])

    def on_list(self, year: int, *, drafts: bool = False):
        """The projects of the year-`year` list, annotated with their entry's `annual_plan`,
        `position` (序号) and `list_year`: the one door to "the projects of year Y".

        Only an approved list counts, unless `drafts` (the office preparing a list). One join,
        no extra query; aggregates over `annual_plan` are therefore per list.
        """
        condition = Q(list_entries__project_list__year=year)
        if not drafts:
            condition &= Q(list_entries__project_list__status=ProjectList.Status.APPROVED)
        # One filter() call, so both conditions share the join; the F() annotations below
        # reuse that same join (the entry is unique per list and project: one row each).
        return self.filter(condition).annotate(
            annual_plan=F("list_entries__annual_plan"),
            position=F("list_entries__position"),
            list_year=F("list_entries__project_list__year"),
        )

    def with_latest_entry(self):
        """Annotate `annual_plan` and `list_year` from the latest approved list each project is
        on (None when on none), for pages about one project rather than one year."""
        latest = ListEntry.objects.filter(
            project=OuterRef("pk"), project_list__status=ProjectList.Status.APPROVED
        ).order_by("-project_list__year")
        return self.annotate(
            annual_plan=Subquery(latest.values("annual_plan")[:1]),
            list_year=Subquery(latest.values("project_list__year")[:1]),
        )


class KeyProject(models.Model):
    """A 市级重点建设项目 of the zone."""

    class Category(models.TextChoices):
        INDUSTRY = "industry", _("产业")
        URBAN = "urban", _("城建")
        LIVELIHOOD = "livelihood", _("民生")

    class ProjectType(models.TextChoices):
        CONSTRUCTION = "construction", _("新建")
        REHABILITATION = "rehabilitation", _("改造")
        REPLACEMENT = "replacement", _("更新")
        EXPANSION = "expansion", _("扩建")

    code = models.CharField(_("项目编号"), max_length=30, unique=True)
    name = models.CharField(_("项目名称"), max_length=100, db_index=True)
    # The year the project entered the register (its code carries it); the years it is
    # planned for are the yearly lists it is on (ListEntry).
    year = models.PositiveSmallIntegerField(_("入库年度"), db_index=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("产业板块"), on_delete=models.PROTECT, related_name="projects"
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices, db_index=True)
    project_type = models.CharField(
        _("建设性质"), max_length=20, choices=ProjectType.choices, default=ProjectType.CONSTRUCTION
    )
    # The owner unit (项目单位) is the row's place in the org tree: scope runs through it.
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("项目单位"),
        on_delete=models.PROTECT,
        related_name="key_projects",
    )
    responsible_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="responsible_projects",
        null=True,
        blank=True,
    )
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮包领导"),
        through="ProjectLeader",
        related_name="led_projects",
        blank=True,
    )
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    description = models.TextField(_("建设内容"), blank=True)
    total_investment = models.DecimalField(_("总投资(元)"), validators=NON_NEGATIVE, **MONEY)
    planned_start_on = models.DateField(_("计划开工日期"), null=True, blank=True)
    planned_finish_on = models.DateField(_("计划竣工日期"), null=True, blank=True)
    actual_start_on = models.DateField(_("实际开工日期"), null=True, blank=True)
    actual_finish_on = models.DateField(_("实际竣工日期"), null=True, blank=True)
    stage = models.CharField(
        _("阶段"), max_length=20, choices=Stage.choices, default=Stage.NOT_STARTED, db_index=True
    )
    # Demo rows whose figures the seed does not give are marked 示例 on every screen.
    is_example = models.BooleanField(_("示例数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = KeyProjectQuerySet.as_manager()

    # Set on rows by the querysets and views that show them; not columns.
    list_year: int | None
    ytd_investment: Decimal
    latest_progress: int | None
    physical_progress: int | None
    progress_month: datetime.date | None
    remaining: Decimal
    proposed_plan: Decimal

    class Meta:
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_investment__gte=0), name="project_total_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.pk])

    @property
    def annual_plan(self) -> Decimal | None:
        """The plan of the year being looked at.

        Querysets from `on_list()` and `with_latest_entry()` set it in the same query; a bare
        row falls back to its entry on the list of its own 入库年度 (one query, then cached).
        """
        if "_annual_plan" not in self.__dict__:
            entry = (
                ListEntry.objects.filter(project=self, project_list__year=self.year)
                .values_list("annual_plan", flat=True)
                .first()
                if self.pk
                else None
            )
            self.__dict__["_annual_plan"] = entry
        return self.__dict__["_annual_plan"]

    @annual_plan.setter
    def annual_plan(self, value) -> None:
        self.__dict__["_annual_plan"] = value

    @property
    def oc4ids_status(self) -> str:
        return OC4IDS_STATUS[Stage(self.stage)]

    @property
    def stage_class(self) -> str:
        return STAGE_CLASS[Stage(self.stage)]

    @property
    def stage_class_display(self) -> str:
        return str(Stage(self.stage_class).label)


class ProjectList(models.Model):
    """A year's list of key projects (2026年市级重点建设项目): drafted, then approved and frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已批准")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("清单名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("结转自"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_to",
    )
    # Demo lists whose plans the seed does not give are marked 示例.
    is_example = models.BooleanField(_("示例数据"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Set on rows by the querysets and views that show them; not columns.
    can_carry: bool

    class Meta:
        verbose_name = _("年度重点项目清单")
        verbose_name_plural = _("年度重点项目清单")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000) & models.Q(year__lte=2100),
                name="project_list_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:list_detail", args=[self.pk])

    @staticmethod
    def default_title(year: int) -> str:
        return f"{year}年市级重点建设项目"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class ListEntry(models.Model):
    """A project on a year's list, with that year's plan (年度计划投资) and its 序号."""

    class Origin(models.TextChoices):
        CARRIED = "carried", _("续建")
        NEW = "new", _("新增")

    project_list = models.ForeignKey(
        ProjectList, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="entries"
    )
    project = models.ForeignKey(
        KeyProject, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="list_entries"
    )
    position = models.PositiveIntegerField(_("序号"))
    annual_plan = models.DecimalField(_("年度计划投资(元)"), validators=NON_NEGATIVE, **MONEY)
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices, default=Origin.NEW)
    # 总投资 − everything reported before the list was proposed: the ceiling of the plan.
    remaining_investment = models.DecimalField(
        _("列入时剩余投资(元)"), validators=NON_NEGATIVE, **MONEY
    )

    class Meta:
        verbose_name = _("清单项目")
        verbose_name_plural = _("清单项目")
        ordering = ["project_list", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project_list", "project"], name="list_entry_project_once"
            ),
            models.UniqueConstraint(
                fields=["project_list", "position"], name="list_entry_position_once"
            ),
            models.CheckConstraint(
                condition=models.Q(annual_plan__gte=0) & models.Q(remaining_investment__gte=0),
                name="list_entry_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(annual_plan__lte=models.F("remaining_investment")),
                name="list_entry_plan_within_remaining",
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="list_entry_position_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_list} · {self.position}. {self.project}"


class ProjectLeader(models.Model):
    """A 帮包 leader assigned to a project."""

    project = models.ForeignKey(KeyProject, on_delete=models.CASCADE, related_name="leader_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_links"
    )
    assigned_on = models.DateField(_("帮包日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("帮包领导")
        verbose_name_plural = _("帮包领导")
        ordering = ["project", "user"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_leader_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.user}"


class ProgressReport(models.Model):
    """The monthly progress report of one project: one per project per month."""

    project = models.ForeignKey(
        KeyProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="reports"
    )
    # Always the first day of the month reported on.
    month = models.DateField(_("月份"), db_index=True)
    investment = models.DecimalField(_("本月完成投资(元)"), validators=NON_NEGATIVE, **MONEY)
    physical_progress = models.DecimalField(
        _("形象进度(%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    progress_note = models.TextField(_("形象进度说明"), blank=True)
    next_steps = models.TextField(_("下步计划"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # 审核: the office reads each filed report and marks it checked (or sends it back with a
    # note, which the liaison answers in the next report); unchecked ones are in its 我的待办.
    checked_at = models.DateTimeField(_("审核时间"), null=True, blank=True, db_index=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    check_note = models.CharField(_("审核意见"), max_length=300, blank=True)

    # Set on rows by the querysets and views that show them; not columns.
    ytd: Decimal

    class Meta:
        verbose_name = _("月度进度")
        verbose_name_plural = _("月度进度")
        ordering = ["project", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="report_one_per_month"),
            models.CheckConstraint(
                condition=models.Q(investment__gte=0), name="report_investment_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y年%m月}"


class ProgressPhoto(models.Model):
    """A site photo attached to a monthly report; the same file twice is kept once."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    image = StoredImageField(_("照片"), upload_to=StoredName("progress", IMAGE_EXTENSIONS))
    sha256 = models.CharField(max_length=64, db_index=True)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["report", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "sha256"], name="photo_unique_per_report")
        ]

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class Milestone(models.Model):
    """A milestone with OC4IDS code and status (scheduled / met / notMet / partiallyMet)."""

    class Code(models.TextChoices):
        APPROVAL = "projectApproval", _("立项")
        COMMENCEMENT = "commencement", _("开工")
        MAIN_STRUCTURE = "mainStructure", _("主体完工")
        COMPLETION = "completion", _("竣工")
        COMMISSIONING = "commissioning", _("投产")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("计划中")
        MET = "met", _("已达成")
        NOT_MET = "notMet", _("未按期达成")
        PARTIALLY_MET = "partiallyMet", _("部分达成")

    project = models.ForeignKey(KeyProject, on_delete=models.CASCADE, related_name="milestones")
    code = models.CharField(_("节点"), max_length=20, choices=Code.choices)
    due_on = models.DateField(_("计划日期"))
    met_on = models.DateField(_("实际日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["project", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="milestone_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_code_display()}"

    @property
    def is_late(self) -> bool:
        """Met after its due date: still `met` in OC4IDS, but shown as late."""
        return self.met_on is not None and self.met_on > self.due_on


class Problem(models.Model):
    """An entry of the 问题台账: a problem, its owning unit, a deadline in working days."""

    class Status(models.TextChoices):
        OPEN = "open", _("待解决")
        RESOLVED = "resolved", _("已解决")

    project = models.ForeignKey(
        KeyProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="problems"
    )
    title = models.CharField(_("问题"), max_length=200)
    description = models.TextField(_("详细情况"), blank=True)
    owning_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="project_problems",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_on = models.DateField(_("提出日期"))
    deadline_workdays = models.PositiveSmallIntegerField(_("办结时限(工作日)"))
    due_on = models.DateField(_("办结期限"), db_index=True)
    due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限按尚未录入正式节假日安排的暂定年份计算,录入后自动重算。"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolution_note = models.TextField(_("解决情况"), blank=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set when an overdue problem was escalated to the project's 帮包 leaders.
    escalated_at = models.DateTimeField(_("升级督办时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("问题台账")
        verbose_name_plural = _("问题台账")
        ordering = ["status", "due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="problem_status_due_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:problem_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Fund(models.Model):
    """A guidance fund (科技研发扶持基金, 转调创扶持基金, 投融资担保基金)."""

    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    budget = models.DecimalField(_("资金规模(元)"), validators=NON_NEGATIVE, **MONEY)
    description = models.TextField(_("支持方向"), blank=True)
    is_example = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        verbose_name = _("引导资金")
        verbose_name_plural = _("引导资金")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class FundAllocation(models.Model):
    """An amount of a fund granted to one project; disbursements never exceed it."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("基金"), on_delete=models.PROTECT, related_name="allocations"
    )
    project = models.ForeignKey(
        KeyProject,
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="fund_allocations",
    )
    amount = models.DecimalField(_("安排金额(元)"), validators=NON_NEGATIVE, **MONEY)
    decided_on = models.DateField(_("安排日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("资金安排")
        verbose_name_plural = _("资金安排")
        ordering = ["fund", "project"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "project"], name="allocation_unique_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fund} → {self.project}"


class Disbursement(models.Model):
    """One payment out of an allocation."""

    allocation = models.ForeignKey(
        FundAllocation,
        verbose_name=_("资金安排"),
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    amount = models.DecimalField(_("拨付金额(元)"), validators=NON_NEGATIVE, **MONEY)
    paid_on = models.DateField(_("拨付日期"))
    voucher_no = models.CharField(_("凭证号"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        ordering = ["allocation", "paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.allocation} {self.amount}"


class WorkTarget(models.Model):
    """A physical target of a city work: road km, greening m², street lamps new or renovated."""

    class Measure(models.TextChoices):
        ROAD_KM = "road_km", _("道路里程")
        GREEN_M2 = "green_m2", _("绿化面积")
        LAMP_NEW = "lamp_new", _("新增路灯")
        LAMP_RENOVATED = "lamp_renovated", _("改造路灯")

    UNITS = {
        Measure.ROAD_KM: "公里",
        Measure.GREEN_M2: "平方米",
        Measure.LAMP_NEW: "盏",
        Measure.LAMP_RENOVATED: "盏",
    }

    project = models.ForeignKey(
        KeyProject, verbose_name=_("工程"), on_delete=models.CASCADE, related_name="targets"
    )
    measure = models.CharField(_("指标"), max_length=20, choices=Measure.choices)
    planned_quantity = models.DecimalField(
        _("计划量"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    # Set on rows by the querysets and views that show them; not columns.
    installed: Decimal
    progress_pct: Decimal | None
    remaining: Decimal
    planned_text: str
    installed_text: str
    remaining_text: str
    form: Any

    class Meta:
        verbose_name = _("工程量目标")
        verbose_name_plural = _("工程量目标")
        ordering = ["project", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["project", "measure"], name="target_unique_measure")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_measure_display()}"

    @property
    def unit(self) -> str:
        return self.UNITS[self.Measure(self.measure)]


class WorkQuantity(models.Model):
    """Quantity installed or completed on a day; progress is their sum over the plan."""

    target = models.ForeignKey(WorkTarget, on_delete=models.CASCADE, related_name="entries")
    recorded_on = models.DateField(_("日期"))
    quantity = models.DecimalField(
        _("完成量"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("完成工程量")
        verbose_name_plural = _("完成工程量")
        ordering = ["target", "recorded_on", "id"]

    def __str__(self) -> str:
        return f"{self.target} {self.quantity}"


class RelocationProgramme(models.Model):
    """A 城中村改造 or 农村新型社区 programme: households to move, resettlement housing to build.

    Progress is the sum of its dated entries, never typed as a total; moved in ≤ demolished ≤
    signed ≤ households, and built ≤ the housing planned.
    """

    class Kind(models.TextChoices):
        URBAN_VILLAGE = "urban_village", _("城中村改造")
        RURAL_COMMUNITY = "rural_community", _("农村新型社区")

    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("负责单位"),
        on_delete=models.PROTECT,
        related_name="relocation_programmes",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=100, db_index=True)
    villages = models.CharField(_("涉及村(片区)"), max_length=200)
    project = models.ForeignKey(
        KeyProject,
        verbose_name=_("关联重点项目"),
        on_delete=models.PROTECT,
        related_name="relocation_programmes",
        null=True,
        blank=True,
    )
    households = models.PositiveIntegerField(_("应拆迁户数"), validators=[MinValueValidator(1)])
    housing_units = models.PositiveIntegerField(_("安置房套数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Set on rows by the querysets that show them (sums of the entries); not columns.
    signed: int
    demolished: int
    built: int
    moved_in: int

    class Meta:
        verbose_name = _("拆迁安置项目")
        verbose_name_plural = _("拆迁安置项目")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="relocation_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:relocation_detail", args=[self.pk])


class RelocationEntry(models.Model):
    """Households signed, demolished and moved in, and resettlement flats completed, on a day."""

    programme = models.ForeignKey(
        RelocationProgramme,
        verbose_name=_("拆迁安置项目"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    recorded_on = models.DateField(_("日期"))
    signed = models.PositiveIntegerField(_("签约(户)"), default=0)
    demolished = models.PositiveIntegerField(_("已拆迁(户)"), default=0)
    built = models.PositiveIntegerField(_("安置房建成(套)"), default=0)
    moved_in = models.PositiveIntegerField(_("搬迁入住(户)"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("拆迁安置进度")
        verbose_name_plural = _("拆迁安置进度")
        ordering = ["programme", "recorded_on", "id"]
        indexes = [models.Index(fields=["programme", "recorded_on"], name="relocation_entry_day")]

    def __str__(self) -> str:
        return f"{self.programme} {self.recorded_on:%Y-%m-%d}"


class LeadStage(models.TextChoices):
    NEGOTIATING = "negotiating", _("洽谈")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("落地")
    CONVERTED = "converted", _("转为重点项目")
    TERMINATED = "terminated", _("终止")


# The one road a lead travels, one step at a time; 终止 is open from every stage before the end.
LEAD_NEXT = {
    LeadStage.NEGOTIATING: LeadStage.SIGNED,
    LeadStage.SIGNED: LeadStage.LANDED,
    LeadStage.LANDED: LeadStage.CONVERTED,
}
LEAD_OPEN_STAGES = (LeadStage.NEGOTIATING, LeadStage.SIGNED, LeadStage.LANDED)
# The plates a lead can be brought in for: the zone's industries, not its public works.
LEAD_PLATES = (Sector.Plate.LEADING, Sector.Plate.MAIN, Sector.Plate.SERVICE)


class InvestmentLeadQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .selectors import leads_visible_to

        return leads_visible_to(user, self)


class InvestmentLead(models.Model):
    """A 招商线索: a company the zone is bringing in, from the first talks to a key project."""

    class Source(models.TextChoices):
        GOING_OUT = "going_out", _("走出去招商")
        PROMOTION = "promotion", _("招商推介会")
        BY_BUSINESS = "by_business", _("以商招商")
        BY_CHAIN = "by_chain", _("产业链招商")
        VISIT = "visit", _("客商来访")

    company = models.CharField(_("企业名称"), max_length=100, db_index=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("主导产业"), on_delete=models.PROTECT, related_name="leads"
    )
    intended_investment = models.DecimalField(_("意向投资(元)"), validators=NON_NEGATIVE, **MONEY)
    source = models.CharField(_("线索来源"), max_length=20, choices=Source.choices, db_index=True)
    # The unit that keeps the lead (the zone or its 招商 department): scope runs through it.
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("招商单位"),
        on_delete=models.PROTECT,
        related_name="investment_leads",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("招商责任人"),
        on_delete=models.PROTECT,
        related_name="investment_leads",
    )
    stage = models.CharField(
        _("阶段"),
        max_length=20,
        choices=LeadStage.choices,
        default=LeadStage.NEGOTIATING,
        db_index=True,
    )
    contacted_on = models.DateField(_("首次洽谈日期"), db_index=True)
    contract_amount = models.DecimalField(
        _("协议投资(元)"), validators=NON_NEGATIVE, null=True, blank=True, **MONEY
    )
    signed_on = models.DateField(_("签约日期"), null=True, blank=True, db_index=True)
    registered_company = models.CharField(_("注册企业"), max_length=100, blank=True)
    land = models.CharField(_("项目用地"), max_length=200, blank=True)
    landed_on = models.DateField(_("落地日期"), null=True, blank=True, db_index=True)
    # One lead becomes one key project, once.
    project = models.OneToOneField(
        KeyProject,
        verbose_name=_("重点项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investment_lead",
    )
    converted_on = models.DateField(_("转为重点项目日期"), null=True, blank=True, db_index=True)
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True)
    termination_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_example = models.BooleanField(_("示例数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InvestmentLeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("招商线索")
        verbose_name_plural = _("招商线索")
        ordering = ["-contacted_on", "-id"]
        indexes = [
            models.Index(fields=["stage", "sector"], name="lead_stage_sector_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(intended_investment__gte=0)
                & (models.Q(contract_amount__isnull=True) | models.Q(contract_amount__gte=0)),
                name="lead_amounts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.company

    def get_absolute_url(self) -> str:
        return reverse("projects:lead_detail", args=[self.pk])

    @property
    def next_stage(self) -> str | None:
        return LEAD_NEXT.get(LeadStage(self.stage))

    @property
    def is_open(self) -> bool:
        return self.stage in LEAD_OPEN_STAGES


class LeadStep(models.Model):
    """One dated stage of a lead's history (洽谈, 签约, 落地, 转为重点项目 or 终止)."""

    lead = models.ForeignKey(
        InvestmentLead, verbose_name=_("招商线索"), on_delete=models.CASCADE, related_name="steps"
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=LeadStage.choices)
    happened_on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("招商线索进展")
        verbose_name_plural = _("招商线索进展")
        ordering = ["lead", "happened_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "stage"], name="lead_step_once_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.lead} {self.get_stage_display()}"
