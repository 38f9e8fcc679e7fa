"""Reads of key projects shared by several views, and the access checks that guard them."""

from django.db.models import QuerySet
from django.http import Http404

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import has_role, scope

VIEW_ROLES = [Role.LEADER, Role.PROJECT_OFFICE, Role.LIAISON]
MANAGE_ROLES = [Role.PROJECT_OFFICE]


def projects_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Leaders and the key-project office see their zone; a liaison sees their unit's projects."""
    from .models import KeyProject

    qs = queryset if queryset is not None else KeyProject.objects.all()
    return scope(qs, user, VIEW_ROLES)


def get_project_for_user(user, pk) -> "KeyProject":  # noqa: F821
    try:
        return projects_visible_to(user).get(pk=pk)
    except (ValueError, TypeError):
        raise Http404 from None
    except Exception as exc:  # DoesNotExist
        if exc.__class__.__name__ == "DoesNotExist":
            raise Http404 from None
        raise


def can_manage_projects(user) -> bool:
    return has_role(user, *MANAGE_ROLES)
