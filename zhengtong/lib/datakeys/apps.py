from django.apps import AppConfig


class DataKeysConfig(AppConfig):
    name = "zhengtong.lib.datakeys"
    label = "datakeys"
    verbose_name = "数据密钥"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the master key checks)
        from .keys import connect_signals

        connect_signals()
