"""The working-day calendar: which years are maintained, and the days that break the week.

A day in a maintained year with no Holiday row follows the week: Monday to Friday are working
days, Saturday and Sunday are not. A Holiday row says otherwise for one date: a statutory
holiday (is_workday False) or a 调休 make-up working day on a weekend (is_workday True).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    SEED = "seed", _("内置数据")
    ADMIN = "admin", _("管理员维护")
    NOTICE = "notice", _("国务院通知录入")


class CalendarYear(models.Model):
    """An official year: its holidays and make-up days are the State Council's arrangement.

    A year without a row is provisional (the statutory rule, see statutory.py).
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.ADMIN
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("维护时间"), auto_now=True)

    class Meta:
        verbose_name = _("已维护年份")
        verbose_name_plural = _("已维护年份")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("%(year)s 年") % {"year": self.year}


class Holiday(models.Model):
    """One date that differs from the week: a holiday, or a make-up working day (调休上班)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("上班"), default=False, help_text=_("勾选表示调休上班日;不勾选表示放假。")
    )
    name = models.CharField(_("名称"), max_length=50, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.ADMIN
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("维护人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("调休上班") if self.is_workday else _("放假")
        return f"{self.date.isoformat()} {self.name} {kind}".replace("  ", " ")

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


class DeadlineMove(models.Model):
    """A due date a calendar change moved earlier: shown to its owner in 我的待办.

    Written by `deadlines_recompute`; the owner sees it until the new date has passed (from
    then on the item itself is red in its own list).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("责任人"),
    )
    kind = models.CharField(_("类别"), max_length=20)
    title = models.CharField(_("事项"), max_length=300)
    url = models.CharField(_("链接"), max_length=300)
    old_on = models.DateField(_("原期限"))
    new_on = models.DateField(_("新期限"), db_index=True)
    created_at = models.DateTimeField(_("调整时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提前的期限")
        verbose_name_plural = _("提前的期限")
        ordering = ["new_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.title} {self.old_on} → {self.new_on}"
