"""Audit log pages for auditors: a filtered list and one event's before/after values."""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from zhengtong.accounts.permissions import role_required

from .forms import EventFilterForm
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


def _target_fields(target_type: str) -> dict[str, tuple[int, str]]:
    """{field name: (position, Chinese verbose name)} of the target model, when it is known."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return {}
    fields = [f for f in model._meta.get_fields() if hasattr(f, "verbose_name")]
    return {f.name: (i, str(f.verbose_name)) for i, f in enumerate(fields)}


def change_rows(event) -> list[dict]:
    """{field: [old, new]} as table rows in the model's field order (PostgreSQL's jsonb does
    not keep key order); a value that is not a pair counts as the new value."""
    known = _target_fields(event.target_type)
    changes = event.changes if isinstance(event.changes, dict) else {"": event.changes}
    rows = []
    for name, value in changes.items():
        if isinstance(value, (list, tuple)) and len(value) == 2:
            old, new = value
        else:
            old, new = None, value
        position, label = known.get(name, (len(known), name))
        rows.append({"field": name, "label": label, "old": old, "new": new, "position": position})
    rows.sort(key=lambda row: (row["position"], row["field"]))
    return rows


@require_safe
@login_required
def event_detail(request, pk: int):
    if not can_read_audit_log(request.user):
        raise PermissionDenied
    event = get_object_or_404(events_visible_to(request.user), pk=pk)
    return render(request, "audit/event_detail.html", {"event": event, "rows": change_rows(event)})
