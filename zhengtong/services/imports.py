"""The hall's window posts (窗口岗位) from an xlsx sheet, on the one import framework.

One row per window: the hall (a unit of the tree), the window, the post and its A and B
clerks, who must already be users holding the 窗口人员 role in that hall or a unit above it.
A window already set up (same hall, same window) is updated, so a second run changes nothing.
"""

from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.models import Event
from zhengtong.lib.imports import Column, Importer, Outcome, Row, text

from .models import Post

HALL = "服务大厅单位代码"
WINDOW = "窗口"
A_USER = "A角用户名"
B_USER = "B角用户名"


@audited_atomic
def post_save(*, actor, hall: OrgUnit, window: str, name: str, a_user: User, b_user: User):
    """Create the post at `window` of `hall`, or bring it to these values; one audit event
    when anything changed. Returns (post, action, changed)."""
    post = Post.objects.filter(org_unit=hall, window=window).first()
    wanted = {"name": name, "a_user_id": a_user.pk, "b_user_id": b_user.pk}
    if post is None:
        post = Post.objects.create(org_unit=hall, window=window, **wanted)
        created = {"window": window, "name": name, "a": a_user.username, "b": b_user.username}
        record_event(
            actor=actor, action="post_created", kind=Event.Kind.CREATE, target=post, changes=created
        )
        return post, "create", []
    changes = {k: [getattr(post, k), v] for k, v in wanted.items() if getattr(post, k) != v}
    if not changes:
        return post, "unchanged", []
    for key in changes:
        setattr(post, key, wanted[key])
    post.save(update_fields=[k.removesuffix("_id") for k in changes])
    record_event(actor=actor, action="post_updated", target=post, changes=changes)
    return post, "update", [k.removesuffix("_id") for k in changes]


class PostImporter(Importer):
    """One window Post per row."""

    name = "窗口岗位"
    columns = (
        Column(
            HALL,
            "hall",
            text(max_length=40),
            required=True,
            note="必填,服务大厅所在单位(镇/街道等)的单位代码",
            example="371502104000",
        ),
        Column(WINDOW, "window", text(max_length=30), required=True, example="3号窗口"),
        Column("岗位", "name", text(max_length=50), required=True, example="计生服务岗"),
        Column(
            A_USER,
            "a_user",
            text(max_length=150),
            required=True,
            note="必填,A 角(首问负责人)的用户名,须在本大厅有窗口人员角色",
            example="lj003",
        ),
        Column(
            B_USER,
            "b_user",
            text(max_length=150),
            required=True,
            note="必填,B 角(A 角不在时接办)的用户名,不能与 A 角相同",
            example="lj004",
        ),
    )
    sample_row = True
    key = ("hall", "window")
    key_column = WINDOW
    duplicate_message = "与第 {first} 行是同一大厅的同一窗口,重复。"
    notes = ("请先导入组织单位和用户;A 角、B 角须在本大厅(或其上级单位)有“窗口人员”角色。",)

    def prepare(self, rows: list[Row]) -> None:
        self.units = {u.code: u for u in OrgUnit.objects.all()}
        self.users = {u.username: u for u in User.objects.filter(is_active=True)}
        self.clerk_units: dict[int, list[OrgUnit]] = {}
        for membership in Membership.objects.filter(role=Role.WINDOW_CLERK).select_related(
            "org_unit"
        ):
            self.clerk_units.setdefault(membership.user_id, []).append(membership.org_unit)

    def check(self, row: Row) -> None:
        values = row.values
        hall = self.units.get(values.get("hall") or "")
        if values.get("hall") and hall is None:
            row.error(HALL, f"单位“{values['hall']}”不在组织单位中。")
        for field, header in (("a_user", A_USER), ("b_user", B_USER)):
            username = values.get(field)
            if not username:
                continue
            user = self.users.get(username)
            if user is None:
                row.error(header, f"用户“{username}”不存在,请先导入用户。")
            elif hall is not None and not any(
                hall.is_within(unit) for unit in self.clerk_units.get(user.pk, [])
            ):
                row.error(header, f"用户“{username}”在“{hall.name}”没有窗口人员角色。")
        if values.get("a_user") and values.get("a_user") == values.get("b_user"):
            row.error(B_USER, "B 角不能与 A 角是同一人。")

    def apply(self, row: Row) -> Outcome:
        values = row.values
        post, action, changed = post_save(
            actor=self.actor,
            hall=self.units[values["hall"]],
            window=values["window"],
            name=values["name"],
            a_user=self.users[values["a_user"]],
            b_user=self.users[values["b_user"]],
        )
        labels = {"name": "岗位", "a_user": A_USER, "b_user": B_USER}
        changed = [labels[c] for c in changed]
        return Outcome(row.number, post.window, str(post), action=action, changed=changed)
