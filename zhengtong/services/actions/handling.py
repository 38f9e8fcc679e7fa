"""Handling an open case: 补交材料, 补正告知 (stops the clock after acceptance; materials outside
the first notice are warned about and recorded) and 移交 (the first-responsible clerk stays)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts.scope import can_act_in
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.notify import cases as notices

from ..models import (
    Application,
    Notice,
    NoticeItem,
    Pause,
    ReceivedMaterial,
)
from ..selectors import CASE_ROLES
from .clock import close_pause, due_change, set_due
from .common import lock, materials_of, names, outstanding, require_actor, require_status


@audited_atomic
def application_supplement(*, actor, application: Application, materials: list[str]) -> Application:
    """Record materials the applicant brings; once nothing is outstanding the case is accepted
    (from pending: acceptance today; from paused: the clock resumes, due moved out)."""
    lock(application)
    on_behalf = require_actor(actor, application)
    require_status(
        application,
        Application.Status.PENDING,
        Application.Status.PAUSED,
        message=_("只有待补正或补正中的办件可以补交材料。"),
    )
    brought = materials_of(application.item, materials)
    now = timezone.now()
    for material in brought:
        ReceivedMaterial.objects.update_or_create(
            application=application, material=material, defaults={"received_at": now}
        )
    changes = {"materials": [None, names(brought)], **on_behalf}
    missing = outstanding(application)
    old_status = application.status
    if missing:
        action = "materials_supplemented"
        changes["missing_materials"] = [None, names(missing)]
    else:
        today = timezone.localdate(now)
        if old_status == Application.Status.PENDING:
            action = "application_accepted"
            application.accepted_on = today
            changes["accepted_on"] = [None, today]
        old_due = application.due_on
        application.calendar_missing_year = None
        if old_status == Application.Status.PAUSED:
            action = "application_resumed"
            pause = close_pause(application, today)
            changes["paused_workdays"] = [None, pause.workdays if pause else 0]
        application.status = Application.Status.ACCEPTED
        if application.calendar_missing_year is None:
            set_due(application)
        else:
            application.due_on = None
        application.save(
            update_fields=[
                "status",
                "accepted_on",
                "paused_workdays",
                "due_on",
                "due_provisional",
                "calendar_missing_year",
                "updated_at",
            ]
        )
        changes["status"] = [old_status, application.status]
        changes.update(due_change(application))
        changes["due_on"][0] = old_due
        if action == "application_accepted":
            notices.case_accepted(application)
    record_event(actor=actor, action=action, target=application, changes=changes)
    return application


@audited_atomic
def application_request_correction(
    *, actor, application: Application, materials: list[str], note: str = ""
) -> Notice:
    """Ask the applicant to supplement or correct materials.

    After acceptance this stops the clock (a Pause, status paused). Materials outside the first
    notice are allowed, but the notice is marked and the event is the warning
    "notice_outside_first".
    """
    lock(application)
    on_behalf = require_actor(actor, application)
    require_status(
        application,
        Application.Status.PENDING,
        Application.Status.ACCEPTED,
        message=_("只有待补正或已受理的办件可以要求补正。"),
    )
    cited = materials_of(application.item, materials)
    note = (note or "").strip()
    first = application.notices.order_by("issued_at", "id").first()
    first_ids = set(first.items.values_list("material_id", flat=True)) if first else set()
    outside = [m for m in cited if m.pk not in first_ids]
    received = set(application.received_materials.values_list("material_id", flat=True))
    now = timezone.now()
    notice = Notice.objects.create(
        application=application, issued_at=now, issued_by=actor, within_first_notice=not outside
    )
    NoticeItem.objects.bulk_create(
        NoticeItem(
            notice=notice,
            material=m,
            problem=(
                NoticeItem.Problem.DEFECTIVE if m.pk in received else NoticeItem.Problem.MISSING
            ),
            note=note[:200],
        )
        for m in cited
    )
    # A cited material must be handed in again before the case can go on.
    application.received_materials.filter(material__in=cited).delete()
    changes = {"notice_materials": [None, names(cited)], **on_behalf}
    action = "notice_issued"
    if application.status == Application.Status.ACCEPTED:
        Pause.objects.create(
            application=application,
            started_on=timezone.localdate(now),
            reason=(note or _("等待申请人补正材料"))[:200],
        )
        changes["status"] = [application.status, Application.Status.PAUSED]
        application.status = Application.Status.PAUSED
        application.save(update_fields=["status", "updated_at"])
        action = "application_paused"
    if outside:
        action = "notice_outside_first"
        changes["outside_first_notice"] = [None, names(outside)]
    record_event(actor=actor, action=action, target=application, changes=changes, reason=note)
    notices.case_notice(application, notice, cited)
    return notice


@audited_atomic
def application_handover(*, actor, application: Application, to_user, reason: str) -> Application:
    """Hand the case to another clerk of the hall; the first-responsible clerk stays."""
    lock(application)
    on_behalf = require_actor(actor, application)
    if not application.is_open:
        raise ValidationError({"status": _("已办结的办件不能移交。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写移交原因。")})
    if to_user is None or not can_act_in(to_user, application.org_unit, CASE_ROLES):
        raise ValidationError({"to_user": _("只能移交给本服务大厅的窗口工作人员。")})
    if to_user.pk == application.handler_id:
        raise ValidationError({"to_user": _("该工作人员已是本办件的承办人。")})
    old = application.handler
    application.handler = to_user
    application.save(update_fields=["handler", "updated_at"])
    record_event(
        actor=actor,
        action="application_handed_over",
        target=application,
        changes={"handler": [old.display_name, to_user.display_name], **on_behalf},
        reason=reason,
    )
    notices.case_handed_over(application, from_user=actor, to_user=to_user, reason=reason)
    return application
