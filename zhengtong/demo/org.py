"""The demo's org tree and its people: one account per role, all with the password DEMO_PASSWORD.

Every unit is found by its code and every user by their username, so building them twice
creates nothing new. Each row created is recorded in the audit log.
"""

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.audit.actions import record_event, snapshot
from zhengtong.audit.models import Event

DEMO_PASSWORD = "Demo@2026"

K = OrgUnit.Kind
CITY = "371500"
ZONE = "ZONE"
COUNTY = "371524"
TOWN = "LIUJI"
ZT_COMPANY = "CO-ZTKC"

# (code, name, kind, parent code). Parents come before their children.
UNITS = [
    (CITY, "聊城市", K.CITY, None),
    (ZONE, "聊城经济技术开发区", K.ZONE, CITY),
    ("ZONE-ZDXM", "重点项目办公室", K.DEPARTMENT, ZONE),
    ("ZONE-JFJ", "经济发展局", K.DEPARTMENT, ZONE),
    ("ZONE-JSJ", "建设管理局", K.DEPARTMENT, ZONE),
    ("ZONE-CZJ", "财政局", K.DEPARTMENT, ZONE),
    ("ZONE-SHSY", "社会事业局", K.DEPARTMENT, ZONE),
    ("ZONE-MZJ", "民政局", K.DEPARTMENT, ZONE),
    ("ZONE-JYJ", "教育局", K.DEPARTMENT, ZONE),
    (COUNTY, "东阿县", K.COUNTY, CITY),
    (TOWN, "刘集镇", K.TOWN, COUNTY),
    ("LIUJI-LJ", "刘集村", K.VILLAGE, TOWN),
    ("LIUJI-E", "东村", K.VILLAGE, TOWN),
    ("LIUJI-W", "西村", K.VILLAGE, TOWN),
]

# The project units (项目单位): one company per owner, under the zone.
COMPANIES = {
    ZT_COMPANY: "中通客车控股股份有限公司",
    "CO-DLDC": "聊城新能源动力电池有限公司",
    "CO-ZYC": "聊城新能源专用车有限公司",
    "CO-WHTL": "万合铜铝有限公司",
    "CO-LBDB": "聊城铝业精深加工有限公司",
    "CO-TJCL": "聊城铜基新材料有限公司",
    "CO-SWYY": "聊城生物医药产业园开发有限公司",
    "CO-ZYYP": "聊城中药制药有限公司",
    "CO-YLQX": "聊城医疗器械科技有限公司",
    "CO-BIPV": "聊城光伏幕墙科技有限公司",
    "CO-FHCL": "聊城复合材料有限公司",
    "CO-ZNNJ": "聊城智能农机装备有限公司",
    "CO-JMZC": "聊城精密轴承有限公司",
    "CO-SKJC": "聊城数控装备有限公司",
    "CO-DSCY": "聊城电子商务产业园管理有限公司",
    "CO-ZNZD": "聊城智能终端科技有限公司",
    "CO-DSJ": "聊城云计算数据有限公司",
    "CO-NCP": "聊城农产品物流有限公司",
    "CO-SPCY": "聊城食品产业园开发有限公司",
    "CO-LLWL": "聊城冷链物流有限公司",
    "CO-CBD": "聊城经开区中央商务区开发建设有限公司",
    "CO-HXMKL": "聊城红星美凯龙家居有限公司",
    "CO-YWSPC": "聊城义乌小商品城有限公司",
    "CO-DDZY": "聊城当代置业有限公司",
    "CO-HZZX": "聊城国际会展中心有限公司",
    "CO-YRJD": "聊城御润酒店管理有限公司",
    "CO-XDWL": "聊城经开区现代物流有限公司",
    "CO-BSWL": "聊城保税物流中心有限公司",
    "CO-CT": "聊城经开区城市建设投资有限公司",
    "CO-SW": "聊城经开区水务有限公司",
    "CO-JYFZ": "聊城经开区教育发展有限公司",
    "CO-SHSY": "聊城经开区社会事业发展有限公司",
}


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: one role in one unit. `sees` is what demo_accounts and the README say
    the account's menu and lists show."""

    username: str
    full_name: str
    post: str
    role: str
    unit: str
    sees: str
    superuser: bool = False


ACCOUNTS = [
    DemoAccount(
        "leader",
        "王建国",
        "开发区党工委书记",
        Role.LEADER,
        ZONE,
        "全区 44 个重点项目、领导驾驶舱、问题台账、引导资金、城建工程;“我帮包的项目”列出本人帮包的项目",
    ),
    DemoAccount(
        "leader2",
        "李文华",
        "开发区管委会副主任",
        Role.LEADER,
        ZONE,
        "与 leader 相同的全区视图;帮包另一批项目",
    ),
    DemoAccount(
        "office",
        "赵明",
        "重点项目办主任",
        Role.PROJECT_OFFICE,
        ZONE,
        "全区项目的登记、阶段、帮包领导、月报、节点、问题台账、资金安排与拨付、台账导入导出",
    ),
    DemoAccount(
        "liaison",
        "钱立新",
        "中通客车项目联络员",
        Role.LIAISON,
        ZT_COMPANY,
        "只看到本单位(中通客车)的项目,填报月度进度、提出问题",
    ),
    DemoAccount(
        "auditor",
        "周审计",
        "审计员",
        Role.AUDITOR,
        ZONE,
        "审计日志:谁在何时从何处改了什么(改前改后),不能修改任何业务数据",
    ),
    DemoAccount(
        "admin",
        "吴管理",
        "系统管理员",
        Role.ADMIN,
        CITY,
        "系统管理后台、工作日历维护;按设计看不到业务数据,除非另行授予角色",
        superuser=True,
    ),
    DemoAccount(
        "clerk",
        "郑经办",
        "社会事业局经办人",
        Role.DEPT_CLERK,
        "ZONE-SHSY",
        "我的待办:分派给社会事业局的问题;看不到项目台账",
    ),
]


def _record_created(actor, obj, fields, org_unit=None) -> None:
    record_event(
        actor=actor,
        action=f"{obj._meta.model_name}_created",
        target=obj,
        kind=Event.Kind.CREATE,
        changes={k: [None, v] for k, v in snapshot(obj, fields).items()},
        org_unit=org_unit,
    )


@transaction.atomic
def ensure_unit(*, actor, code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
    """The unit with `code`, created under `parent` when missing."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is not None:
        return unit
    unit = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent)
    _record_created(actor, unit, ["code", "name", "kind", "parent"], org_unit=unit)
    return unit


def build_units(*, actor=None) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for code, name, kind, parent in UNITS:
        units[code] = ensure_unit(
            actor=actor, code=code, name=name, kind=kind, parent=units.get(parent)
        )
    for code, name in COMPANIES.items():
        units[code] = ensure_unit(
            actor=actor, code=code, name=name, kind=K.COMPANY, parent=units[ZONE]
        )
    return units


@transaction.atomic
def ensure_user(
    *,
    actor,
    username: str,
    full_name: str,
    post: str = "",
    memberships=(),
    superuser: bool = False,
    password: str = DEMO_PASSWORD,
) -> User:
    """The user `username` with the given memberships; an existing user is left as found."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            full_name=full_name,
            post=post,
            is_staff=superuser,
            is_superuser=superuser,
        )
        validate_password(password, user)
        user.set_password(password)
        user.save()
        _record_created(actor, user, ["username", "full_name", "post", "is_staff", "is_superuser"])
    for role, unit in memberships:
        if not Membership.objects.filter(user=user, role=role, org_unit=unit).exists():
            membership = Membership.objects.create(user=user, role=role, org_unit=unit)
            _record_created(actor, membership, ["user", "org_unit", "role"], org_unit=unit)
    return user


def build_admin(units: dict[str, OrgUnit]) -> User:
    """The administrator comes first: every later row is recorded as created by them."""
    account = next(a for a in ACCOUNTS if a.username == "admin")
    return ensure_user(
        actor=None,
        username=account.username,
        full_name=account.full_name,
        post=account.post,
        memberships=[(account.role, units[account.unit])],
        superuser=True,
    )


def build_accounts(*, actor, units: dict[str, OrgUnit]) -> dict[str, User]:
    return {
        a.username: ensure_user(
            actor=actor,
            username=a.username,
            full_name=a.full_name,
            post=a.post,
            memberships=[(a.role, units[a.unit])],
            superuser=a.superuser,
        )
        for a in ACCOUNTS
    }
