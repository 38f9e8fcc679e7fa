from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "zhengtong.projects"
    verbose_name = "重点项目"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register_sources
        from zhengtong.workdays import recompute

        from . import checks  # noqa: F401  (registers the system checks)
        from .due_dates import recompute_problems
        from .inbox import check_sources, problem_sources, report_sources

        register_sources(problem_sources)
        register_sources(report_sources)
        register_sources(check_sources)
        recompute.register(recompute_problems)
