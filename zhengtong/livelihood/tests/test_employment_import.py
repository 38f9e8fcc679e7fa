"""The 就业登记 import page: template, dry run, confirm, all-or-nothing, who may use it."""

import datetime
import io
import os
import shutil
import tempfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from zhengtong.audit.models import Event
from zhengtong.lib.imports import ACTION_CHECKED, ACTION_DONE
from zhengtong.livelihood.imports import EmploymentImporter
from zhengtong.livelihood.models import EmploymentRecord
from zhengtong.people.models import Person

from .jobs_fixtures import D, JobsTestCase, id_for
from .test_employment import record

URL = "/livelihood/employment/import/"
TEMPLATE_URL = "/livelihood/employment/import/template.xlsx"
HEADERS = EmploymentImporter.headers()


def sheet(rows, headers=HEADERS) -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(headers))
    for values in rows:
        ws.append(list(values))
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("就业登记.xlsx", buffer.getvalue())


EMPLOYED_ON = D(2026, 3, 1)


def line(seq: int, *, name="", kind="城镇新增就业", on=EMPLOYED_ON, employer="中通客车"):
    return [name or f"职工{seq}", id_for(seq), kind, on, employer, ""]


class EmploymentImportPageTestCase(JobsTestCase):
    def setUp(self) -> None:
        super().setUp()
        media = tempfile.mkdtemp()
        override = override_settings(MEDIA_ROOT=media)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        self.client.force_login(self.clerk)

    def post(self, upload, *, dry_run=True):
        data = {"file": upload}
        if dry_run:
            data["dry_run"] = "on"
        return self.client.post(URL, data)

    def test_the_page_offers_the_template_with_the_chinese_headers(self) -> None:
        r = self.client.get(URL)
        self.assertContains(r, "导入就业登记")
        self.assertContains(r, TEMPLATE_URL)
        self.assertContains(r, 'name="dry_run"')
        r = self.client.get(TEMPLATE_URL)
        self.assertIn("attachment", r["Content-Disposition"])
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        self.assertEqual(
            [c.value for c in wb.worksheets[0][1]],
            ["姓名", "公民身份号码", "就业类别", "就业日期", "就业单位/转移去向", "联系电话"],
        )

    def test_a_dry_run_reports_then_confirm_imports_through_the_action(self) -> None:
        rows = [line(1), line(2, kind="农村劳动力转移就业", employer="浙江省宁波市")]
        r = self.post(sheet(rows))
        self.assertContains(r, "试导入完成,未写入数据:共 2 行,将新增 2 条")
        self.assertContains(r, 'data-action="create"')
        self.assertContains(r, 'id="confirm-form"')
        self.assertFalse(EmploymentRecord.objects.exists())
        self.assertFalse(Person.objects.exists())
        token = r.context["confirm_token"]
        self.assertTrue(token)

        r = self.client.post(URL, {"confirm": token})
        self.assertContains(r, "导入完成:共 2 行,新增 2 条")
        records = EmploymentRecord.objects.order_by("person__name")
        self.assertEqual(
            [(x.person.name, x.kind, x.org_unit) for x in records],
            [("职工1", "new_urban", self.social), ("职工2", "rural_transfer", self.social)],
        )
        self.assertEqual(
            Event.objects.filter(action="employment_recorded", channel="import").count(), 2
        )
        self.assertEqual(
            list(
                Event.objects.filter(action__in=[ACTION_CHECKED, ACTION_DONE])
                .order_by("pk")
                .values_list("action", flat=True)
            ),
            [ACTION_CHECKED, ACTION_DONE],
        )
        # The confirmed file is gone: confirming twice imports nothing more.
        r = self.client.post(URL, {"confirm": token})
        self.assertContains(r, "确认已过期或无效")
        self.assertEqual(EmploymentRecord.objects.count(), 2)

    def test_a_bad_row_means_nothing_is_written_and_every_error_is_listed(self) -> None:
        record(self.clerk, 3, employed_on=D(2026, 1, 10))
        rows = [
            line(1),
            line(2, kind="公益岗位"),
            line(3),  # already counted in 2026
            line(1, on=D(2026, 5, 1)),  # the same person, kind and year as row 2
            line(4, on=D(2026, 7, 1)),
        ]
        r = self.post(sheet(rows), dry_run=False)
        errors = [str(e) for e in r.context["result"].errors]
        self.assertEqual(len(errors), 4, errors)
        self.assertIn("第 3 行:字段 就业类别:“公益岗位”不是有效的选项", errors[0])
        self.assertTrue(errors[1].startswith("第 4 行:字段 公民身份号码:职工3 2026 年已有"))
        self.assertEqual(
            errors[2],
            "第 5 行:字段 公民身份号码:与第 2 行是同一人同一类别同一年度的就业登记,重复。",
        )
        self.assertEqual(errors[3], "第 6 行:字段 就业日期:不能晚于今天。")
        self.assertContains(r, "未写入任何数据")
        self.assertContains(r, 'id="error-table"')
        self.assertNotContains(r, 'id="confirm-form"')
        self.assertEqual(EmploymentRecord.objects.count(), 1)

    def test_a_file_that_is_not_a_workbook_or_has_wrong_headers_is_refused(self) -> None:
        r = self.post(SimpleUploadedFile("就业.xlsx", b"name,id\n"))
        self.assertIn("不是 Excel 2007 及以上版本的 xlsx 工作簿", r.context["file_error"])
        self.assertContains(r, 'id="file-error"')
        r = self.post(sheet([["张三"]], headers=["名字"]))
        self.assertIn("缺少列:姓名、公民身份号码、就业类别、就业日期", r.context["file_error"])
        r = self.client.post(URL, {"dry_run": "on"})
        self.assertContains(r, "请选择要导入的 xlsx 文件。")
        self.assertFalse(EmploymentRecord.objects.exists())

    def test_only_a_social_affairs_clerk_may_import(self) -> None:
        upload = sheet([line(1)])
        for user in (self.leader, self.civil_clerk, self.outsider, self.office, self.auditor):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403)
            self.assertEqual(self.client.get(TEMPLATE_URL).status_code, 403)
            upload.seek(0)
            self.assertEqual(self.client.post(URL, {"file": upload}).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)
        self.assertFalse(EmploymentRecord.objects.exists())

    def test_a_confirmation_is_only_good_for_the_clerk_who_checked_the_file(self) -> None:
        r = self.post(sheet([line(1)]))
        token = r.context["confirm_token"]
        second = self.make_second_clerk()
        self.client.force_login(second)
        r = self.client.post(URL, {"confirm": token})
        self.assertContains(r, "确认已过期或无效")
        r = self.client.post(URL, {"confirm": token[:-2] + "xx"})
        self.assertContains(r, "确认已过期或无效")
        self.assertFalse(EmploymentRecord.objects.exists())

    def make_second_clerk(self):
        from zhengtong.accounts.models import Role
        from zhengtong.test import make_user

        return make_user("clerk2", memberships=[(Role.DEPT_CLERK, self.social)])

    def test_an_unconfirmed_file_is_deleted_once_its_confirmation_expires(self) -> None:
        from django.core.files.storage import default_storage

        from zhengtong.lib import imports

        self.post(sheet([line(1)]))
        self.post(sheet([line(2)]))
        _, kept = default_storage.listdir(imports.PENDING_DIR)
        self.assertEqual(len(kept), 2)
        # The first was kept 61 minutes ago (the clock of these tests stands still).
        old = (timezone.now() - datetime.timedelta(minutes=61)).timestamp()
        os.utime(default_storage.path(f"{imports.PENDING_DIR}/{kept[0]}"), (old, old))
        self.post(sheet([line(3)]))
        _, now_kept = default_storage.listdir(imports.PENDING_DIR)
        self.assertEqual(len(now_kept), 2)
        self.assertNotIn(kept[0], now_kept)
        self.assertIn(kept[1], now_kept)
