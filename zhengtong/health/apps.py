from django.apps import AppConfig
from django.core import checks


class HealthConfig(AppConfig):
    name = "zhengtong.health"
    verbose_name = "运行状态"

    def ready(self) -> None:
        from .checks import cjk_font_check

        checks.register(cjk_font_check)
