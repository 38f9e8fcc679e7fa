"""Hostile input gets a clear Chinese 400 (or a Chinese message on the form), never a 500:
deeply nested or oversized JSON on the API, spreadsheet formulas smuggled into exports, and
files that only pretend to be xlsx workbooks on every import."""

import io
import json
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.people.tests.fixtures import RegistryTestCase
from zhengtong.population.models import ImportJob
from zhengtong.population.tests.test_imports import ImportTestCase
from zhengtong.projects import ledger
from zhengtong.projects.models import KeyProject
from zhengtong.projects.tests.factories import make_project
from zhengtong.test import BaseTestCase, make_user

NESTED = ("[" * 5000 + "]" * 5000).encode()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def workbook(headers, rows=()) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(list(headers))
    for values in rows:
        wb.active.append(list(values))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def zip_bomb(headers) -> bytes:
    """A real xlsx whose sheet XML is padded with 40 MB of blanks: about 40 KB on disk."""
    source = zipfile.ZipFile(io.BytesIO(workbook(headers)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (40 * 1024 * 1024))
            bomb.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def no_sheet_workbook() -> bytes:
    """A zip shaped like xlsx (content types, workbook part) but without any worksheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def hostile_files(headers) -> dict[str, bytes]:
    return {
        "改名的 exe": EXE,
        "改名的 PNG": PNG,
        "空文件": b"",
        "损坏的压缩包": b"PK\x03\x04" + b"\x00garbage" * 50,
        "压缩炸弹": zip_bomb(headers),
        "没有工作表": no_sheet_workbook(),
        "表头不对": workbook(["名字", "号码"], [["张三", "1"]]),
    }


class ApiJsonTestCase(RegistryTestCase):
    def test_deeply_nested_json_is_a_chinese_400(self) -> None:
        clerk = make_user("hall", memberships=[(Role.WINDOW_CLERK, self.town)])
        for user, url in (
            (clerk, "/api/v1/services/applications/"),
            (self.east_worker, "/api/v1/population/persons/search/"),
        ):
            with self.subTest(url=url):
                self.client.force_login(user)
                r = self.client.post(url, NESTED, content_type="application/json")
                self.assertEqual(r.status_code, 400)
                self.assertIn("嵌套层数过多", r.json()["detail"])

    def test_an_oversized_json_body_is_a_chinese_400(self) -> None:
        self.client.force_login(self.east_worker)
        body = json.dumps({"id_number": "1" * (2 * 1024 * 1024)})
        r = self.client.post(
            "/api/v1/population/persons/search/", body, content_type="application/json"
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("请求正文过大", r.json()["detail"])

    def test_broken_json_is_a_chinese_400(self) -> None:
        self.client.force_login(self.east_worker)
        for body in ('{"id_number": ', '{"id_number": NaN}'):
            r = self.client.post(
                "/api/v1/population/persons/search/", body, content_type="application/json"
            )
            self.assertEqual(r.status_code, 400)
            self.assertIn("不是有效的 JSON", r.json()["detail"])

    def test_brackets_inside_strings_do_not_count_as_depth(self) -> None:
        self.client.force_login(self.east_worker)
        body = json.dumps({"id_number": self.east_person.id_number, "note": "[" * 100})
        r = self.client.post(
            "/api/v1/population/persons/search/", body, content_type="application/json"
        )
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["count"], 1)


class ExportFormulaTestCase(BaseTestCase):
    def test_formulas_in_names_come_out_as_text_and_amounts_as_numbers(self) -> None:
        make_project("KP-1", self.company, name='=HYPERLINK("http://x","点我")')
        make_project("KP-2", self.company, name="=1+2", location="@SUM(A1)")
        make_project("KP-3", self.company, name="-2+3", location="\tcmd")
        self.client.force_login(self.office)
        r = self.client.get("/projects/ledger/export/")
        self.assertEqual(r.status_code, 200)
        ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
        name_col = ledger.HEADERS.index(ledger.NAME) + 1
        total_col = ledger.HEADERS.index(ledger.TOTAL) + 1
        cells = [ws.cell(row=n, column=name_col) for n in range(2, 5)]
        self.assertEqual(
            [c.value for c in cells], ['=HYPERLINK("http://x","点我")', "=1+2", "-2+3"]
        )
        self.assertEqual([c.data_type for c in cells], ["s", "s", "s"])
        place_col = ledger.HEADERS.index(ledger.LOCATION) + 1
        self.assertEqual(
            [ws.cell(row=n, column=place_col).data_type for n in range(3, 5)], ["s", "s"]
        )
        for n in range(2, 5):
            self.assertIsInstance(ws.cell(row=n, column=total_col).value, (int, float))

    def test_an_export_writes_one_read_row_with_its_count(self) -> None:
        make_project("KP-1", self.company)
        make_project("KP-2", self.company)
        self.client.force_login(self.office)
        self.client.get("/projects/ledger/export/")
        event = Event.objects.get(action="keyproject_exported")
        self.assertEqual(event.kind, Event.Kind.READ)
        self.assertEqual(event.actor, self.office)
        self.assertEqual(event.changes["count"], KeyProject.objects.count())


class LedgerImportHostileFileTestCase(BaseTestCase):
    def test_each_hostile_file_is_refused_in_chinese_and_writes_nothing(self) -> None:
        self.client.force_login(self.office)
        before = KeyProject.objects.count()
        for label, data in hostile_files(ledger.HEADERS).items():
            with self.subTest(label):
                upload = SimpleUploadedFile("台账.xlsx", data)
                r = self.client.post("/projects/ledger/import/", {"file": upload})
                self.assertEqual(r.status_code, 200)
                error = r.context["file_error"] or str(r.context["form"].errors)
                self.assertRegex(error, "[\u4e00-\u9fff]")
                if label == "压缩炸弹":
                    self.assertIn("压缩炸弹", error)
        self.assertEqual(KeyProject.objects.count(), before)

    @override_settings(DEBUG=False)
    def test_a_sheet_of_too_many_columns_is_refused(self) -> None:
        self.client.force_login(self.office)
        data = workbook([*ledger.HEADERS, *[f"列{n}" for n in range(200)]])
        r = self.client.post(
            "/projects/ledger/import/", {"file": SimpleUploadedFile("台账.xlsx", data)}
        )
        self.assertIn("超过 100 列", r.context["file_error"])


class PopulationImportHostileFileTestCase(ImportTestCase):
    def test_each_hostile_file_is_refused_on_the_form_and_queues_nothing(self) -> None:
        from zhengtong.population import imports

        self.client.force_login(self.worker)
        for label, data in hostile_files(imports.HEADERS["persons"]).items():
            with self.subTest(label):
                upload = SimpleUploadedFile("人员.xlsx", data)
                r = self.client.post(
                    "/population/imports/", {"kind": "persons", "file": upload, "dry_run": "on"}
                )
                self.assertEqual(r.status_code, 200)
                errors = str(r.context["form"].errors)
                self.assertRegex(errors, "[\u4e00-\u9fff]")
                if label == "压缩炸弹":
                    self.assertIn("压缩炸弹", errors)
        self.assertFalse(ImportJob.objects.exists())
