"""/jobs/: the background jobs and the workers, for the system administrator."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengtong.accounts.models import Role
from zhengtong.accounts.permissions import role_required
from zhengtong.accounts.scope import has_role
from zhengtong.lib import listing
from zhengtong.lib.http import AuthenticatedHttpRequest

from .actions import JobActionRefused, job_cancel, job_retry
from .forms import JobFilterForm
from .models import Job, ScheduledRun, WorkerHeartbeat, state_filter
from .registry import task_label
from .schedule import active_schedule


def is_system_admin(user) -> bool:
    return user.is_superuser or has_role(user, Role.ADMIN)


ADMIN_ONLY = "只有系统管理员可以查看和处理后台任务。"


class JobList(listing.ListPage):
    """Queued, running, failed and finished jobs, newest first; the workers and the schedule."""

    title = "后台任务"
    template_name = "jobs/job_list.html"
    filter_form = JobFilterForm
    default_sort = "-enqueued_at"
    printable = False
    empty_text = "没有符合条件的后台任务。"
    columns = (
        listing.Column("task", "任务", "label"),
        listing.Column("state", "状态", "state_label", template="jobs/_state_cell.html"),
        listing.Column("enqueued_at", "排队时间", kind=listing.DATETIME, sort="enqueued_at"),
        listing.Column("started_at", "开始时间", kind=listing.DATETIME, phone=False),
        listing.Column("finished_at", "结束时间", kind=listing.DATETIME, sort="finished_at"),
        listing.Column("attempts", "尝试次数", kind=listing.COUNT, phone=False),
        listing.Column("worker", "工作进程", wide_only=True),
        listing.Column("error", "错误或结果", "error_message", template="jobs/_error_cell.html"),
        listing.Column(
            "actions", "操作", lambda row: "", template="jobs/_actions_cell.html", export=False
        ),
    )

    def get_queryset(self):
        # The jobs of the one backend; the retry link of each row in the same query.
        return Job.objects.filter(backend_name="default").select_related("retry")

    def filter_queryset(self, queryset, data):
        if data.get("state"):
            queryset = queryset.filter(state_filter(data["state"]))
        return queryset

    def get_context_data(self, queryset) -> dict:
        stale_after = settings.JOBS_STALE_AFTER
        now = timezone.now()
        cutoff = now - datetime.timedelta(seconds=stale_after)
        workers = list(WorkerHeartbeat.objects.order_by("-seen_at")[:10])
        for worker in workers:
            worker.alive = worker.stopped_at is None and worker.seen_at >= cutoff  # type: ignore[attr-defined]
        entries = active_schedule()
        names = [entry.name for entry in entries]
        latest: dict[str, ScheduledRun] = {}
        for run in ScheduledRun.objects.filter(name__in=names).order_by("-slot")[:50]:
            latest.setdefault(run.name, run)
        schedule = [
            {
                "label": task_label(entry.task().module_path),
                "when": (
                    f"每日 {entry.daily_at:%H:%M} 后"
                    if entry.daily_at
                    else f"每 {entry.every_minutes} 分钟"
                ),
                "last": latest.get(entry.name),
            }
            for entry in entries
        ]
        return {
            "workers": workers,
            "any_alive": any(w.alive for w in workers),  # type: ignore[attr-defined]
            "schedule": schedule,
            "stale_after": stale_after,
        }


job_list = role_required(test=is_system_admin, message=ADMIN_ONLY)(JobList.as_view())


def _job_or_404(job_id) -> Job:
    job = Job.objects.filter(pk=job_id, backend_name="default").first()
    if job is None:
        raise Http404("没有这个后台任务。")
    return job


def _back(request: AuthenticatedHttpRequest) -> HttpResponseRedirect:
    url = reverse("jobs:job_list")
    query = request.POST.get("next_query", "")
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


@role_required(test=is_system_admin, message=ADMIN_ONLY)
@require_POST
def retry(request: AuthenticatedHttpRequest, job_id) -> HttpResponseRedirect:
    job = _job_or_404(job_id)
    try:
        job_retry(actor=request.user, job_id=job.pk)
    except JobActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已重新排队:{job.label}。")
    return _back(request)


@role_required(test=is_system_admin, message=ADMIN_ONLY)
@require_POST
def cancel(request: AuthenticatedHttpRequest, job_id) -> HttpResponseRedirect:
    job = _job_or_404(job_id)
    try:
        job_cancel(actor=request.user, job_id=job.pk)
    except JobActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已取消:{job.label}。")
    return _back(request)
