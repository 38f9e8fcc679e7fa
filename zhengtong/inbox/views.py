from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .registry import items_for


@login_required
def home(request):
    """The home page of every staff user: 我的待办."""
    items = items_for(request.user)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    counts = {
        "overdue": sum(1 for i in items if i.deadline.state == "overdue"),
        "warning": sum(1 for i in items if i.deadline.state == "warning"),
        "total": len(items),
    }
    return render(request, "inbox/home.html", {"page": page, "counts": counts})
