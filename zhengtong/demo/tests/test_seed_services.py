import datetime
import io
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.db.models import Q
from django.test import TestCase

from zhengtong.accounts.models import Membership, Role, User
from zhengtong.audit.models import Event
from zhengtong.demo.org import DEMO_PASSWORD
from zhengtong.demo.testing import seed_demo
from zhengtong.lib.idcard import parse_id_number
from zhengtong.people.models import Person
from zhengtong.services.models import (
    Application,
    DutyEntry,
    Leave,
    Notice,
    Pause,
    Post,
    Rating,
    Rectification,
)
from zhengtong.services.selectors import applications_overdue

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A fixed Friday, so "today", the months of history and the roster never follow the wall clock.
TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
OCTOBER = (
    datetime.datetime(2026, 10, 1, tzinfo=SHANGHAI),
    datetime.datetime(2026, 11, 1, tzinfo=SHANGHAI),
)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [Application, Notice, Pause, Rating, Rectification, Leave, DutyEntry, Post, Person]
    result = {m.__name__: m.objects.count() for m in models}
    result["Event"] = Event.objects.count()
    return result


@time_machine.travel(TODAY, tick=False)
class SeedServicesTestCase(TestCase):
    """The demo, built once per test run (demo/testing.py); each test reads its hall.

    A plain TestCase, as in test_seed_demo: the demo builds its own org tree and people.
    """

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed_demo(at=TODAY)
        cls.clerk_a = User.objects.get(username="clerk_a")
        cls.clerk_b = User.objects.get(username="clerk_b")
        cls.cases = Application.objects.filter(org_unit__code="LIUJI")

    def log_in(self, username: str) -> None:
        """Through the login form, so the demo password is the one that works."""
        r = self.client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        self.assertEqual(r.status_code, 302)

    def test_clerk_a_and_clerk_b_are_the_ab_pair_of_the_birth_registration_window(self) -> None:
        for user in (self.clerk_a, self.clerk_b):
            self.assertTrue(user.check_password(DEMO_PASSWORD))
            membership = Membership.objects.get(user=user)
            self.assertEqual(membership.role, Role.WINDOW_CLERK)
            self.assertEqual(membership.org_unit.name, "刘集镇")
            self.assertEqual(membership.org_unit.parent.name, "东阿县")
            self.assertTrue(user.staff_no)
            self.assertTrue(user.photo.name.startswith("staff/"))
        post = Post.objects.get(a_user=self.clerk_a)
        self.assertEqual(post.b_user, self.clerk_b)
        self.assertEqual(
            (post.org_unit.name, post.name, post.window), ("刘集镇", "生育登记", "1号窗口")
        )

    def test_a_second_pair_holds_the_childcare_subsidy_window(self) -> None:
        post = Post.objects.get(window="2号窗口")
        self.assertEqual((post.a_user.username, post.b_user.username), ("clerk_c", "clerk_d"))
        self.assertEqual(Post.objects.filter(org_unit__code="LIUJI").count(), 2)

    def test_the_township_has_its_villages(self) -> None:
        villages = set(
            Person.objects.filter(applications__in=self.cases).values_list(
                "org_unit__name", flat=True
            )
        )
        self.assertTrue({"刘集村", "东村", "西村", "王庄村", "李营村"} <= villages)

    def test_the_history_runs_from_august_to_today_and_no_later(self) -> None:
        self.assertGreaterEqual(self.cases.count(), 80)
        self.assertLessEqual(self.cases.count(), 160)
        first = self.cases.order_by("received_at").first().received_at
        self.assertEqual(first.astimezone(SHANGHAI).month, 8)
        self.assertFalse(self.cases.filter(received_at__gt=TODAY).exists())
        self.assertFalse(self.cases.filter(finished_at__gt=TODAY).exists())
        self.assertFalse(Event.objects.filter(created_at__gt=TODAY).exists())
        self.assertFalse(Rating.objects.filter(created_at__gt=TODAY).exists())

    def test_every_applicant_has_a_valid_id_number(self) -> None:
        for person in Person.objects.filter(applications__in=self.cases).distinct():
            self.assertEqual(parse_id_number(person.id_number).number, person.id_number)
            self.assertTrue(person.id_number.startswith("371524"))

    def test_incomplete_applications_got_one_notice_and_were_supplemented(self) -> None:
        noticed = self.cases.filter(notices__isnull=False).distinct()
        self.assertGreater(noticed.count(), 10)
        accepted_ids = Event.objects.filter(
            action="application_accepted", target_type="services.application"
        ).values_list("target_id", flat=True)
        accepted_later = noticed.filter(pk__in=[int(pk) for pk in accepted_ids])
        self.assertGreater(accepted_later.count(), 5)
        for case in accepted_later:
            received = case.received_at.astimezone(SHANGHAI).date()
            self.assertGreater(case.accepted_on, received, case.receipt_no)

    def test_the_hall_shows_every_outcome_and_the_clock_rules(self) -> None:
        statuses = set(self.cases.values_list("status", flat=True))
        self.assertEqual(statuses, set(Application.Status.values))
        self.assertTrue(Pause.objects.filter(ended_on__isnull=False, workdays__gt=0).exists())
        self.assertTrue(self.cases.filter(status=Application.Status.PAUSED).exists())
        overdue = applications_overdue(self.cases, TODAY.date())
        self.assertGreaterEqual(overdue.count(), 2)
        approved = self.cases.filter(status=Application.Status.APPROVED, item__code="SYDJ")
        numbers = list(approved.values_list("certificate_no", flat=True))
        self.assertTrue(numbers)
        self.assertTrue(all(n and n.startswith("SYDJ2026") for n in numbers))
        self.assertEqual(len(numbers), len(set(numbers)))

    def test_bad_ratings_opened_rectifications_and_one_was_called_back(self) -> None:
        bad = Rating.objects.filter(level__lte=Rating.Level.DISSATISFIED)
        self.assertGreaterEqual(bad.count(), 2)
        self.assertEqual(Rectification.objects.count(), bad.count())
        closed = Rectification.objects.filter(done_at__isnull=False)
        self.assertEqual(closed.count(), 1)
        self.assertTrue(closed.get().callback_note)
        self.assertTrue(Rectification.objects.filter(done_at__isnull=True).exists())
        self.assertTrue(Rating.objects.filter(level=Rating.Level.VERY_SATISFIED).exists())

    def test_b_handled_cases_of_a_during_a_past_leave(self) -> None:
        leave = Leave.objects.get(user=self.clerk_a)
        self.assertLess(leave.end_on, TODAY.date())
        on_behalf = Event.objects.filter(
            actor=self.clerk_b, changes__on_behalf_of=[None, self.clerk_a.display_name]
        )
        self.assertTrue(on_behalf.exists())
        for event in on_behalf:
            day = event.created_at.astimezone(SHANGHAI).date()
            self.assertTrue(leave.start_on <= day <= leave.end_on)

    def test_the_roster_covers_today_and_the_coming_working_days(self) -> None:
        today = TODAY.date()
        self.assertEqual(DutyEntry.objects.filter(day=today).count(), 4)
        self.assertEqual(DutyEntry.objects.filter(day__gt=today).count(), 4 * 5)
        r = self.client.get("/public/duty/")
        self.assertContains(r, "孙晓燕")
        self.assertContains(r, "1号窗口")
        self.assertContains(r, self.clerk_a.photo.url)
        self.assertEqual(self.client.get(self.clerk_a.photo.url).status_code, 200)

    def test_the_disclosure_counts_equal_the_case_rows(self) -> None:
        start, end = OCTOBER
        received = self.cases.filter(received_at__gte=start, received_at__lt=end).count()
        finished = self.cases.filter(
            status__in=[Application.Status.APPROVED, Application.Status.REFUSED],
            finished_at__gte=start,
            finished_at__lt=end,
        ).count()
        self.assertGreater(received, 0)
        self.assertGreater(finished, 0)
        r = self.client.get("/public/disclosure/", {"month": "2026-10", "hall": "LIUJI"})
        self.assertEqual(r.status_code, 200)
        totals = r.context["report"].totals
        self.assertEqual((totals.received, totals.finished), (received, finished))

    def test_the_monthly_ranking_has_the_clerks_with_their_finished_cases(self) -> None:
        self.log_in("clerk_a")
        r = self.client.get("/services/reports/ranking/", {"month": "2026-10"})
        self.assertEqual(r.status_code, 200)
        rows = r.context["rows"]
        self.assertEqual(
            {row.user.username for row in rows}, {"clerk_a", "clerk_b", "clerk_c", "clerk_d"}
        )
        self.assertGreater(rows[0].finished, 0)
        self.assertGreater(rows[0].score, rows[-1].score)
        start, end = OCTOBER
        finished = self.cases.filter(
            Q(status__in=[Application.Status.APPROVED, Application.Status.REFUSED]),
            finished_at__gte=start,
            finished_at__lt=end,
        )
        self.assertEqual(sum(row.finished for row in rows), finished.count())

    def test_the_weekly_digest_of_last_week_has_numbers(self) -> None:
        self.log_in("clerk_b")
        r = self.client.get("/services/reports/weekly/", {"week": "2026-W46"})
        self.assertEqual(r.status_code, 200)
        cases = next(s for s in r.context["digest"].sections if s.key == "cases")
        self.assertGreater(cases.totals[0], 0)
        self.assertGreater(cases.totals[2], 0)

    def test_clerk_a_sees_the_hall_cases_and_her_queue(self) -> None:
        self.log_in("clerk_a")
        r = self.client.get("/services/", {"scope": "all"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["page"].paginator.count, self.cases.count())
        mine = self.client.get("/services/")
        self.assertEqual(mine.status_code, 200)

    def test_the_output_and_demo_accounts_name_the_hall_and_its_clerks(self) -> None:
        self.assertIn(f"刘集镇便民服务中心办件 {self.cases.count()} 件", self.output)
        out = io.StringIO()
        call_command("demo_accounts", stdout=out)
        for username in ("clerk_a", "clerk_b", "clerk_c", "clerk_d"):
            self.assertIn(username, out.getvalue())
        self.assertIn("B 代 A", out.getvalue())

    def test_the_audit_chain_is_intact(self) -> None:
        out = io.StringIO()
        call_command("audit_verify", stdout=out)
        self.assertIn("完整", out.getvalue())

    def test_running_it_again_changes_nothing(self) -> None:
        before = counts()
        output = seed()
        self.assertEqual(counts(), before)
        self.assertIn("未新建任何记录", output)


# A Tuesday in late December (the day of the calendar notice browser test).
LATE_DECEMBER = datetime.datetime(2026, 12, 22, 9, 30, tzinfo=SHANGHAI)


@time_machine.travel(LATE_DECEMBER, tick=False)
class SeedCalendarTestCase(TestCase):
    """In late December the demo shows 2027 as provisional, with its 暂定 due dates."""

    def test_the_demo_says_2027_is_provisional(self) -> None:
        output = seed_demo(at=LATE_DECEMBER)
        self.assertIn("工作日历:2026 年为正式年份、2027 年为暂定年份", output)
        self.assertTrue(Application.objects.filter(due_provisional=True).exists())
        self.assertFalse(
            Application.objects.filter(status="accepted", due_on__isnull=True).exists()
        )
