from django.apps import AppConfig


def fill_due_dates_on_holidays_loaded(sender, *, years, actor=None, **kwargs) -> None:
    """A year's holiday data arrived: give the cases waiting for it their due dates."""
    from .actions import applications_fill_due_dates

    applications_fill_due_dates(actor=actor)


class ServicesConfig(AppConfig):
    name = "zhengtong.services"
    verbose_name = "一站式服务"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register
        from zhengtong.workdays.signals import holidays_loaded

        from .inbox import case_items, rectification_items

        register(case_items)
        register(rectification_items)
        holidays_loaded.connect(
            fill_due_dates_on_holidays_loaded, dispatch_uid="services_fill_due_dates"
        )
