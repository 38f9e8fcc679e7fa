from .models import Channel, Message


class UnreadCount:
    """The navbar's unread count: one query, the first time a page asks, kept on the request."""

    def __init__(self, request) -> None:
        self.request = request

    def count(self) -> int:
        cached = getattr(self.request, "_notify_unread", None)
        if cached is None:
            cached = Message.objects.filter(
                user=self.request.user, channel=Channel.INAPP, read_at__isnull=True
            ).count()
            self.request._notify_unread = cached
        return cached


def unread_messages(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_messages": UnreadCount(request)}
