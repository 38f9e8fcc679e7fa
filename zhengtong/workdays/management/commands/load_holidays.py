"""Load holiday data: from the chinesecalendar package (`load_holidays [--year Y]`), or from the
text of the State Council's notice (`load_holidays --notice FILE [--dry-run]`)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhengtong.audit.context import acting
from zhengtong.workdays.actions import (
    calendar_year_confirm,
    calendar_year_load,
    deadlines_recompute,
)
from zhengtong.workdays.models import CalendarYear
from zhengtong.workdays.notice import NoticeError, parse_notice
from zhengtong.workdays.seed import package_years
from zhengtong.workdays.signals import holidays_loaded


class Command(BaseCommand):
    help = (
        "从 chinesecalendar 软件包(重新)载入节假日与调休数据;或用 --notice 读取国务院办公厅"
        "节假日安排通知的文本,将该年保存为正式年份(--dry-run 只解析不保存)。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="只载入这一年(可多次指定)")
        parser.add_argument(
            "--discard-overrides",
            action="store_true",
            help="同时覆盖管理员手工维护的日期(默认保留)",
        )
        parser.add_argument("--notice", help="国务院办公厅节假日安排通知的文本文件(UTF-8)")
        parser.add_argument(
            "--dry-run", action="store_true", help="与 --notice 同用:只解析并列出日期,不保存"
        )

    def handle(self, *args, year=None, discard_overrides=False, notice=None, **options):
        if notice:
            return self.load_notice(notice, year=year, dry_run=options["dry_run"])
        if options["dry_run"]:
            raise CommandError("--dry-run 只能与 --notice 同用。")
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
                # The years loaded before a failure are committed: the open due dates counting
                # days in them follow at once.
                if loaded:
                    with transaction.atomic():
                        moved = deadlines_recompute(years=loaded, actor=None)
                    holidays_loaded.send(sender=CalendarYear, years=loaded, actor=None)
                    if moved:
                        self.stdout.write(f"重新计算期限 {len(moved)} 项。")

    def load_notice(self, path: str, *, year, dry_run: bool) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取通知文件 {path}:{exc}") from None
        if year and len(year) > 1:
            raise CommandError("--notice 只能对应一个 --year。")
        try:
            parsed = parse_notice(text, year=year[0] if year else None)
        except NoticeError as exc:
            raise CommandError(str(exc)) from None
        for day in parsed.days:
            self.stdout.write(f"{day.date.isoformat()} {day.mark}")
        if dry_run:
            self.stdout.write(parsed.summary() + "(试运行,未保存)")
            return
        with acting(channel="command"):
            result = calendar_year_confirm(parsed=parsed, actor=None, note="国务院办公厅通知")
        self.stdout.write(
            parsed.summary() + f"已保存为正式年份;重新计算期限 {len(result.recomputed)} 项,"
            f"其中日期变化 {len(result.moved)} 项。"
        )
