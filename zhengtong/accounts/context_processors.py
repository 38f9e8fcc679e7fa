from django.utils.functional import SimpleLazyObject

from zhengtong.lib.nav import menu_for


def navigation(request):
    """The menu of the signed-in user (zhengtong/lib/nav.py), built when a page draws it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": SimpleLazyObject(lambda: menu_for(user, request.path))}
