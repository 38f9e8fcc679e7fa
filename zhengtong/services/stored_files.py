"""Stored files of the service hall (see lib/files.py): the material photos of 网上申请.

Personal data, never public: a photo is served only to a window clerk of the submission's hall
(through the scope door), and each photo served is an audited read.
"""

from zhengtong.lib.files import StoredKind, register

from .models import OnlineApplication


def _photo_visible(user, photo) -> bool:
    from .online_selectors import online_visible_to

    rows = OnlineApplication.objects.filter(pk=photo.submission_id)
    return online_visible_to(user, rows).exists()


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
