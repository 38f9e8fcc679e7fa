"""The context of each printed document of the hall, built from the case data alone.

Each function returns a plain dict for a template in templates/documents/; the views render it
with `zhengtong.lib.pdf.render_pdf`. ID numbers appear masked 6+4 on every document.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from zhengtong.lib.masking import mask_id_internal
from zhengtong.people.models import Person

from .models import Application, Notice, ServiceItem
from .selectors import required_materials

HUKOU_LABELS = {"local": "本地户籍", "floating": "流动人口(外地户籍)"}
LEGAL_BASIS_NOTICE = "《中华人民共和国行政许可法》第三十二条"


def hall_name(org_unit) -> str:
    """The name printed above and under a document: the township and its service hall."""
    suffix = getattr(settings, "SERVICE_HALL_SUFFIX", "便民服务中心")
    return f"{org_unit.name}{suffix}" if org_unit is not None else suffix


def situation_text(situation: dict | None) -> str:
    """户籍, 婚姻状况 and 第几孩 in words, e.g. "本地户籍,已婚,第二孩"."""
    situation = situation or {}
    parts = []
    if hukou := situation.get("hukou"):
        parts.append(HUKOU_LABELS.get(hukou, hukou))
    if marital := situation.get("marital_status"):
        parts.append(str(dict(Person.MaritalStatus.choices).get(marital, marital)))
    if child := situation.get("child_order"):
        parts.append(child_order_label(child))
    return ",".join(parts)


def child_order_label(order) -> str:
    try:
        number = int(order)
    except (TypeError, ValueError):
        return str(order)
    words = "零一二三四五六七八九十"
    return f"第{words[number]}孩" if 0 < number <= 10 else f"第{number}孩"


def _clerk(user) -> dict:
    return {
        "clerk_name": user.display_name,
        "clerk_staff_no": user.staff_no,
        "clerk_phone": user.phone,
        "clerk_post": user.post,
    }


def _local_date(value) -> datetime.date | None:
    if value is None:
        return None
    return timezone.localdate(value) if isinstance(value, datetime.datetime) else value


def _case(application: Application) -> dict:
    return {
        "hall_name": hall_name(application.org_unit),
        "receipt_no": application.receipt_no,
        "item_name": application.item.name,
        "item_code": application.item.code,
        "window": application.item.window,
        "promised_workdays": application.item.promised_workdays,
        "applicant_name": application.applicant.name,
        "applicant_id": mask_id_internal(application.applicant.id_number),
        "received_on": _local_date(application.received_at),
    }


def notice_context(notice: Notice) -> dict:
    """一次性告知书: every material the notice lists, the legal basis, clerk, date and hall."""
    application = notice.application
    items = [
        {
            "name": row.material.name,
            "description": row.material.description,
            "copies": row.material.copies,
            "problem": row.get_problem_display(),
            "note": row.note,
        }
        for row in notice.items.select_related("material").order_by("material__sort_order", "id")
    ]
    earlier = Notice.objects.filter(application=application, issued_at__lt=notice.issued_at)
    return {
        **_case(application),
        **_clerk(notice.issued_by),
        "items": items,
        "notice_no": earlier.count() + 1,
        "within_first_notice": notice.within_first_notice,
        "legal_basis": LEGAL_BASIS_NOTICE,
        "issued_on": _local_date(notice.issued_at),
    }


def service_notice_context(
    *,
    item: ServiceItem,
    situation: dict | None,
    applicant_name: str,
    clerk,
    org_unit,
    receipt_no: str = "",
    today: datetime.date | None = None,
) -> dict:
    """《办证服务告知书》 for one applicant: the materials their situation requires, the steps,
    the time limit, fee, window and the first-responsible clerk's contact."""
    return {
        "hall_name": hall_name(org_unit),
        "receipt_no": receipt_no,
        "applicant_name": applicant_name,
        "situation_text": situation_text(situation),
        "item_name": item.name,
        "eligibility": item.eligibility,
        "materials": required_materials(item, situation or {}),
        "steps": list(item.procedure or []),
        "promised_workdays": item.promised_workdays,
        "legal_workdays": item.legal_workdays,
        "fee": item.fee,
        "window": item.window,
        "certificate_name": item.certificate_name,
        "legal_basis": item.legal_basis,
        "notes": item.notes,
        "issued_on": today or timezone.localdate(),
        **_clerk(clerk),
    }


def service_notice_for_application(application: Application, *, today=None) -> dict:
    return service_notice_context(
        item=application.item,
        situation=application.situation,
        applicant_name=application.applicant.name,
        clerk=application.first_responder,
        org_unit=application.org_unit,
        receipt_no=application.receipt_no,
        today=today,
    )


def certificate_context(application: Application) -> dict:
    """The certificate of an approved case: name, number, holder, masked ID and date."""
    if application.status != Application.Status.APPROVED or not application.certificate_no:
        raise ValueError("只有已办结(准予)的办件才有证件。")
    return {
        **_case(application),
        **_clerk(application.handler),
        "certificate_name": application.item.certificate_name or application.item.name,
        "certificate_no": application.certificate_no,
        "holder_name": application.applicant.name,
        "holder_id": mask_id_internal(application.applicant.id_number),
        "issued_on": _local_date(application.finished_at) or timezone.localdate(),
    }


def receipt_context(application: Application, *, due_unknown: str = "") -> dict:
    """受理回执 (or 收件回执 while the case waits for 补正): what was received, when it is due."""
    accepted = application.accepted_on is not None
    received = [
        {
            "name": row.material.name,
            "copies": row.material.copies,
            "received_on": _local_date(row.received_at),
        }
        for row in application.received_materials.select_related("material").order_by(
            "material__sort_order", "material__code"
        )
    ]
    return {
        **_case(application),
        **_clerk(application.first_responder),
        "title": "受理回执" if accepted else "收件回执",
        "accepted": accepted,
        "accepted_on": application.accepted_on,
        "due_on": application.due_on,
        "due_unknown": due_unknown,
        "received": received,
        "issued_on": timezone.localdate(),
    }
