"""/notify/: the signed-in user's 站内消息, and the outbox for the system administrator."""

from django.contrib import messages
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.jobs.views import is_system_admin
from zhengtong.lib import listing
from zhengtong.lib.http import AuthenticatedHttpRequest

from .codes import masked_text
from .forms import OutboxFilterForm
from .models import Channel, Message
from .tasks import daily_cap

ADMIN_ONLY = "只有系统管理员可以查看消息发送记录。"


def inbox_of(user):
    return Message.objects.filter(user=user, channel=Channel.INAPP)


class MessageList(listing.ListPage):
    """The user's in-app messages: unread first, then newest first."""

    title = "站内消息"
    template_name = "notify/message_list.html"
    printable = False
    empty_text = "没有站内消息。"
    columns = (
        listing.Column(
            "read",
            "状态",
            lambda row: "未读" if row.read_at is None else "已读",
            template="notify/_read_cell.html",
        ),
        listing.Column("event", "类别", "event_label", phone=False),
        listing.Column("text", "内容", link=listing.link("notify:message_detail")),
        listing.Column("created_at", "时间", kind=listing.DATETIME),
    )

    def get_queryset(self):
        return inbox_of(self.request.user).order_by(
            F("read_at").asc(nulls_first=True), "-created_at"
        )

    def row_class(self, row) -> str:
        return "fw-semibold" if row.read_at is None else ""

    def get_context_data(self, queryset) -> dict:
        return {"has_unread": inbox_of(self.request.user).filter(read_at__isnull=True).exists()}


message_list = role_required()(MessageList.as_view())


@role_required()
def message_detail(request: AuthenticatedHttpRequest, pk: int):
    """One of the user's messages (another user's is 404); opening it marks it read."""
    message = get_object_or_404(inbox_of(request.user), pk=pk)
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return render(request, "notify/message_detail.html", {"message": message})


@role_required()
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponseRedirect:
    count = inbox_of(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return HttpResponseRedirect(reverse("notify:message_list"))


class OutboxList(listing.ListPage):
    """Every message with its state: where the demo's SMS (file backend) are seen."""

    title = "消息发送记录"
    template_name = "notify/outbox_list.html"
    filter_form = OutboxFilterForm
    default_sort = "-created_at"
    printable = False
    empty_text = "没有符合条件的消息。"
    columns = (
        listing.Column("created_at", "生成时间", kind=listing.DATETIME, sort="created_at"),
        listing.Column("channel", "渠道", "get_channel_display"),
        listing.Column("event", "事件", "event_label"),
        listing.Column("recipient", "收信人", "recipient_display"),
        listing.Column("state", "状态", "state_text", template="notify/_state_cell.html"),
        listing.Column("attempts", "发送次数", kind=listing.COUNT, phone=False),
        listing.Column("sent_at", "发送时间", kind=listing.DATETIME, sort="sent_at", phone=False),
        # A verification code is shown with its digits hidden; the SMS carries them.
        listing.Column("text", "内容", masked_text, wide_only=True),
        # A failed delivery's reason is in the state column already.
        listing.Column("last_error", "错误", lambda row: "" if row.undelivered else row.last_error),
    )

    def get_queryset(self):
        return Message.objects.select_related("user")

    def get_context_data(self, queryset) -> dict:
        return {"daily_cap": daily_cap()}


outbox = role_required(test=is_system_admin, message=ADMIN_ONLY)(OutboxList.as_view())
