"""The one-stop hall's case events: what each message says and its dedupe key
(`case:<receipt_no>:<event>`), so a case action calls one line inside its transaction."""

from .outbox import Recipient, notify


def hall_name(unit: str) -> str:
    """Where the applicant goes: the township's 便民服务中心 (the case's org unit)."""
    return unit if unit.endswith("中心") else f"{unit}便民服务中心"


def case_context(application, **extra) -> dict:
    item = application.item
    context = {
        "name": application.applicant.name,
        "receipt_no": application.receipt_no,
        "item": item.name,
        "hall": hall_name(application.org_unit.name),
        "window": item.window,
    }
    context.update({k: "" if v is None else str(v) for k, v in extra.items()})
    return context


def notify_applicant(application, event: str, *, key: str = "", **extra) -> None:
    """An SMS to the applicant at the phone the case records."""
    notify(
        event=event,
        target=application,
        recipients=[Recipient.resident(application.applicant_phone, application.applicant.name)],
        context=case_context(application, **extra),
        dedupe=f"case:{application.receipt_no}:{key or event}",
        item=application.item,
    )


def case_accepted(application) -> None:
    day = application.due_on
    due = f"{day.year}年{day.month}月{day.day}日" if day else "待定(以窗口通知为准)"
    notify_applicant(application, "case_accepted", due_on=due)


def case_notice(application, notice, materials) -> None:
    notify_applicant(
        application,
        "case_notice",
        key=f"notice:{notice.pk}",
        materials="、".join(m.name for m in materials),
    )


def case_finished(application) -> None:
    """办结 or 不予办理 (a withdrawn case sends nothing: the applicant asked for it)."""
    status = application.status
    if status == "approved":
        result = application.item.certificate_name or "办理结果"
        notify_applicant(application, "case_done", result=result)
    elif status == "refused":
        notify_applicant(application, "case_refused", reason=application.decision_note)


def case_handed_over(application, *, from_user, to_user, reason: str) -> None:
    notify(
        event="case_handed_over",
        target=application,
        recipients=[Recipient.staff(to_user)],
        context={
            "receipt_no": application.receipt_no,
            "item": application.item.name,
            "from_user": from_user.display_name,
            "reason": reason,
        },
        dedupe=f"case:{application.receipt_no}:handover:{to_user.pk}:{application.updated_at:%Y%m%d%H%M%S%f}",
        item=application.item,
    )
