"""Import pages: upload an xlsx of persons or floating records, watch its progress, read errors."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.lib.forms import StyledForm, add_errors
from zhengtong.lib.http import HtmxHttpRequest
from zhengtong.lib.imports import RowError, template_response

from . import imports
from .actions.imports import (
    import_job_cancel,
    import_job_create,
    import_job_rerun,
    import_job_retry,
    retryable,
)
from .models import ImportJob
from .selectors import POPULATION_ROLES, rows_visible_to

JOBS_SHOWN = 20


class ImportForm(StyledForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("导入内容"), choices=list(imports.KIND_LABELS.items())
    )
    file = forms.FileField(
        label=gettext_lazy("文件(xlsx)"),
        help_text=gettext_lazy("不超过 50 MB;第一行为表头,请使用下载的导入模板。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": gettext_lazy("请选择要导入的 xlsx 文件。")},
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("试导入(只检查,不写入数据)"), required=False, initial=True
    )


importer_required = role_required(*POPULATION_ROLES)


def _jobs_for(user):
    return rows_visible_to(user, ImportJob.objects.select_related("created_by", "org_unit"))


@login_required
@require_http_methods(["GET", "POST"])
@importer_required
def import_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = import_job_create(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("population:import_detail", pk=job.pk)
    else:
        form = ImportForm()
    jobs = _jobs_for(request.user).order_by("-created_at", "-pk")[:JOBS_SHOWN]
    context = {
        "form": form,
        "jobs": jobs,
        "kinds": imports.KIND_LABELS,
        "headers": imports.HEADERS,
        "required": imports.REQUIRED,
        "title": _("批量导入"),
    }
    return render(request, "population/import_list.html", context)


@login_required
@require_http_methods(["GET"])
@importer_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.IMPORTERS:
        raise Http404
    return template_response(imports.IMPORTERS[kind])


@login_required
@require_http_methods(["GET"])
@importer_required
def import_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    template = "population/import_detail.html"
    if request.htmx:
        template += "#progress"
    context = {
        "job": job,
        "kind_label": imports.KIND_LABELS.get(job.kind, job.kind),
        "percent": _percent(job),
        "active": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
        "writing": job.status == ImportJob.Status.RUNNING
        and not job.dry_run
        and job.total_rows
        and job.processed_rows >= job.total_rows,
        "errors": [RowError.from_dict(e) for e in job.errors or []],
        "retryable": retryable(job),
        "title": _("导入任务"),
    }
    return render(request, template, context)


@login_required
@require_POST
@importer_required
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a passed dry run into the real import of the same file."""
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    try:
        new = import_job_rerun(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("population:import_detail", pk=job.pk)
    return redirect("population:import_detail", pk=new.pk)


@login_required
@require_POST
@importer_required
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop a queued job or one still checking its rows; nothing is written."""
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    try:
        import_job_cancel(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("导入已取消,未写入任何数据。"))
    return redirect("population:import_detail", pk=job.pk)


@login_required
@require_POST
@importer_required
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a cancelled or failed job's file again, as a new job."""
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    try:
        new = import_job_retry(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("population:import_detail", pk=job.pk)
    return redirect("population:import_detail", pk=new.pk)


def _percent(job: ImportJob) -> int:
    if job.status == ImportJob.Status.DONE:
        return 100
    if not job.total_rows:
        return 0
    return min(100, job.processed_rows * 100 // job.total_rows)
