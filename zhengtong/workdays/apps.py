from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "zhengtong.workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register, register_sources

        from .inbox import moved_deadline_sources, provisional_year_items

        register_sources(moved_deadline_sources)
        register(provisional_year_items)
