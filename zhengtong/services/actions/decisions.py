"""The end of a case: 办结(准予) with the next certificate number, 不予办理 and 撤回."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.notify import cases as notices

from ..models import (
    Application,
)
from .clock import close_pause
from .common import lock, require_actor, require_status
from .numbering import next_certificate_no


def finish(
    *, actor, application: Application, status: str, action: str, note: str, on_behalf: dict
) -> Application:
    now = timezone.now()
    old_status = application.status
    close_pause(application, timezone.localdate(now))
    application.status = status
    application.finished_at = now
    application.decision_note = note
    changes = {"status": [old_status, status], **on_behalf}
    if status == Application.Status.APPROVED and application.item.certificate_name:
        application.certificate_no = next_certificate_no(
            application.item, timezone.localdate(now).year
        )
        changes["certificate_no"] = [None, application.certificate_no]
    application.save(
        update_fields=[
            "status",
            "finished_at",
            "decision_note",
            "certificate_no",
            "paused_workdays",
            "calendar_missing_year",
            "updated_at",
        ]
    )
    record_event(actor=actor, action=action, target=application, changes=changes, reason=note)
    notices.case_finished(application)
    return application


@audited_atomic
def application_approve(*, actor, application: Application, note: str = "") -> Application:
    """Approve an accepted case; an item that issues a document gets the next serial number."""
    lock(application)
    on_behalf = require_actor(actor, application)
    require_status(
        application, Application.Status.ACCEPTED, message=_("只有已受理的办件可以办结。")
    )
    return finish(
        actor=actor,
        application=application,
        status=Application.Status.APPROVED,
        action="application_approved",
        note=(note or "").strip(),
        on_behalf=on_behalf,
    )


def _close_with_reason(
    *, actor, application: Application, reason: str, status: str, action: str, missing: str
) -> Application:
    """不予办理 or 撤回: an open case closed with the reason the applicant is told."""
    lock(application)
    on_behalf = require_actor(actor, application)
    if not application.is_open:
        raise ValidationError({"status": _("该办件已办结。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": missing})
    return finish(
        actor=actor,
        application=application,
        status=status,
        action=action,
        note=reason,
        on_behalf=on_behalf,
    )


@audited_atomic
def application_refuse(*, actor, application: Application, reason: str) -> Application:
    """Refuse an open case, with the reason the applicant is told."""
    return _close_with_reason(
        actor=actor,
        application=application,
        reason=reason,
        status=Application.Status.REFUSED,
        action="application_refused",
        missing=_("请填写不予办理的理由。"),
    )


@audited_atomic
def application_withdraw(*, actor, application: Application, reason: str) -> Application:
    """Record the applicant's withdrawal of an open case."""
    return _close_with_reason(
        actor=actor,
        application=application,
        reason=reason,
        status=Application.Status.WITHDRAWN,
        action="application_withdrawn",
        missing=_("请填写撤回原因。"),
    )
