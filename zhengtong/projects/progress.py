"""Plan against actual: the one place that states and applies the 超进度/正常/滞后 rule.

Cumulative plan to month m of year Y = annual plan × m / 12 (the plan spread evenly over the
year). Cumulative actual = the sum of the monthly reports from January to month m. A project is
超进度 when actual ≥ plan, 滞后 when actual < plan × (1 − tolerance), otherwise 正常. The default
tolerance is 10% (settings.PROGRESS_TOLERANCE). Annual completion = actual / annual plan,
rounded half-up to 0.1%.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

AHEAD, ON_TRACK, BEHIND = "ahead", "on_track", "behind"
FLAG_LABELS = {AHEAD: "超进度", ON_TRACK: "正常", BEHIND: "滞后"}
MONEY_OUT = DecimalField(max_digits=18, decimal_places=2)


def tolerance() -> Decimal:
    return Decimal(str(settings.PROGRESS_TOLERANCE))


def rule_text() -> str:
    pct = format(tolerance() * 100, "f").rstrip("0").rstrip(".")
    keep = format(100 - tolerance() * 100, "f").rstrip("0").rstrip(".")
    return (
        f"累计计划投资 = 年度计划投资 × 已过月数 ÷ 12;累计完成 = 1 月至当月月报之和。"
        f"累计完成 ≥ 累计计划为“超进度”,低于累计计划的 {keep}%(容差 {pct}%)为“滞后”,其余为“正常”。"
    )


def default_as_of(today: datetime.date | None = None) -> tuple[int, int]:
    """The month whose reports are due: reports for month M are filed early in month M+1."""
    today = today or timezone.localdate()
    first = today.replace(day=1) - datetime.timedelta(days=1)
    if first.year != today.year:
        return today.year, 1
    return first.year, first.month


def month_start(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1)


def cumulative_plan(annual_plan: Decimal, month: int) -> Decimal:
    return (Decimal(annual_plan) * month / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def flag(actual: Decimal, plan: Decimal) -> str:
    if actual >= plan:
        return AHEAD
    if actual < plan * (1 - tolerance()):
        return BEHIND
    return ON_TRACK


def completion_pct(actual: Decimal, annual_plan: Decimal) -> Decimal | None:
    if not annual_plan:
        return None
    return (Decimal(actual) * 100 / Decimal(annual_plan)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def with_ytd(queryset: QuerySet, *, year: int, month: int) -> QuerySet:
    """Annotate `ytd_investment`: the sum of the project's reports from January to `month`."""
    from .models import ProgressReport

    ytd = (
        ProgressReport.objects.filter(
            project=OuterRef("pk"),
            month__gte=month_start(year, 1),
            month__lte=month_start(year, month),
        )
        .order_by()
        .values("project")
        .annotate(total=Sum("investment"))
        .values("total")
    )
    return queryset.annotate(
        ytd_investment=Coalesce(
            Subquery(ytd, output_field=MONEY_OUT), Value(Decimal("0")), output_field=MONEY_OUT
        )
    )


@dataclass(frozen=True)
class Progress:
    year: int
    month: int
    ytd_investment: Decimal
    cumulative_plan: Decimal
    completion_pct: Decimal | None
    flag: str

    @property
    def flag_label(self) -> str:
        return FLAG_LABELS[self.flag]

    @property
    def gap(self) -> Decimal:
        """How far actual lags the plan (negative when ahead)."""
        return self.cumulative_plan - self.ytd_investment


def progress_of(project, *, year: int, month: int) -> Progress:
    """Progress of a project annotated by `with_ytd` (or of any project, at one extra query)."""
    ytd = getattr(project, "ytd_investment", None)
    if ytd is None:
        from .models import KeyProject

        ytd = with_ytd(
            KeyProject.objects.filter(pk=project.pk), year=year, month=month
        ).values_list("ytd_investment", flat=True)[0]
    ytd = Decimal(ytd).quantize(Decimal("0.01"))
    plan = cumulative_plan(project.annual_plan, month)
    return Progress(
        year=year,
        month=month,
        ytd_investment=ytd,
        cumulative_plan=plan,
        completion_pct=completion_pct(ytd, project.annual_plan),
        flag=flag(ytd, plan),
    )
