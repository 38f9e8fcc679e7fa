"""First run: the first 系统管理员 (with the second factor), the org tree, the staff and the
hall's window posts, each from an xlsx file through the one import framework.

    manage.py setup                                   # asks for everything
    manage.py setup --no-input --admin-username admin --admin-name 王管理 \\
        --org 组织单位.xlsx --users 用户.xlsx --posts 窗口岗位.xlsx [--dry-run]

The administrator's password comes from --admin-password or ZT_ADMIN_PASSWORD (never echoed).
Each file is checked as a whole and written all or nothing; with --dry-run nothing is written.
Running again is safe: an existing administrator is left alone, and rows already imported come
out as 无变化.
"""

import getpass
import io
import os
from pathlib import Path

import segno
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhengtong.accounts.imports import (
    OrgUnitImporter,
    StaffUserImporter,
    code_problem,
    org_unit_save,
)
from zhengtong.accounts.models import Membership, OrgUnit, Role, User
from zhengtong.accounts.otp import has_second_factor, pending_device, secret_text
from zhengtong.audit.actions import record_event
from zhengtong.audit.chain import audited_atomic
from zhengtong.audit.context import acting
from zhengtong.audit.models import Event
from zhengtong.lib.imports import Importer, ImportFileError, run_import
from zhengtong.services.imports import PostImporter

STEPS: tuple[tuple[str, type[Importer]], ...] = (
    ("org", OrgUnitImporter),
    ("users", StaffUserImporter),
    ("posts", PostImporter),
)


class Command(BaseCommand):
    help = "首次上线:创建首位系统管理员,导入组织单位、用户和窗口岗位。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-input", action="store_false", dest="interactive")
        parser.add_argument("--admin-username", default=os.environ.get("ZT_ADMIN_USERNAME", ""))
        parser.add_argument("--admin-name", default=os.environ.get("ZT_ADMIN_NAME", ""))
        parser.add_argument("--admin-password", default="")
        parser.add_argument("--org", help="组织单位 xlsx(区划代码、名称、类型、上级单位代码)")
        parser.add_argument("--root-code", help="不用 xlsx 时手工建立最上级单位:单位代码")
        parser.add_argument("--root-name", help="不用 xlsx 时手工建立最上级单位:名称")
        parser.add_argument("--users", help="用户 xlsx(用户名、姓名、单位代码、角色…)")
        parser.add_argument("--posts", help="窗口岗位 xlsx(服务大厅、窗口、A角、B角)")
        parser.add_argument("--dry-run", action="store_true", help="只检查,不写入")

    def handle(self, *args, **options) -> None:
        interactive = options["interactive"]
        dry_run = options["dry_run"]
        if interactive:
            self.ask_for_files(options)
        # Every step in one transaction: a file that fails leaves nothing of the earlier ones,
        # and a dry run checks each file against what the files before it would write.
        with acting(channel="setup"), audited_atomic():
            admin = self.administrator(options, interactive=interactive)
            if not options["org"] and not OrgUnit.objects.exists():
                self.root_by_hand(admin, options, interactive=interactive)
            for step, importer_class in STEPS:
                if options[step]:
                    self.import_file(importer_class, Path(options[step]), actor=admin)
            self.admin_membership(admin)
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            self.stdout.write(self.style.SUCCESS("试导入通过,未写入任何数据。"))
            return
        self.bind_second_factor(admin, interactive=interactive)
        self.stdout.write(self.style.SUCCESS("完成。"))

    def ask_for_files(self, options) -> None:
        for step, importer_class in STEPS:
            if options[step] is None:
                hint = "留空则手工建立最上级单位" if step == "org" else "留空跳过"
                options[step] = self.ask(f"{importer_class.name} xlsx 文件({hint})")

    # The administrator ---------------------------------------------------------------------

    def administrator(self, options, *, interactive: bool) -> User:
        username = options["admin_username"] or (
            self.ask("系统管理员用户名", default="admin") if interactive else ""
        )
        if not username:
            raise CommandError("请用 --admin-username 指定首位系统管理员的用户名。")
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            if not existing.is_superuser:
                raise CommandError(f"用户“{username}”已存在且不是系统管理员,请换一个用户名。")
            self.stdout.write(f"系统管理员“{username}”已存在,不修改其密码和两步验证。")
            return existing
        others = User.objects.filter(is_superuser=True).values_list("username", flat=True)
        if others:
            raise CommandError(
                f"系统已有系统管理员“{'、'.join(others)}”;其他管理员请由其在系统中添加。"
            )
        full_name = options["admin_name"] or (self.ask("姓名") if interactive else "")
        password = self.admin_password(options, username, interactive=interactive)
        admin = User(username=username, full_name=full_name, is_staff=True, is_superuser=True)
        admin.set_password(password)
        admin.save()
        record_event(
            actor=None,
            action="setup_admin_created",
            kind=Event.Kind.CREATE,
            target=admin,
            changes={"username": username, "full_name": full_name},
        )
        self.stdout.write(f"创建系统管理员“{username}”。")
        return admin

    def admin_password(self, options, username: str, *, interactive: bool) -> str:
        password = options["admin_password"] or os.environ.get("ZT_ADMIN_PASSWORD", "")
        while True:
            if not password:
                if not interactive:
                    raise CommandError(
                        "请用 --admin-password 或环境变量 ZT_ADMIN_PASSWORD 给出管理员密码。"
                    )
                password = getpass.getpass("管理员密码:")
                if password != getpass.getpass("再输入一次:"):
                    self.stderr.write("两次输入的密码不一致。")
                    password = ""
                    continue
            try:
                validate_password(password, User(username=username))
            except ValidationError as exc:
                if not interactive:
                    raise CommandError("管理员密码不符合要求:" + "".join(exc.messages)) from None
                self.stderr.write("".join(exc.messages))
                password = ""
                continue
            return password

    def admin_membership(self, admin: User) -> None:
        """The administrator holds 系统管理员 at the top of the tree, once there is one."""
        root = OrgUnit.objects.filter(parent=None).first()
        if root is not None:
            Membership.objects.get_or_create(user=admin, org_unit=root, role=Role.ADMIN)

    def bind_second_factor(self, admin: User, *, interactive: bool) -> None:
        """Show the otpauth link of the administrator's authenticator as a QR code; ask for
        a code to confirm it, or leave it to be confirmed at the first login."""
        if has_second_factor(admin):
            return
        device = pending_device(admin)
        self.stdout.write("请用手机验证器扫描二维码(或手工输入密钥)绑定两步验证:")
        qr = segno.make(device.config_url, error="m")
        drawing = io.StringIO()
        qr.terminal(out=drawing, compact=True)
        self.stdout.write(drawing.getvalue())
        self.stdout.write(f"密钥:{secret_text(device)}")
        self.stdout.write(f"链接:{device.config_url}")
        if not interactive:
            self.stdout.write("首次登录时输入验证器上的 6 位数字即完成绑定。")
            return
        for _attempt in range(3):
            token = self.ask("验证器上的 6 位数字(留空则首次登录时再绑定)")
            if not token:
                return
            if device.verify_token(token):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                self.stdout.write(self.style.SUCCESS("两步验证已绑定。"))
                return
            self.stderr.write("验证码不正确,请重试。")

    # The tree and the files ----------------------------------------------------------------

    def root_by_hand(self, admin: User, options, *, interactive: bool) -> None:
        code = options["root_code"] or (
            self.ask("最上级单位代码(12 位区划代码)") if interactive else ""
        )
        name = options["root_name"] or (self.ask("最上级单位名称") if interactive else "")
        if not code or not name:
            raise CommandError(
                "请用 --org 给出组织单位 xlsx,或用 --root-code 和 --root-name 建立最上级单位。"
            )
        kind = OrgUnit.Kind.CITY if code.endswith("00000000") else OrgUnit.Kind.COUNTY
        if problem := code_problem(code, kind):
            raise CommandError(f"单位代码不正确:{problem}")
        org_unit_save(actor=admin, code=code, name=name, kind=kind, parent=None)
        self.stdout.write(f"建立最上级单位“{name}”。")

    def import_file(self, importer_class: type[Importer], path: Path, *, actor) -> None:
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}。")
        with path.open("rb") as upload:
            try:
                result = run_import(importer_class, actor=actor, upload=upload, dry_run=False)
            except ImportFileError as exc:
                raise CommandError(f"{importer_class.name}:{exc}") from None
        if result.error_count:
            for error in result.errors:
                self.stderr.write(f"{importer_class.name}:{error}")
            raise CommandError(
                f"{importer_class.name}文件 {path.name} 有 {result.error_count} 处错误,未写入任何数据。"
            )
        self.stdout.write(
            f"{importer_class.name}:{result.rows} 行(新增 {result.created},"
            f"更新 {result.updated},无变化 {result.unchanged})。"
        )

    def ask(self, question: str, *, default: str = "") -> str:
        prompt = f"{question}[{default}]:" if default else f"{question}:"
        return input(prompt).strip() or default
