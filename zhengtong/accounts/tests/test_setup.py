"""`manage.py setup` on an empty database: the first administrator, the org tree, the staff
and the window posts from xlsx files; then the first clerk signs in and takes a case. A file
with a bad row writes nothing, and running setup again changes nothing."""

import datetime
import io
import tempfile
from pathlib import Path

import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase

from zhengtong.accounts.imports import OrgUnitImporter, StaffUserImporter
from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.audit.models import Event
from zhengtong.lib import xlsx
from zhengtong.services.imports import PostImporter
from zhengtong.services.models import Application, Post
from zhengtong.test import make_id_number

ADMIN_PASSWORD = "Setup-admin-2026!"
CLERK_PASSWORD = "Liuji-window-2026"

ORG_ROWS = [
    ["371500000000", "聊城市", "市", ""],
    ["371524000000", "东阿县", "县", "371500000000"],
    ["371524104000", "刘集镇", "镇", "371524000000"],
    ["371524104201", "东村", "村", "371524104000"],
    ["371524104202", "西村社区", "社区", "371524104000"],
    ["LJ-SHSW", "刘集镇社会事务办", "部门", "371524104000"],
]
USER_ROWS = [
    [
        "zhangmin",
        "张敏",
        "371524104000",
        "窗口人员",
        "13800001111",
        "LJ-003",
        "计生服务岗",
        CLERK_PASSWORD,
    ],
    ["liqiang", "李强", "371524104000", "窗口人员", "", "LJ-004", "计生服务岗", CLERK_PASSWORD],
    ["wangcun", "王村", "371524104201", "村专干", "", "", "", CLERK_PASSWORD],
]
POST_ROWS = [["371524104000", "3号窗口", "计生服务岗", "zhangmin", "liqiang"]]


def sheet(importer, rows) -> bytes:
    return xlsx.workbook_bytes(
        [xlsx.Sheet(title=importer.name, headers=importer.headers(), rows=rows)]
    )


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class SetupCommandTestCase(TestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp())

    def files(self, org=ORG_ROWS, users=USER_ROWS, posts=POST_ROWS) -> dict[str, Path]:
        paths = {}
        for name, importer, rows in (
            ("org", OrgUnitImporter, org),
            ("users", StaffUserImporter, users),
            ("posts", PostImporter, posts),
        ):
            paths[name] = self.dir / f"{name}.xlsx"
            paths[name].write_bytes(sheet(importer, rows))
        return paths

    def setup(self, *extra, **files) -> str:
        paths = self.files(**files)
        out = io.StringIO()
        call_command(
            "setup",
            "--no-input",
            "--admin-username=admin",
            "--admin-name=王管理",
            f"--admin-password={ADMIN_PASSWORD}",
            f"--org={paths['org']}",
            f"--users={paths['users']}",
            f"--posts={paths['posts']}",
            *extra,
            stdout=out,
            stderr=io.StringIO(),
        )
        return out.getvalue()

    def test_the_first_clerk_signs_in_and_takes_a_case_after_setup(self) -> None:
        self.assertFalse(User.objects.exists())
        out = self.setup()
        self.assertIn("otpauth://totp/", out)
        admin = User.objects.get(username="admin")
        self.assertTrue(admin.is_superuser)
        root = OrgUnit.objects.get(code="371500000000")
        self.assertTrue(
            Membership.objects.filter(user=admin, org_unit=root, role=Role.ADMIN).exists()
        )
        town = OrgUnit.objects.get(code="371524104000")
        self.assertEqual(OrgUnit.objects.get(code="371524104201").parent, town)
        self.assertEqual(Post.objects.get().a_user.username, "zhangmin")

        response = self.client.post(
            "/accounts/login/", {"username": "zhangmin", "password": CLERK_PASSWORD}
        )
        self.assertEqual(response.status_code, 302)
        response = self.client.post(
            "/services/new/",
            {
                "item": "SYDJ",
                "channel": "window",
                "name": "刘小梅",
                "id_number": make_id_number(datetime.date(1990, 1, 1), female=True, seq=21),
                "phone": "13912345678",
                "hukou": "local",
                "marital_status": "married",
                "child_order": "1",
                "materials": ["id_cards", "hukou_book", "marriage_cert", "pledge"],
            },
        )
        case = Application.objects.get()
        self.assertRedirects(response, case.get_absolute_url())
        self.assertEqual(case.status, Application.Status.ACCEPTED)
        self.assertEqual(case.first_responder.username, "zhangmin")
        self.assertEqual(case.org_unit, town)

    def test_running_setup_again_changes_nothing(self) -> None:
        self.setup()
        events = Event.objects.count()
        out = self.setup()
        self.assertIn("已存在", out)
        self.assertIn("无变化 6", out)
        self.assertEqual(User.objects.count(), 4)
        self.assertEqual(OrgUnit.objects.count(), 6)
        self.assertEqual(Post.objects.count(), 1)
        self.assertEqual(
            Event.objects.filter(action__in=["org_unit_updated", "staff_user_updated"]).count(), 0
        )
        self.assertGreater(Event.objects.count(), events)  # the runs themselves are audited

    def test_a_dry_run_writes_nothing(self) -> None:
        out = self.setup("--dry-run")
        self.assertIn("未写入任何数据", out)
        self.assertFalse(User.objects.exists())
        self.assertFalse(OrgUnit.objects.exists())

    def assert_refused(self, message: str, **files) -> None:
        err = io.StringIO()
        paths = self.files(**files)
        with self.assertRaises(CommandError):
            call_command(
                "setup",
                "--no-input",
                "--admin-username=admin",
                f"--admin-password={ADMIN_PASSWORD}",
                *(f"--{k}={v}" for k, v in paths.items()),
                stdout=io.StringIO(),
                stderr=err,
            )
        self.assertIn(message, err.getvalue())
        self.assertFalse(User.objects.exists())
        self.assertFalse(OrgUnit.objects.exists())
        self.assertFalse(Post.objects.exists())

    def test_a_bad_code_is_refused_on_its_row_and_nothing_is_written(self) -> None:
        org = [*ORG_ROWS, ["37152410420", "北村", "村", "371524104000"]]
        self.assert_refused(
            "第 8 行:字段 单位代码:“37152410420”不是 12 位统计用区划代码。", org=org
        )

    def test_a_code_outside_its_parent_is_refused(self) -> None:
        org = [*ORG_ROWS, ["371525104201", "南村", "村", "371524104000"]]
        self.assert_refused("“371525104201”不在上级单位“371524104000”的区划内。", org=org)

    def test_a_missing_parent_is_refused(self) -> None:
        org = [*ORG_ROWS, ["371524105000", "姜楼镇", "镇", "371599000000"]]
        self.assert_refused("第 8 行:字段 上级单位代码:上级单位“371599000000”不存在", org=org)

    def test_a_second_top_unit_is_refused(self) -> None:
        org = [*ORG_ROWS, ["371600000000", "德州市", "市", ""]]
        self.assert_refused("只能有一个最上级单位(已有“聊城市”)", org=org)

    def test_a_duplicate_username_is_refused(self) -> None:
        users = [
            *USER_ROWS,
            ["zhangmin", "张敏二", "371524104000", "窗口人员", "", "", "", CLERK_PASSWORD],
        ]
        self.assert_refused("第 5 行:字段 用户名:用户名“zhangmin”与第 2 行重复。", users=users)

    def test_an_unknown_role_is_refused(self) -> None:
        users = [
            *USER_ROWS,
            ["zhaosi", "赵四", "371524104000", "窗口员", "", "", "", CLERK_PASSWORD],
        ]
        self.assert_refused("第 5 行:字段 角色:“窗口员”不是有效的角色", users=users)

    def test_a_unit_outside_the_tree_is_refused(self) -> None:
        users = [
            *USER_ROWS,
            ["zhaosi", "赵四", "371524999000", "窗口人员", "", "", "", CLERK_PASSWORD],
        ]
        self.assert_refused(
            "第 5 行:字段 所在单位代码:单位“371524999000”不在组织单位中", users=users
        )

    def test_a_weak_initial_password_is_refused(self) -> None:
        users = [*USER_ROWS, ["zhaosi", "赵四", "371524104000", "窗口人员", "", "", "", "123"]]
        self.assert_refused("第 5 行:字段 初始密码:", users=users)

    def test_a_window_clerk_of_another_hall_cannot_hold_a_post(self) -> None:
        posts = [*POST_ROWS, ["371524104000", "4号窗口", "综合岗", "zhangmin", "wangcun"]]
        self.assert_refused(
            "第 3 行:字段 B角用户名:用户“wangcun”在“刘集镇”没有窗口人员角色。", posts=posts
        )

    def test_another_superuser_makes_setup_refuse(self) -> None:
        User.objects.create_superuser("root", password=ADMIN_PASSWORD)
        with self.assertRaisesMessage(CommandError, "系统已有系统管理员“root”"):
            self.setup()
        self.assertFalse(OrgUnit.objects.exists())

    def test_a_weak_admin_password_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "管理员密码不符合要求"):
            call_command("setup", "--no-input", "--admin-username=admin", "--admin-password=abc")
        self.assertFalse(User.objects.exists())
