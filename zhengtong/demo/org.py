"""The demo's org tree and its people: one account per role, all with the password DEMO_PASSWORD.

Every unit is found by its code and every user by their username, so building them twice
creates nothing new. Each row created is recorded in the audit log. The people are fictitious.
"""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.audit.actions import record_event, snapshot
from zhengtong.audit.models import Event
from zhengtong.lib.fonts import NO_FONTS_FINGERPRINT, cjk_font_files, font_fingerprint

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
    # Example village names (示例): the seed names only 刘集镇 itself.
    ("LIUJI-WZ", "王庄村", K.VILLAGE, TOWN),
    ("LIUJI-LY", "李营村", K.VILLAGE, TOWN),
]
VILLAGES = ["LIUJI-LJ", "LIUJI-E", "LIUJI-W", "LIUJI-WZ", "LIUJI-LY"]

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
    staff_no: str = ""


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
        "mayor",
        "孙卫东",
        "聊城市分管副市长",
        Role.LEADER,
        CITY,
        "全市的综合驾驶舱和工作简报;与区领导一样只读查看开发区的重点项目和民生台账;刘集镇服务大厅和各村只看统计数字(按时办结率、随访完成率),看不到办件和人员信息",
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
    # The window clerks of the 刘集镇 hall (便民服务中心计生服务窗口), two A/B pairs; the posts
    # and windows are built by demo/services.py.
    DemoAccount(
        "clerk_a",
        "孙晓燕",
        "计生办科员",
        Role.WINDOW_CLERK,
        TOWN,
        "刘集镇窗口工作人员,1号窗口“生育登记”A 角:本大厅全部办件、我的待办(自己承办的办件,"
        "倒计时与超期)、收件登记、一次性告知、补正、办结、请假与 AB 角、挂牌上岗、差评整改、"
        "计生周报、月冠军",
        staff_no="LJ-0101",
    ),
    DemoAccount(
        "clerk_b",
        "刘娜",
        "计生办科员",
        Role.WINDOW_CLERK,
        TOWN,
        "1号窗口 B 角:同 clerk_a 看本大厅全部办件;clerk_a 请假期间,clerk_a 的办件进入"
        "本人的待办,由本人“B 代 A”办理,请假结束后回到 clerk_a",
        staff_no="LJ-0102",
    ),
    DemoAccount(
        "clerk_c",
        "高敏",
        "计生办科员",
        Role.WINDOW_CLERK,
        TOWN,
        "2号窗口“育儿补贴申领”A 角:本大厅全部办件、自己承办的办件",
        staff_no="LJ-0201",
    ),
    DemoAccount(
        "clerk_d",
        "马俊",
        "计生办科员",
        Role.WINDOW_CLERK,
        TOWN,
        "2号窗口 B 角:本大厅全部办件;clerk_c 请假时代为办理",
        staff_no="LJ-0202",
    ),
    # The floating-population office (demo/population.py): a village worker of one village and
    # the township's 计生办, who sees all its villages.
    DemoAccount(
        "village1",
        "韩春梅",
        "刘集村计生专干",
        Role.VILLAGE_WORKER,
        "LIUJI-LJ",
        "只看到刘集村的人员:我的待办里本村到期和超期的电话随访、孕产期随访、婚育证明交验、"
        "结对走访;人员登记、流动人口、健康档案、入户走访、批量导入。看不到其他村的人员",
    ),
    DemoAccount(
        "jishengban",
        "耿丽",
        "刘集镇计生办主任",
        Role.VILLAGE_WORKER,
        TOWN,
        "刘集镇全部 5 个村的人员、流动人口、随访工作清单、孕环情普查的覆盖率、计生助福和批量导入",
    ),
    # The township's leader in charge of family planning approves the 计生办's 计生采风 posts.
    DemoAccount(
        "town_leader",
        "陈志刚",
        "刘集镇副镇长",
        Role.LEADER,
        TOWN,
        "刘集镇计生办提交的计生采风:审核通过后在公开栏公开,或写明原因退回修改;"
        "刘集镇服务大厅的计生周报、月冠军和好差评统计",
    ),
    # The zone's livelihood ledgers (demo/livelihood.py): 社会事业局 keeps employment, loans,
    # internship bases, training and school safety; 民政局 keeps assessments, the nursing
    # subsidy and relief. Each sees only their own department's records.
    DemoAccount(
        "social",
        "陈晓光",
        "社会事业局经办人",
        Role.DEPT_CLERK,
        "ZONE-SHSY",
        "社会事业局的民生台账:就业登记、登记失业率、创业担保贷款、就业见习基地、培训班和学员、"
        "学校安全检查与隐患整改、无证幼儿园清理整顿;看不到民政局的救助和补贴",
    ),
    DemoAccount(
        "civil",
        "杨淑芬",
        "民政局经办人",
        Role.DEPT_CLERK,
        "ZONE-MZJ",
        "民政局的老年人能力评估、失能老年人护理补贴发放批次、困难家庭和孤儿救助;"
        "看不到社会事业局的就业和学校台账",
    ),
    DemoAccount(
        "civil2",
        "徐立平",
        "民政局能力评估员",
        Role.DEPT_CLERK,
        "ZONE-MZJ",
        "与 civil 相同;能力评估的第二名评估员",
    ),
]

AVATAR_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
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
            actor=actor,
            code=code,
            name=name,
            kind=kind,
            parent=units.get(parent) if parent is not None else None,
        )
    for code, name in COMPANIES.items():
        units[code] = ensure_unit(
            actor=actor, code=code, name=name, kind=K.COMPANY, parent=units[ZONE]
        )
    return units


def initials_avatar(name: str, size: int = 240) -> bytes:
    """A small portrait PNG: the given name in white on a colour taken from the name.

    A stand-in for a staff photo on the public on-duty board; plain colour when no CJK font
    is installed.
    """
    from PIL import Image, ImageDraw, ImageFont

    digest = hashlib.sha256(name.encode()).digest()
    palette = [(13, 110, 253), (25, 135, 84), (111, 66, 193), (214, 51, 132), (32, 100, 120)]
    image = Image.new("RGB", (size, size * 5 // 4), palette[digest[0] % len(palette)])
    font_path = next((p for p in AVATAR_FONTS if Path(p).exists()), None) or next(
        iter(cjk_font_files()), None
    )
    if font_path:
        text = name[-2:]
        font = ImageFont.truetype(font_path, size // 3)
        draw = ImageDraw.Draw(image)
        box = draw.textbbox((0, 0), text, font=font)
        x = (image.width - (box[2] - box[0])) / 2 - box[0]
        y = (image.height - (box[3] - box[1])) / 2 - box[1]
        draw.text((x, y), text, font=font, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def demo_photo_name(username: str, fingerprint: str) -> str:
    key = f"demo-portrait:{username}:{settings.SECRET_KEY}:{fingerprint}"
    return f"staff/{hashlib.sha256(key.encode()).hexdigest()[:32]}.png"


def demo_photo(username: str, full_name: str) -> str:
    """The storage name of the user's demo portrait, written once and reused afterwards, so
    repeated runs (and test runs) leave one file per demo clerk.

    The name has the shape of every stored name (`staff/<32 hex>.png`, see lib/files.py) and is
    derived from the username with the secret key, so it is stable here and unguessable elsewhere.
    The fonts' fingerprint is part of it: installing or changing the CJK fonts draws new portraits
    instead of keeping the ones drawn without them.
    """
    name = demo_photo_name(username, font_fingerprint())
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(initials_avatar(full_name)))
    return name


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
    staff_no: str = "",
    photo: bool = False,
) -> User:
    """The user `username` with the given memberships; an existing user is left as found.

    `photo` gives a new user a generated portrait (see demo_photo) for the staff card.
    """
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            full_name=full_name,
            post=post,
            staff_no=staff_no,
            is_staff=superuser,
            is_superuser=superuser,
        )
        if photo:
            user.photo.name = demo_photo(username, full_name)
        validate_password(password, user)
        user.set_password(password)
        user.save()
        fields = ["username", "full_name", "post", "is_staff", "is_superuser"]
        if staff_no:
            fields.append("staff_no")
        if photo:
            fields.append("photo")
        _record_created(actor, user, fields)
    elif photo and user.photo.name == demo_photo_name(username, NO_FONTS_FINGERPRINT):
        # Drawn before a CJK font was installed: a plain square, so draw it again with the font.
        user.photo.name = demo_photo(username, full_name)
        if user.photo.name != demo_photo_name(username, NO_FONTS_FINGERPRINT):
            user.save(update_fields=["photo"])
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
            staff_no=a.staff_no,
            photo=a.role == Role.WINDOW_CLERK,
        )
        for a in ACCOUNTS
    }
