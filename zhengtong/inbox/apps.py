from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "zhengtong.inbox"
    verbose_name = "我的待办"

    def ready(self) -> None:
        from .reminders import connect_close_hooks

        connect_close_hooks()
