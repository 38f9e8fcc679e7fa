"""Generate a city of townships, villages and residents for measuring the pages at scale."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from zhengtong.accounts.models import OrgUnit
from zhengtong.audit.context import acting
from zhengtong.demo import city
from zhengtong.rollups import triggers as rollup_triggers

STEPS = {
    "users": "账号",
    "persons": "居民",
    "projects": "项目",
    "cases": "办件",
    "followups": "随访",
    "audit": "审计",
    "analyze": "统计信息",
}


class Command(BaseCommand):
    help = (
        "生成一个城市规模的数据集,用于在大数据量下测量页面:"
        "默认 8 个县、每县 20 个镇、每镇 25 个村、每村 300 名居民(约 120 万人),"
        "其中一成登记在镇、其余在村;每 3 名村民一户;8% 的村民有流动记录"
        "(三分之二流出、三分之一流入,四分之一已返回);每村一名村专干、每镇一名窗口人员。"
        "另生成重点项目(月报、问题)、办件(评价、整改)、随访和审计事件,规模见各选项。"
        "--scale 按比例缩放镇数、村数和每村人数(各按立方根),以及项目、办件、随访和审计事件数"
        "(按比例)。分布详见 zhengtong/demo/city.py。"
    )

    def add_arguments(self, parser) -> None:
        default = city.CitySize()
        parser.add_argument("--scale", type=float, default=1.0, help="规模倍数,0.1 为十分之一")
        parser.add_argument("--counties", type=int, default=default.counties, help="县数")
        parser.add_argument(
            "--towns-per-county", type=int, default=default.towns_per_county, help="每县镇数"
        )
        parser.add_argument(
            "--villages-per-town", type=int, default=default.villages_per_town, help="每镇村数"
        )
        parser.add_argument(
            "--persons-per-village",
            type=int,
            default=default.persons_per_village,
            help="每村居民数",
        )
        parser.add_argument("--projects", type=int, default=default.projects, help="重点项目数")
        parser.add_argument("--cases", type=int, default=default.cases, help="办件数")
        parser.add_argument("--followups", type=int, default=default.followups, help="随访数")
        parser.add_argument(
            "--audit-events", type=int, default=default.audit_events, help="审计事件数"
        )
        parser.add_argument("--prefix", default="city", help="生成单位编码的前缀")
        parser.add_argument(
            "--parent",
            default="",
            help="把各县建在这个已有单位(编码)之下,而不是新建一个市;例如演示数据的 371500",
        )

    def handle(self, *args, **options) -> None:
        if options["scale"] <= 0:
            raise CommandError("规模倍数须大于 0。")
        prefix = options["prefix"]
        if OrgUnit.objects.filter(code=prefix).exists():
            raise CommandError(f"编码为“{prefix}”的单位已存在,请换一个 --prefix 或使用新数据库。")
        size = city.CitySize(
            counties=options["counties"],
            towns_per_county=options["towns_per_county"],
            villages_per_town=options["villages_per_town"],
            persons_per_village=options["persons_per_village"],
            projects=options["projects"],
            cases=options["cases"],
            followups=options["followups"],
            audit_events=options["audit_events"],
        ).scaled(options["scale"])
        parent = None
        if code := options["parent"]:
            parent = OrgUnit.objects.filter(code=code).first()
            if parent is None:
                raise CommandError(f"没有编码为“{code}”的单位。")
        started = time.perf_counter()
        with acting(channel="command"), transaction.atomic():
            with rollup_triggers.paused(connection):  # the summary tables counted at the end
                counts = city.CityBuilder(size, prefix=prefix, parent=parent).build()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"已生成:{counts.counties} 个县、{counts.towns} 个镇、{counts.villages} 个村、"
            f"{counts.persons} 名居民、{counts.households} 户、{counts.floating} 条流动记录、"
            f"{counts.users} 个账号;{counts.projects} 个重点项目、{counts.reports} 份月报、"
            f"{counts.problems} 个问题;{counts.cases} 件办件、{counts.ratings} 条评价;"
            f"{counts.followup_plans} 个随访计划、{counts.followups} 次随访;"
            f"{counts.audit_events} 条审计事件。用时 {seconds:.1f} 秒"
            f"({'、'.join(f'{STEPS[k]} {v:.1f} 秒' for k, v in counts.seconds.items())})。"
        )
