"""The one door for "may this user open this page": `role_required` and `may_open`.

A view declares what it needs with `@role_required(...)`; the declaration is kept on the view
(`view.access`), so the menu asks `may_open(user, "app:url_name")` and gets the answer of the
very gate the page applies. A link that the page would refuse cannot be drawn.

Rows are still scoped inside the view (`zhengtong.accounts.scope`): a page the user may open
shows only their rows, and an object outside their scope answers 404, not 403.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from .scope import has_role

UserTest = Callable[..., bool]

# Per-request answers of the tests, on the user object like the membership cache of scope.py,
# so a menu that asks twice (two links behind one gate) pays for one query.
_CACHE_KEY = "_access_tests"


@dataclass(frozen=True)
class Access:
    """What a view needs: one of `roles` (anywhere in the tree), and then `test(user)` when a
    role alone does not decide (a 民政 clerk, a hall under the user's units)."""

    roles: tuple[str, ...] = ()
    test: UserTest | None = None
    message: str = ""

    def allows(self, user) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if self.roles and not has_role(user, *self.roles):
            return False
        if self.test is None:
            return True
        cache = user.__dict__.setdefault(_CACHE_KEY, {})
        if self.test not in cache:
            cache[self.test] = bool(self.test(user))
        return cache[self.test]


def role_required(*roles: str, test: UserTest | None = None, message: str = ""):
    """Let through a signed-in user who holds one of `roles` and passes `test`; send an
    anonymous user to the login page and answer anyone else 403 (with `message`, in Chinese).

    `test` takes the user and answers True or False; give it for gates that are more than a
    role. With neither `roles` nor `test` every signed-in user may open the page.
    """
    access = Access(roles=tuple(str(r) for r in roles), test=test, message=message)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not access.allows(request.user):
                raise PermissionDenied(access.message)
            return view(request, *args, **kwargs)

        wrapped.access = access
        return wrapped

    return decorator


def access_of(view) -> Access | None:
    """The declaration of `view` (kept through the decorators above it, which copy it)."""
    return getattr(view, "access", None)


def _admin_site_allows(user) -> bool:
    from django.contrib import admin

    request = HttpRequest()
    request.user = user
    return admin.site.has_permission(request)


def may_open(user, url_name: str, *args) -> bool:
    """True when `user` would get the page `url_name` (with `args`) rather than a refusal.

    The answer comes from the view's `role_required` declaration; the admin site answers with
    its own rule; a view without a declaration is open to every signed-in user. A URL name that
    does not resolve opens nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    try:
        match = resolve(reverse(url_name, args=args))
    except (NoReverseMatch, Resolver404):
        return False
    if "admin" in match.namespaces:
        return _admin_site_allows(user)
    access = access_of(match.func)
    if access is None:
        return True
    return access.allows(user)


def forget_access(user) -> None:
    """Drop the per-request answers, e.g. after changing memberships in a test."""
    user.__dict__.pop(_CACHE_KEY, None)
