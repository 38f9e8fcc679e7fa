"""A 民政局 with two clerks, and helpers to make elderly people and full score sheets."""

import datetime

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.people.models import Person
from zhengtong.test import BaseTestCase, make_id_number, make_unit, make_user

from ..models import AssessmentScale, WelfareStatus

TODAY = datetime.date(2025, 6, 15)

# One score sheet per ADL total; the other dimensions all 0 unless overridden.
FULL_ADL = {
    "eating": 10, "bathing": 5, "grooming": 5, "dressing": 10, "bowel": 10,
    "bladder": 10, "toilet": 10, "transfer": 15, "walking": 15, "stairs": 10,
}  # fmt: skip
ZERO_OTHERS = {
    "cognition": 0, "aggression": 0, "depression": 0,
    "consciousness": 0, "vision": 0, "hearing": 0, "communication": 0,
    "living": 0, "work": 0, "orientation": 0, "people": 0, "social": 0,
}  # fmt: skip


def sheet(adl_total: int = 100, **overrides) -> dict:
    """A valid sheet whose ADL items sum to `adl_total` (a multiple of 5)."""
    adl = dict(FULL_ADL)
    missing = 100 - adl_total
    for code in ["stairs", "walking", "transfer", "toilet", "bladder", "bowel", "dressing",
                 "eating", "grooming", "bathing"]:  # fmt: skip
        while missing > 0 and adl[code] > 0:
            adl[code] -= 5
            missing -= 5
    scores = {**adl, **ZERO_OTHERS}
    scores.update(overrides)
    return scores


class WelfareTestCase(BaseTestCase):
    """civil (民政局 clerk), civil2 (second assessor of 民政局); self.clerk is 社会事业局."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.civil_unit = make_unit("民政局", "ZONE-MZJ", OrgUnit.Kind.DEPARTMENT, cls.zone)
        cls.civil = make_user(
            "civil", full_name="陈民政", memberships=[(Role.DEPT_CLERK, cls.civil_unit)]
        )
        cls.civil2 = make_user(
            "civil2", full_name="林评估", memberships=[(Role.DEPT_CLERK, cls.civil_unit)]
        )
        cls.scale = AssessmentScale.objects.get(code="MZ/T 039-2013")

    def make_person(self, *, age: int = 75, seq: int = 1, name: str = "张老汉") -> Person:
        birth = datetime.date(TODAY.year - age, 1, 1)
        number = make_id_number(birth, female=False, seq=seq)
        return Person.objects.create(
            id_number=number, name=name, sex="M", birth_date=birth, org_unit=self.east_village
        )

    def make_status(self, person, *, category="dibao", dependent=True) -> WelfareStatus:
        return WelfareStatus.objects.create(
            person=person,
            org_unit=self.civil_unit,
            category=category,
            long_term_dependent=dependent,
            verified_on=datetime.date(2025, 1, 5),
            verified_by=self.civil,
        )

    def assess(self, person, *, adl_total=40, on=datetime.date(2025, 3, 1), **overrides):
        from ..actions import assessment_create

        return assessment_create(
            actor=self.civil,
            person=person,
            assessed_on=on,
            scores=sheet(adl_total, **overrides),
            assessor_1=self.civil,
            assessor_2=self.civil2,
        )

    def eligible_person(self, *, seq=1, level_adl=40, name="张老汉"):
        person = self.make_person(seq=seq, name=name)
        self.make_status(person)
        self.assess(person, adl_total=level_adl)
        return person
