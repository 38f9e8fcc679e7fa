import datetime

from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.test import TestCase
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, Role, User
from zhengtong.accounts.scope import scope
from zhengtong.audit.actions import record_event, verify_chain
from zhengtong.audit.models import Event
from zhengtong.demo.city import CitySize
from zhengtong.lib.idcard import parse_id_number
from zhengtong.people.models import Household, HouseholdMember, Person
from zhengtong.population.models import FloatingRecord, FollowUp, FollowUpPlan
from zhengtong.projects.models import KeyProject, Problem, ProgressReport
from zhengtong.services.models import Application, Pause, Rating, Rectification

SIZE = CitySize(counties=2).scaled(0.001)


class GenerateCityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command(
            "generate_city",
            scale=0.001,
            counties=2,
            stdout=open("/dev/null", "w"),
        )

    def test_counts_match_the_options(self):
        # scale 0.001: a tenth along each of the three dimensions, at least one of each.
        self.assertEqual((SIZE.towns, SIZE.villages, SIZE.persons_per_village), (4, 12, 30))
        self.assertEqual(OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY).count(), 2)
        self.assertEqual(OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWN).count(), 4)
        self.assertEqual(OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE).count(), 12)
        self.assertEqual(Person.objects.count(), 12 * 30)
        # One in ten at the township, the rest in households of three at the village.
        town_people = Person.objects.filter(org_unit__kind=OrgUnit.Kind.TOWN).count()
        self.assertEqual(town_people, 12 * 3)
        self.assertEqual(HouseholdMember.objects.count(), 12 * 27)
        self.assertEqual(Household.objects.count(), 12 * 9)
        # One 村专干 per village and one 计生办 account per township.
        self.assertEqual(User.objects.filter(memberships__role=Role.VILLAGE_WORKER).count(), 16)
        self.assertEqual(User.objects.filter(memberships__role=Role.WINDOW_CLERK).count(), 4)

    def test_the_work_of_the_city_is_proportional_to_the_scale(self):
        # The city sizes times 0.001.
        self.assertEqual(
            (SIZE.projects, SIZE.cases, SIZE.followups, SIZE.audit_events),
            (1, 2000, 5014, 2000),
        )
        self.assertEqual(KeyProject.objects.count(), 1)
        self.assertGreaterEqual(ProgressReport.objects.count(), 40)
        self.assertTrue(Problem.objects.exists())
        self.assertEqual(Application.objects.count(), 2000)
        self.assertEqual(FollowUp.objects.count(), 5014)
        self.assertEqual(Event.objects.count(), 2000)
        # Every hall has its share of the cases.
        halls = Application.objects.values("org_unit").distinct().count()
        self.assertEqual(halls, 4)

    def test_cases_follow_the_rules_of_the_hall(self):
        finished = Application.objects.filter(status__in=Application.FINISHED_STATUSES)
        self.assertFalse(finished.filter(finished_at__isnull=True).exists())
        self.assertFalse(finished.filter(finished_at__lt=F("received_at")).exists())
        self.assertFalse(
            Application.objects.filter(status__in=Application.OPEN_STATUSES)
            .exclude(finished_at=None)
            .exists()
        )
        # Only approved cases are rated, and every bad rating has its rectification.
        self.assertFalse(Rating.objects.exclude(application__status="approved").exists())
        bad = Rating.objects.filter(level__lte=Rating.Level.DISSATISFIED)
        self.assertEqual(Rectification.objects.count(), bad.count())
        self.assertEqual(Pause.objects.count(), Application.objects.filter(status="paused").count())
        oldest = Application.objects.order_by("received_at").first().received_at
        self.assertLess(oldest, timezone.now() - datetime.timedelta(days=365 * 2))

    def test_each_plan_has_one_scheduled_follow_up(self):
        plans = FollowUpPlan.objects.annotate(
            open=Count("followups", filter=Q(followups__status=FollowUp.Status.SCHEDULED))
        )
        self.assertEqual(set(plans.values_list("open", flat=True)), {1})

    def test_the_generated_audit_events_keep_the_chain_verifiable(self):
        self.assertEqual(verify_chain(), [])
        # The next event of the app follows them on the chain.
        record_event(actor=None, action="login", kind=Event.Kind.LOGIN, target_repr="x")
        self.assertEqual(verify_chain(), [])

    def test_rows_are_what_the_app_would_write(self):
        for person in Person.objects.all():
            parsed = parse_id_number(person.id_number)
            self.assertEqual(parsed.birth_date, person.birth_date)
        self.assertEqual(
            HouseholdMember.objects.filter(relation=HouseholdMember.Relation.HEAD).count(),
            Household.objects.count(),
        )
        self.assertTrue(FloatingRecord.objects.exists())

    def test_the_database_constraints_hold(self):
        person = Person.objects.first()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Person.objects.create(
                id_number=person.id_number,
                name="重复",
                sex=person.sex,
                birth_date=person.birth_date,
            )
        if connection.vendor == "postgresql":
            # Deferred foreign keys checked now: every generated reference points at a row.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def test_a_village_worker_sees_only_their_village(self):
        worker = User.objects.filter(memberships__role=Role.VILLAGE_WORKER).first()
        village = worker.memberships.get().org_unit
        seen = scope(Person.objects.all(), worker, [Role.VILLAGE_WORKER])
        self.assertEqual(set(seen), set(Person.objects.filter(org_unit=village)))
        self.assertLess(seen.count(), Person.objects.count())
        moves = scope(FloatingRecord.objects.all(), worker, [Role.VILLAGE_WORKER])
        self.assertTrue(all(m.org_unit_id == village.pk for m in moves))
        self.assertLess(moves.count(), FloatingRecord.objects.count())

    def test_a_second_city_needs_another_prefix(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "已存在"):
            call_command("generate_city", scale=0.001, stdout=open("/dev/null", "w"))
