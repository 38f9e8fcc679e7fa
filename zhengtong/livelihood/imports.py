"""就业登记 from an xlsx sheet, on the one import framework (`lib.imports`).

Each row goes through `employment_record_create`, the same action as the form: the person is
found or registered by ID number, and a person counts once per kind per calendar year.
"""

from zhengtong.lib.imports import Column, Importer, Outcome, Row, choice, date, id_number, text
from zhengtong.lib.masking import mask_id_internal

from .actions.employment import employment_record_create
from .models import EmploymentRecord
from .selectors import keeping_unit_for

NAME = "姓名"
ID_NUMBER = "公民身份号码"
KIND = "就业类别"
EMPLOYED_ON = "就业日期"
EMPLOYER = "就业单位/转移去向"
PHONE = "联系电话"


class EmploymentImporter(Importer):
    """One EmploymentRecord per row, kept by the importing clerk's department."""

    name = "就业登记"
    columns = (
        Column(
            NAME,
            "name",
            text(max_length=50),
            required=True,
            note="必填,与身份证一致",
            example="张伟",
        ),
        Column(
            ID_NUMBER,
            "id_number",
            id_number(),
            required=True,
            note="必填,18 位公民身份号码;未登记的人员按号码自动登记",
            example="371524199005010011",
        ),
        Column(
            KIND,
            "kind",
            choice(EmploymentRecord.Kind),
            required=True,
            note="必填:" + "、".join(str(label) for label in EmploymentRecord.Kind.labels),
            example=str(EmploymentRecord.Kind.NEW_URBAN.label),
        ),
        Column(
            EMPLOYED_ON,
            "employed_on",
            date(not_after_today=True),
            required=True,
            note="必填,日期,格式 2026-03-01,不能晚于今天",
            example="2026-03-01",
        ),
        Column(
            EMPLOYER,
            "employer",
            text(max_length=200),
            required=True,
            note="必填:新增就业/再就业填就业单位,农村劳动力转移填转移去向(省市)",
            example="中通客车控股股份有限公司",
        ),
        Column(PHONE, "phone", text(max_length=20), note="选填", example="13805351234"),
    )
    key = ("id_number", "kind", "year")
    duplicate_message = "与第 {first} 行是同一人同一类别同一年度的就业登记,重复。"
    notes = ("同一人同一类别每年只统计一次;系统中已有当年同类登记的行会被拒绝。",)

    def __init__(self, actor):
        super().__init__(actor)
        self.unit = keeping_unit_for(actor)

    def check(self, row: Row) -> None:
        employed_on = row.values["employed_on"]
        row.values["year"] = employed_on.year if employed_on else None

    def apply(self, row: Row) -> Outcome:
        values = row.values
        record = employment_record_create(
            actor=self.actor,
            id_number=values["id_number"].number,
            name=values["name"],
            kind=values["kind"],
            employed_on=values["employed_on"],
            employer=values["employer"],
            phone=values["phone"] or "",
            org_unit=self.unit,
        )
        return Outcome(
            row=row.number,
            code=mask_id_internal(record.person.id_number),
            name=f"{record.person.name} · {record.get_kind_display()}",
        )
