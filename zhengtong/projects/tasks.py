"""Background tasks of the key projects (run by the worker's daily schedule)."""

from zhengtong.audit.context import acting
from zhengtong.jobs.registry import task

from .actions import milestones_evaluate, problems_escalate


@task("超期问题升级督办", retry_safe=True)
def escalate_problems() -> str:
    """What `manage.py escalate_problems` does: overdue problems → their 帮包 leaders."""
    with acting(channel="job"):
        problems = problems_escalate()
    return (
        f"已升级督办 {len(problems)} 个超期问题。" if problems else "没有需要升级督办的超期问题。"
    )


@task("更新项目节点状态", retry_safe=True)
def evaluate_milestones() -> str:
    """What `manage.py evaluate_milestones` does: milestones past due without a date → notMet."""
    with acting(channel="job"):
        changed = milestones_evaluate()
    return f"更新了 {len(changed)} 个节点的状态。" if changed else "节点状态均已是最新。"
