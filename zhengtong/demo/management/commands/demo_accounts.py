"""Print the demo accounts: username, password, role, unit and what each one sees."""

import unicodedata

from django.core.management.base import BaseCommand

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.demo.org import ACCOUNTS, DEMO_PASSWORD


def width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


class Command(BaseCommand):
    help = "列出演示账号:用户名、密码、角色、所在单位和能看到的内容。"

    def handle(self, *args, **options) -> None:
        names = dict(
            OrgUnit.objects.filter(code__in=[a.unit for a in ACCOUNTS]).values_list("code", "name")
        )
        header = ["用户名", "密码", "角色", "所在单位"]
        rows = [
            [a.username, DEMO_PASSWORD, str(Role(a.role).label), names.get(a.unit, a.unit)]
            for a in ACCOUNTS
        ]
        columns = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        self.stdout.write("演示账号(密码相同):")
        for row, account in zip([header, *rows], [None, *ACCOUNTS], strict=True):
            line = "  ".join(pad(cell, columns[i]) for i, cell in enumerate(row))
            sees = account.sees if account else "能看到的内容"
            self.stdout.write(f"  {line}  {sees}")
