from django.apps import AppConfig


class WelfareConfig(AppConfig):
    name = "zhengtong.welfare"
    verbose_name = "养老护理补贴与救助"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register_sources

        from .inbox import inbox_sources

        register_sources(inbox_sources)
