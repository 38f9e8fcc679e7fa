"""Every background task and its Chinese name, like the audit action labels.

A task is declared with `task` below instead of django-tasks' own decorator, so it cannot exist
without a name:

    @task("升级超期问题", retry_safe=True)
    def escalate_problems() -> str: ...

`retry_safe` says that running the task again after it was cut off does no harm (it is
idempotent); the reaper then queues it once more instead of marking it failed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django_tasks import task as engine_task
from django_tasks.base import Task
from django_tasks.utils import get_module_path


@dataclass(frozen=True)
class TaskInfo:
    path: str
    label: str
    retry_safe: bool = False
    # Called with the job's arguments when the reaper marks it failed (its worker died and it
    # may not run again), so the record that waits for the job ends too.
    on_lost: Callable[..., Any] | None = None


TASKS: dict[str, TaskInfo] = {}


def task(
    label: str,
    *,
    retry_safe: bool = False,
    priority: int = 0,
    queue_name: str = "default",
    on_lost: Callable[..., Any] | None = None,
) -> Callable[[Callable[..., Any]], Task]:
    """Declare a background task with its Chinese name (`label`)."""

    def decorator(func: Callable[..., Any]) -> Task:
        declared: Task = engine_task(priority=priority, queue_name=queue_name)(func)
        path = get_module_path(func)
        TASKS[path] = TaskInfo(path=path, label=label, retry_safe=retry_safe, on_lost=on_lost)
        return declared

    return decorator


def info_for(path: str) -> TaskInfo | None:
    return TASKS.get(path)


def is_registered(declared: Task) -> bool:
    return declared.module_path in TASKS


def task_label(path: str) -> str:
    """The Chinese name of the task at `path`; a task no longer in the code reads as such."""
    found = TASKS.get(path)
    if found is not None:
        return found.label
    return f"未登记的任务({path.rsplit('.', 1)[-1]})"
