"""Stored files of population work (see lib/files.py).

A home-visit photo is readable by whoever may see the visit, an import file by whoever may see
the import job (its unit's village workers); both hold personal data, so each file served is an
audited read. A 计生采风 photo shows the office's work, not residents' records: it is public once
its post is approved, and until then only the township's 计生办 and leaders see it.
"""

from zhengtong.lib.files import StoredKind, register

from .models import HomeVisit, ImportJob, WeeklyPost
from .selectors import rows_visible_to, weekly_posts_visible_to


def _visit_visible(user, photo) -> bool:
    return rows_visible_to(user, HomeVisit.objects.filter(pk=photo.visit_id)).exists()


def _job_visible(user, job) -> bool:
    return rows_visible_to(user, ImportJob.objects.filter(pk=job.pk)).exists()


def _post_visible(user, photo) -> bool:
    return weekly_posts_visible_to(user, WeeklyPost.objects.filter(pk=photo.post_id)).exists()


def _post_public(photo) -> bool:
    return WeeklyPost.objects.filter(pk=photo.post_id, status=WeeklyPost.Status.APPROVED).exists()


def import_download_name(job) -> str:
    """The name the uploader gave the file; a plain label for files stored before it was kept."""
    return job.original_name or f"导入文件-{job.pk}.xlsx"


register(
    StoredKind(
        prefix="visits",
        model="population.VisitPhoto",
        field="image",
        label="走访照片",
        personal=True,
        can_read=_visit_visible,
        read_action="home_visit_photo_viewed",
        audit_target=lambda photo: photo.visit,
    )
)
register(
    StoredKind(
        prefix="imports",
        model="population.ImportJob",
        field="file",
        label="导入文件",
        personal=True,
        can_read=_job_visible,
        read_action="population_import_file_downloaded",
        download_name=import_download_name,
    )
)
register(
    StoredKind(
        prefix="caifeng",
        model="population.WeeklyPostPhoto",
        field="image",
        label="计生采风照片",
        can_read=_post_visible,
        public_when=_post_public,
    )
)
