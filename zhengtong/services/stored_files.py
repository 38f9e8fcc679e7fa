"""Stored files of the service hall (see lib/files.py): the material photos of 网上申请, the
photos taken at the home for a 上门服务 case, and the signatures and photos of 上门告知.

Personal data, never public: a file is served only to a window clerk of the hall that owns it
(through the scope door), and each file served is an audited read.
"""

from zhengtong.lib.files import StoredKind, register

from .models import Application, OnlineApplication


def _photo_visible(user, photo) -> bool:
    from .online_selectors import online_visible_to

    rows = OnlineApplication.objects.filter(pk=photo.submission_id)
    return online_visible_to(user, rows).exists()


def _case_visible(user, row) -> bool:
    from .selectors import applications_visible_to

    rows = Application.objects.filter(pk=row.application_id)
    return applications_visible_to(user, rows).exists()


register(
    StoredKind(
        prefix="online",
        model="services.OnlinePhoto",
        field="image",
        label="网上申请材料照片",
        personal=True,
        can_read=_photo_visible,
        read_action="online_photo_viewed",
        audit_target=lambda photo: photo.submission,
    )
)
register(
    StoredKind(
        prefix="casephotos",
        model="services.HomePhoto",
        field="image",
        label="上门服务照片",
        personal=True,
        can_read=_case_visible,
        read_action="home_photo_viewed",
        audit_target=lambda photo: photo.application,
    )
)
register(
    StoredKind(
        prefix="signatures",
        model="services.NoticeDelivery",
        field="signature",
        label="上门告知签名",
        personal=True,
        can_read=_case_visible,
        read_action="delivery_file_viewed",
        audit_target=lambda delivery: delivery.application,
    )
)
register(
    StoredKind(
        prefix="deliveries",
        model="services.NoticeDelivery",
        field="photo",
        label="上门告知照片",
        personal=True,
        can_read=_case_visible,
        read_action="delivery_file_viewed",
        audit_target=lambda delivery: delivery.application,
    )
)
