from django.apps import AppConfig


class LivelihoodConfig(AppConfig):
    name = "zhengtong.livelihood"
    verbose_name = "就业与教育安全"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register_sources
        from zhengtong.workdays import recompute

        from .due_dates import recompute_hazards, recompute_loans
        from .inbox import hazard_sources, kindergarten_sources, loan_sources

        register_sources(loan_sources)
        register_sources(hazard_sources)
        register_sources(kindergarten_sources)
        recompute.register(recompute_hazards)
        recompute.register(recompute_loans)
