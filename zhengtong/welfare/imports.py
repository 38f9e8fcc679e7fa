"""救助身份 (assistance category and care need) from an xlsx sheet, on the one import framework.

Each row goes through `person_get_or_register` and `welfare_status_set`, the same actions as the
登记/更正 form: a known person keeps their record, an unknown one is registered; a status kept
by another office is not this clerk's to change.
"""

from zhengtong.lib.encrypted import match_any
from zhengtong.lib.imports import Column, Importer, Outcome, Row, choice, date, id_number, text
from zhengtong.lib.masking import mask_id_internal
from zhengtong.people.actions import person_get_or_register
from zhengtong.people.models import Person

from .actions import welfare_status_set
from .models import WelfareStatus
from .selectors import can_edit_row, keeping_unit_for

NAME = "姓名"
ID_NUMBER = "公民身份号码"
CATEGORY = "救助类别"
DEPENDENT = "生活长期不能自理"
VERIFIED_ON = "核实日期"

CATEGORY_ALIASES = {
    "特困": WelfareStatus.Category.TEKUN,
    "特困人员": WelfareStatus.Category.TEKUN,
    "城市三无": WelfareStatus.Category.TEKUN,
    "农村五保": WelfareStatus.Category.TEKUN,
    "五保": WelfareStatus.Category.TEKUN,
}
YES_NO = {"是": True, "否": False}


class WelfareStatusImporter(Importer):
    """One WelfareStatus per person: recorded when new, corrected when it differs."""

    name = "救助身份"
    columns = (
        Column(
            NAME,
            "name",
            text(max_length=50),
            required=True,
            note="必填,与身份证一致",
            example="张老汉",
        ),
        Column(
            ID_NUMBER,
            "id_number",
            id_number(),
            required=True,
            note="必填,18 位公民身份号码;未登记的人员按号码自动登记",
            example="371524194501010011",
        ),
        Column(
            CATEGORY,
            "category",
            choice(WelfareStatus.Category, aliases=CATEGORY_ALIASES),
            required=True,
            note="必填:无、低保、特困(也可填“城市三无”“农村五保”)、低保边缘",
            example="低保",
        ),
        Column(
            DEPENDENT,
            "long_term_dependent",
            choice(YES_NO),
            note="是 或 否,不填为否",
            example="是",
        ),
        Column(
            VERIFIED_ON,
            "verified_on",
            date(not_after_today=True),
            required=True,
            note="必填,日期,格式 2026-03-01,不能晚于今天",
            example="2026-03-01",
        ),
    )
    key = ("id_number",)
    duplicate_message = "与第 {first} 行的身份证号码重复。"
    notes = ("已有救助身份的人员按表格更正;由其他单位登记的不能导入。",)

    def __init__(self, actor):
        super().__init__(actor)
        self.unit = keeping_unit_for(actor)
        self.existing: dict[str, WelfareStatus] = {}

    def check_batch(self, rows: list[Row]) -> None:
        numbers = [row.values["id_number"].number for row in rows]
        persons = match_any(Person.objects.all(), "id_number", numbers)
        found = WelfareStatus.objects.filter(person__in=persons).select_related(
            "person", "org_unit"
        )
        self.existing.update({s.person.id_number: s for s in found})
        for row in rows:
            status = self.existing.get(row.values["id_number"].number)
            if status is not None and not can_edit_row(self.actor, status.org_unit):
                row.error(ID_NUMBER, "该人员的救助身份由其他单位登记,不能由您导入或更正。")

    def apply(self, row: Row) -> Outcome:
        values = row.values
        number = values["id_number"].number
        wanted = {
            "category": values["category"],
            "long_term_dependent": bool(values["long_term_dependent"]),
            "verified_on": values["verified_on"],
        }
        person = person_get_or_register(actor=self.actor, id_number=number, name=values["name"])
        outcome = Outcome(row=row.number, code=mask_id_internal(number), name=person.name)
        existing = self.existing.get(number)
        if existing is not None:
            changed = [
                self.header_of(key)
                for key, value in wanted.items()
                if getattr(existing, key) != value
            ]
            if not changed:
                outcome.action = "unchanged"
                return outcome
            outcome.action, outcome.changed = "update", changed
        welfare_status_set(actor=self.actor, person=person, org_unit=self.unit, **wanted)
        return outcome
