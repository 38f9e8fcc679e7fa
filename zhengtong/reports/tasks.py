"""Background tasks of the reports: the work report's PDF, and the pruning of old PDFs."""

from zhengtong.jobs.registry import task


def _lost(file_id: int) -> None:
    from .files import work_report_pdf_lost

    work_report_pdf_lost(file_id)


@task("生成工作简报 PDF", retry_safe=True, on_lost=_lost)
def make_work_report_pdf(file_id: int) -> str:
    """Make one work-report PDF. Run again after its worker died, it starts over (the file is
    stored only once it is whole)."""
    from .files import build_work_report_pdf

    row = build_work_report_pdf(file_id)
    if row is None:
        return "报告文件已不存在。"
    return f"已生成:{row}。"


@task("清理过保存期的报告 PDF", retry_safe=True)
def prune_report_files() -> str:
    """Remove the stored report PDFs past their keeping time (REPORT_FILE_KEEP_DAYS)."""
    from .files import prune_report_files as prune

    removed = prune()
    return f"已清理过保存期的报告文件 {removed} 个。"
