from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "zhengtong.services"
    verbose_name = "一站式服务"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register_sources
        from zhengtong.workdays import recompute

        from .due_dates import recompute_cases, recompute_rectifications
        from .inbox import case_sources, rectification_sources
        from .online_selectors import online_sources

        register_sources(case_sources)
        register_sources(rectification_sources)
        register_sources(online_sources)
        recompute.register(recompute_cases)
        recompute.register(recompute_rectifications)
