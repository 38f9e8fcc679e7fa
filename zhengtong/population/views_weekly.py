"""计生采风: the 计生办's weekly post (晾晒) — staff pages to write, submit and approve it, and the
public board of approved posts (/public/caifeng/).

Access: the township's 计生办 (village workers held at the township) and its leaders; a
village's worker, the zone's offices and everyone else get 403, a post of another township 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.lib import listing, periods
from zhengtong.lib.forms import add_errors

from . import forms_weekly as f
from .actions import weekly_posts as actions
from .models import WeeklyPost, WeeklyPostLine, WeeklyPostPhoto
from .selectors import (
    POPULATION_ROLES,
    WEEKLY_ROLES,
    has_weekly_town,
    weekly_posts_visible_to,
    weekly_towns_for,
)
from .views_care.common import denied

DENIED = "只有乡镇计生办和乡镇领导可以查看计生采风。"
weekly_required = role_required(*WEEKLY_ROLES, test=has_weekly_town, message=DENIED)


def _writes(user) -> bool:
    return weekly_towns_for(user, POPULATION_ROLES).exists()


class WeeklyPostList(listing.ListPage):
    """The posts of the user's townships, newest week first; a leader does not see drafts."""

    title = "计生采风"
    template_name = "population/weekly_list.html"
    filter_form = f.WeeklyFilterForm
    default_sort = "-week"
    empty_text = "还没有计生采风。"
    printable = False
    columns = (
        listing.Column(
            "week",
            "周次",
            "week_label",
            sort="week_start",
            link=listing.link("population:weekly_detail"),
            nowrap=True,
        ),
        listing.Column("town", "乡镇", "org_unit.name", phone=False),
        listing.Column("status", "状态", "get_status_display", sort="status", nowrap=True),
        listing.Column("model_worker", "工作标兵", "model_worker.display_name"),
        listing.Column("photos", "照片", "photo_count", kind=listing.COUNT),
        listing.Column("updated_at", "更新时间", kind=listing.DATETIME, phone=False),
    )

    def get_queryset(self):
        posts = weekly_posts_visible_to(self.request.user)
        return posts.select_related("org_unit", "model_worker").annotate(
            photo_count=Count("photos", distinct=True)
        )

    def get_context_data(self, queryset) -> dict:
        return {**super().get_context_data(queryset), "can_create": _writes(self.request.user)}


weekly_list = weekly_required(WeeklyPostList.as_view())


def _get_post(user, pk) -> WeeklyPost:
    post = (
        weekly_posts_visible_to(user)
        .select_related("org_unit", "model_worker", "created_by", "submitted_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if post is None:
        raise denied(user, WeeklyPost, pk)
    return post


def _lines(post: WeeklyPost) -> list[WeeklyPostLine]:
    return list(post.lines.select_related("worker", "area").order_by("area__path", "id"))


@weekly_required
@require_http_methods(["GET", "POST"])
def weekly_create(request: HttpRequest) -> HttpResponse:
    if not _writes(request.user):
        raise PermissionDenied("只有乡镇计生办可以撰写计生采风。")
    this_week = periods.week_period(timezone.localdate()).value
    form = f.WeeklyCreateForm(request.POST or None, user=request.user, initial={"week": this_week})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                post = actions.weekly_post_create(
                    actor=request.user,
                    org_unit=form.cleaned_data["org_unit"],
                    week_start=form.cleaned_data["week"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已建立{post.week_label}的计生采风草稿,请填写内容。")
                return redirect("population:weekly_edit", pk=post.pk)
        status = 400
    return render(request, "population/weekly_create.html", {"form": form}, status=status)


@weekly_required
@require_GET
def weekly_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post(request.user, pk)
    return _render_detail(request, post)


def _render_detail(request, post: WeeklyPost, *, return_form=None, status=200) -> HttpResponse:
    user = request.user
    context = {
        "post": post,
        "lines": _lines(post),
        "photos": list(post.photos.all()),
        "can_edit": post.editable and actions.can_write_post(user, post),
        "can_decide": post.status == WeeklyPost.Status.SUBMITTED
        and actions.can_decide_post(user, post),
        "return_form": return_form or f.ReturnForm(),
    }
    return render(request, "population/weekly_detail.html", context, status=status)


@weekly_required
@require_http_methods(["GET", "POST"])
def weekly_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post(request.user, pk)
    if not actions.can_write_post(request.user, post):
        raise PermissionDenied("只有本镇计生办可以修改计生采风。")
    if not post.editable:
        messages.error(request, f"{post.get_status_display()}的计生采风不能修改。")
        return redirect("population:weekly_detail", pk=post.pk)
    lines, photos = _lines(post), list(post.photos.all())
    initial = {
        "summary": post.summary,
        "model_worker": post.model_worker_id,
        "model_reason": post.model_reason,
    }
    form = f.WeeklyPostForm(
        request.POST or None, post=post, lines=lines, photos=photos, initial=initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                post = actions.weekly_post_update(
                    actor=request.user,
                    post=post,
                    summary=data["summary"],
                    model_worker=data["model_worker"],
                    model_reason=data["model_reason"],
                    lines=form.lines(),
                    photos=request.FILES.getlist("photos"),
                    remove_photos=form.removed(),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "计生采风草稿已保存。")
                return redirect("population:weekly_detail", pk=post.pk)
        status = 400
    context = {"form": form, "post": post, "photos": photos, "max_photos": actions.MAX_PHOTOS}
    return render(request, "population/weekly_form.html", context, status=status)


def _step(request: HttpRequest, post: WeeklyPost, action, done: str, **kwargs) -> HttpResponse:
    try:
        action(actor=request.user, post=post, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("population:weekly_detail", pk=post.pk)


@weekly_required
@require_POST
def weekly_submit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post(request.user, pk)
    if not actions.can_write_post(request.user, post):
        raise PermissionDenied("只有本镇计生办可以提交计生采风。")
    return _step(request, post, actions.weekly_post_submit, "已提交,等待镇领导审核。")


@weekly_required
@require_POST
def weekly_approve(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post(request.user, pk)
    if not actions.can_decide_post(request.user, post):
        raise PermissionDenied("只有本镇领导可以审核计生采风。")
    return _step(request, post, actions.weekly_post_approve, "已审核通过,本期计生采风已公开。")


@weekly_required
@require_POST
def weekly_return(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post(request.user, pk)
    if not actions.can_decide_post(request.user, post):
        raise PermissionDenied("只有本镇领导可以审核计生采风。")
    form = f.ReturnForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, post, return_form=form, status=400)
    return _step(
        request,
        post,
        actions.weekly_post_return,
        "已退回计生办修改。",
        reason=form.cleaned_data["reason"],
    )


# ---------------------------------------------------------------------------- public board

PUBLIC_PAGE_SIZE = 5


@require_GET
def public_weekly_list(request: HttpRequest) -> HttpResponse:
    """Approved posts of every township, newest week first, with their photos: no login, and
    nothing of residents (the 管区 lines carry counts and the office's words)."""
    posts = (
        WeeklyPost.objects.filter(status=WeeklyPost.Status.APPROVED)
        .select_related("org_unit", "model_worker")
        .prefetch_related(
            Prefetch("photos", queryset=WeeklyPostPhoto.objects.order_by("id")),
            Prefetch(
                "lines",
                queryset=WeeklyPostLine.objects.select_related("worker", "area").order_by(
                    "area__path", "id"
                ),
            ),
        )
        .order_by("-week_start", "-id")
    )
    page = Paginator(posts, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "population/public_weekly.html", {"page": page})
