from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "zhengtong.population"
    verbose_name = "流动人口与随访"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register_sources
        from zhengtong.workdays import recompute

        from .due_dates import (
            recompute_certificates,
            recompute_preconception_checks,
            recompute_referrals,
        )
        from .inbox import inbox_sources

        register_sources(inbox_sources)
        recompute.register(recompute_referrals)
        recompute.register(recompute_certificates)
        recompute.register(recompute_preconception_checks)

        from .digest import register_digest

        register_digest()
