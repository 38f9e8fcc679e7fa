"""A task declared with the engine's own decorator, without a Chinese name (refused by the door)."""

from django_tasks import task


@task()
def nameless() -> None:
    pass
