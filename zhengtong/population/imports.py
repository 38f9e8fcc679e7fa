"""The population import (人员, 流动人口) declared on the one import framework (`lib.imports`).

The workbook is opened read-only and its rows are streamed one at a time: a file of 100,000
rows is never held in memory. What the check keeps per file is the set of duplicate keys seen
so far, a pending batch of up to 1,000 rows (looked up in the database in one query), and the
first `MAX_STORED_ERRORS` errors.

Persons are read once: each row is checked and staged (`lib.imports.StagingTable`), the
numbers already registered are found in SQL, and the rows are written from the staging table
in one statement. Floating records are read twice: once to check every row (`check_stream`),
and, when nothing is wrong and the run is real, once more to write them (`parsed_rows`
feeding the action's batches). Parsing is deterministic, so the second pass sees what the
first one checked.
"""

import datetime
from collections.abc import Sequence
from typing import Any, ClassVar

from django.utils import timezone

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import can_act_in, unit_paths
from zhengtong.lib.encrypted import found_values, match_any
from zhengtong.lib.imports import (
    BATCH,
    Column,
    Importer,
    ImportFileError,
    Row,
    choice,
    date,
    id_number,
    text,
)
from zhengtong.people.models import Person
from zhengtong.workdays import HolidayDataMissing, WorkCalendar

from .models import FloatingRecord
from .selectors import POPULATION_ROLES

__all__ = ["BATCH", "ImportFileError"]

KIND_PERSONS = "persons"
KIND_FLOATING = "floating"
KIND_LABELS = {KIND_PERSONS: "人员信息", KIND_FLOATING: "流动人口"}

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
# Oldest plausible resident: an ID number with an earlier birth date is a typing error.
MAX_AGE_YEARS = 120
# 婚育证明 (流动人口计划生育工作条例 Art. 7) is kept for women of these ages.
CERT_AGES = (18, 49)
CERT_DUE_DAYS = 30

# Column headers (the first row of the sheet).
NAME = "姓名"
ID_NUMBER = "公民身份号码"
PHONE = "联系电话"
VILLAGE = "所属村"
HUKOU_ADDRESS = "户籍地"
CURRENT_ADDRESS = "现居住地"
MARITAL = "婚姻状况"
HUKOU_TYPE = "户籍类别"
DIRECTION = "流向"
PLACE = "流入地/流出地"
STARTED_ON = "流出/流入日期"
EMPLOYER = "务工单位"
SPOUSE = "配偶信息"
FERTILITY = "生育状况"
CONTRACEPTION = "避孕节育情况"
ISSUED_BY = "婚育证明出具机关"
ISSUED_ON = "婚育证明出具日期"
PRESENTED_ON = "婚育证明交验日期"

MARITAL_CHOICES = {str(label): value for value, label in Person.MaritalStatus.choices if value}
MARITAL_CHOICES_LABELS = {value: label for label, value in MARITAL_CHOICES.items()}
HUKOU_CHOICES = {str(label): value for value, label in Person.HukouType.choices}
DIRECTION_CHOICES = {str(label): value for value, label in FloatingRecord.Direction.choices}

CERT_MISSING = "18–49 岁妇女的婚育证明必填项。"
ALREADY_REGISTERED = "该身份证号码已在系统中登记,请勿重复导入。"

_NAME = Column(
    NAME, "name", text(max_length=50), required=True, note="必填,不超过 50 个字", example="张秀英"
)
_ID = Column(
    ID_NUMBER,
    "id_number",
    id_number(max_age=MAX_AGE_YEARS),
    required=True,
    note="必填,18 位公民身份号码;出生日期和性别由号码得出,无需另填",
    example="371524199003150024",
)
_PHONE = Column(
    PHONE, "phone", text(max_length=20), note="选填,手机或固定电话", example="13805351234"
)
_VILLAGE = Column(
    VILLAGE, "village", text(), note="村名称或编码;导入人只负责一个村时可不填", example="刘集村"
)
_MARITAL = Column(
    MARITAL,
    "marital_status",
    choice(MARITAL_CHOICES),
    note="未婚、已婚、再婚、离婚、丧偶,可不填;18–49 岁流出妇女必填(婚育证明)",
    example="已婚",
)


class PersonsImporter(Importer):
    """人员信息: one new Person per row; a number already registered is refused."""

    name = KIND_LABELS[KIND_PERSONS]
    columns: ClassVar[Sequence[Column]] = (
        _NAME,
        _ID,
        _PHONE,
        _VILLAGE,
        Column(
            HUKOU_ADDRESS,
            "hukou_address",
            text(max_length=200),
            note="选填",
            example="东阿县刘集镇刘集村",
        ),
        Column(
            CURRENT_ADDRESS,
            "current_address",
            text(max_length=200),
            note="选填",
            example="东阿县刘集镇刘集村",
        ),
        _MARITAL,
        Column(
            HUKOU_TYPE,
            "hukou_type",
            choice(HUKOU_CHOICES),
            note="本地户籍 或 外地户籍,不填为本地户籍",
            example="本地户籍",
        ),
    )
    key: ClassVar[Sequence[str]] = ("id_number",)
    duplicate_message = "与第 {first} 行的身份证号码重复。"
    max_bytes = MAX_BYTES
    max_rows = MAX_ROWS

    def __init__(self, actor, today: datetime.date | None = None):
        super().__init__(actor)
        self.today = today or timezone.localdate()
        paths = unit_paths(actor, POPULATION_ROLES)
        villages = OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE)
        self.villages: dict[str, OrgUnit] = {}
        for unit in villages:
            self.villages[unit.code] = unit
            self.villages.setdefault(unit.name, unit)
        own = [u for u in villages if any(u.path.startswith(p) for p in paths)]
        self.default_village = own[0] if len(own) == 1 else None
        self.own_villages = {u.pk for u in own}

    def check(self, row: Row) -> None:
        values = row.values
        village_text = values["village"] or ""
        village = None
        if village_text:
            village = self.villages.get(village_text)
            if village is None:
                row.error(VILLAGE, f"找不到村“{village_text}”,请填写村名称或编码。")
            elif village.pk not in self.own_villages:
                row.error(VILLAGE, f"“{village.name}”不在您负责的范围内。")
                village = None
        elif self.default_village is not None:
            village = self.default_village
        else:
            row.error(VILLAGE, "必填(您负责多个村,请写明所属村)。")
        person: dict[str, Any] = {
            "name": values["name"] or "",
            "phone": values["phone"] or "",
            "org_unit": village,
            "marital_status": values["marital_status"] or "",
            "hukou_type": values.get("hukou_type") or Person.HukouType.LOCAL,
            "hukou_address": values.get("hukou_address") or "",
            "current_address": values.get("current_address") or "",
        }
        parsed = values["id_number"]
        if parsed is not None:
            person.update(sex=parsed.sex, birth_date=parsed.birth_date)
        values["person"] = person

    def check_batch(self, rows: list[Row]) -> None:
        numbers = [row.values["id_number"].number for row in rows]
        found = found_values(Person.objects.all(), "id_number", numbers)
        for row in rows:
            if row.values["id_number"].number in found:
                row.error(ID_NUMBER, ALREADY_REGISTERED)


class FloatingImporter(PersonsImporter):
    """流动人口: a floating record per row (and the person, when not yet registered), with the
    婚育证明 of a woman aged 18–49."""

    name = KIND_LABELS[KIND_FLOATING]
    columns = (
        _NAME,
        _ID,
        Column(
            DIRECTION,
            "direction",
            choice(DIRECTION_CHOICES),
            required=True,
            note="必填:流出 或 流入",
            example="流出",
        ),
        _VILLAGE,
        Column(
            PLACE,
            "place",
            text(max_length=200),
            required=True,
            note="必填:流出填流入地,流入填流出地(户籍地)",
            example="浙江省宁波市北仑区",
        ),
        Column(
            STARTED_ON,
            "started_on",
            date(),
            required=True,
            note="必填,日期,格式 2026-03-01",
            example="2026-03-01",
        ),
        _PHONE,
        Column(EMPLOYER, "employer", text(max_length=100), note="选填", example="宁波某电子厂"),
        _MARITAL,
        Column(
            SPOUSE,
            "spouse",
            text(max_length=100),
            note="18–49 岁流出妇女必填(婚育证明),未婚填“无”;流入妇女未交验的留空",
            example="李强 371524…",
        ),
        Column(
            FERTILITY,
            "fertility",
            text(max_length=100),
            note="18–49 岁流出妇女必填(婚育证明),例如“已生育一孩”",
            example="已生育一孩",
        ),
        Column(
            CONTRACEPTION,
            "contraception",
            text(max_length=100),
            note="18–49 岁流出妇女必填(婚育证明),例如“上环”",
            example="上环",
        ),
        Column(ISSUED_BY, "issued_by", text(max_length=100), note="选填", example="刘集镇人民政府"),
        Column(
            ISSUED_ON,
            "issued_on",
            date(not_after_today=True),
            note="选填,日期",
            example="2026-02-20",
        ),
        Column(
            PRESENTED_ON,
            "presented_on",
            date(not_after_today=True),
            note="选填,日期;流入妇女已交验婚育证明的填写(不填为流入当日),未交验的婚育证明"
            "各栏留空,自流入之日起 30 日内交验",
        ),
    )
    key = ("id_number", "direction")
    key_column = DIRECTION
    duplicate_message = "与第 {first} 行是同一人同一流向的记录,重复。"

    def __init__(self, actor, today: datetime.date | None = None):
        super().__init__(actor, today)
        self.calendar = WorkCalendar()

    def certificate_due_on(self, arrived_on: datetime.date) -> datetime.date:
        """Arrival + 30 calendar days, rolled to the next working day when that is a holiday."""
        due = arrived_on + datetime.timedelta(days=CERT_DUE_DAYS)
        try:
            return self.calendar.next_workday_on_or_after(due)
        except HolidayDataMissing:
            return due

    def check(self, row: Row) -> None:
        super().check(row)
        values, person, parsed = row.values, row.values["person"], row.values["id_number"]
        direction, started_on = values["direction"], values["started_on"]
        if started_on and started_on > self.today:
            row.error(STARTED_ON, "不能晚于今天。")
        elif started_on and parsed and started_on < parsed.birth_date:
            row.error(STARTED_ON, "不能早于出生日期。")
        if direction == FloatingRecord.Direction.IN:
            # An arrival usually has no local 户籍; the origin is where it is.
            person["hukou_type"] = Person.HukouType.NONLOCAL
            person["hukou_address"] = values["place"] or ""
        values["floating"] = {
            "direction": direction,
            "place": values["place"] or "",
            "started_on": started_on,
            "contact_phone": person["phone"],
            "employer": values["employer"] or "",
        }
        values["certificate"] = None
        if parsed is not None and started_on is not None and direction is not None:
            values["certificate"] = self._certificate(row, person, parsed, direction, started_on)

    def _certificate(self, row, person, parsed, direction, started_on):
        """婚育证明 of a woman aged 18–49, following floating_record_create: leaving, all Art. 7
        fields are required; arriving, she has 30 days, so the fields are either all given
        (presented, on the 交验日期 or else the arrival day) or all left empty (due later)."""
        if not (
            parsed.sex == Person.Sex.FEMALE
            and CERT_AGES[0] <= parsed.age_on(started_on) <= CERT_AGES[1]
        ):
            return None
        values = row.values
        columns = ((SPOUSE, "spouse"), (FERTILITY, "fertility"), (CONTRACEPTION, "contraception"))
        given = {key: values[key] or "" for _, key in columns}
        certificate = {
            "name": person["name"],
            "age": parsed.age_on(started_on),
            "id_number": parsed.number,
            "marital_status": "",
            "spouse": "",
            "fertility": "",
            "contraception": "",
            "issued_by": "",
            "issued_on": None,
            "due_on": None,
            "due_provisional": False,
            "presented_on": None,
        }
        if direction == FloatingRecord.Direction.IN:
            certificate["due_on"] = self.certificate_due_on(started_on)
            certificate["due_provisional"] = self.calendar.spans_provisional(
                started_on, certificate["due_on"]
            )
        if direction == FloatingRecord.Direction.OUT or any(given.values()) or row.text(MARITAL):
            for column, key in columns:
                if not given[key] and not any(e.column == column for e in row.errors):
                    row.error(column, CERT_MISSING)
            if not row.text(MARITAL):
                row.error(MARITAL, CERT_MISSING)
            certificate.update(
                given,
                marital_status=MARITAL_CHOICES_LABELS.get(person["marital_status"], ""),
                issued_by=values["issued_by"] or "",
                issued_on=values["issued_on"],
            )
            if direction == FloatingRecord.Direction.IN:
                presented_on = values["presented_on"]
                if presented_on and presented_on < started_on:
                    row.error(PRESENTED_ON, "不能早于流入日期。")
                certificate["presented_on"] = presented_on or started_on
        return certificate

    def check_batch(self, rows: list[Row]) -> None:
        numbers = {row.values["id_number"].number for row in rows}
        persons = {
            p.id_number: p
            for p in match_any(Person.objects.all(), "id_number", numbers).select_related(
                "org_unit"
            )
        }
        open_records = set(
            FloatingRecord.objects.filter(
                person__in=[p.pk for p in persons.values()], ended_on__isnull=True
            ).values_list("person__id_number", "direction")
        )
        for row in rows:
            number = row.values["id_number"].number
            person = persons.get(number)
            if person is None:
                continue
            if not can_act_in(self.actor, person.org_unit, POPULATION_ROLES):
                row.error(
                    ID_NUMBER,
                    "该身份证号码已由其他单位登记,不能由您导入其流动记录,请联系其所属单位。",
                )
            elif person.name != row.values["person"]["name"]:
                row.error(NAME, "与该身份证号码已登记的姓名不一致,请核对。")
            elif (number, row.values["direction"]) in open_records:
                row.error(DIRECTION, "该人员已有一条未结束的同向流动记录,请先登记返回/离开日期。")


IMPORTERS: dict[str, type[PersonsImporter]] = {
    KIND_PERSONS: PersonsImporter,
    KIND_FLOATING: FloatingImporter,
}
HEADERS = {kind: importer.headers() for kind, importer in IMPORTERS.items()}
REQUIRED = {
    kind: [c.header for c in importer.columns if c.required] for kind, importer in IMPORTERS.items()
}
