"""Audit log pages for auditors: a filtered list and one event's before/after values."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from zhengtong.accounts.permissions import role_required
from zhengtong.lib import listing

from .actions import seal_pending_if_any
from .forms import EventFilterForm
from .history import change_rows
from .labels import action_label, actor_label, target_label
from .models import Event
from .selectors import can_read_audit_log, events_visible_to

PAGE_SIZE = 50


def _target(event: Event) -> str:
    number = f" #{event.target_id}" if event.target_id else ""
    return f"{target_label(event.target_type)}{number} {event.target_repr}".strip()


class EventList(listing.ListPage):
    """The audit log: filtered by actor, action, kind, target, dates and IP, newest first."""

    title = "审计日志"
    template_name = "audit/event_list.html"
    filter_form = EventFilterForm
    default_sort = "-created_at"
    tie_breaker = "-pk"
    page_size = 50
    export_name = "审计日志"
    empty_text = "没有符合条件的记录。"
    columns = (
        listing.Column(
            "created_at",
            "时间",
            lambda e: e.created_at,
            kind=listing.DATETIME,
            sort="created_at",
            link=listing.link("audit:event_detail"),
        ),
        listing.Column("actor", "操作人", actor_label),
        listing.Column("kind", "类别", "get_kind_display", nowrap=True),
        listing.Column("action", "动作", lambda e: action_label(e.action)),
        listing.Column("target", "对象", _target),
        listing.Column("unit", "所属单位", "org_unit.name", phone=False),
        listing.Column("ip", "IP 地址", "ip", phone=False),
    )

    def get(self, request, *args, **kwargs):
        # Public reads wait at most a minute to enter the chain; the auditor sees them now.
        seal_pending_if_any()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return events_visible_to(self.request.user)


event_list = require_safe(role_required(test=can_read_audit_log)(EventList.as_view()))


@require_safe
@login_required
def event_detail(request, pk: int):
    if not can_read_audit_log(request.user):
        raise PermissionDenied
    event = get_object_or_404(events_visible_to(request.user), pk=pk)
    return render(request, "audit/event_detail.html", {"event": event, "rows": change_rows(event)})
