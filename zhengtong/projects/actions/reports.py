"""Monthly progress reports (月报): investment done this month, 形象进度, site photos.

Year-to-date investment is never typed: projects/progress.py sums the monthly figures.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.files import ImageRejected, NormalisedImage, normalise_image

from ..models import KeyProject, ProgressPhoto, ProgressReport, Stage


def _month_label(month: datetime.date) -> str:
    return f"{month.year}年{month.month}月"


def _decimal(value, field: str, label: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: f"{label}不是有效的数字。"}) from None


def _read_photo(upload) -> NormalisedImage:
    """The checked, re-encoded photo, or ValidationError naming the file."""
    try:
        return normalise_image(upload)
    except ImageRejected as exc:
        raise ValidationError({"photos": str(exc)}) from None


@audited_atomic
def report_submit(
    *,
    actor,
    project: KeyProject,
    month: datetime.date,
    investment: Decimal,
    physical_progress: Decimal,
    progress_note: str = "",
    next_steps: str = "",
    photos=(),
) -> ProgressReport:
    """File the report of one project for one month (one per month, never a future month)."""
    project = KeyProject.objects.select_for_update().get(pk=project.pk)
    if project.stage == Stage.CANCELLED:
        raise ValidationError({"month": "已取消的项目不能填报月报。"})
    month = month.replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    if month > this_month:
        raise ValidationError({"month": f"不能填报未来月份({_month_label(month)})的月报。"})
    if ProgressReport.objects.filter(project=project, month=month).exists():
        raise ValidationError({"month": f"该项目 {_month_label(month)} 的月报已填报。"})

    investment = _decimal(investment, "investment", "本月完成投资")
    if investment < 0:
        raise ValidationError({"investment": "本月完成投资(元)不能为负数。"})
    if investment > project.total_investment:
        raise ValidationError(
            {"investment": "本月完成投资(元)超过项目总投资,请核对金额单位(应以元为单位)。"}
        )
    physical_progress = _decimal(physical_progress, "physical_progress", "形象进度")
    if not Decimal(0) <= physical_progress <= Decimal(100):
        raise ValidationError({"physical_progress": "形象进度(%)须在 0 到 100 之间。"})
    earlier = (
        ProgressReport.objects.filter(project=project, month__lt=month).order_by("-month").first()
    )
    if earlier and physical_progress < earlier.physical_progress:
        raise ValidationError(
            {
                "physical_progress": (
                    f"形象进度不能倒退:{_month_label(earlier.month)}已达 "
                    f"{earlier.physical_progress}%。"
                )
            }
        )
    later = (
        ProgressReport.objects.filter(project=project, month__gt=month).order_by("month").first()
    )
    if later and physical_progress > later.physical_progress:
        raise ValidationError(
            {
                "physical_progress": (
                    f"形象进度不能高于之后月份:{_month_label(later.month)}为 "
                    f"{later.physical_progress}%。"
                )
            }
        )
    files = [_read_photo(upload) for upload in photos]

    report = ProgressReport(
        project=project,
        month=month,
        investment=investment,
        physical_progress=physical_progress,
        progress_note=progress_note.strip(),
        next_steps=next_steps.strip(),
        submitted_by=actor,
    )
    report.full_clean()
    report.save()
    seen: set[str] = set()
    for image in files:
        digest = image.upload_sha256
        if digest in seen:
            continue  # The same picture chosen twice is kept once.
        seen.add(digest)
        photo = ProgressPhoto(report=report, sha256=digest)
        # The name is random (StoredName); only the extension of the re-encoded image is used.
        photo.image.save(f"photo.{image.ext}", ContentFile(image.data), save=False)
        photo.save()
    record_event(
        actor=actor,
        action="progress_reported",
        target=report,
        kind=Event.Kind.CREATE,
        org_unit=project.org_unit,
        changes={
            "month": [None, month.isoformat()],
            "investment": [None, str(investment)],
            "physical_progress": [None, str(physical_progress)],
            "photos": [None, len(seen)],
        },
    )
    return report


@audited_atomic
def report_check(*, actor, report: ProgressReport, note: str = "") -> ProgressReport:
    """The office marks a filed report as read and checked (审核), with an optional note for the
    liaison. Only the office over the project; a report is checked once."""
    from django.core.exceptions import PermissionDenied

    from ..selectors import can_manage_project

    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    if not can_manage_project(actor, report.project):
        raise PermissionDenied("只有重点项目办公室可以审核月报。")
    if report.checked_at is not None:
        raise ValidationError({"note": f"{_month_label(report.month)}的月报已审核,不能重复审核。"})
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": "审核意见不能超过 300 字。"})
    report.checked_at = timezone.now()
    report.checked_by = actor
    report.check_note = note
    report.save(update_fields=["checked_at", "checked_by", "check_note", "updated_at"])
    record_event(
        actor=actor,
        action="progress_report_checked",
        target=report,
        kind=Event.Kind.UPDATE,
        org_unit=report.project.org_unit,
        changes={"checked_at": [None, report.checked_at.isoformat()], "check_note": [None, note]},
    )
    return report
