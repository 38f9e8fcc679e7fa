from django.conf import settings

from zhengtong.lib.logs import current_user_id

from .context import acting


def client_ip(request) -> str | None:
    """The client's address, for the audit log and the login lockout alike.

    X-Real-IP is believed only behind a trusted proxy (TRUSTED_PROXY=True, nginx setting it);
    otherwise anyone could write any address into the log by sending the header.
    """
    if settings.TRUSTED_PROXY:
        forwarded = request.META.get("HTTP_X_REAL_IP")
        if forwarded:
            return forwarded.strip()
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith("/api/"):
            channel = "api"
        elif path.startswith("/admin/"):
            channel = "admin"
        else:
            channel = "web"
        # nginx names each request (X-Request-ID) so its log and ours can be joined.
        request_id = None
        if settings.TRUSTED_PROXY:
            given = request.META.get("HTTP_X_REQUEST_ID", "")
            if given and len(given) <= 64 and given.isascii() and given.isalnum():
                request_id = given
        with acting(ip=client_ip(request), channel=channel, request_id=request_id) as info:
            request.request_id = info.request_id
            user = getattr(request, "user", None)
            token = current_user_id.set(
                user.pk if user is not None and user.is_authenticated else None
            )
            try:
                response = self.get_response(request)
            finally:
                current_user_id.reset(token)
        response["X-Request-ID"] = info.request_id
        return response
