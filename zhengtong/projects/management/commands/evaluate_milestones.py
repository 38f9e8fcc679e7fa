from django.core.management.base import BaseCommand

from zhengtong.audit.context import acting
from zhengtong.projects.actions import milestones_evaluate


class Command(BaseCommand):
    help = "按今天的日期更新项目节点状态(计划中/已达成/未按期达成,每日运行)。"

    def handle(self, *args, **options) -> None:
        with acting(channel="command"):
            changed = milestones_evaluate()
        if not changed:
            self.stdout.write("节点状态均已是最新。")
            return
        self.stdout.write(f"更新了 {len(changed)} 个节点的状态:")
        for milestone in changed:
            self.stdout.write(
                f"  {milestone.project.name} {milestone.get_code_display()}:"
                f"{milestone.get_status_display()}"
            )
