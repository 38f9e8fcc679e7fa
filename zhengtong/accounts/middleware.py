"""After the password, the second factor: nothing else is reachable until it is done.

A signed-in user who has an authenticator but has not entered its code in this session is sent
to the verify page; one who must use a second factor and has none is sent to enrolment. Only
those pages, logout, static files and the public pages stay open. API calls made with the
session get a 403 with a Chinese message instead of a redirect.

Whether a user is free of the second factor is decided once at login (`remember_otp_state`) and
kept in the session, so ordinary requests cost no query. A role or unit flag added later takes
effect at the next login (the idle timeout ends a session after 15 minutes).
"""

import time

from django.contrib.sessions.middleware import SessionMiddleware
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .otp import has_second_factor, otp_required_for

OPEN_PREFIXES = ("/static/", "/public/", "/favicon.ico")
SESSION_STATE = "zt_otp_free"


def remember_otp_state(sender, request, user, **kwargs) -> None:
    """At login: note in the session when this user needs no second factor at all."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[SESSION_STATE] = not has_second_factor(user) and not otp_required_for(user)
    # Login always writes the session: the idle clock starts here, so the next minute's
    # requests need no write of their own.
    request.session[IdleSessionMiddleware.TOUCH_KEY] = int(time.time())


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            not user.is_authenticated
            or request.session.get(SESSION_STATE)
            or user.is_verified()
            or request.path.startswith(OPEN_PREFIXES)
        ):
            return self.get_response(request)
        open_paths = {reverse("accounts:logout"), reverse("accounts:otp_verify")}
        if has_second_factor(user):
            target = "accounts:otp_verify"
            message = "请先完成两步验证。"
        elif otp_required_for(user):
            target = "accounts:otp_setup"
            message = "您的账号须启用两步验证,请先绑定手机验证器。"
            open_paths.add(reverse(target))
        else:
            # A session from before this rule (no state yet): decide once, as the login does.
            request.session[SESSION_STATE] = True
            return self.get_response(request)
        if request.path in open_paths:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        url = reverse(target)
        if request.method == "GET" and request.path != "/":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware, tuned for the 15-minute idle timeout
    (SESSION_SAVE_EVERY_REQUEST, SESSION_COOKIE_AGE):

    - an unchanged session is written back at most once a minute (`TOUCH_EVERY`), not on every
      request, so a busy page costs one session UPDATE a minute instead of one per click. The
      expiry is counted from the last write, so an idle session ends between 14 and 15 minutes
      after the last request, never later;
    - a page's own background polling (a request carrying `X-Zt-Poll: 1`, e.g. an import's
      progress) does not count as the person's activity, so an unattended progress page does not
      keep a session open for ever.

    A session that a request changed is always saved."""

    TOUCH_KEY = "zt_touched"
    TOUCH_EVERY = 60

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if session.modified:
                session[self.TOUCH_KEY] = now
            elif request.headers.get("X-Zt-Poll") == "1":
                return response
            elif now - session.get(self.TOUCH_KEY, 0) < self.TOUCH_EVERY:
                return response
            else:
                session[self.TOUCH_KEY] = now
        return super().process_response(request, response)
