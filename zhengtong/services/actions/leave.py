"""A/B roles: a clerk's recorded leave, while which their B handles their cases."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event

from ..models import (
    Leave,
    Post,
)
from ..selectors import CASE_ROLES


@audited_atomic
def leave_record(
    *, actor, user, start_on: datetime.date, end_on: datetime.date, reason: str
) -> Leave:
    """Record a clerk's leave; while it lasts their B handles their cases.

    A clerk records their own leave; a window clerk of the hall records a colleague's.
    """
    posts = list(Post.objects.filter(a_user=user).select_related("org_unit")) + list(
        Post.objects.filter(b_user=user).select_related("org_unit")
    )
    if not posts:
        raise ValidationError({"user": _("该工作人员没有窗口岗位,无需登记请假。")})
    if not any(can_act_in(actor, p.org_unit, CASE_ROLES) for p in posts):
        raise PermissionDenied(_("只有本服务大厅的窗口工作人员可以登记请假。"))
    if not isinstance(start_on, datetime.date) or isinstance(start_on, datetime.datetime):
        raise ValidationError({"start_on": _("请填写开始日期。")})
    if not isinstance(end_on, datetime.date) or isinstance(end_on, datetime.datetime):
        raise ValidationError({"end_on": _("请填写结束日期。")})
    if end_on < start_on:
        raise ValidationError({"end_on": _("结束日期不能早于开始日期。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写请假事由。")})
    if Leave.objects.filter(user=user, start_on__lte=end_on, end_on__gte=start_on).exists():
        raise ValidationError({"start_on": _("与已登记的请假时间重叠。")})
    leave = Leave.objects.create(
        user=user, start_on=start_on, end_on=end_on, reason=reason[:100], created_by=actor
    )
    record_event(
        actor=actor,
        action="leave_recorded",
        kind=Event.Kind.CREATE,
        target=leave,
        org_unit=posts[0].org_unit,
        changes={
            "user": [None, user.display_name],
            "start_on": [None, start_on],
            "end_on": [None, end_on],
        },
        reason=reason,
    )
    _tell_backups(leave, posts)
    return leave


def _tell_backups(leave: Leave, posts: list[Post]) -> None:
    """Each B of the clerk's A posts hears, as a 站内消息, which cases move to them."""
    from zhengtong.notify.outbox import Recipient, notify

    from ..models import Application

    backups = {p.b_user for p in posts if p.a_user_id == leave.user_id and p.b_user is not None}
    if not backups:
        return
    open_cases = Application.objects.filter(
        handler=leave.user, status__in=Application.OPEN_STATUSES
    ).order_by("due_on", "pk")
    receipts = list(open_cases.values_list("receipt_no", flat=True)[:10])
    count = open_cases.count()
    listed = "、".join(receipts) + ("等" if count > len(receipts) else "")
    notify(
        event="leave_backup",
        target=leave,
        recipients=[Recipient.staff(user) for user in sorted(backups, key=lambda u: u.pk)],
        context={
            "name": leave.user.display_name,
            "start_on": f"{leave.start_on.month}月{leave.start_on.day}日",
            "end_on": f"{leave.end_on.month}月{leave.end_on.day}日",
            "count": str(count),
            "cases": listed or "无",
        },
        dedupe=f"leave:{leave.pk}:backup",
    )
