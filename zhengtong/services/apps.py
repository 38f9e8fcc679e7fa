from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "zhengtong.services"
    verbose_name = "一站式服务"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register

        from .inbox import case_items, rectification_items

        register(case_items)
        register(rectification_items)
