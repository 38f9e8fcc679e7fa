"""The reminder rule over 我的待办: N working days before (per kind), on the due day, one
overdue digest a day; and the leader's 督办 digest, only when there is something to say."""

import datetime
from unittest import mock

import time_machine
from django.test import override_settings

from zhengtong.inbox import registry
from zhengtong.inbox.registry import InboxItem
from zhengtong.inbox.reminders import leader_digest, reminders_for
from zhengtong.projects.models import Problem
from zhengtong.projects.tests.test_register import project
from zhengtong.test import BaseTestCase

D = datetime.date
TUESDAY = D(2026, 12, 1)
FRIDAY = D(2026, 12, 4)


def item(title: str, due_on: datetime.date, kind: str = "项目问题") -> InboxItem:
    return InboxItem(kind=kind, title=title, url=f"/x/{title}/", due_on=due_on)


class ReminderRuleTestCase(BaseTestCase):
    def remind(self, items, today):
        with mock.patch.object(registry, "_providers", [lambda user: list(items)]):
            return reminders_for(self.office, today=today)

    def test_one_working_day_before_and_on_the_day(self) -> None:
        reminders = self.remind(
            [item("明天到期", D(2026, 12, 2)), item("今天到期", TUESDAY), item("周五", FRIDAY)],
            TUESDAY,
        )
        self.assertEqual(
            [(r.when, r.items[0].title) for r in reminders],
            [("due", "今天到期"), ("before", "明天到期")],
        )
        self.assertIn("还有 1 个工作日", reminders[1].text)

    def test_the_weekend_is_not_counted(self) -> None:
        reminders = self.remind([item("周一到期", D(2026, 12, 7))], FRIDAY)
        self.assertEqual([r.when for r in reminders], ["before"])

    @override_settings(REMINDER_WORKDAYS_BEFORE={"default": 1, "项目月报": 3})
    def test_the_offset_is_per_kind(self) -> None:
        reminders = self.remind(
            [item("月报", FRIDAY, kind="项目月报"), item("问题", FRIDAY)], TUESDAY
        )
        self.assertEqual([r.items[0].kind for r in reminders], ["项目月报"])

    def test_overdue_items_make_one_digest_a_day(self) -> None:
        late = [item(f"逾期{n}", D(2026, 11, 20 + n)) for n in range(7)]
        reminders = self.remind(late, TUESDAY)
        self.assertEqual([r.when for r in reminders], ["overdue"])
        digest = reminders[0]
        self.assertEqual(len(digest.items), 7)
        self.assertIn("等 7 项", digest.text)
        self.assertEqual(digest.dedupe, f"remind:{self.office.pk}:overdue:2026-12-01")
        tomorrow = self.remind(late, D(2026, 12, 2))[0]
        self.assertNotEqual(tomorrow.dedupe, digest.dedupe)

    def test_the_same_item_on_the_same_day_has_the_same_key(self) -> None:
        first = self.remind([item("今天到期", TUESDAY)], TUESDAY)[0]
        again = self.remind([item("今天到期", TUESDAY)], TUESDAY)[0]
        self.assertEqual(first.dedupe, again.dedupe)

    def test_nothing_due_nothing_said(self) -> None:
        self.assertEqual(self.remind([item("下周", D(2026, 12, 10))], TUESDAY), [])


@time_machine.travel(datetime.datetime(2026, 12, 1, 2, 0, tzinfo=datetime.UTC), tick=False)
class LeaderDigestTestCase(BaseTestCase):
    def test_only_a_leader_with_something_to_say_gets_a_digest(self) -> None:
        self.assertIsNone(leader_digest(self.office, today=TUESDAY))
        quiet = leader_digest(self.leader, today=TUESDAY)
        self.assertIsNone(quiet)
        row = project("KP-001", self.company, leaders=[self.leader])
        Problem.objects.create(
            project=row,
            title="征地拆迁未完成",
            owning_unit=self.social,
            raised_by=self.liaison,
            raised_on=D(2026, 11, 2),
            deadline_workdays=10,
            due_on=D(2026, 11, 16),
        )
        text = leader_digest(self.leader, today=TUESDAY)
        self.assertIsNotNone(text)
        self.assertIn("征地拆迁未完成", text)
        self.assertTrue(text.startswith("2026年12月01日督办:"))
        self.assertIsNone(leader_digest(self.second_leader, today=TUESDAY))


@time_machine.travel(datetime.datetime(2026, 12, 1, 0, 30, tzinfo=datetime.UTC), tick=False)
class ReminderSweepTestCase(BaseTestCase):
    """The daily task sends the rule's reminders and the digests as 站内消息, once a day."""

    def setUp(self) -> None:
        super().setUp()
        from zhengtong.notify.events import ensure_default_templates

        ensure_default_templates()
        row = project("KP-001", self.company, leaders=[self.leader])
        self.problem = Problem.objects.create(
            project=row,
            title="征地拆迁未完成",
            owning_unit=self.social,
            raised_by=self.liaison,
            raised_on=D(2026, 11, 2),
            deadline_workdays=10,
            due_on=D(2026, 11, 16),
        )

    def test_overdue_items_and_the_leaders_digest_arrive_once(self) -> None:
        from zhengtong.inbox.tasks import remind_due
        from zhengtong.notify.models import Message

        with self.captureOnCommitCallbacks(execute=False):
            summary = remind_due.call()
        self.assertIn("领导督办日报 1 份", summary)
        leader = Message.objects.filter(user=self.leader)
        self.assertEqual(
            sorted(leader.values_list("event", flat=True)), ["leader_digest", "reminder"]
        )
        digest = leader.get(event="leader_digest")
        self.assertIn("征地拆迁未完成", digest.text)
        office = Message.objects.get(user=self.office, event="reminder")
        self.assertIn("已超期待办共 1 项", office.text)
        count = Message.objects.count()
        with self.captureOnCommitCallbacks(execute=False):
            remind_due.call()
        self.assertEqual(Message.objects.count(), count)  # the same day: nothing new

    def office_reminder(self):
        from zhengtong.inbox.tasks import remind_due
        from zhengtong.notify.models import Message

        with self.captureOnCommitCallbacks(execute=False):
            remind_due.call()
        return Message.objects.get(user=self.office, event="reminder")

    def test_resolving_the_problem_cancels_its_queued_reminder(self) -> None:
        from zhengtong.notify.models import State

        reminder = self.office_reminder()
        self.assertEqual(reminder.state, State.QUEUED)
        self.problem.status = Problem.Status.RESOLVED
        self.problem.save()
        reminder.refresh_from_db()
        self.assertEqual(reminder.state, State.CANCELLED)
        self.assertIn("已办结", reminder.last_error)

    def test_a_rolled_back_close_leaves_the_reminder_queued(self) -> None:
        from django.db import transaction

        from zhengtong.notify.models import State

        reminder = self.office_reminder()
        with self.assertRaises(RuntimeError), transaction.atomic():
            self.problem.status = Problem.Status.RESOLVED
            self.problem.save()
            raise RuntimeError
        reminder.refresh_from_db()
        self.assertEqual(reminder.state, State.QUEUED)

    def test_an_unrelated_save_leaves_the_reminder_queued(self) -> None:
        from zhengtong.notify.models import State

        reminder = self.office_reminder()
        self.problem.description = "补充说明"
        self.problem.save()
        reminder.refresh_from_db()
        self.assertEqual(reminder.state, State.QUEUED)

    def test_sending_rechecks_the_item_and_cancels_instead(self) -> None:
        from zhengtong.notify.models import State
        from zhengtong.notify.tasks import send_message

        reminder = self.office_reminder()
        # Closed without a signal (a bulk update): the sending door still catches it.
        Problem.objects.filter(pk=self.problem.pk).update(status=Problem.Status.RESOLVED)
        self.assertIn("已取消", send_message.call(reminder.pk))
        reminder.refresh_from_db()
        self.assertEqual((reminder.state, reminder.sent_at), (State.CANCELLED, None))

    def test_a_reminder_whose_item_is_open_is_sent(self) -> None:
        from zhengtong.notify.models import State
        from zhengtong.notify.tasks import send_message

        reminder = self.office_reminder()
        send_message.call(reminder.pk)
        reminder.refresh_from_db()
        self.assertEqual(reminder.state, State.SENT)

    def test_an_escalated_problem_reaches_its_leaders_at_once(self) -> None:
        from zhengtong.notify.models import Message
        from zhengtong.projects.actions import problems_escalate

        with self.captureOnCommitCallbacks(execute=False):
            problems_escalate(today=TUESDAY)
            problems_escalate(today=TUESDAY)
        message = Message.objects.get(event="problem_escalated")
        self.assertEqual(message.user, self.leader)
        self.assertIn("已升级至您督办", message.text)


class MonthlyReportReminderTestCase(BaseTestCase):
    """From the 25th the liaison sees this month's report coming and is reminded every working
    day until it is filed."""

    def test_from_the_25th_this_months_report_is_owed_and_reminded_daily(self) -> None:
        from zhengtong.projects.inbox import report_items
        from zhengtong.projects.models import Stage

        row = project("KP-001", self.company, stage=Stage.UNDER_CONSTRUCTION)
        with time_machine.travel(datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC)):
            titles = [i.title for i in report_items(self.liaison)]
        self.assertEqual(titles, ["填报2026年10月月报"])
        with time_machine.travel(datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.UTC)):
            items = report_items(self.liaison)
            self.assertEqual([i.title for i in items], ["填报2026年10月月报", "填报2026年11月月报"])
            self.assertEqual(items[1].url, f"/projects/{row.pk}/reports/new/?month=2026-11")
            self.assertEqual(items[1].due_on, D(2026, 12, 7))
            reminders = reminders_for(self.liaison, today=D(2026, 11, 25))
            self.client.force_login(self.liaison)
            form = self.client.get(items[1].url).context["form"]
            self.assertEqual(form.initial["month"], D(2026, 11, 1))
        daily = [r for r in reminders if "11月月报" in r.text]
        self.assertEqual(len(daily), 1)
        self.assertIn("12月07日到期", daily[0].text)
        with time_machine.travel(datetime.datetime(2026, 11, 26, 2, 0, tzinfo=datetime.UTC)):
            tomorrow = reminders_for(self.liaison, today=D(2026, 11, 26))
        again = [r for r in tomorrow if "11月月报" in r.text]
        self.assertNotEqual(again[0].dedupe, daily[0].dedupe)  # one a day, every working day
