from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "zhengtong.workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register

        from .inbox import moved_deadline_items, provisional_year_items

        register(moved_deadline_items)
        register(provisional_year_items)
