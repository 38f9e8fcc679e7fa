"""Yearly lists of key projects: which list a page shows, and what is left to invest.

A project is planned for a year by being on that year's list (ListEntry); figures only ever
count approved lists (KeyProject.objects.on_list). `choose_list()` is the one rule for the
list a page opens on: the year asked for (`?year=2027`) when its list is approved, otherwise
the current year's list when it is approved and has reports, otherwise the latest approved
list with reports (or the latest approved list); the page says why when it falls back.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhengtong.lib.periods import MAX_YEAR, MIN_YEAR

from .models import ProgressReport, ProjectList
from .progress import MONEY_OUT

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _HasReports(TypedDict):
    has_reports: bool


# Stages whose projects are closed: not carried over to next year's list.
CLOSED_STAGES = ("completed", "cancelled")


@dataclass
class ListChoice:
    """The list a page shows, every approved list for the picker, and what to tell the user."""

    year: int
    project_list: ProjectList | None
    lists: Sequence[ProjectList] = field(default_factory=list)
    notice: str = ""
    error: str = ""

    @property
    def years(self) -> list[int]:
        return [pl.year for pl in self.lists]


def parse_year(value) -> int:
    """A list year from `?year=`; ValueError with a Chinese message otherwise."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise ValueError(f"年度“{text[:20]}”无效:请填写四位数字的年份,例如 2026。")
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"年度须在 {MIN_YEAR} 至 {MAX_YEAR} 年之间。")
    return year


def lists_with_data() -> list["WithAnnotations[ProjectList, _HasReports]"]:
    """Every list, newest first, each with `has_reports`: a report filed in its year for a
    project on it (one query)."""
    reports = ProgressReport.objects.filter(
        month__year=OuterRef("year"), project__list_entries__project_list=OuterRef("pk")
    )
    return list(ProjectList.objects.annotate(has_reports=Exists(reports)).order_by("-year"))


def _default(
    approved: list["WithAnnotations[ProjectList, _HasReports]"], year: int
) -> ProjectList | None:
    current = next((pl for pl in approved if pl.year == year), None)
    if current is not None and current.has_reports:
        return current
    with_reports = [pl for pl in approved if pl.has_reports]
    if with_reports:
        return with_reports[0]
    return current or (approved[0] if approved else None)


def _why_not(year: int, by_year: Mapping[int, ProjectList]) -> str:
    wanted = by_year.get(year)
    if wanted is None:
        return f"尚无{year}年重点项目清单"
    if not wanted.is_approved:
        return f"{year}年清单尚未批准"
    return f"{year}年清单尚无月报"


def choose_list(value=None, *, today: datetime.date | None = None) -> ListChoice:
    """The approved list a page shows for `?year=` `value` (one query, see module docstring)."""
    today = today or timezone.localdate()
    every = lists_with_data()
    by_year = {pl.year: pl for pl in every}
    approved = [pl for pl in every if pl.is_approved]
    error = ""
    asked = None
    if value not in (None, ""):
        try:
            asked = parse_year(value)
        except ValueError as exc:
            error = str(exc)
    if asked is not None and asked in by_year and by_year[asked].is_approved:
        return ListChoice(year=asked, project_list=by_year[asked], lists=approved)
    chosen = _default(approved, today.year)
    wanted = asked if asked is not None else today.year
    notice = ""
    if chosen is None:
        return ListChoice(
            year=wanted,
            project_list=None,
            lists=approved,
            notice="尚无已批准的重点项目清单。",
            error=error,
        )
    if chosen.year != wanted and not error:
        notice = f"{_why_not(wanted, by_year)},当前显示{chosen.year}年清单。"
    return ListChoice(
        year=chosen.year, project_list=chosen, lists=approved, notice=notice, error=error
    )


def with_remaining(queryset: QuerySet, *, year: int) -> QuerySet:
    """Annotate `reported` (Σ of every report before January of `year`) and
    `remaining_investment` (总投资 − reported, never below 0): the ceiling of a `year` plan."""
    reported = (
        ProgressReport.objects.filter(project=OuterRef("pk"), month__lt=datetime.date(year, 1, 1))
        .order_by()
        .values("project")
        .annotate(total=Sum("investment"))
        .values("total")
    )
    qs = queryset.annotate(
        reported=Coalesce(
            Subquery(reported, output_field=MONEY_OUT), Value(Decimal("0")), output_field=MONEY_OUT
        )
    )
    return qs.annotate(remaining_investment=F("total_investment") - F("reported"))


def remaining_of(project) -> Decimal:
    """Remaining investment from an annotated row, never negative, to the fen."""
    value = Decimal(project.remaining_investment or 0)
    return max(value, Decimal("0")).quantize(Decimal("0.01"))
