"""The one way a module starts background work."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_tasks.base import Task

from .registry import is_registered


def enqueue_on_commit(task: Task, *args: Any, using: str | None = None, **kwargs: Any) -> None:
    """Queue `task(*args, **kwargs)` when the current transaction commits (at once outside one).

    A rolled-back change queues nothing, and the job never starts before the rows it reads are
    visible to the worker. Arguments must be JSON values (ids, not model instances).
    """
    if not is_registered(task):
        raise ImproperlyConfigured(
            f"任务 {task.module_path} 未用 zhengtong.jobs.registry.task 登记中文名称。"
        )
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), using=using, robust=False)
