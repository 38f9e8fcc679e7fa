"""`{% case_notifications application %}`: the messages a case caused, for its page."""

from django import template

from ..outbox import messages_for

register = template.Library()


@register.inclusion_tag("notify/_case_notifications.html")
def case_notifications(target) -> dict:
    """Event, channel, state and time of each message (one query; never the phone number)."""
    return {
        "notifications": list(
            messages_for(target).only(
                "event", "channel", "state", "created_at", "sent_at", "last_error"
            )
        )
    }
