from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "zhengtong.jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        # Every app's tasks.py is imported once, so the registry knows every task's Chinese
        # name (the admin page) and the worker can run any of them.
        autodiscover_modules("tasks")
