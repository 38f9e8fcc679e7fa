"""Daily job of the population work (run it once a day, e.g. from cron at 01:00).

Opens the quarter's expected contraception reports for the women away, and turns the reports
still missing after their period into tasks. Running it twice on a day changes nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhengtong.audit.context import acting

from ...actions.followups import (
    contraception_reports_close_period,
    contraception_reports_open_period,
)


class Command(BaseCommand):
    help = "每日任务:生成本季度应寄回的避孕节育报告单,报告期结束未寄回的转为待办。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="按指定日期运行(YYYY-MM-DD),默认今天")

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today 应为 YYYY-MM-DD 格式的日期。") from None
        with acting(channel="population_daily"):
            opened = contraception_reports_open_period(today=today)
            closed = contraception_reports_close_period(today=today)
        self.stdout.write(
            f"{today:%Y-%m-%d}: 新增应寄回报告单 {len(opened)} 份,转为待办 {len(closed)} 份。"
        )
