"""(Re)load holiday data from the chinesecalendar package: `manage.py load_holidays [--year Y]`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhengtong.audit.context import acting
from zhengtong.workdays.actions import calendar_year_load
from zhengtong.workdays.models import CalendarYear
from zhengtong.workdays.seed import package_years
from zhengtong.workdays.signals import holidays_loaded


class Command(BaseCommand):
    help = "从 chinesecalendar 软件包(重新)载入节假日与调休数据;可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="只载入这一年(可多次指定)")
        parser.add_argument(
            "--discard-overrides",
            action="store_true",
            help="同时覆盖管理员手工维护的日期(默认保留)",
        )

    def handle(self, *args, year=None, discard_overrides=False, **options):
        years = year or package_years()
        loaded: list[int] = []
        with acting(channel="command"):
            try:
                for y in years:
                    try:
                        result = calendar_year_load(year=y, discard_overrides=discard_overrides)
                    except ValidationError as exc:
                        raise CommandError(" ".join(exc.messages)) from None
                    loaded.append(y)
                    self.stdout.write(
                        f"{y} 年:新增 {result.created},更新 {result.updated},"
                        f"删除 {result.deleted},保留手工维护 {result.kept_overrides}"
                    )
            finally:
                # The years loaded before a failure are committed: announce them too, so the
                # cases waiting for them get their due dates.
                if loaded:
                    holidays_loaded.send(sender=CalendarYear, years=loaded, actor=None)
