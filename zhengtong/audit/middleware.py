from django.conf import settings

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
        with acting(ip=client_ip(request), channel=channel) as info:
            request.request_id = info.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = info.request_id
        return response
