"""挂牌上岗: the hall's roster of who is on duty at which post; a past day is not rewritten."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event

from ..models import (
    DutyEntry,
    Post,
)
from ..selectors import CASE_ROLES


def _require_roster_keeper(actor, post: Post) -> None:
    if not can_act_in(actor, post.org_unit, CASE_ROLES):
        raise PermissionDenied(_("只有本服务大厅的窗口工作人员可以安排值班。"))


def _require_not_past(day: datetime.date) -> None:
    # The roster of a past day is the record of who was on duty; it is not rewritten.
    if day < timezone.localdate():
        raise ValidationError({"day": _("不能修改已过去日期的值班安排。")})


@audited_atomic
def duty_assign(*, actor, day: datetime.date, post: Post, user) -> DutyEntry:
    """Put a window clerk of the post's hall on duty at the post on `day` (挂牌上岗).

    The actor must be a window clerk of that hall; a clerk holds one post per day.
    """
    _require_roster_keeper(actor, post)
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise ValidationError({"day": _("请填写值班日期。")})
    _require_not_past(day)
    if user is None or not user.is_active or not can_act_in(user, post.org_unit, CASE_ROLES):
        raise ValidationError({"user": _("只能安排本服务大厅的窗口工作人员上岗。")})
    taken = DutyEntry.objects.filter(day=day, user=user).select_related("post").first()
    if taken is not None:
        raise ValidationError(
            {
                "user": _("%(name)s %(day)s 已在“%(post)s”上岗,同一天只能安排一个岗位。")
                % {"name": user.display_name, "day": day.isoformat(), "post": taken.post}
            }
        )
    try:
        with transaction.atomic():
            entry = DutyEntry.objects.create(day=day, user=user, post=post)
    except IntegrityError:
        # A concurrent request put the same clerk on duty that day first.
        raise ValidationError(
            {"user": _("该工作人员当天已有岗位,同一天只能安排一个岗位。")}
        ) from None
    record_event(
        actor=actor,
        action="duty_assigned",
        kind=Event.Kind.CREATE,
        target=entry,
        org_unit=post.org_unit,
        changes={
            "day": [None, day],
            "user": [None, user.display_name],
            "post": [None, str(post)],
        },
    )
    return entry


@audited_atomic
def duty_remove(*, actor, entry: DutyEntry) -> None:
    """Take a clerk off the roster of a day that has not passed."""
    entry = DutyEntry.objects.select_related("post__org_unit", "user").get(pk=entry.pk)
    _require_roster_keeper(actor, entry.post)
    _require_not_past(entry.day)
    record_event(
        actor=actor,
        action="duty_removed",
        kind=Event.Kind.DELETE,
        target=entry,
        org_unit=entry.post.org_unit,
        changes={
            "day": [entry.day, None],
            "user": [entry.user.display_name, None],
            "post": [str(entry.post), None],
        },
    )
    entry.delete()
