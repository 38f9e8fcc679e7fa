"""Django system checks of the machine itself: the server refuses to start without them."""

from django.core import checks

from zhengtong.lib.fonts import FONT_PACKAGE, MISSING_FONT_MESSAGE, cjk_font_files


def cjk_font_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Without a CJK font every PDF and portrait prints boxes instead of Chinese."""
    if cjk_font_files():
        return []
    return [
        checks.Error(
            MISSING_FONT_MESSAGE,
            hint=f"apt-get install {FONT_PACKAGE}",
            id="zhengtong.E001",
        )
    ]
