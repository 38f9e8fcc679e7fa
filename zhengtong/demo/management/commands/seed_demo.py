"""Load the demo: the zone's org tree, one account per role and the 44 key projects of this year.

Running it again creates nothing: every row is looked up by its natural key first.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Sum

from zhengtong.audit.context import acting
from zhengtong.demo.org import build_accounts, build_admin, build_units
from zhengtong.demo.projects import DemoBuilder
from zhengtong.lib.money import format_yuan
from zhengtong.projects.models import KeyProject


class Command(BaseCommand):
    help = "载入演示数据:组织机构、各角色演示账号、本年度 44 个重点项目及其月报、节点、资金和问题。"

    def handle(self, *args, **options) -> None:
        with acting(channel="command"), transaction.atomic():
            units = build_units()
            admin = build_admin(units)
            users = build_accounts(actor=admin, units=units)
            builder = DemoBuilder(admin=admin, users=users, units=units)
            made = builder.build()
        for warning in builder.warnings:
            self.stderr.write(self.style.WARNING(warning))
        projects = KeyProject.objects.filter(year=builder.year)
        sums = projects.aggregate(total=Sum("total_investment"), annual=Sum("annual_plan"))
        self.stdout.write(
            f"{builder.year} 年重点项目 {projects.count()} 个,总投资 {format_yuan(sums['total'])},"
            f"年度计划投资 {format_yuan(sums['annual'])}。"
        )
        if made.counts:
            created = "、".join(f"{kind} {n}" for kind, n in made.counts.items() if n)
            self.stdout.write(self.style.SUCCESS(f"本次新建:{created}。"))
        else:
            self.stdout.write("演示数据已是最新,本次未新建任何记录。")
