"""Audit log pages for auditors: a filtered list and one event's before/after values."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from zhengtong.accounts.permissions import role_required

from .forms import EventFilterForm
from .history import change_rows
from .selectors import can_read_audit_log, events_visible_to

PAGE_SIZE = 50


@require_safe
@login_required
@role_required(test=can_read_audit_log)
def event_list(request):
    # An empty query string is a valid empty filter; an unbound form would never validate.
    form = EventFilterForm(request.GET or {})
    events = form.filter(events_visible_to(request.user))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "audit/event_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"form": form, "page": page})


@require_safe
@login_required
def event_detail(request, pk: int):
    if not can_read_audit_log(request.user):
        raise PermissionDenied
    event = get_object_or_404(events_visible_to(request.user), pk=pk)
    return render(request, "audit/event_detail.html", {"event": event, "rows": change_rows(event)})
