"""The one door for "who sees what".

Every list, detail, API, export and count filters its queryset through `scope()`. A user sees
the rows whose org unit lies in the subtree of a unit where the user holds one of the roles the
caller names; nothing else, never a sibling's subtree. Superusers are not special here: a
system administrator configures the system and sees no personal data unless given a role.
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Q, QuerySet

from .models import Membership, Role

_QS = TypeVar("_QS", bound=QuerySet[Any, Any])


def _memberships(user) -> list[tuple[str, str, str]]:
    """(role, unit path, unit kind) of each of the user's memberships, read once per request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = user.__dict__.setdefault("_scope_memberships", None)
    if cache is None:
        cache = list(
            Membership.objects.filter(user=user).values_list(
                "role", "org_unit__path", "org_unit__kind"
            )
        )
        user.__dict__["_scope_memberships"] = cache
    return cache


def unit_kinds(user, roles: Iterable[str]) -> set[str]:
    """The kinds of the units where `user` holds any of `roles` (no query after the first)."""
    wanted = set(roles)
    return {kind for role, _path, kind in _memberships(user) if role in wanted}


def unit_paths(user, roles: Iterable[str]) -> list[str]:
    """Paths of the units where `user` holds any of `roles`, without nested duplicates."""
    wanted = set(roles)
    paths = sorted({path for role, path, _kind in _memberships(user) if role in wanted})
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def has_role(user, *roles: str) -> bool:
    return bool(unit_paths(user, roles))


def scope_q(user, roles: Iterable[str], *, via: str = "org_unit") -> Q:
    """A Q object matching rows whose `via` org unit lies under one of the user's units."""
    paths = unit_paths(user, roles)
    if not paths:
        return Q(pk__in=[])
    # via="" scopes OrgUnit rows themselves.
    lookup = f"{via}__path__startswith" if via else "path__startswith"
    q = Q()
    for path in paths:
        q |= Q(**{lookup: path})
    return q


def scope(queryset: _QS, user, roles: Iterable[str], *, via: str = "org_unit") -> _QS:
    """Filter `queryset` to what `user` may see through `roles` (see module docstring)."""
    return queryset.filter(scope_q(user, roles, via=via))


def can_act_in(user, org_unit, roles: Iterable[str]) -> bool:
    """True when `org_unit` lies under a unit where the user holds one of `roles`."""
    if org_unit is None:
        return False
    return any(org_unit.path.startswith(p) for p in unit_paths(user, roles))


def forget(user) -> None:
    """Drop the per-request membership cache, e.g. after changing memberships in a test."""
    user.__dict__.pop("_scope_memberships", None)
    # The answers of permissions.role_required tests rest on the memberships too.
    user.__dict__.pop("_access_tests", None)


ALL_STAFF_ROLES = [r.value for r in Role]
