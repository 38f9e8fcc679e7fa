"""Count the summary tables again from the records and replace their content."""

from django.core.management.base import BaseCommand

from zhengtong.rollups import rebuild


class Command(BaseCommand):
    help = "重新按记录统计汇总表(办件、随访的日汇总和月汇总,办件承办人月汇总)。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="只比较,不改写:汇总表与按记录重新统计的结果不一致时以非零状态退出。",
        )

    def handle(self, *args, check: bool = False, **options):
        if check:
            found = rebuild.differences()
            if found:
                for line in found:
                    self.stdout.write(line)
                raise SystemExit(1)
            self.stdout.write("汇总表与记录一致。")
            return
        written = rebuild.rebuild()
        names = {
            "case_day": "办件日汇总",
            "case_unit_month": "办件月汇总",
            "case_month": "办件事项月汇总",
            "followup_day": "随访日汇总",
            "followup_month": "随访月汇总",
            "case_handler_month": "办件承办人月汇总",
        }
        parts = [f"{names[k]} {n} 行" for k, n in written.items()]
        self.stdout.write("已重新统计:" + "、".join(parts) + "。")
