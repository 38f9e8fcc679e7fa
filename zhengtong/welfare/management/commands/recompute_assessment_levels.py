from django.core.management.base import BaseCommand

from zhengtong.welfare.models import Assessment
from zhengtong.welfare.recompute import recompute


class Command(BaseCommand):
    help = "按 MZ/T 039-2013 等级变更规则重算全部能力评估,并标记等级有变化的评估。"

    def handle(self, *args, **options):
        changed = recompute(Assessment.objects.select_related("scale").order_by("id"))
        for a in changed:
            self.stdout.write(
                f"评估 {a.pk}:{a.level_changed_from} 级 → {a.level} 级({a.level_change_reason})"
            )
        self.stdout.write(f"共重算,等级变化 {len(changed)} 条。")
