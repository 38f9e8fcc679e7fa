import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.accounts.models import OrgUnit, Role
from zhengtong.population.actions.followups import followup_plan_create
from zhengtong.population.actions.maternal import pregnancy_register
from zhengtong.population.inbox import inbox_items
from zhengtong.population.models import (
    FloatingRecord,
    HomeVisit,
    MarriageCertificate,
    Pairing,
    Referral,
)
from zhengtong.test import make_unit, make_user

from .test_followups_fixtures import D, FollowupTestCase, at, make_person

NOW = at(2026, 6, 15)


def add_population_rows(case, village, seq, worker):
    """One of each kind in `village`; returns the person."""
    person = make_person(f"对象{seq}", village, seq=seq)
    with time_machine.travel(at(2026, 6, 1), tick=False):
        followup_plan_create(
            actor=worker, person=person, kind="phone", interval_days=10, purpose="电话随访"
        )
        pregnancy_register(actor=worker, person=person, lmp=D(2026, 5, 1))
    record = FloatingRecord.objects.create(
        person=person,
        direction=FloatingRecord.Direction.IN,
        org_unit=village,
        place="河南省",
        started_on=D(2026, 6, 1),
        created_by=worker,
    )
    MarriageCertificate.objects.create(
        record=record,
        name=person.name,
        age=36,
        id_number=person.id_number,
        marital_status="已婚",
        spouse="王某",
        fertility="一孩",
        contraception="上环",
        due_on=D(2026, 7, 1),
    )
    Pairing.objects.create(
        person=person,
        org_unit=village,
        volunteer_name="志愿者",
        volunteer_phone="13900000000",
        cadence_days=30,
        started_on=D(2026, 5, 1),
        next_due_on=D(2026, 6, 20),
    )
    visit = HomeVisit.objects.create(
        person=person,
        org_unit=village,
        visited_by=worker,
        visited_on=D(2026, 6, 10),
        place="家中",
        outcome="生活困难",
    )
    Referral.objects.create(
        visit=visit,
        kind=Referral.Kind.CIVIL,
        to_unit=case.civil_office,
        note="申请救助",
        due_on=D(2026, 6, 24),
    )
    return person


@time_machine.travel(NOW, tick=False)
class PopulationInboxTestCase(FollowupTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.civil_office = make_unit("刘集镇民政办", "LIUJI-MZ", OrgUnit.Kind.DEPARTMENT, cls.town)
        cls.civil_clerk = make_user(
            "civil_clerk", full_name="民政经办", memberships=[(Role.DEPT_CLERK, cls.civil_office)]
        )

    def kinds(self, user) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for item in inbox_items(user):
            result.setdefault(item.kind, []).append(item.title)
        return result

    def test_a_village_worker_gets_every_kind_of_their_village_in_chinese(self) -> None:
        add_population_rows(self, self.east_village, 10, self.east_worker)
        kinds = self.kinds(self.east_worker)
        self.assertEqual(set(kinds), {"随访", "孕产期随访", "婚育证明", "结对走访"})
        self.assertEqual(kinds["随访"], ["对象10 电话随访"])
        # Only the first antenatal window has opened (LMP 2026-05-01).
        self.assertEqual(kinds["孕产期随访"], ["对象10 早孕建册及第 1 次产前检查"])

    def test_the_referral_goes_to_the_office_it_was_sent_to(self) -> None:
        add_population_rows(self, self.east_village, 10, self.east_worker)
        self.assertEqual(self.kinds(self.civil_clerk), {"走访转介": ["对象10 民政救助"]})

    def test_nothing_of_another_village_shows(self) -> None:
        add_population_rows(self, self.east_village, 10, self.east_worker)
        self.assertEqual(self.kinds(self.west_worker), {})

    def test_follow_ups_go_to_their_owner_only_and_only_when_due_within_14_days(self) -> None:
        add_population_rows(self, self.east_village, 10, self.east_worker)
        with time_machine.travel(at(2026, 6, 1), tick=False):
            followup_plan_create(
                actor=self.east_worker,
                person=self.east_woman,
                kind="home",
                interval_days=30,
                purpose="上门随访",
            )
        self.assertEqual(self.kinds(self.east_worker)["随访"], ["对象10 电话随访"])
        self.assertNotIn("随访", self.kinds(self.town_worker))

    def test_an_overdue_item_is_red(self) -> None:
        add_population_rows(self, self.east_village, 10, self.east_worker)
        with time_machine.travel(at(2026, 6, 30), tick=False):
            self.client.force_login(self.east_worker)
            r = self.client.get("/")
        self.assertContains(r, "对象10 电话随访")
        self.assertContains(r, "text-bg-danger")

    def test_the_provider_runs_a_fixed_number_of_queries(self) -> None:
        """One query sorts every kind, one more builds each kind shown: one row of each kind
        costs what six rows of each kind cost."""
        add_population_rows(self, self.east_village, 10, self.east_worker)
        add_population_rows(self, self.west_village, 11, self.town_worker)
        inbox_items(self.town_worker)
        with CaptureQueriesContext(connection) as one:
            inbox_items(self.town_worker)
        for seq in range(12, 17):
            add_population_rows(self, self.west_village, seq, self.town_worker)
        with CaptureQueriesContext(connection) as many:
            items = inbox_items(self.town_worker)
        self.assertEqual(len(many), len(one))
        # The first follow-up belongs to east_worker; the six others to the town worker.
        self.assertEqual(len([i for i in items if i.kind == "随访"]), 6)

    def test_users_without_a_population_role_cost_no_query(self) -> None:
        inbox_items(self.leader)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(inbox_items(self.leader), [])
        self.assertEqual(len(captured), 0)

    def test_the_township_office_sees_ownerless_kinds_of_all_its_villages(self) -> None:
        add_population_rows(self, self.east_village, 10, self.east_worker)
        add_population_rows(self, self.west_village, 11, self.west_worker)
        kinds = self.kinds(self.town_worker)
        self.assertEqual(len(kinds["婚育证明"]), 2)
        self.assertEqual(len(kinds["孕产期随访"]), 2)

    def test_the_home_page_costs_the_same_for_one_item_of_each_kind_or_sixty(self) -> None:
        """我的待办 sorts, counts and pages in the database: one query builds each kind a page
        shows, so no page of many rows costs more than the page that shows every kind once."""
        add_population_rows(self, self.west_village, 11, self.town_worker)
        self.client.force_login(self.town_worker)
        one = self.page_queries("/")
        for seq in range(12, 24):
            add_population_rows(self, self.west_village, seq, self.town_worker)
        self.assertLessEqual(self.page_queries("/"), one)
        r = self.client.get("/")
        page = r.context["page"]
        self.assertEqual(page.paginator.num_pages, 2)
        self.assertContains(r, f"共 {page.paginator.count} 项")
        second = self.client.get("/?page=2").context["page"]
        self.assertEqual(len(page.object_list) + len(second.object_list), page.paginator.count)
        self.assertLessEqual(self.page_queries("/?page=2"), one)

    def page_queries(self, url: str) -> int:
        """The queries of one GET of `url`, but the session's (read once a minute at most)."""
        self.client.get(url)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len([q for q in captured if "django_session" not in q["sql"]])

    def test_the_home_page_shows_no_item_of_another_village(self) -> None:
        add_population_rows(self, self.west_village, 11, self.west_worker)
        self.client.force_login(self.east_worker)
        r = self.client.get("/")
        self.assertNotContains(r, "对象11")
        self.assertContains(r, "没有待办事项")
