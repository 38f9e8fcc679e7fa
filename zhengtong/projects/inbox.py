"""我的待办 entries of the key-project module: open problems of the 问题台账."""

from zhengtong.inbox.registry import InboxItem

from .selectors import problems_for_inbox


def problem_items(user) -> list[InboxItem]:
    """Open problems the user must see through: as 帮包 leader, office, or owning unit."""
    items = []
    for problem in problems_for_inbox(user):
        title = problem.title
        if problem.escalated_at:
            title = f"【已升级督办】{title}"
        items.append(
            InboxItem(
                kind="项目问题",
                title=title,
                url=problem.get_absolute_url(),
                due_on=problem.due_on,
                provisional=problem.due_provisional,
                subtitle=problem.project.name,
            )
        )
    return items
