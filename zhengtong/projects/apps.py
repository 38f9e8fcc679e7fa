from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "zhengtong.projects"
    verbose_name = "重点项目"

    def ready(self) -> None:
        from zhengtong.inbox.registry import register
        from zhengtong.workdays import recompute

        from . import checks  # noqa: F401  (registers the system checks)
        from .due_dates import recompute_problems
        from .inbox import check_items, problem_items, report_items

        register(problem_items)
        register(report_items)
        register(check_items)
        recompute.register(recompute_problems)
