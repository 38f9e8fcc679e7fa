from django.core.management.base import BaseCommand

from zhengtong.audit.context import acting
from zhengtong.projects.actions import problems_escalate


class Command(BaseCommand):
    help = "将超过办结期限仍未解决的项目问题升级至帮包领导督办(每日运行)。"

    def handle(self, *args, **options) -> None:
        with acting(channel="command"):
            problems = problems_escalate()
        if not problems:
            self.stdout.write("没有需要升级督办的超期问题。")
            return
        self.stdout.write(f"已升级督办 {len(problems)} 个超期问题:")
        for problem in problems:
            self.stdout.write(
                f"  {problem.project.name}:{problem.title}(期限 {problem.due_on:%Y-%m-%d})"
            )
