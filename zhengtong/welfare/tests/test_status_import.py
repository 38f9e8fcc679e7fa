"""The 救助身份 import page: template, dry run, confirm, corrections, who may use it."""

import datetime
import io
import shutil
import tempfile

import openpyxl
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from zhengtong.audit.models import Event
from zhengtong.people.models import Person
from zhengtong.test import make_id_number

from ..imports import WelfareStatusImporter
from ..models import WelfareStatus
from .fixtures import TODAY, WelfareTestCase

URL = "/welfare/status/import/"
TEMPLATE_URL = "/welfare/status/import/template.xlsx"


def sheet(rows, headers=None) -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(headers or WelfareStatusImporter.headers()))
    for values in rows:
        ws.append(list(values))
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("救助身份.xlsx", buffer.getvalue())


def line(person_or_seq, *, name="", category="低保", dependent="是", on="2025-06-01") -> list:
    if isinstance(person_or_seq, Person):
        number, name = person_or_seq.id_number, name or person_or_seq.name
    else:
        number = make_id_number(datetime.date(1945, 1, 1), female=True, seq=person_or_seq)
        name = name or f"王老太{person_or_seq}"
    return [name, number, category, dependent, on]


@time_machine.travel(TODAY)
class WelfareStatusImportTestCase(WelfareTestCase):
    def setUp(self) -> None:
        super().setUp()
        media = tempfile.mkdtemp()
        override = override_settings(MEDIA_ROOT=media)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        self.client.force_login(self.civil)

    def post(self, upload, *, dry_run=True):
        data = {"file": upload}
        if dry_run:
            data["dry_run"] = "on"
        return self.client.post(URL, data)

    def test_the_template_downloads_with_the_chinese_headers(self) -> None:
        self.assertContains(self.client.get(URL), TEMPLATE_URL)
        r = self.client.get(TEMPLATE_URL)
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        self.assertEqual(
            [c.value for c in wb.worksheets[0][1]],
            ["姓名", "公民身份号码", "救助类别", "生活长期不能自理", "核实日期"],
        )

    def test_new_people_are_recorded_and_known_ones_corrected_after_confirm(self) -> None:
        known = self.make_person(seq=3)
        self.make_status(known, category="dibao", dependent=True)
        same = self.make_person(seq=4, name="李老汉")
        self.make_status(same, category="dibao", dependent=True)
        rows = [
            line(1, category="农村五保", dependent="否"),
            line(known, category="低保边缘", on="2025-06-10"),
            line(same, on="2025-01-05"),
        ]
        r = self.post(sheet(rows))
        result = r.context["result"]
        self.assertEqual(result.errors, [])
        self.assertEqual((result.created, result.updated, result.unchanged), (1, 1, 1))
        self.assertContains(r, "救助类别、核实日期")
        self.assertEqual(WelfareStatus.objects.count(), 2)

        r = self.client.post(URL, {"confirm": r.context["confirm_token"]})
        self.assertContains(r, "导入完成:共 3 行,新增 1 条、更新 1 条、1 条无变化")
        new = WelfareStatus.objects.get(person__name="王老太1")
        self.assertEqual(
            (new.category, new.long_term_dependent, new.org_unit, new.verified_by),
            ("tekun", False, self.civil_unit, self.civil),
        )
        known.welfare_status.refresh_from_db()
        self.assertEqual(known.welfare_status.category, "dibao_edge")
        self.assertEqual(known.welfare_status.verified_on, datetime.date(2025, 6, 10))
        events = Event.objects.filter(action="welfare_status_set", channel="import")
        self.assertEqual(events.count(), 2)

    def test_bad_rows_are_listed_and_nothing_is_written(self) -> None:
        kept_elsewhere = self.make_person(seq=5, name="赵老汉")
        WelfareStatus.objects.create(
            person=kept_elsewhere,
            org_unit=self.social,
            category="dibao",
            verified_on=datetime.date(2025, 1, 1),
            verified_by=self.clerk,
        )
        rows = [
            line(1),
            line(2, category="孤儿", dependent="不确定"),
            line(1, name="王老太一"),
            line(kept_elsewhere),
            line(6, on="2025-07-01"),
        ]
        r = self.post(sheet(rows), dry_run=False)
        errors = [str(e) for e in r.context["result"].errors]
        self.assertEqual(
            errors,
            [
                "第 3 行:字段 救助类别:“孤儿”不是有效的选项,应为:无、低保、特困(城市三无/农村五保)"
                "、低保边缘。",
                "第 3 行:字段 生活长期不能自理:“不确定”不是有效的选项,应为:是、否。",
                "第 4 行:字段 公民身份号码:与第 2 行的身份证号码重复。",
                "第 5 行:字段 公民身份号码:该人员的救助身份由其他单位登记,不能由您导入或更正。",
                "第 6 行:字段 核实日期:不能晚于今天。",
            ],
        )
        self.assertContains(r, "未写入任何数据")
        self.assertEqual(WelfareStatus.objects.count(), 1)
        self.assertFalse(Person.objects.filter(name__startswith="王老太").exists())

    def test_a_name_that_does_not_match_the_registry_is_refused_by_the_action(self) -> None:
        person = self.make_person(seq=7)
        r = self.post(sheet([line(person, name="张老头")]))
        self.assertEqual(
            [str(e) for e in r.context["result"].errors],
            ["第 2 行:字段 姓名:姓名与该身份证号码已登记的姓名不一致,请核对。"],
        )
        self.assertIsNone(r.context["confirm_token"] or None)

    def test_a_bad_file_is_refused_in_chinese(self) -> None:
        r = self.post(SimpleUploadedFile("a.xlsx", b"\x89PNG\r\n"))
        self.assertIn("不是 Excel 2007 及以上版本的 xlsx 工作簿", r.context["file_error"])
        r = self.post(sheet([], headers=["姓名", "身份证"]))
        self.assertIn("无法识别的列:身份证", r.context["file_error"])
        self.assertFalse(WelfareStatus.objects.exists())

    def test_only_a_civil_affairs_clerk_may_import(self) -> None:
        upload = sheet([line(1)])
        for user in (self.leader, self.clerk, self.outsider, self.admin):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403)
            self.assertEqual(self.client.get(TEMPLATE_URL).status_code, 403)
            upload.seek(0)
            self.assertEqual(self.client.post(URL, {"file": upload}).status_code, 403)
        self.assertFalse(WelfareStatus.objects.exists())

    def test_a_livelihood_confirmation_cannot_be_replayed_here(self) -> None:
        """The token names its importer: one signed for another ledger is refused."""
        from zhengtong.lib import imports

        upload = sheet([line(1)])
        token = imports._store_pending(upload, actor=self.civil, importer_class=imports.Importer)
        r = self.client.post(URL, {"confirm": token})
        self.assertContains(r, "确认已过期或无效")
        self.assertFalse(WelfareStatus.objects.exists())
