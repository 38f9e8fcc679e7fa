from .models import Role
from .scope import unit_paths


def navigation(request):
    """Which menu entries the signed-in user gets; the pages themselves check access again."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = {r for r in Role.values if unit_paths(user, [r])}
    return {"nav_roles": roles}
