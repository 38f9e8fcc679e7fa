from .context import acting


def client_ip(request) -> str | None:
    # Behind nginx the real address arrives in X-Real-IP; without a proxy, REMOTE_ADDR is it.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")


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
