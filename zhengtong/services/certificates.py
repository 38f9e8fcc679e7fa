"""Certificates that anyone can check: the public verification by certificate number and the
QR codes printed on certificates and receipts.

A certificate carries its number and the words "本证凭编号核验真伪"; the public page
`/public/verify/?no=…` answers with what the certificate itself shows, masked for the public
(the holder's family name, no ID number), so a number read off a paper proves that paper and
reveals nothing else. Attempts are counted per client address through the rate-counter door
(`CERTIFICATE_VERIFY_LIMIT` per `CERTIFICATE_VERIFY_WINDOW_MINUTES`) and each is audited.

The holder's full ID number does not belong on the certificate: the paper is photocopied and
handed over, a full number on it would travel with every copy, and the holder proves who they
are with their ID card beside it. The certificate prints it 6+4 masked, as every hall document.
"""

import datetime
import re
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from zhengtong.audit.actions import record_public_event
from zhengtong.audit.models import Event
from zhengtong.lib import ratelimit
from zhengtong.lib.masking import mask_name_public

from .documents import hall_name
from .models import Application

VERIFY_ACTION = "certificate_verify"
CERTIFICATE_NO_RE = re.compile(r"^[A-Za-z0-9-]{1,40}$")


def verify_limit() -> int:
    return int(getattr(settings, "CERTIFICATE_VERIFY_LIMIT", 20))


def verify_window() -> datetime.timedelta:
    minutes = int(getattr(settings, "CERTIFICATE_VERIFY_WINDOW_MINUTES", 10))
    return datetime.timedelta(minutes=minutes)


def verify_path(certificate_no: str) -> str:
    """The public verification of one certificate number."""
    return f"{reverse('public:verify')}?{urlencode({'no': certificate_no})}"


def lookup_path(receipt_no: str) -> str:
    """The public case lookup with the receipt number filled in; the phone digits stay asked."""
    return f"{reverse('public:lookup')}?{urlencode({'receipt_no': receipt_no})}"


def qr_data_uri(url: str) -> str:
    """A QR code of `url` as an SVG data URI, for an <img> on a printed document."""
    return segno.make(url, error="m").svg_data_uri(scale=3)


def verify_throttled(ip: str | None) -> bool:
    """Count this attempt for the client address; True when it is beyond the window's limit."""
    return ratelimit.address_throttled(
        VERIFY_ACTION, ip, window=verify_window(), limit=verify_limit()
    )


def find_certificate(certificate_no: str) -> Application | None:
    """The approved case that issued `certificate_no`, or None; records the attempt."""
    application = (
        Application.objects.select_related("item", "org_unit", "applicant")
        .filter(certificate_no=certificate_no, status=Application.Status.APPROVED)
        .first()
    )
    record_public_event(
        action=VERIFY_ACTION,
        kind=Event.Kind.READ,
        target_type="services.certificate",
        target_repr=certificate_no[:40],
        org_unit=application.org_unit if application else None,
        changes={"found": application is not None},
    )
    return application


def public_certificate(application: Application) -> dict:
    """What the verification page shows: the certificate's own facts, masked for the public."""
    finished = application.finished_at
    return {
        "certificate_name": application.item.certificate_name or application.item.name,
        "certificate_no": application.certificate_no,
        "holder_name": mask_name_public(application.applicant.name),
        "item_name": application.item.name,
        "hall_name": hall_name(application.org_unit),
        "issued_on": timezone.localdate(finished) if finished else None,
    }
