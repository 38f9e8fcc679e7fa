import datetime
import io
import shutil
import tempfile
import zipfile
from decimal import Decimal

import openpyxl
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from zhengtong.audit.models import Event
from zhengtong.lib.imports import AUDIT_ACTIONS
from zhengtong.projects import ledger
from zhengtong.projects.models import KeyProject, ProgressReport, Stage
from zhengtong.projects.tests.factories import make_project, make_sector
from zhengtong.test import BaseTestCase

EXPORT_URL = "/projects/ledger/export/"
IMPORT_URL = "/projects/ledger/import/"
TODAY = datetime.datetime(2026, 3, 15, 10, 0, tzinfo=datetime.UTC)


def xlsx(rows, headers=tuple(ledger.HEADERS)) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def changes() -> int:
    """Audit rows of register changes (sign-ins and the summary of each import run are logged
    too and do not count here)."""
    return Event.objects.exclude(kind=Event.Kind.LOGIN).exclude(action__in=AUDIT_ACTIONS).count()


def upload(data: bytes, name="台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=ledger_content_type())


def ledger_content_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def row(code="KP-100", **overrides) -> list:
    values = {
        ledger.CODE: code,
        ledger.NAME: "聊城国际会展中心",
        ledger.YEAR: 2026,
        ledger.SECTOR: "new-energy",
        ledger.CATEGORY: "产业",
        ledger.PROJECT_TYPE: "新建",
        ledger.ORG_UNIT: "CO-ZT",
        ledger.RESPONSIBLE_UNIT: "ZONE-JFJ",
        ledger.LOCATION: "东昌府区黄河路",
        ledger.TOTAL: 120000,
        ledger.PLAN: 30000.5,
        ledger.START: datetime.date(2026, 4, 1),
        ledger.FINISH: "2027-12-31",
        ledger.STAGE: "未开工",
        ledger.LEADERS: "",
        ledger.YTD: None,
        ledger.PROGRESS: None,
    }
    values.update({getattr(ledger, k): v for k, v in overrides.items()})
    return [values[h] for h in ledger.HEADERS]


@time_machine.travel(TODAY, tick=False)
class LedgerTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # A dry run that passes keeps the file for 确认导入.
        media = tempfile.mkdtemp()
        override = override_settings(MEDIA_ROOT=media)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        self.sector = make_sector()
        make_sector("logistics", "现代物流")
        self.bus = make_project(
            "KP-001",
            self.company,
            name="中通新能源及节能型客车生产基地",
            location="开发区黄山路东",
            total="5000000000.00",
            plan="1200000000.55",
            stage=Stage.UNDER_CONSTRUCTION,
            planned_start_on=datetime.date(2025, 3, 1),
            planned_finish_on=datetime.date(2027, 6, 30),
            responsible_unit=self.dept,
            leaders=[self.leader, self.second_leader],
        )
        self.copper = make_project("KP-002", self.other_company, name="万合铜铝深加工")
        ProgressReport.objects.create(
            project=self.bus,
            month=datetime.date(2026, 1, 1),
            investment=Decimal("30000000.00"),
            physical_progress=Decimal("35.5"),
            submitted_by=self.liaison,
        )
        ProgressReport.objects.create(
            project=self.bus,
            month=datetime.date(2025, 12, 1),
            investment=Decimal("99000000.00"),
            physical_progress=Decimal("30"),
            submitted_by=self.liaison,
        )

    def export(self, user) -> list[tuple]:
        self.client.force_login(user)
        r = self.client.get(EXPORT_URL)
        self.assertEqual(r.status_code, 200)
        wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
        return list(wb.worksheets[0].iter_rows(values_only=True))

    def post_import(self, data: bytes, *, dry_run: bool, name="台账.xlsx"):
        self.client.force_login(self.office)
        payload = {"file": upload(data, name)}
        if dry_run:
            payload["dry_run"] = "on"
        return self.client.post(IMPORT_URL, payload)

    def register(self) -> list[dict]:
        return list(
            KeyProject.objects.order_by("code").values(
                *[f.attname for f in KeyProject._meta.concrete_fields if f.name != "updated_at"]
            )
        )


class LedgerExportTestCase(LedgerTestCase):
    def test_it_exports_the_visible_projects_with_chinese_headers(self) -> None:
        rows = self.export(self.office)
        self.assertEqual(list(rows[0]), ledger.HEADERS)
        self.assertEqual([r[0] for r in rows[1:]], ["KP-001", "KP-002"])
        bus = dict(zip(ledger.HEADERS, rows[1], strict=True))
        self.assertEqual(bus[ledger.NAME], "中通新能源及节能型客车生产基地")
        self.assertEqual(bus[ledger.SECTOR], "new-energy")
        self.assertEqual(bus[ledger.CATEGORY], "产业")
        self.assertEqual(bus[ledger.ORG_UNIT], "CO-ZT")
        self.assertEqual(bus[ledger.RESPONSIBLE_UNIT], "ZONE-JFJ")
        self.assertEqual(bus[ledger.TOTAL], 500000)
        self.assertEqual(bus[ledger.PLAN], 120000.000055)
        self.assertEqual(bus[ledger.START].date(), datetime.date(2025, 3, 1))
        self.assertEqual(bus[ledger.STAGE], "在建")
        self.assertEqual(bus[ledger.LEADERS], "leader,leader2")
        # Only this year's reports count towards 本年累计; 形象进度 is the latest report's.
        self.assertEqual(bus[ledger.YTD], 3000)
        self.assertEqual(bus[ledger.PROGRESS], 35.5)

    def test_the_download_is_an_xlsx_attachment(self) -> None:
        self.client.force_login(self.leader)
        r = self.client.get(EXPORT_URL)
        self.assertEqual(r["Content-Type"], ledger_content_type())
        self.assertIn("attachment", r["Content-Disposition"])
        self.assertIn("20260315.xlsx", r["Content-Disposition"])

    def test_a_liaison_exports_only_own_projects(self) -> None:
        rows = self.export(self.liaison)
        self.assertEqual([r[0] for r in rows[1:]], ["KP-001"])

    def test_users_without_a_project_role_are_refused(self) -> None:
        for user in (self.clerk, self.outsider, self.auditor):
            self.client.force_login(user)
            self.assertEqual(self.client.get(EXPORT_URL).status_code, 403)

    def test_anonymous_users_are_sent_to_login(self) -> None:
        r = self.client.get(EXPORT_URL)
        self.assertEqual(r.status_code, 302)


class LedgerImportTestCase(LedgerTestCase):
    def test_the_import_page_shows_the_form_with_dry_run_checked(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get(IMPORT_URL)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'name="dry_run"')
        self.assertContains(r, "checked")

    def test_only_the_project_office_may_import(self) -> None:
        data = xlsx([row()])
        for user in (self.leader, self.liaison, self.auditor, self.clerk):
            self.client.force_login(user)
            self.assertEqual(self.client.get(IMPORT_URL).status_code, 403)
            r = self.client.post(IMPORT_URL, {"file": upload(data)})
            self.assertEqual(r.status_code, 403)
        self.assertFalse(KeyProject.objects.filter(code="KP-100").exists())

    def test_export_then_import_changes_nothing(self) -> None:
        """The exported file read back is the same register: no creates, no updates, no events."""
        self.client.force_login(self.office)
        exported = self.client.get(EXPORT_URL).content
        before, events = self.register(), changes()
        r = self.post_import(exported, dry_run=False)
        result = r.context["result"]
        self.assertEqual(result.errors, [])
        self.assertEqual(
            (result.rows, result.created, result.updated, result.unchanged), (2, 0, 0, 2)
        )
        self.assertEqual(self.register(), before)
        self.assertEqual(changes(), events)

    def test_a_dry_run_previews_and_writes_nothing(self) -> None:
        self.client.force_login(self.office)
        wb = openpyxl.load_workbook(io.BytesIO(self.client.get(EXPORT_URL).content))
        wb.worksheets[0]["B2"] = "中通客车新能源基地(二期)"
        wb.worksheets[0].append(row("KP-100"))
        buffer = io.BytesIO()
        wb.save(buffer)
        before, events = self.register(), changes()

        r = self.post_import(buffer.getvalue(), dry_run=True)

        result = r.context["result"]
        self.assertEqual(result.errors, [])
        self.assertEqual((result.created, result.updated, result.unchanged), (1, 1, 1))
        self.assertContains(r, "试导入完成,未写入数据")
        self.assertContains(r, 'data-code="KP-100" data-action="create"')
        self.assertEqual(self.register(), before)
        self.assertEqual(changes(), events)

    def test_a_real_import_creates_and_updates_through_the_actions(self) -> None:
        rows = [
            row("KP-100", LEADERS="leader"),
            row(
                "KP-002",
                NAME="万合铜铝深加工",
                ORG_UNIT="CO-WH",
                RESPONSIBLE_UNIT=None,
                LOCATION=None,
                TOTAL=200,
                PLAN=50,
                START=None,
                FINISH=None,
                STAGE="勘查设计",
            ),
        ]
        r = self.post_import(xlsx(rows), dry_run=False)
        result = r.context["result"]
        self.assertEqual(result.errors, [])
        self.assertTrue(result.applied)
        self.assertContains(r, "导入完成")

        created = KeyProject.objects.get(code="KP-100")
        self.assertEqual(created.name, "聊城国际会展中心")
        self.assertEqual(created.total_investment, Decimal("1200000000.00"))
        self.assertEqual(created.annual_plan, Decimal("300005000.00"))
        self.assertEqual(created.org_unit, self.company)
        self.assertEqual(created.responsible_unit, self.dept)
        self.assertEqual(created.planned_finish_on, datetime.date(2027, 12, 31))
        self.assertEqual(list(created.leaders.all()), [self.leader])

        self.copper.refresh_from_db()
        self.assertEqual(self.copper.total_investment, Decimal("2000000.00"))
        self.assertEqual(self.copper.stage, Stage.SURVEY)

        events = Event.objects.filter(channel="import")
        self.assertEqual(
            sorted(events.values_list("action", flat=True)),
            ["project_created", "project_stage_changed", "project_updated", "xlsx_import_done"],
        )
        summary = events.get(action="xlsx_import_done")
        self.assertEqual(summary.target_repr, "重点项目台账")
        self.assertEqual(
            {k: summary.changes[k] for k in ("file", "rows", "created", "updated")},
            {"file": "台账.xlsx", "rows": 2, "created": 1, "updated": 1},
        )
        update = events.get(action="project_updated")
        self.assertEqual(update.reason, "台账导入")
        self.assertEqual(update.actor, self.office)
        self.assertEqual(update.ip, "127.0.0.1")

    def test_importing_the_same_file_twice_is_idempotent(self) -> None:
        data = xlsx([row("KP-100")])
        self.post_import(data, dry_run=False)
        events = changes()
        result = self.post_import(data, dry_run=False).context["result"]
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 1))
        self.assertEqual(KeyProject.objects.filter(code="KP-100").count(), 1)
        self.assertEqual(changes(), events)

    def test_one_bad_row_means_nothing_is_written_at_all(self) -> None:
        rows = [row("KP-100"), row("KP-101"), row("KP-102", PLAN=130000)]
        before, events = self.register(), changes()
        r = self.post_import(xlsx(rows), dry_run=False)
        result = r.context["result"]
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 4 行:字段 年度计划投资(万元):年度计划投资不能超过总投资。"],
        )
        self.assertFalse(result.applied)
        self.assertContains(r, "未写入任何数据")
        self.assertContains(r, 'id="error-table"')
        self.assertEqual(self.register(), before)
        self.assertEqual(changes(), events)

    def test_an_error_raised_by_an_action_also_rolls_back_every_row(self) -> None:
        """在建 without a 帮包 leader passes parsing but project_create refuses it."""
        rows = [row("KP-100"), row("KP-101", STAGE="在建")]
        before = self.register()
        result = self.post_import(xlsx(rows), dry_run=False).context["result"]
        self.assertEqual(len(result.errors), 1)
        self.assertEqual(result.errors[0].row, 3)
        self.assertEqual(result.errors[0].column, ledger.STAGE)
        self.assertIn("帮包领导", result.errors[0].message)
        self.assertEqual(self.register(), before)

    def test_every_bad_cell_is_reported_with_row_and_column(self) -> None:
        rows = [
            row("KP-100", SECTOR="space", ORG_UNIT="NOPE", LEADERS="leader,ghost"),
            row("KP-101", TOTAL="abc", PLAN=-5, START="2026-13-01", YEAR="26"),
            row("KP-102", CATEGORY="工业", STAGE="施工中", RESPONSIBLE_UNIT="LIUJI"),
            row("KP-100"),
            row("KP-103", ORG_UNIT="LIUJI"),
            row("KP-001", ORG_UNIT="CO-ZT", NAME=None),
        ]
        result = self.post_import(xlsx(rows), dry_run=True).context["result"]
        messages = [str(e) for e in result.errors]
        expected = [
            "第 2 行:字段 产业板块:“space”不是有效的产业板块编码或名称。",
            "第 2 行:字段 项目单位(编码):“NOPE”不是有效的单位编码。",
            "第 2 行:字段 帮包领导(用户名,逗号分隔):找不到用户名为“ghost”的用户。",
            "第 3 行:字段 计划年度:“26”不是有效的年份(应为 2000–2100 之间的四位数字)。",
            "第 3 行:字段 总投资(万元):“abc”不是数字(万元)。",
            "第 3 行:字段 年度计划投资(万元):不能为负数。",
            "第 3 行:字段 计划开工:“2026-13-01”不是有效日期(格式应为 2026-03-01)。",
            "第 4 行:字段 类别:“工业”不是有效的类别。",
            "第 4 行:字段 阶段:“施工中”不是有效的阶段。",
            "第 5 行:字段 项目编号:“KP-100”与第 2 行重复。",
            "第 6 行:字段 项目单位(编码):单位“LIUJI”不在您管理的范围内。",
            "第 7 行:字段 项目名称:必填。",
        ]
        for message in expected:
            self.assertIn(message, messages)
        self.assertEqual(len(messages), len(expected), messages)
        self.assertFalse(KeyProject.objects.filter(code__in=["KP-102"]).exists())

    def test_wrong_headers_give_one_message_listing_the_expected_ones(self) -> None:
        headers = [h for h in ledger.HEADERS if h != ledger.TOTAL] + ["备注"]
        r = self.post_import(xlsx([], headers=headers), dry_run=False)
        self.assertIsNone(r.context["result"])
        error = r.context["file_error"]
        self.assertIn("缺少列:总投资(万元)", error)
        self.assertIn("无法识别的列:备注", error)
        self.assertIn("、".join(ledger.IMPORT_HEADERS), error)
        self.assertContains(r, 'id="file-error"')

    def test_a_file_that_is_not_xlsx_is_refused_in_chinese(self) -> None:
        before = self.register()
        r = self.post_import(
            "项目编号,项目名称\nKP-9,x\n".encode(), dry_run=False, name="台账.xlsx"
        )
        self.assertIn("不是 Excel 2007 及以上版本的 xlsx 工作簿", r.context["file_error"])

        zipped = io.BytesIO()
        with zipfile.ZipFile(zipped, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        r = self.post_import(zipped.getvalue(), dry_run=False, name="台账.xlsx")
        self.assertIn("不是 Excel 2007 及以上版本的 xlsx 工作簿", r.context["file_error"])
        self.assertEqual(self.register(), before)

    def test_a_file_over_5_mb_is_refused(self) -> None:
        big = b"PK\x03\x04" + b"0" * (5 * 1024 * 1024)
        r = self.post_import(big, dry_run=False)
        self.assertIn("超过 5 MB", r.context["file_error"])

    def test_the_form_requires_a_file(self) -> None:
        self.client.force_login(self.office)
        r = self.client.post(IMPORT_URL, {"dry_run": "on"})
        self.assertContains(r, "请选择要导入的 xlsx 文件。")
