import datetime
import io
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.test import TestCase

from zhengtong.accounts.models import Membership, Role, User
from zhengtong.audit.models import Event
from zhengtong.demo.org import DEMO_PASSWORD
from zhengtong.demo.testing import seed_demo
from zhengtong.lib.idcard import parse_id_number
from zhengtong.people.models import Household, HouseholdMember, Person
from zhengtong.population.models import (
    Assistance,
    Campaign,
    CampaignTarget,
    Clinic,
    FloatingRecord,
    FollowUp,
    MarriageCertificate,
    MaternalVisit,
    Pairing,
    Pregnancy,
    Referral,
)
from zhengtong.population.selectors import persons_visible_to

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [
        Person, Household, HouseholdMember, FloatingRecord, MarriageCertificate, Pregnancy,
        MaternalVisit, FollowUp, Campaign, CampaignTarget, Referral, Assistance, Pairing, Clinic,
    ]  # fmt: skip
    result = {m.__name__: m.objects.count() for m in models}
    result["Event"] = Event.objects.count()
    return result


@time_machine.travel(TODAY, tick=False)
class SeedPopulationTestCase(TestCase):
    """The demo, built once per test run (demo/testing.py); each test reads its township."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed_demo(at=TODAY)
        cls.village1 = User.objects.get(username="village1")
        cls.office = User.objects.get(username="jishengban")
        cls.today = TODAY.date()

    def test_village1_is_a_village_worker_of_liuji_village_with_the_demo_password(self) -> None:
        self.assertTrue(self.village1.check_password(DEMO_PASSWORD))
        membership = Membership.objects.get(user=self.village1)
        self.assertEqual(membership.role, Role.VILLAGE_WORKER)
        self.assertEqual(membership.org_unit.name, "刘集村")
        self.assertEqual(membership.org_unit.parent.name, "刘集镇")
        office = Membership.objects.get(user=self.office)
        self.assertEqual((office.role, office.org_unit.name), (Role.VILLAGE_WORKER, "刘集镇"))
        r = self.client.post(
            "/accounts/login/", {"username": "village1", "password": DEMO_PASSWORD}
        )
        self.assertEqual(r.status_code, 302)

    def test_a_few_hundred_residents_live_in_households_across_the_villages(self) -> None:
        residents = Person.objects.filter(membership__isnull=False)
        self.assertGreaterEqual(residents.count(), 250)
        self.assertLessEqual(residents.count(), 500)
        villages = set(residents.values_list("org_unit__name", flat=True))
        self.assertEqual(villages, {"刘集村", "东村", "西村", "王庄村", "李营村"})
        for person in residents[:50]:
            parsed = parse_id_number(person.id_number)
            self.assertEqual((parsed.birth_date, parsed.sex), (person.birth_date, person.sex))
        self.assertEqual(
            Household.objects.exclude(special_family="").values("org_unit").distinct().count(), 5
        )
        # Every household has exactly one head.
        heads = HouseholdMember.objects.filter(relation="head").count()
        self.assertEqual(heads, Household.objects.count())

    def test_village1_sees_only_their_villages_persons(self) -> None:
        visible = persons_visible_to(self.village1)
        self.assertGreater(visible.count(), 50)
        self.assertEqual(set(visible.values_list("org_unit__name", flat=True)), {"刘集村"})
        self.assertEqual(visible.count(), Person.objects.filter(org_unit__code="LIUJI-LJ").count())
        township = persons_visible_to(self.office)
        self.assertGreater(township.count(), visible.count())
        self.assertEqual(
            township.count(), Person.objects.filter(org_unit__parent__code="LIUJI").count()
        )

    def test_floating_records_go_out_and_in_with_certificates_presented_and_overdue(self) -> None:
        self.assertGreaterEqual(FloatingRecord.objects.filter(direction="out").count(), 10)
        arrivals = FloatingRecord.objects.filter(direction="in")
        self.assertGreaterEqual(arrivals.count(), 10)
        certificates = MarriageCertificate.objects.filter(record__direction="in")
        self.assertTrue(certificates.filter(presented_on__isnull=False).exists())
        overdue = certificates.filter(presented_on__isnull=True, due_on__lt=self.today)
        self.assertGreaterEqual(overdue.count(), 5)
        self.assertTrue(
            certificates.filter(presented_on__isnull=True, due_on__gte=self.today).exists()
        )
        for record in arrivals:
            self.assertEqual(record.person.hukou_type, Person.HukouType.NONLOCAL)

    def test_pregnancies_are_at_different_stages_with_their_windows(self) -> None:
        pregnancies = Pregnancy.objects.all()
        self.assertGreaterEqual(pregnancies.count(), 10)
        weeks = {(self.today - p.lmp).days // 7 for p in pregnancies}
        self.assertTrue({9, 22, 35, 41} <= weeks, weeks)
        delivered = pregnancies.get(delivered_on__isnull=False)
        kinds = set(delivered.visits.values_list("kind", flat=True))
        self.assertTrue({"first", "anc_37_40", "postpartum", "day42"} <= kinds)
        self.assertTrue(pregnancies.filter(high_risk=True).exists())
        self.assertTrue(MaternalVisit.objects.filter(kind="referral").exists())
        self.assertTrue(MaternalVisit.objects.filter(done_on__isnull=False).exists())
        # Every pregnancy was registered through the action, with its audit event.
        self.assertEqual(
            Event.objects.filter(action__startswith="pregnancy_reg").count(), pregnancies.count()
        )

    def test_follow_ups_are_due_overdue_and_done(self) -> None:
        mine = FollowUp.objects.filter(plan__owner=self.village1)
        scheduled = mine.filter(status="scheduled")
        self.assertTrue(scheduled.filter(due_on__lt=self.today).exists())  # overdue
        soon = self.today + datetime.timedelta(days=7)
        self.assertTrue(scheduled.filter(due_on__gte=self.today, due_on__lte=soon).exists())
        done = mine.get(status="done")
        following = mine.get(plan=done.plan, status="scheduled")
        self.assertEqual(
            following.due_on, done.done_on + datetime.timedelta(days=done.plan.interval_days)
        )
        phone_due = scheduled.filter(plan__kind="phone", due_on__gte=self.today)
        self.assertTrue(phone_due.exists())

    def test_a_campaign_home_visits_assistance_and_a_pairing_exist(self) -> None:
        campaign = Campaign.objects.get()
        self.assertEqual(campaign.quarter, "2026Q4")
        targets = campaign.targets.count()
        attended = campaign.targets.filter(attended_on__isnull=False).count()
        self.assertGreater(targets, 20)
        self.assertTrue(0 < attended < targets)
        referral = Referral.objects.get()
        self.assertEqual(referral.kind, "civil")
        self.assertEqual(referral.visit.org_unit.code, "LIUJI-LJ")
        self.assertGreaterEqual(Assistance.objects.count(), 5)
        self.assertEqual(Pairing.objects.count(), 5)
        self.assertTrue(Pairing.objects.filter(next_due_on__lt=self.today).exists())

    def test_this_years_clinic_was_held_with_floating_women_and_another_is_planned(self) -> None:
        held = Clinic.objects.get(status=Clinic.Status.HELD)
        self.assertEqual(held.held_on, datetime.date(2026, 11, 13))
        self.assertEqual(held.org_unit.name, "刘集镇")
        attendances = held.attendances.select_related("person")
        self.assertEqual(attendances.count(), 5)
        self.assertTrue(all(a.person.hukou_type == "nonlocal" for a in attendances))
        self.assertEqual(attendances.filter(women_check=True).count(), 4)
        planned = Clinic.objects.get(status=Clinic.Status.PLANNED)
        self.assertGreater(planned.held_on, self.today)
        self.assertEqual(planned.held_on.year, 2026)
        self.client.force_login(self.village1)
        r = self.client.get(f"/population/clinics/{held.pk}/")
        # village1 sees the attendees of 刘集村 only (three there; 东村's two are not shown).
        self.assertEqual(r.status_code, 200)
        shown = held.attendances.filter(org_unit__code="LIUJI-LJ")
        self.assertEqual(shown.count(), 3)
        for attendance in held.attendances.select_related("person", "org_unit"):
            if attendance.org_unit.code == "LIUJI-LJ":
                self.assertContains(r, attendance.person.masked_id)
            else:
                self.assertNotContains(r, attendance.person.masked_id)

    def test_running_it_again_changes_nothing(self) -> None:
        before = counts()
        output = seed()
        self.assertEqual(counts(), before)
        self.assertIn("未新建任何记录", output)

    def test_the_inbox_of_village1_lists_their_due_follow_ups(self) -> None:
        self.client.force_login(self.village1)
        r = self.client.get("/")
        self.assertEqual(r.status_code, 200)
        due = FollowUp.objects.filter(plan__owner=self.village1, status="scheduled").first()
        self.assertContains(r, due.plan.person.name)

    def test_every_village_shows_left_behind_children_and_single_parent_households(self) -> None:
        from zhengtong.population.selectors import household_flags_of, households_with_away

        households = households_with_away(
            Household.objects.prefetch_related("members__person").select_related("org_unit"),
            self.today,
        )
        found: dict[str, set[str]] = {}
        for household in households:
            for flag in household_flags_of(household, self.today):
                found.setdefault(flag.code, set()).add(household.org_unit.name)
        villages = {"刘集村", "东村", "西村", "王庄村", "李营村"}
        self.assertEqual(found.get("left_behind_child"), villages)
        self.assertEqual(found.get("single_parent"), villages)
        self.assertEqual(found.get("left_behind_elder"), villages)

    def test_pre_pregnancy_checks_and_high_risk_extra_visits_are_in_the_demo(self) -> None:
        from zhengtong.population.models import PreconceptionCheck

        self.assertEqual(PreconceptionCheck.objects.filter(done_on__isnull=True).count(), 5)
        self.assertEqual(PreconceptionCheck.objects.filter(result="risk").count(), 5)
        self.assertTrue(MaternalVisit.objects.filter(kind__startswith="hr_").exists())
        self.client.force_login(self.village1)
        page = self.client.get("/population/work/?list=area")
        self.assertContains(page, "孕前优生健康检查")
        self.assertContains(page, "高危加强随访")

    def test_this_years_family_campaign_has_nominations_in_every_state(self) -> None:
        from zhengtong.population.models import FamilyCampaign, FamilyNomination

        campaign = FamilyCampaign.objects.get(year=self.today.year)
        self.assertEqual(campaign.org_unit.name, "刘集镇")
        statuses = sorted(campaign.nominations.values_list("status", flat=True))
        self.assertEqual(statuses, ["evaluated", "named", "named", "nominated", "not_named"])
        named = FamilyNomination.objects.filter(status="named").select_related("household")
        page = self.client.get("/public/families/")
        for nomination in named:
            self.assertContains(page, nomination.summary)
            self.assertNotContains(page, nomination.household.address)
        self.assertNotContains(page, "勤劳致富,带动本村妇女务工增收。")
        self.client.force_login(self.office)
        self.assertContains(self.client.get("/population/families/"), campaign.name)
