"""好差评: the applicant's one rating of a decided case, and the rectification (差评整改) a bad
rating opens for the first-responsible clerk."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.workdays import HolidayDataMissing, WorkCalendar

from ..models import (
    Application,
    Rating,
    Rectification,
)
from ..selectors import CASE_ROLES
from .common import lock

RATEABLE_STATUSES = (Application.Status.APPROVED, Application.Status.REFUSED)


def rectification_workdays() -> int:
    return int(getattr(settings, "RECTIFICATION_WORKDAYS", 15))


@audited_atomic
def rating_submit(*, application: Application, level: int, comment: str = "") -> Rating:
    """The applicant's one rating of a decided case (approved or refused); 不满意 and 非常不满意
    open a rectification owned by the first-responsible clerk, due in RECTIFICATION_WORKDAYS
    working days. A withdrawn case was never decided, so there is no service to rate."""
    lock(application)
    if application.status not in RATEABLE_STATUSES:
        raise ValidationError({"application": _("只能评价已办结的办件。")})
    if isinstance(level, str) and level.strip().isdigit():
        level = int(level)
    if isinstance(level, bool) or level not in Rating.Level.values:
        raise ValidationError({"level": _("评价等级应为 1 到 5。")})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("评价意见不能超过 500 个字。")})
    if Rating.objects.filter(application=application).exists():
        raise ValidationError({"application": _("该办件已经评价过,不能重复评价。")})
    try:
        with transaction.atomic():
            rating = Rating.objects.create(application=application, level=level, comment=comment)
    except IntegrityError:
        raise ValidationError({"application": _("该办件已经评价过,不能重复评价。")}) from None
    changes: dict[str, list[Any]] = {"rating": [None, rating.get_level_display()]}
    if rating.is_bad:
        today = timezone.localdate()
        due_on, missing = None, None
        calendar = WorkCalendar()
        try:
            due_on = calendar.add_workdays(today, rectification_workdays())
        except HolidayDataMissing as exc:
            missing = exc.year
        rectification = Rectification.objects.create(
            rating=rating,
            owner=application.first_responder,
            due_on=due_on,
            due_provisional=calendar.spans_provisional(today, due_on) if due_on else False,
            calendar_missing_year=missing,
        )
        _tell_owner(rectification, application, rating)
        changes["rectification_owner"] = [None, application.first_responder.display_name]
        changes["rectification_due_on"] = [None, due_on]
    record_event(
        actor=None,
        action="rating_submitted",
        kind=Event.Kind.CREATE,
        target=application,
        changes=changes,
        reason=comment,
    )
    return rating


def _tell_owner(rectification: Rectification, application: Application, rating: Rating) -> None:
    """The first-responsible clerk hears at once that a callback is due (站内消息)."""
    from zhengtong.notify.outbox import Recipient, notify

    due = rectification.due_on
    notify(
        event="callback_scheduled",
        target=application,
        recipients=[Recipient.staff(rectification.owner)],
        context={
            "receipt_no": application.receipt_no,
            "item": application.item.name,
            "rating": rating.get_level_display(),
            "due_on": f"{due.year}年{due.month}月{due.day}日" if due else "待定",
        },
        dedupe=f"rating:{rating.pk}:callback",
    )


@audited_atomic
def rectification_close(
    *, actor, rectification: Rectification, callback_note: str, result: str
) -> Rectification:
    """Close a rectification with the callback note (required) and what was done."""
    rectification = (
        Rectification.objects.select_for_update()
        .select_related("rating__application__org_unit")
        .get(pk=rectification.pk)
    )
    application = rectification.rating.application
    if actor.pk != rectification.owner_id and not can_act_in(
        actor, application.org_unit, CASE_ROLES
    ):
        raise PermissionDenied(_("只有整改责任人或本服务大厅的窗口工作人员可以办结整改。"))
    if rectification.done_at is not None:
        raise ValidationError({"rectification": _("该整改已经完成。")})
    callback_note = (callback_note or "").strip()
    if not callback_note:
        raise ValidationError({"callback_note": _("请填写回访记录。")})
    rectification.callback_note = callback_note
    rectification.result = (result or "").strip()
    rectification.done_at = timezone.now()
    rectification.done_by = actor
    rectification.save(update_fields=["callback_note", "result", "done_at", "done_by"])
    record_event(
        actor=actor,
        action="rectification_closed",
        target=application,
        changes={"rectification": ["open", "closed"], "callback_note": [None, callback_note]},
        reason=rectification.result,
    )
    return rectification
