from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .registry import rows_for


@login_required
def home(request):
    """The home page of every staff user: 我的待办, sorted, counted and paged in the database."""
    rows = rows_for(request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = rows.counts()
    context = {
        "page": page,
        "counts": {
            "overdue": counts.by_state["overdue"],
            "warning": counts.by_state["warning"],
            "total": counts.total,
        },
    }
    return render(request, "inbox/home.html", context)
