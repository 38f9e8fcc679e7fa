"""Stored files of the reports (see lib/files.py): a work-report PDF is read by the leaders whose
units are the ones it was made for (the same scope door as the report page)."""

from zhengtong.lib.files import StoredKind, register


def _file_visible(user, row) -> bool:
    from .files import report_files_for

    return report_files_for(user).filter(pk=row.pk).exists()


register(
    StoredKind(
        prefix="reports",
        model="reports.ReportFile",
        field="file",
        label="工作简报 PDF",
        can_read=_file_visible,
        download_name=lambda row: row.download_name,
    )
)
