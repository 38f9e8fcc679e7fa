"""Load the demo: the zone's org tree, one account per role, the 44 key projects of this year,
the 刘集镇 one-stop hall with a few months of cases and the township's floating-population
office (households, people on the move, pregnancies, follow-ups, check-ups, 计生助福) with its
last three weeks of 计生采风, and the zone's livelihood and welfare ledgers of this year
(demo/livelihood.py).

Running it again creates nothing: every row is looked up by its natural key first.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from zhengtong.accounts.models import User
from zhengtong.audit.context import acting
from zhengtong.demo.livelihood import LivelihoodBuilder
from zhengtong.demo.online import build_online
from zhengtong.demo.org import build_accounts, build_admin, build_units
from zhengtong.demo.population import PopulationBuilder
from zhengtong.demo.projects import DemoBuilder
from zhengtong.demo.services import HallBuilder
from zhengtong.demo.weekly import build_weekly_posts
from zhengtong.lib.money import format_yuan
from zhengtong.lib.periods import year_period
from zhengtong.people.models import Person
from zhengtong.population.models import FollowUp
from zhengtong.projects.models import KeyProject
from zhengtong.reports.report import summary
from zhengtong.services.models import Application
from zhengtong.workdays import year_status


class Command(BaseCommand):
    help = (
        "载入演示数据:组织机构、各角色演示账号、本年度 44 个重点项目及其月报、节点、资金和问题,"
        "刘集镇便民服务中心的窗口岗位、值班、近几个月的办件和评价,"
        "刘集镇各村的家庭户、流动人口、孕产期、随访、查体和计生助福,刘集镇计生办近三周的计生采风,"
        "以及开发区本年度的就业、贷款、见习、培训、学校安全检查、能力评估、护理补贴和救助台账。"
    )

    def handle(self, *args, **options) -> None:
        with acting(channel="command"), transaction.atomic():
            units = build_units()
            admin = build_admin(units)
            users = build_accounts(actor=admin, units=units)
            builder = DemoBuilder(admin=admin, users=users, units=units)
            made = builder.build()
            hall = HallBuilder(admin=admin, units=units)
            for kind, n in hall.build(users).counts.items():
                made.add(kind, n)
            made.add("网上申请", build_online(hall.hall))
            population = PopulationBuilder(units=units, users=users)
            for kind, n in population.build().counts.items():
                made.add(kind, n)
            for kind, n in build_weekly_posts(units=units, users=users).counts.items():
                made.add(kind, n)
            livelihood = LivelihoodBuilder(units=units, users=users)
            for kind, n in livelihood.build().counts.items():
                made.add(kind, n)
        for warning in builder.warnings:
            self.stderr.write(self.style.WARNING(warning))
        for year in (builder.year, builder.year + 1):
            projects = KeyProject.objects.on_list(year)
            sums = projects.aggregate(total=Sum("total_investment"), annual=Sum("annual_plan"))
            example = "(示例)" if year != builder.year else ""
            self.stdout.write(
                f"{year} 年重点项目清单 {projects.count()} 个,总投资 {format_yuan(sums['total'])},"
                f"年度计划投资 {format_yuan(sums['annual'])}{example}。"
            )
        cases = Application.objects.filter(org_unit=hall.hall)
        self.stdout.write(
            f"{hall.hall.name}便民服务中心办件 {cases.count()} 件,其中办理中 "
            f"{cases.filter(status__in=Application.OPEN_STATUSES).count()} 件。"
        )
        persons = Person.objects.filter(org_unit__parent=hall.hall)
        self.stdout.write(
            f"{hall.hall.name}各村人员 {persons.count()} 人,待随访 "
            f"{FollowUp.objects.filter(plan__org_unit__parent=hall.hall, status='scheduled').count()}"
            " 次。"
        )
        year = livelihood.year
        figures = summary(User.objects.get(username="leader"), year_period(year))
        self.stdout.write(
            f"{year} 年城镇新增就业 {figures['new_urban_jobs']} 人,困难人员再就业 "
            f"{figures['reemployed_hard_to_employ']} 人,农村劳动力转移 "
            f"{figures['rural_labour_transferred']} 人;救助困难家庭 {figures['relief_households']} "
            f"户、孤儿 {figures['relief_orphans']} 名,救助金 "
            f"{format_yuan(figures['relief_total_yuan'])}。"
        )
        self.stdout.write(calendar_line(timezone.localdate().year))
        if made.counts:
            created = "、".join(f"{kind} {n}" for kind, n in made.counts.items() if n)
            self.stdout.write(self.style.SUCCESS(f"本次新建:{created}。"))
        else:
            self.stdout.write("演示数据已是最新,本次未新建任何记录。")


def calendar_line(year: int) -> str:
    """Which years are official and which provisional, and how many due dates are 暂定."""
    from zhengtong.livelihood.models import Hazard, Loan
    from zhengtong.projects.models import Problem
    from zhengtong.services.models import Rectification

    status = {y: year_status(y) for y in (year, year + 1)}
    provisional = (
        Application.objects.filter(due_provisional=True).count()
        + Rectification.objects.filter(due_provisional=True).count()
        + Problem.objects.filter(due_provisional=True).count()
        + Hazard.objects.filter(due_provisional=True).count()
        + Loan.objects.filter(next_step_due_provisional=True).count()
    )
    words = "、".join(
        f"{y} 年为{'正式' if s == 'official' else '暂定'}年份" for y, s in status.items()
    )
    return (
        f"工作日历:{words};暂定期限 {provisional} 项"
        "(国务院办公厅通知发布后在“工作日历 → 录入国务院节假日安排通知”粘贴全文即转为正式)。"
    )
