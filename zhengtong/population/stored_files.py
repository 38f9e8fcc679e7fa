"""Stored files of population work (see lib/files.py): both hold personal data.

A home-visit photo is readable by whoever may see the visit, an import file by whoever may see
the import job (its unit's village workers); each file served is an audited read.
"""

from zhengtong.lib.files import StoredKind, register

from .models import HomeVisit, ImportJob
from .selectors import rows_visible_to


def _visit_visible(user, photo) -> bool:
    return rows_visible_to(user, HomeVisit.objects.filter(pk=photo.visit_id)).exists()


def _job_visible(user, job) -> bool:
    return rows_visible_to(user, ImportJob.objects.filter(pk=job.pk)).exists()


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
