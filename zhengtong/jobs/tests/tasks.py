"""Tasks the tests run in a real worker process (imported by the worker through the job's path)."""

import pathlib
import time

from zhengtong.jobs.registry import task


@task("测试:等待后完成")
def wait_then_finish(marker: str, seconds: float) -> str:
    pathlib.Path(marker).write_text("started", encoding="utf-8")
    time.sleep(seconds)
    return "完成"


@task("测试:可重试的等待", retry_safe=True)
def retry_safe_wait(marker: str, seconds: float) -> str:
    """The first attempt waits (to be killed); a second attempt finishes at once."""
    path = pathlib.Path(marker)
    if path.exists():
        return "第二次尝试完成"
    path.write_text("started", encoding="utf-8")
    time.sleep(seconds)
    return "完成"


@task("测试:记下参数")
def note(value: str) -> str:
    return f"收到 {value}"


@task("测试:出错")
def explode(message: str) -> None:
    raise ValueError(message)
