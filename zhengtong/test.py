"""Named people and org units every test can use, created once per test class.

The tree: 聊城市 → 聊城经济技术开发区 (zone) → 经发局 (department), 社会事业局, 民政局,
and two project units 中通客车 and 万合铜铝; 东阿县 → 刘集镇 → 东村 and 西村.
"""

from django.db import connection
from django.test import TestCase

from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.lib.idcard import make_id_number  # noqa: F401  (re-exported for tests)

# What one audit row adds to a page's query count: a savepoint, the chain's advisory lock
# (PostgreSQL only; SQLite writers are serialised by BEGIN IMMEDIATE), the chain head, the
# insert and the release.
AUDIT_ROW_QUERIES = 5 if connection.vendor == "postgresql" else 4

PASSWORD = "Zt-test-2026!"


def make_unit(name, code, kind, parent=None) -> OrgUnit:
    return OrgUnit.objects.create(name=name, code=code, kind=kind, parent=parent)


def make_user(username, *, full_name="", memberships=(), **extra) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, full_name=full_name or username, **extra
    )
    for role, unit in memberships:
        Membership.objects.create(user=user, role=role, org_unit=unit)
    return user


class BaseTestCase(TestCase):
    """People: leader (区领导, zone), office (重点项目办, zone), liaison (中通客车),
    other_liaison (万合铜铝), auditor (zone), admin (系统管理员, city, superuser),
    clerk (部门经办, 社会事业局), outsider (村专干 of 东村, nothing in the zone)."""

    @classmethod
    def setUpTestData(cls) -> None:
        K = OrgUnit.Kind
        cls.city = make_unit("聊城市", "371500", K.CITY)
        cls.zone = make_unit("聊城经济技术开发区", "ZONE", K.ZONE, cls.city)
        cls.dept = make_unit("经济发展局", "ZONE-JFJ", K.DEPARTMENT, cls.zone)
        cls.social = make_unit("社会事业局", "ZONE-SHSY", K.DEPARTMENT, cls.zone)
        cls.company = make_unit("中通客车控股股份有限公司", "CO-ZT", K.COMPANY, cls.zone)
        cls.other_company = make_unit("万合铜铝有限公司", "CO-WH", K.COMPANY, cls.zone)
        cls.county = make_unit("东阿县", "371524", K.COUNTY, cls.city)
        cls.town = make_unit("刘集镇", "LIUJI", K.TOWN, cls.county)
        cls.east_village = make_unit("东村", "LIUJI-E", K.VILLAGE, cls.town)
        cls.west_village = make_unit("西村", "LIUJI-W", K.VILLAGE, cls.town)

        cls.leader = make_user("leader", full_name="王区长", memberships=[(Role.LEADER, cls.zone)])
        cls.second_leader = make_user(
            "leader2", full_name="李副区长", memberships=[(Role.LEADER, cls.zone)]
        )
        cls.office = make_user(
            "office", full_name="赵主任", memberships=[(Role.PROJECT_OFFICE, cls.zone)]
        )
        cls.liaison = make_user(
            "liaison", full_name="钱联络", memberships=[(Role.LIAISON, cls.company)]
        )
        cls.other_liaison = make_user(
            "liaison2", full_name="孙联络", memberships=[(Role.LIAISON, cls.other_company)]
        )
        cls.auditor = make_user(
            "auditor", full_name="周审计", memberships=[(Role.AUDITOR, cls.zone)]
        )
        cls.admin = make_user(
            "admin",
            full_name="吴管理",
            memberships=[(Role.ADMIN, cls.city)],
            is_staff=True,
            is_superuser=True,
        )
        cls.clerk = make_user(
            "clerk", full_name="郑经办", memberships=[(Role.DEPT_CLERK, cls.social)]
        )
        cls.outsider = make_user(
            "outsider", full_name="冯专干", memberships=[(Role.VILLAGE_WORKER, cls.east_village)]
        )
