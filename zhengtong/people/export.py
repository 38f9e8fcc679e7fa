"""A household's workbook: the household with its derived flags, and one row per member.

ID numbers are masked (the stored mask, never the number); a flag is written both on the
household and on each member it names. The flags are the ones `household_flags()` derives
(留守老人, 留守儿童, 单亲) and the 计生特殊家庭 the office recorded; 流动 is each member's
流出/流入 record under way on the day of the export.
"""

import datetime

from django.db.models import Q

from zhengtong.lib import xlsx
from zhengtong.population.models import FloatingRecord
from zhengtong.population.selectors import MINOR_AGE, household_flags

from .models import Household

HOUSEHOLD_HEADERS = ("住址", "所属村", "户主", "人数", "未成年人数", "计生特殊家庭", "标记")
MEMBER_HEADERS = (
    "姓名",
    "与户主关系",
    "公民身份号码",
    "性别",
    "出生日期",
    "年龄",
    "婚姻状况",
    "户籍类别",
    "流动",
    "标记",
)


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def floating_now(person_ids, today: datetime.date) -> dict[int, str]:
    """{person id: "流出" | "流入"} for the records under way on `today`, in one query."""
    rows = FloatingRecord.objects.filter(person_id__in=list(person_ids), started_on__lte=today)
    rows = rows.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today)).order_by("started_on")
    labels = dict(FloatingRecord.Direction.choices)
    return {pid: str(labels[d]) for pid, d in rows.values_list("person_id", "direction")}


def household_workbook(household: Household, today: datetime.date) -> tuple[bytes, int]:
    """(xlsx bytes, member rows written) for `household`, its members prefetched with persons."""
    members = list(household.members.all())
    floating = floating_now([m.person_id for m in members], today)
    away = {pid for pid, label in floating.items() if label == "流出"}
    flags = household_flags(household, today, away)
    named: dict[str, list[str]] = {}
    for flag in flags:
        if flag.code == "special_family":
            continue
        for name in flag.who.split("、"):
            named.setdefault(name, []).append(flag.label)
    head = next((m.person.name for m in members if m.relation == "head"), "")
    minors = sum(1 for m in members if _age(m.person.birth_date, today) < MINOR_AGE)
    summary = xlsx.Sheet(
        title="家庭户",
        headers=HOUSEHOLD_HEADERS,
        rows=[
            (
                household.address,
                household.org_unit.name,
                head,
                len(members),
                minors,
                household.get_special_family_display() if household.special_family else "否",
                ";".join(str(f) for f in flags) or "无",
            )
        ],
        widths=(30, 14, 10, 8, 12, 18, 40),
    )
    rows = [
        (
            m.person.name,
            m.get_relation_display(),
            m.person.masked_id,
            m.person.get_sex_display(),
            m.person.birth_date,
            _age(m.person.birth_date, today),
            m.person.get_marital_status_display(),
            m.person.get_hukou_type_display(),
            floating.get(m.person_id, ""),
            "、".join(named.get(m.person.name, [])),
        )
        for m in members
    ]
    sheet = xlsx.Sheet(
        title="家庭成员",
        headers=MEMBER_HEADERS,
        rows=rows,
        widths=(10, 10, 22, 6, 12, 6, 10, 10, 8, 20),
    )
    return xlsx.workbook_bytes([summary, sheet]), len(rows)
