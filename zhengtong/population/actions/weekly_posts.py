"""计生采风: the township 计生办's weekly post (晾晒) and its way to the public board.

draft (计生办) → submitted → approved by a township leader, or returned with a reason and
edited again. Only an approved post is public; nothing of residents is ever on it: the 管区
lines carry counts of recorded work and the office's own words.

Every function changes state for one `actor`, in one transaction, with one audit event. Input
that breaks a rule raises a ValidationError keyed by the field, in Chinese; nothing is saved.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.files import ImageRejected, NormalisedImage, normalise_image

from ..models import FollowUp, HomeVisit, WeeklyPost, WeeklyPostLine, WeeklyPostPhoto
from ..selectors import (
    POPULATION_ROLES,
    WEEKLY_APPROVER_ROLES,
    weekly_town_staff,
    weekly_town_workers,
)

MAX_PHOTOS = 9
SUMMARY_MAX = 3000
REASON_MAX = 300
LINE_MAX = 300


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def can_write_post(user, post: WeeklyPost) -> bool:
    """The township's 计生办 writes the post (a village's worker cannot)."""
    return can_act_in(user, post.org_unit, POPULATION_ROLES)


def can_decide_post(user, post: WeeklyPost) -> bool:
    """A leader of the township approves or returns it."""
    return can_act_in(user, post.org_unit, WEEKLY_APPROVER_ROLES)


def _require_office(actor, town: OrgUnit) -> None:
    if town.kind != OrgUnit.Kind.TOWN or not can_act_in(actor, town, POPULATION_ROLES):
        raise PermissionDenied("只有本镇计生办可以撰写计生采风。")


def _require_editable(post: WeeklyPost) -> None:
    if not post.editable:
        raise ValidationError(
            {"status": f"{post.get_status_display()}的计生采风不能修改,只有草稿或退回的可以修改。"}
        )


def _text(value, field: str, label: str, *, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空。"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字。"})
    return value


def _read_photo(upload) -> NormalisedImage:
    try:
        return normalise_image(upload)
    except ImageRejected as exc:
        raise ValidationError({"photos": str(exc)}) from None


def week_counts(town: OrgUnit, monday: datetime.date) -> dict[int, tuple[int, int]]:
    """Per worker: follow-ups done and home visits made in the township during the week, each
    one aggregate query."""
    sunday = monday + datetime.timedelta(days=6)
    done = (
        FollowUp.objects.filter(
            status=FollowUp.Status.DONE,
            done_on__gte=monday,
            done_on__lte=sunday,
            plan__org_unit__path__startswith=town.path,
            done_by__isnull=False,
        )
        .values("done_by")
        .annotate(n=Count("id"))
        .order_by()
    )
    visits = (
        HomeVisit.objects.filter(
            visited_on__gte=monday, visited_on__lte=sunday, org_unit__path__startswith=town.path
        )
        .values("visited_by")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, list[int]] = {}
    for row in done:
        counts.setdefault(row["done_by"], [0, 0])[0] = row["n"]
    for visit in visits:
        counts.setdefault(visit["visited_by"], [0, 0])[1] = visit["n"]
    return {pk: (f, v) for pk, (f, v) in counts.items()}


def line_text(followups: int, visits: int) -> str:
    """The sentence a new line starts with, from the recorded counts; the office edits it."""
    if not followups and not visits:
        return "本周系统中暂无随访、走访记录。"
    return f"本周完成随访 {followups} 次、入户走访 {visits} 次。"


def _refresh_lines(post: WeeklyPost) -> None:
    """Bring the recorded counts up to date and add a line for each new 管区 worker; the text
    already written is kept."""
    counts = week_counts(post.org_unit, post.week_start)
    lines = {line.worker_id: line for line in post.lines.all()}
    workers = list(weekly_town_workers(post.org_unit).prefetch_related("memberships__org_unit"))
    for worker in workers:
        followups, visits = counts.get(worker.pk, (0, 0))
        line = lines.get(worker.pk)
        if line is None:
            area = min(
                (
                    m.org_unit
                    for m in worker.memberships.all()
                    if m.org_unit.kind == OrgUnit.Kind.VILLAGE
                    and m.org_unit.path.startswith(post.org_unit.path)
                ),
                key=lambda unit: unit.path,
            )
            WeeklyPostLine.objects.create(
                post=post,
                worker=worker,
                area=area,
                followups=followups,
                visits=visits,
                text=line_text(followups, visits),
            )
        elif (line.followups, line.visits) != (followups, visits):
            line.followups, line.visits = followups, visits
            line.save(update_fields=["followups", "visits"])


@audited_atomic
def weekly_post_create(
    *, actor, org_unit: OrgUnit, week_start: datetime.date, today: datetime.date | None = None
) -> WeeklyPost:
    """Open the draft of one township's week, its 管区 lines filled from the recorded work."""
    _require_office(actor, org_unit)
    today = today or timezone.localdate()
    monday = monday_of(week_start)
    if monday > monday_of(today):
        raise ValidationError({"week": "不能撰写未来周次的计生采风。"})
    post = WeeklyPost(org_unit=org_unit, week_start=monday, created_by=actor)
    if WeeklyPost.objects.filter(org_unit=org_unit, week_start=monday).exists():
        raise ValidationError({"week": f"{org_unit.name}{post.week_label}的计生采风已经建立。"})
    post.save()
    _refresh_lines(post)
    record_event(
        actor=actor,
        action="weekly_post_created",
        target=post,
        kind=Event.Kind.CREATE,
        changes={"week": [None, post.week_label], "lines": [None, post.lines.count()]},
    )
    return post


@audited_atomic
def weekly_post_update(
    *,
    actor,
    post: WeeklyPost,
    summary: str,
    model_worker=None,
    model_reason: str = "",
    lines: Mapping[int, str] | None = None,
    photos: Iterable = (),
    remove_photos: Iterable[int] = (),
) -> WeeklyPost:
    """Save the draft (or the returned post): the week's text, its 工作标兵 and why, the text of
    each 管区 line, photos added (the same picture twice is kept once) and photos taken off."""
    post = WeeklyPost.objects.select_for_update().select_related("org_unit").get(pk=post.pk)
    _require_office(actor, post.org_unit)
    _require_editable(post)
    summary = _text(summary, "summary", "本周工作动态", max_length=SUMMARY_MAX, required=True)
    model_reason = _text(
        model_reason, "model_reason", "标兵事迹", max_length=REASON_MAX, required=False
    )
    if model_worker is not None:
        if not weekly_town_staff(post.org_unit).filter(pk=model_worker.pk).exists():
            raise ValidationError({"model_worker": "工作标兵须是本镇计生办或管区的工作人员。"})
        if not model_reason:
            raise ValidationError({"model_reason": "请写明工作标兵的事迹。"})
    elif model_reason:
        raise ValidationError({"model_worker": "写了标兵事迹,请选择工作标兵。"})
    texts: dict[int, str] = {}
    by_pk = {line.pk: line for line in post.lines.all()}
    for pk, text in (lines or {}).items():
        line = by_pk.get(pk)
        if line is None:
            raise ValidationError({"lines": "管区人员名单已变化,请重新打开本页后再保存。"})
        label = f"{line.worker.display_name}的本周工作"
        texts[pk] = _text(text, f"line_{pk}", label, max_length=LINE_MAX, required=False)
    removed = set(post.photos.filter(pk__in=list(remove_photos)).values_list("pk", flat=True))
    kept = set(post.photos.exclude(pk__in=removed).values_list("sha256", flat=True))
    files = [_read_photo(upload) for upload in photos]
    new = []
    for image in files:
        if image.upload_sha256 in kept:
            continue  # The same picture chosen twice, or already on the post, is kept once.
        kept.add(image.upload_sha256)
        new.append(image)
    if len(kept) > MAX_PHOTOS:
        raise ValidationError({"photos": f"每期计生采风最多 {MAX_PHOTOS} 张照片。"})

    before = {
        "summary": post.summary,
        "model_worker": str(post.model_worker.display_name) if post.model_worker else None,
        "model_reason": post.model_reason,
    }
    post.summary = summary
    post.model_worker = model_worker
    post.model_reason = model_reason
    post.save(update_fields=["summary", "model_worker", "model_reason", "updated_at"])
    changed_lines = 0
    for pk, text in texts.items():
        line = by_pk[pk]
        if line.text != text:
            line.text = text
            line.save(update_fields=["text"])
            changed_lines += 1
    for photo in WeeklyPostPhoto.objects.filter(pk__in=removed):
        photo.image.delete(save=False)
        photo.delete()
    for image in new:
        photo = WeeklyPostPhoto(post=post, sha256=image.upload_sha256)
        # The name is random (StoredName); only the extension of the re-encoded image is used.
        photo.image.save(f"photo.{image.ext}", ContentFile(image.data), save=False)
        photo.save()
    _refresh_lines(post)
    after = {
        "summary": summary,
        "model_worker": model_worker.display_name if model_worker else None,
        "model_reason": model_reason,
    }
    changes: dict = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if changed_lines:
        changes["lines"] = [None, changed_lines]
    if new:
        changes["photos_added"] = [None, len(new)]
    if removed:
        changes["photos_removed"] = [None, len(removed)]
    record_event(actor=actor, action="weekly_post_saved", target=post, changes=changes)
    return post


@audited_atomic
def weekly_post_submit(*, actor, post: WeeklyPost) -> WeeklyPost:
    """Hand the post to the township's leaders; the 管区 counts are brought up to date first."""
    post = WeeklyPost.objects.select_for_update().select_related("org_unit").get(pk=post.pk)
    _require_office(actor, post.org_unit)
    _require_editable(post)
    if not post.summary.strip():
        raise ValidationError({"summary": "请先填写本周工作动态再提交。"})
    _refresh_lines(post)
    old = post.status
    post.status = WeeklyPost.Status.SUBMITTED
    post.submitted_by = actor
    post.submitted_at = timezone.now()
    post.return_reason = ""
    post.save(
        update_fields=["status", "submitted_by", "submitted_at", "return_reason", "updated_at"]
    )
    record_event(
        actor=actor,
        action="weekly_post_submitted",
        target=post,
        changes={"status": [WeeklyPost.Status(old).label, post.get_status_display()]},
    )
    return post


def _decided(actor, post: WeeklyPost) -> WeeklyPost:
    post = WeeklyPost.objects.select_for_update().select_related("org_unit").get(pk=post.pk)
    if not can_decide_post(actor, post):
        raise PermissionDenied("只有本镇领导可以审核计生采风。")
    if post.status != WeeklyPost.Status.SUBMITTED:
        raise ValidationError(
            {"status": f"{post.get_status_display()}的计生采风不能审核,只有待审核的可以。"}
        )
    if actor.pk in (post.created_by_id, post.submitted_by_id):
        raise ValidationError({"status": "不能审核自己撰写或提交的计生采风,请由其他领导审核。"})
    return post


@audited_atomic
def weekly_post_approve(*, actor, post: WeeklyPost) -> WeeklyPost:
    """Approve a submitted post: from now on it and its photos are on the public board."""
    post = _decided(actor, post)
    post.status = WeeklyPost.Status.APPROVED
    post.decided_by = actor
    post.decided_at = timezone.now()
    post.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    record_event(
        actor=actor,
        action="weekly_post_approved",
        target=post,
        changes={"status": [WeeklyPost.Status.SUBMITTED.label, WeeklyPost.Status.APPROVED.label]},
    )
    return post


@audited_atomic
def weekly_post_return(*, actor, post: WeeklyPost, reason: str) -> WeeklyPost:
    """Send a submitted post back to the 计生办 with the reason; it is edited and submitted
    again."""
    post = _decided(actor, post)
    reason = _text(reason, "reason", "退回原因", max_length=REASON_MAX, required=True)
    post.status = WeeklyPost.Status.RETURNED
    post.return_reason = reason
    post.decided_by = actor
    post.decided_at = timezone.now()
    post.save(update_fields=["status", "return_reason", "decided_by", "decided_at", "updated_at"])
    record_event(
        actor=actor,
        action="weekly_post_returned",
        target=post,
        changes={"status": [WeeklyPost.Status.SUBMITTED.label, WeeklyPost.Status.RETURNED.label]},
        reason=reason,
    )
    return post
