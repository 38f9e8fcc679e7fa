from django.apps import AppConfig


class WelfareConfig(AppConfig):
    name = "zhengtong.welfare"
    verbose_name = "养老护理补贴与救助"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register

        from .inbox import inbox_items

        register(inbox_items)
