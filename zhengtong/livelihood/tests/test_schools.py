"""The register of the zone's schools and kindergartens: who may see and change it.

`SchoolTestCase` (no tests of its own) is the base of the other school-safety test modules: a
民政局 clerk (a 部门经办 of another department) and helpers that build inspections.
"""

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.audit.models import Event
from zhengtong.livelihood import checklist
from zhengtong.livelihood.actions import schools as actions
from zhengtong.livelihood.models import School
from zhengtong.test import BaseTestCase, make_unit, make_user

TODAY = datetime.date(2026, 5, 11)  # a Monday
NOW = datetime.datetime(2026, 5, 11, 10, 0, tzinfo=datetime.UTC)


def all_ok() -> dict:
    return {item.code: checklist.OK for item in checklist.ITEMS}


def inspection_post(inspected_on: datetime.date, hazards: dict | None = None) -> dict:
    """POST data of the inspection form; `hazards` = {code: (description, requirement, days)}."""
    data = {"inspected_on": inspected_on.isoformat(), "inspectors": "李检查、孙检查"}
    for item in checklist.ITEMS:
        entry = (hazards or {}).get(item.code)
        data[f"{item.code}_result"] = checklist.HAZARD if entry else checklist.OK
        data[f"{item.code}_description"] = entry[0] if entry else ""
        data[f"{item.code}_requirement"] = entry[1] if entry else ""
        data[f"{item.code}_workdays"] = str(entry[2]) if entry else "10"
    return data


class SchoolTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.civil = make_unit("民政局", "ZONE-MZJ", OrgUnit.Kind.DEPARTMENT, cls.zone)
        cls.civil_clerk = make_user(
            "civil", full_name="陈民政", memberships=[(Role.DEPT_CLERK, cls.civil)]
        )

    def make_school(self, name: str, kind: str = School.Kind.PRIMARY) -> School:
        return actions.school_create(actor=self.clerk, org_unit=self.social, name=name, kind=kind)

    def inspect(self, school, on: datetime.date, hazards: dict | None = None):
        """Record an inspection; `hazards` = {code: (description, requirement, workdays)}."""
        results = all_ok()
        rows = []
        for code, (description, requirement, days) in (hazards or {}).items():
            results[code] = checklist.HAZARD
            rows.append(
                {
                    "item": code,
                    "description": description,
                    "requirement": requirement,
                    "deadline_workdays": days,
                }
            )
        return actions.inspection_record(
            actor=self.clerk,
            school=school,
            inspected_on=on,
            inspectors="李检查",
            results=results,
            hazards=rows,
        )


@time_machine.travel(NOW, tick=False)
class SchoolRegisterTestCase(SchoolTestCase):
    def test_a_clerk_registers_a_school_and_the_change_is_audited(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.post(
            "/livelihood/schools/new/",
            {
                "name": "开发区实验小学",
                "kind": "primary",
                "address": "黄河路 8 号",
                "principal": "刘校长",
            },
        )
        school = School.objects.get(name="开发区实验小学")
        self.assertRedirects(r, f"/livelihood/schools/{school.pk}/")
        self.assertEqual(school.org_unit, self.social)
        self.assertEqual(Event.objects.filter(actor=self.clerk, action="school_created").count(), 1)
        page = self.client.get(f"/livelihood/schools/{school.pk}/")
        self.assertContains(page, "开发区实验小学")
        self.assertContains(page, "录入安全检查")

    def test_a_duplicate_name_is_refused_in_chinese_and_nothing_is_saved(self) -> None:
        self.make_school("开发区实验小学")
        self.client.force_login(self.clerk)
        r = self.client.post(
            "/livelihood/schools/new/", {"name": "开发区实验小学", "kind": "middle"}
        )
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "学校名称“开发区实验小学”已登记", status_code=400)
        self.assertEqual(School.objects.count(), 1)

    def test_a_missing_type_names_the_field(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.post("/livelihood/schools/new/", {"name": "东城小学", "kind": ""})
        self.assertContains(r, "类型不能为空", status_code=400)
        self.assertFalse(School.objects.exists())

    def test_a_clerk_edits_a_school(self) -> None:
        school = self.make_school("东城小学")
        self.client.force_login(self.clerk)
        r = self.client.post(
            f"/livelihood/schools/{school.pk}/edit/",
            {"name": "东城小学", "kind": "nine_year", "principal": "王校长"},
        )
        self.assertRedirects(r, f"/livelihood/schools/{school.pk}/")
        school.refresh_from_db()
        self.assertEqual(school.kind, "nine_year")
        event = Event.objects.get(action="school_updated")
        self.assertEqual(event.changes["kind"], ["primary", "nine_year"])

    def test_a_leader_reads_the_register_but_cannot_change_it(self) -> None:
        school = self.make_school("东城小学")
        self.client.force_login(self.leader)
        self.assertContains(self.client.get("/livelihood/schools/"), "东城小学")
        detail = self.client.get(f"/livelihood/schools/{school.pk}/")
        self.assertContains(detail, "东城小学")
        self.assertNotContains(detail, "录入安全检查")
        self.assertEqual(self.client.get("/livelihood/schools/new/").status_code, 403)
        self.assertEqual(
            self.client.post(
                "/livelihood/schools/new/", {"name": "x", "kind": "primary"}
            ).status_code,
            403,
        )
        r = self.client.post(
            f"/livelihood/schools/{school.pk}/edit/", {"name": "改名", "kind": "primary"}
        )
        self.assertEqual(r.status_code, 403)
        self.assertEqual(
            self.client.get(f"/livelihood/schools/{school.pk}/inspect/").status_code, 403
        )
        school.refresh_from_db()
        self.assertEqual(school.name, "东城小学")

    def test_a_clerk_of_another_department_does_not_see_the_schools(self) -> None:
        school = self.make_school("东城小学")
        self.client.force_login(self.civil_clerk)
        self.assertNotContains(self.client.get("/livelihood/schools/"), "东城小学")
        self.assertEqual(self.client.get(f"/livelihood/schools/{school.pk}/").status_code, 404)
        r = self.client.post(
            f"/livelihood/schools/{school.pk}/edit/", {"name": "改名", "kind": "primary"}
        )
        self.assertEqual(r.status_code, 404)
        self.assertEqual(self.client.get("/livelihood/schools/new/").status_code, 403)

    def test_someone_without_a_livelihood_role_is_refused(self) -> None:
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get("/livelihood/schools/").status_code, 403)

    def test_the_list_takes_a_fixed_number_of_queries_and_is_paginated(self) -> None:
        self.client.force_login(self.clerk)
        school = self.make_school("学校00")
        self.inspect(school, TODAY)
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get("/livelihood/schools/").status_code, 200)
        for i in range(1, 30):
            self.inspect(self.make_school(f"学校{i:02d}"), TODAY)
        with self.assertNumQueries(len(few)):
            r = self.client.get("/livelihood/schools/")
        self.assertEqual(len(r.context["page"].object_list), 25)
        self.assertContains(self.client.get("/livelihood/schools/?page=2"), "学校29")
