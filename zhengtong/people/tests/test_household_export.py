"""PF2: a household exported as xlsx with its derived flags, masked ID numbers, audited, scoped."""

import datetime
import io
import urllib.parse

import openpyxl
import time_machine

from zhengtong.audit.models import Event
from zhengtong.people.models import Household, HouseholdMember, Person
from zhengtong.population.models import FloatingRecord

from .fixtures import RegistryTestCase, make_person

R = HouseholdMember.Relation


@time_machine.travel(datetime.datetime(2025, 6, 1, 9, tzinfo=datetime.UTC), tick=False)
class HouseholdExportTestCase(RegistryTestCase):
    """东村 12 号: grandmother 70, both parents working away, a child of 10 — 留守老人 and 留守儿童;
    东村 20 号: a divorced mother alone with a child of 8 — 单亲."""

    def setUp(self) -> None:
        super().setUp()
        v = self.east_village
        self.household = Household.objects.create(org_unit=v, address="东村 12 号")
        people = [
            ("赵老太", datetime.date(1955, 1, 1), True, R.PARENT, ""),
            ("赵大军", datetime.date(1988, 2, 2), False, R.HEAD, Person.MaritalStatus.MARRIED),
            ("钱小红", datetime.date(1990, 3, 3), True, R.SPOUSE, Person.MaritalStatus.MARRIED),
            ("赵小宝", datetime.date(2015, 4, 4), False, R.CHILD, ""),
        ]
        self.members = {}
        for seq, (name, birth, female, relation, marital) in enumerate(people, start=41):
            person = make_person(
                name, org_unit=v, birth=birth, female=female, seq=seq, marital_status=marital
            )
            HouseholdMember.objects.create(
                household=self.household, person=person, relation=relation
            )
            self.members[name] = person
        for name in ("赵大军", "钱小红"):
            FloatingRecord.objects.create(
                person=self.members[name],
                direction=FloatingRecord.Direction.OUT,
                org_unit=v,
                place="青岛市黄岛区",
                started_on=datetime.date(2025, 2, 10),
                created_by=self.east_worker,
            )
        self.single = Household.objects.create(org_unit=v, address="东村 20 号")
        mother = make_person(
            "孙丽", org_unit=v, birth=datetime.date(1989, 5, 5), female=True, seq=51,
            marital_status=Person.MaritalStatus.DIVORCED,
        )  # fmt: skip
        kid = make_person(
            "孙乐乐", org_unit=v, birth=datetime.date(2017, 6, 6), female=True, seq=52
        )
        HouseholdMember.objects.create(household=self.single, person=mother, relation=R.HEAD)
        HouseholdMember.objects.create(household=self.single, person=kid, relation=R.CHILD)

    def export(self, household, user=None):
        self.client.force_login(user or self.east_worker)
        return self.client.get(f"/people/households/{household.pk}/export/")

    def sheets(self, response):
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}

    def test_the_workbook_has_the_household_its_flags_and_each_member(self):
        response = self.export(self.household)
        self.assertEqual(response.status_code, 200)
        disposition = urllib.parse.unquote(response["Content-Disposition"])
        self.assertIn("家庭户-东村 12 号-20250601.xlsx", disposition)
        sheets = self.sheets(response)
        summary = sheets["家庭户"]
        self.assertEqual(summary[0][:4], ["住址", "所属村", "户主", "人数"])
        self.assertEqual(summary[1][:5], ["东村 12 号", "东村", "赵大军", 4, 1])
        self.assertEqual(summary[1][6], "留守老人(赵老太);留守儿童(赵小宝)")
        members = {row[0]: row for row in sheets["家庭成员"][1:]}
        self.assertEqual(members["赵老太"][9], "留守老人")
        self.assertEqual(members["赵小宝"][9], "留守儿童")
        self.assertEqual(members["赵大军"][8], "流出")
        self.assertEqual(members["赵小宝"][5], 10)

    def test_id_numbers_are_masked(self):
        sheets = self.sheets(self.export(self.household))
        cells = [c for row in sheets["家庭成员"] for c in row if isinstance(c, str)]
        for person in self.members.values():
            self.assertNotIn(person.id_number, cells)
            self.assertIn(person.masked_id, cells)
        self.assertIn("*", self.members["赵老太"].masked_id)

    def test_a_single_parent_household_is_flagged(self):
        sheets = self.sheets(self.export(self.single))
        self.assertEqual(sheets["家庭户"][1][6], "单亲(孙乐乐)")
        self.assertEqual({r[0]: r[9] for r in sheets["家庭成员"][1:]}["孙乐乐"], "单亲")

    def test_the_export_is_audited_as_an_export(self):
        self.export(self.household)
        event = Event.objects.get(action="household_exported")
        self.assertEqual(event.kind, Event.Kind.READ)
        self.assertEqual(event.changes["count"], 4)
        self.assertIn("导出《家庭户-东村 12 号", event.target_repr)

    def test_a_worker_of_another_village_gets_a_404_and_a_denied_row(self):
        response = self.export(self.household, self.west_worker)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Event.objects.filter(action="household_exported").exists())
        self.assertTrue(
            Event.objects.filter(kind=Event.Kind.DENIED, target_id=str(self.household.pk)).exists()
        )

    def test_an_unknown_id_is_a_404(self):
        self.assertEqual(self.export(Household(pk=999999)).status_code, 404)

    def test_a_clerk_without_a_village_role_is_refused(self):
        self.client.force_login(self.clerk)
        response = self.client.get(f"/people/households/{self.household.pk}/export/")
        self.assertEqual(response.status_code, 403)

    def test_the_household_page_links_the_export(self):
        self.client.force_login(self.east_worker)
        page = self.client.get(f"/population/households/{self.household.pk}/")
        self.assertContains(page, f"/people/households/{self.household.pk}/export/")
