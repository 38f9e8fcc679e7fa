from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "zhengtong.population"
    verbose_name = "流动人口与随访"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register

        from .inbox import inbox_items

        register(inbox_items)

        from .digest import register_digest

        register_digest()
