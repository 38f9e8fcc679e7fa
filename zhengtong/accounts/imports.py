"""The org tree and the staff from xlsx sheets, on the one import framework (`lib.imports`).

组织单位: one row per unit, parents before children. The 市/县/区/镇/街道/村/社区 rows carry
their 12-digit 统计用区划代码 (省2 市2 县2 乡3 村3), and a child's code must begin with its
parent's; 开发区, 部门 and 项目单位 rows carry any code of their own. A unit already in the
system (same code) is updated, so a second run of the same file changes nothing.

用户: one row per person, with one or more roles in one unit of the tree. A new user needs an
initial password; an existing user keeps theirs unless the row gives a new one.
"""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.imports import CellError, Column, Importer, Outcome, Row, choice, text

from .models import Membership, OrgUnit, Role, User

CODE = "单位代码"
NAME = "单位名称"
KIND = "类型"
PARENT = "上级单位代码"

# The labels a 区划 table uses, mapped onto the kinds of the tree.
KIND_LABELS = {
    "市": OrgUnit.Kind.CITY,
    "县": OrgUnit.Kind.COUNTY,
    "区": OrgUnit.Kind.COUNTY,
    "县/区": OrgUnit.Kind.COUNTY,
    "开发区": OrgUnit.Kind.ZONE,
    "镇": OrgUnit.Kind.TOWN,
    "乡": OrgUnit.Kind.TOWN,
    "街道": OrgUnit.Kind.TOWN,
    "镇/街道": OrgUnit.Kind.TOWN,
    "部门": OrgUnit.Kind.DEPARTMENT,
    "村": OrgUnit.Kind.VILLAGE,
    "社区": OrgUnit.Kind.VILLAGE,
    "管区": OrgUnit.Kind.VILLAGE,
    "村/社区": OrgUnit.Kind.VILLAGE,
    "项目单位": OrgUnit.Kind.COMPANY,
}
# How many leading digits of a 12-digit code name a unit of each administrative kind; the
# rest are zeros (a village uses all twelve).
SIGNIFICANT_DIGITS: dict[str, int] = {
    OrgUnit.Kind.CITY: 4,
    OrgUnit.Kind.COUNTY: 6,
    OrgUnit.Kind.TOWN: 9,
    OrgUnit.Kind.VILLAGE: 12,
}
LEVEL_NAMES: dict[str, str] = {
    OrgUnit.Kind.CITY: "市级(后 8 位为 0)",
    OrgUnit.Kind.COUNTY: "县级(后 6 位为 0)",
    OrgUnit.Kind.TOWN: "乡级(后 3 位为 0)",
    OrgUnit.Kind.VILLAGE: "村级(后 3 位不全为 0)",
}


def code_problem(code: str, kind: str) -> str:
    """What is wrong with `code` for a unit of `kind`, or "" when it is fine."""
    digits = SIGNIFICANT_DIGITS.get(kind)
    if digits is None:
        return "" if re.fullmatch(r"[0-9A-Za-z_-]{1,40}", code) else "只能由字母、数字、-、_ 组成。"
    if not re.fullmatch(r"\d{12}", code):
        return f"“{code}”不是 12 位统计用区划代码。"
    own = code[{4: 2, 6: 4, 9: 6, 12: 9}[digits] : digits]
    ok = set(code[digits:]) <= {"0"} and set(own) != {"0"}
    return "" if ok else f"“{code}”不是{LEVEL_NAMES[kind]}区划代码。"


def code_prefix(unit_code: str, kind: str) -> str:
    """The leading digits a child's 区划代码 must share with a unit of `kind`."""
    digits = SIGNIFICANT_DIGITS.get(kind)
    return unit_code[:digits] if digits and re.fullmatch(r"\d{12}", unit_code) else ""


@audited_atomic
def org_unit_save(*, actor, code: str, name: str, kind: str, parent: OrgUnit | None) -> tuple:
    """Create the unit with `code`, or bring the existing one to these values; one audit
    event when anything changed. Returns (unit, "create" | "update" | "unchanged", changed)."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        unit = OrgUnit(code=code, name=name, kind=kind, parent=parent)
        unit.save()
        record_event(
            actor=actor,
            action="org_unit_created",
            kind=Event.Kind.CREATE,
            target=unit,
            org_unit=unit,
            changes={"code": code, "name": name, "kind": kind, "parent": parent and parent.code},
        )
        return unit, "create", []
    changes = {}
    for field, value in (("name", name), ("kind", kind), ("parent_id", parent and parent.pk)):
        if getattr(unit, field) != value:
            changes[field.removesuffix("_id")] = [getattr(unit, field), value]
            setattr(unit, field, value)
    if not changes:
        return unit, "unchanged", []
    if "parent" in changes:
        unit.parent = parent
        changes["parent"] = [
            OrgUnit.objects.filter(pk=changes["parent"][0]).values_list("code", flat=True).first(),
            parent and parent.code,
        ]
    unit.save()
    record_event(
        actor=actor, action="org_unit_updated", target=unit, org_unit=unit, changes=changes
    )
    return unit, "update", list(changes)


class OrgUnitImporter(Importer):
    """One OrgUnit per row: the tree 市 → 县/区 → 镇/街道 → 村/社区, with 部门 anywhere."""

    name = "组织单位"
    columns = (
        Column(
            CODE,
            "code",
            text(max_length=40),
            required=True,
            note="必填;市、县/区、镇/街道、村/社区填 12 位统计用区划代码,部门、开发区自定代码",
            example="371502000000",
        ),
        Column(NAME, "name", text(max_length=100), required=True, example="东昌府区"),
        Column(
            KIND,
            "kind",
            choice(KIND_LABELS, what="类型(应为 市、县、区、开发区、镇、乡、街道、部门、村、社区)"),
            required=True,
            note="必填:市、县、区、开发区、镇、乡、街道、部门、村、社区、项目单位",
            example="区",
        ),
        Column(
            PARENT,
            "parent",
            text(max_length=40),
            note="最上级单位留空;其余必填,上级须已在系统中或写在本行之前",
            example="371500000000",
        ),
    )
    sample_row = True
    key = ("code",)
    duplicate_message = "单位代码“{value}”与第 {first} 行重复。"
    notes = (
        "上级单位须写在下级之前;下级的区划代码须以上级的区划代码开头(如 371502 开头的镇属于 371502000000)。",
        "系统中已有的单位(代码相同)按本表更新名称、类型和上级;重复导入同一文件不会产生变化。",
        "整个系统只有一个最上级单位。",
    )

    def prepare(self, rows: list[Row]) -> None:
        self.known = {u.code: u for u in OrgUnit.objects.all()}
        root = next((u for u in self.known.values() if u.parent_id is None), None)
        self.root = (root.code, root.name) if root else None
        # The kinds of the units on the rows above the current one, by code.
        self.seen: dict[str, str] = {}

    def check(self, row: Row) -> None:
        code, kind, parent_code = (row.values.get(k) for k in ("code", "kind", "parent"))
        if code and kind and (problem := code_problem(code, kind)):
            row.error(CODE, problem)
        if code and parent_code == code:
            row.error(PARENT, "上级单位不能是本单位。")
        elif parent_code:
            parent = self.known.get(parent_code)
            parent_kind = self.seen.get(parent_code) or (parent.kind if parent else None)
            if parent_kind is None:
                row.error(PARENT, f"上级单位“{parent_code}”不存在(须已在系统中或写在本行之前)。")
            elif code and kind in SIGNIFICANT_DIGITS:
                prefix = code_prefix(parent_code, parent_kind)
                if prefix and not code.startswith(prefix):
                    row.error(CODE, f"“{code}”不在上级单位“{parent_code}”的区划内。")
        elif code:
            if self.root and self.root[0] != code:
                row.error(
                    PARENT, f"只能有一个最上级单位(已有“{self.root[1]}”),请填写上级单位代码。"
                )
            elif self.root is None:
                self.root = (code, values_name if (values_name := row.values.get("name")) else code)
        if code and kind:
            self.seen.setdefault(code, kind)

    def apply(self, row: Row) -> Outcome:
        values = row.values
        parent = None
        if values["parent"]:
            parent = OrgUnit.objects.get(code=values["parent"])
        unit, action, changed = org_unit_save(
            actor=self.actor,
            code=values["code"],
            name=values["name"],
            kind=values["kind"],
            parent=parent,
        )
        labels = {"name": NAME, "kind": KIND, "parent": PARENT}
        changed = [labels[c] for c in changed]
        return Outcome(row.number, unit.code, unit.name, action=action, changed=changed)


USERNAME = "用户名"
FULL_NAME = "姓名"
UNIT = "所在单位代码"
ROLES = "角色"
PASSWORD = "初始密码"
ROLE_LABELS = {str(label): value for value, label in Role.choices}


def roles(value) -> list[str]:
    """Role labels separated by 、 , ; or spaces, each one of `Role`."""
    parts = [p for p in re.split(r"[、,,;;\s]+", str(value).strip()) if p]
    unknown = [p for p in parts if p not in ROLE_LABELS]
    if unknown:
        raise CellError(
            "“" + "、".join(unknown) + "”不是有效的角色,应为:" + "、".join(ROLE_LABELS) + "。"
        )
    return list(dict.fromkeys(ROLE_LABELS[p] for p in parts))


@audited_atomic
def staff_user_save(
    *, actor, username: str, fields: dict, password: str, unit: OrgUnit, role_codes: list[str]
) -> tuple:
    """Create the user, or update their details; add the memberships they lack. One audit
    event when anything changed. Returns (user, action, changed)."""
    existing = User.objects.filter(username=username).first()
    created = existing is None
    changes: dict
    if existing is None:
        user = User(username=username, **fields)
        user.set_password(password)
        user.save()
        changes = {"username": username, **fields}
    else:
        user = existing
        changes = {k: [getattr(user, k), v] for k, v in fields.items() if getattr(user, k) != v}
        for key in changes:
            setattr(user, key, fields[key])
        # The same file imported again leaves a password that still matches alone.
        if password and not user.check_password(password):
            user.set_password(password)
            changes["password"] = "已重置"
        if changes:
            user.save()
    added = []
    for role in role_codes:
        _, made = Membership.objects.get_or_create(user=user, org_unit=unit, role=role)
        if made:
            added.append(f"{Role(role).label} · {unit.name}")
    if added:
        changes["memberships"] = added
    if created or changes:
        record_event(
            actor=actor,
            action="staff_user_created" if created else "staff_user_updated",
            kind=Event.Kind.CREATE if created else Event.Kind.UPDATE,
            target=user,
            org_unit=unit,
            changes=changes,
        )
    action = "create" if created else ("update" if changes else "unchanged")
    return user, action, [] if created else list(changes)


class StaffUserImporter(Importer):
    """One User per row, with their roles in one unit of the tree."""

    name = "用户"
    columns = (
        Column(
            USERNAME,
            "username",
            text(max_length=150),
            required=True,
            note="必填,登录名:字母、数字或 @.+-_",
            example="lj003",
        ),
        Column(FULL_NAME, "full_name", text(max_length=50), required=True, example="张敏"),
        Column(
            UNIT,
            "unit",
            text(max_length=40),
            required=True,
            note="必填,须是组织单位表中已有的单位代码",
            example="371502104000",
        ),
        Column(
            ROLES,
            "roles",
            roles,
            required=True,
            note="必填,可填多个(用顿号分隔):" + "、".join(ROLE_LABELS),
            example="窗口人员",
        ),
        Column("手机号", "phone", text(max_length=20), note="选填", example="13800001111"),
        Column("工号", "staff_no", text(max_length=20), note="选填", example="LJ-003"),
        Column("岗位", "post", text(max_length=50), note="选填", example="计生服务岗"),
        Column(
            PASSWORD,
            "password",
            text(max_length=128),
            note="新用户必填,至少 8 位且含大小写字母、数字、符号中的三类;已有用户留空或与原密码相同则不改密码",
            example="Liuji-2026-window",
        ),
    )
    sample_row = True
    key = ("username",)
    duplicate_message = "用户名“{value}”与第 {first} 行重复。"
    notes = (
        "每人一行;同一人在同一单位有多个角色时,角色列用顿号分隔。",
        "已有的用户(用户名相同)按本表更新姓名、手机号、工号、岗位,并补上缺少的角色;已有角色不会被删除。",
        "导入后请提醒用户首次登录后修改密码;须两步验证的角色首次登录时绑定手机验证器。",
    )

    def prepare(self, rows: list[Row]) -> None:
        self.units = {u.code: u for u in OrgUnit.objects.all()}
        self.existing = set(User.objects.values_list("username", flat=True))

    def check(self, row: Row) -> None:
        values = row.values
        username = values.get("username")
        if username and not re.fullmatch(r"[\w.@+-]+", username):
            row.error(USERNAME, "只能由字母、数字和 @ . + - _ 组成。")
        code = values.get("unit")
        if code and code not in self.units:
            row.error(UNIT, f"单位“{code}”不在组织单位中,请先导入组织单位。")
        if username and username not in self.existing and not values.get("password"):
            row.error(PASSWORD, "新用户必须填写初始密码。")
        elif values.get("password"):
            try:
                validate_password(values["password"], User(username=username or ""))
            except ValidationError as exc:
                row.error(PASSWORD, "".join(exc.messages))

    def apply(self, row: Row) -> Outcome:
        values = row.values
        fields = {k: values[k] or "" for k in ("full_name", "phone", "staff_no", "post")}
        user, action, changed = staff_user_save(
            actor=self.actor,
            username=values["username"],
            fields=fields,
            password=values["password"] or "",
            unit=self.units[values["unit"]],
            role_codes=values["roles"],
        )
        labels = {c.field: c.header for c in self.columns} | {"memberships": ROLES}
        changed = [labels[c] for c in changed]
        return Outcome(row.number, user.username, user.display_name, action=action, changed=changed)
