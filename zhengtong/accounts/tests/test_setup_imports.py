"""The first-run imports as pages: only the 系统管理员 opens them, the template has a sample
row and a 说明 sheet, a dry run writes nothing and confirming imports the same file."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengtong.accounts.imports import OrgUnitImporter
from zhengtong.accounts.models import OrgUnit
from zhengtong.audit.models import Event
from zhengtong.lib import xlsx
from zhengtong.test import BaseTestCase

URL = "/accounts/imports/org/"


def upload(rows) -> SimpleUploadedFile:
    data = xlsx.workbook_bytes(
        [xlsx.Sheet(title="组织单位", headers=OrgUnitImporter.headers(), rows=rows)]
    )
    return SimpleUploadedFile("组织单位.xlsx", data)


class SetupImportPageTestCase(BaseTestCase):
    def test_only_the_system_administrator_may_open_the_import_pages(self) -> None:
        for url in (URL, "/accounts/imports/users/", "/accounts/imports/posts/"):
            self.client.force_login(self.clerk)
            self.assertEqual(self.client.get(url).status_code, 403)
            self.assertEqual(self.client.get(url + "template/").status_code, 403)
            self.client.force_login(self.admin)
            self.assertContains(self.client.get(url), "下载导入模板")

    def test_the_template_has_a_sample_row_and_an_instruction_sheet(self) -> None:
        self.client.force_login(self.admin)
        for kind in ("org", "users", "posts"):
            response = self.client.get(f"/accounts/imports/{kind}/template/")
            wb = openpyxl.load_workbook(io.BytesIO(response.content))
            first, notes = wb.worksheets
            self.assertEqual(first.max_row, 2, kind)
            self.assertTrue(all(c.value not in (None, "") for c in first[2][:3]), kind)
            self.assertEqual(notes.title, "填写说明")

    def test_a_dry_run_writes_nothing_and_confirming_imports_the_file(self) -> None:
        self.client.force_login(self.admin)
        self.town.code = "371524104000"
        self.town.save()
        rows = [["371524104203", "南村", "村", "371524104000"]]
        response = self.client.post(URL, {"file": upload(rows), "dry_run": "on"})
        self.assertContains(response, "南村")
        self.assertFalse(OrgUnit.objects.filter(code="371524104203").exists())
        token = response.context["confirm_token"]
        self.assertTrue(token)
        self.client.post(URL, {"confirm": token})
        village = OrgUnit.objects.get(code="371524104203")
        self.assertEqual(village.parent, self.town)
        self.assertTrue(Event.objects.filter(action="org_unit_created", actor=self.admin).exists())
        self.assertTrue(Event.objects.filter(action="xlsx_import_done", actor=self.admin).exists())

    def test_a_bad_row_is_shown_with_its_row_number_and_nothing_is_written(self) -> None:
        self.client.force_login(self.admin)
        rows = [["371524104203", "南村", "村", "371599000000"]]
        response = self.client.post(URL, {"file": upload(rows)})
        self.assertContains(response, "上级单位“371599000000”不存在")
        self.assertContains(response, "第 2 行")
        self.assertFalse(OrgUnit.objects.filter(code="371524104203").exists())
