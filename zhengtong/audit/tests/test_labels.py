"""The audit log speaks Chinese: every action the code writes has a name, the filters are
lists of names, and the before/after values read as a person would write them."""

import ast
import pathlib

from zhengtong.audit.labels import ACTION_LABELS, action_label, target_label
from zhengtong.test import BaseTestCase

from .helpers import make_event

ROOT = pathlib.Path(__file__).resolve().parents[2]
WRITERS = {"record_event", "record_read", "record_denied"}


def written_action_codes() -> dict[str, str]:
    """{code: file} of every literal action the code passes to the audit writers, and of the
    module-level constants and file kinds' read_action they pass."""
    codes: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            for keyword in node.keywords:
                wanted = (name in WRITERS and keyword.arg == "action") or (
                    keyword.arg == "read_action"
                )
                if not wanted:
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    codes[value.value] = str(path.relative_to(ROOT))
                elif isinstance(value, ast.Name) and value.id in constants:
                    codes[constants[value.id]] = str(path.relative_to(ROOT))
    return codes


class ActionNamesTestCase(BaseTestCase):
    def test_every_action_the_code_writes_has_a_chinese_name(self) -> None:
        codes = written_action_codes()
        self.assertGreater(len(codes), 100)
        unnamed = {code: where for code, where in codes.items() if code not in ACTION_LABELS}
        self.assertEqual(unnamed, {})

    def test_codes_made_from_a_model_take_its_name(self) -> None:
        self.assertEqual(action_label("person_list_viewed"), "查看人员列表")
        self.assertEqual(action_label("loan_exported"), "导出创业担保贷款")
        self.assertEqual(action_label("sector_created"), "新建产业板块")
        self.assertEqual(action_label("keyproject_access_denied"), "越权访问重点项目")
        self.assertEqual(action_label("no_such_thing"), "其他操作")
        self.assertEqual(target_label("people.person"), "人员")
        self.assertEqual(target_label("no.such"), "其他对象")


class AuditPagesInChineseTestCase(BaseTestCase):
    def test_the_list_names_actions_and_objects_and_filters_by_lists(self) -> None:
        make_event(
            org_unit=self.zone,
            action="project_created",
            target_type="projects.keyproject",
            target_id="7",
            target_repr="聊城高新区智能制造产业园",
        )
        self.client.force_login(self.auditor)
        r = self.client.get("/audit/")
        self.assertContains(r, "新建重点项目")
        self.assertContains(r, "重点项目 #7")
        self.assertNotContains(r, "project_created</")
        self.assertNotContains(r, "projects.keyproject #")
        self.assertContains(r, '<select name="action"')
        self.assertContains(r, '<option value="project_created">新建重点项目</option>')
        self.assertContains(r, '<select name="target_type"')
        r = self.client.get("/audit/", {"action": "drop_table"})
        self.assertContains(r, "动作不存在")
        self.assertEqual(list(r.context["page"].object_list), [])

    def test_before_and_after_read_as_a_person_writes_them(self) -> None:
        event = make_event(
            org_unit=self.zone,
            action="project_updated",
            target_type="projects.keyproject",
            target_id="7",
            changes={
                "stage": ["survey", "under_construction"],
                "total_investment": ["120000000.00", "130000000.00"],
                "is_example": [False, True],
                "late": [None, True],
                "photos": [None, 3],
                "amount": [None, "71000"],
                "changed_days": [None, ["2027-01-01", "2027-01-02"]],
                "filters": [None, {"year": 2026, "q": "张"}],
            },
        )
        self.client.force_login(self.auditor)
        r = self.client.get(f"/audit/{event.pk}/")
        rows = {row["label"]: (row["old"], row["new"]) for row in r.context["rows"]}
        self.assertEqual(rows["总投资(元)"], ("1.20亿元", "1.30亿元"))
        self.assertEqual(rows["示例数据"], ("否", "是"))
        self.assertEqual(rows["逾期完成"], (None, "是"))
        self.assertEqual(rows["照片张数"], (None, "3"))
        self.assertEqual(rows["金额(元)"], (None, "7.10万元"))
        self.assertEqual(rows["变动的日期"], (None, "2027-01-01、2027-01-02"))
        self.assertEqual(rows["阶段"], ("勘查设计", "在建"))
        self.assertEqual(rows["筛选条件"], (None, "关键词:张;年度:2026"))
        self.assertNotContains(r, "['")
