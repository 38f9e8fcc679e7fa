"""Request types for views: a signed-in user, and `request.htmx` set by django_htmx."""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from zhengtong.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required`: `user` is never anonymous."""

    user: "User"


class HtmxHttpRequest(AuthenticatedHttpRequest):
    htmx: HtmxDetails
