import datetime
from decimal import Decimal

import time_machine
from django.test import override_settings

from zhengtong.accounts.models import Role
from zhengtong.inbox.registry import items_for
from zhengtong.test import make_user

from ..actions import cycle_approve, cycle_create
from ..inbox import KIND_CYCLE, KIND_REASSESS
from ..stats import welfare_totals
from .fixtures import TODAY, WelfareTestCase


@time_machine.travel(TODAY)
@override_settings(NURSING_SUBSIDY_RATES={"2": "100", "3": "200"})
class WelfareTotalsTestCase(WelfareTestCase):
    def setUp(self):
        super().setUp()
        self.p3 = self.eligible_person(seq=1)
        self.p2 = self.eligible_person(seq=2, level_adl=50, name="李老汉")
        self.make_status(self.make_person(seq=3, name="王老汉"), dependent=False)

    def test_totals_are_sums_of_rows(self):
        cycle_approve(
            actor=self.civil, cycle=cycle_create(actor=self.civil, month=datetime.date(2025, 5, 1))
        )
        cycle_create(actor=self.civil, month=datetime.date(2025, 6, 1))  # draft: not counted
        totals = welfare_totals(self.leader, start=datetime.date(2025, 1, 1), end=TODAY)
        self.assertEqual(totals["assessed"], 2)
        self.assertEqual(totals["eligible"], 2)
        self.assertEqual(Decimal(totals["subsidy_paid_yuan"]), Decimal("300"))
        self.assertEqual(totals["relief_households"], 0)

    def test_a_clerk_of_another_department_sees_zero(self):
        totals = welfare_totals(self.clerk, start=datetime.date(2025, 1, 1), end=TODAY)
        self.assertEqual((totals["assessed"], totals["eligible"]), (0, 0))

    def test_a_clerk_of_another_civil_office_sees_none_of_these(self):
        from zhengtong.accounts.models import OrgUnit
        from zhengtong.test import make_unit

        other = make_unit("东阿县民政局", "DEA-MZJ", OrgUnit.Kind.DEPARTMENT, self.county)
        user = make_user("civil_x", memberships=[(Role.DEPT_CLERK, other)])
        totals = welfare_totals(user, start=datetime.date(2025, 1, 1), end=TODAY)
        self.assertEqual(totals["eligible"], 0)


class WelfareInboxTestCase(WelfareTestCase):
    def test_reassessments_due_and_cycles_to_approve_appear_for_the_clerk(self):
        with time_machine.travel(datetime.date(2025, 3, 1)):
            person = self.eligible_person()  # assessed 2025-03-01, due 2025-09-01
            self.assess(person, adl_total=40, on=datetime.date(2025, 2, 1))  # older, ignored
        with time_machine.travel(datetime.date(2025, 8, 20)):
            cycle_create(actor=self.civil, month=datetime.date(2025, 8, 1))
            items = [i for i in items_for(self.civil) if i.kind in (KIND_REASSESS, KIND_CYCLE)]
            kinds = sorted(i.kind for i in items)
            self.assertEqual(kinds, sorted([KIND_REASSESS, KIND_CYCLE]))
            due = next(i for i in items if i.kind == KIND_REASSESS)
            self.assertEqual(due.due_on, datetime.date(2025, 9, 1))
            self.assertEqual(
                [i for i in items_for(self.leader) if i.kind in (KIND_REASSESS, KIND_CYCLE)], []
            )
        with time_machine.travel(datetime.date(2025, 6, 1)):
            items = [i for i in items_for(self.civil) if i.kind == KIND_REASSESS]
            self.assertEqual(items, [])
