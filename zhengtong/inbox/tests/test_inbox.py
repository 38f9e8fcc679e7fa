"""我的待办: one list, overdue first, the same colours for every kind."""

import datetime

import time_machine
from django.test import TestCase

from zhengtong.inbox import registry
from zhengtong.inbox.registry import InboxItem, deadline
from zhengtong.test import BaseTestCase

TODAY = datetime.date(2026, 11, 20)  # a Friday


@time_machine.travel("2026-11-20 09:00 +0800", tick=False)
class DeadlineTestCase(BaseTestCase):
    def test_a_past_due_date_is_overdue_by_working_days(self) -> None:
        """Due Wednesday the 18th, today Friday the 20th: two working days late."""
        d = deadline(datetime.date(2026, 11, 18))
        self.assertEqual((d.state, d.days), ("overdue", 2))

    def test_one_working_day_left_is_a_warning(self) -> None:
        """Due Monday the 23rd from a Friday: the weekend does not count."""
        d = deadline(datetime.date(2026, 11, 23))
        self.assertEqual((d.state, d.days), ("warning", 1))

    def test_due_today_is_a_warning_with_no_days_left(self) -> None:
        d = deadline(TODAY)
        self.assertEqual((d.state, d.days), ("warning", 0))

    def test_more_days_left_is_normal(self) -> None:
        d = deadline(datetime.date(2026, 11, 27))
        self.assertEqual((d.state, d.days), ("normal", 5))

    def test_a_finished_item_is_done_whatever_its_date(self) -> None:
        self.assertEqual(deadline(datetime.date(2026, 1, 1), done=True).state, "done")

    def test_a_due_date_years_ahead_is_a_date_not_a_warning(self) -> None:
        """A loan repayment in 2028 counts down on the provisional calendar like any other."""
        d = deadline(datetime.date(2028, 3, 1))
        self.assertEqual(d.state, "normal")
        self.assertGreater(d.days, 300)
        self.assertEqual(d.message, "")


@time_machine.travel("2027-01-06 09:00 +0800", tick=False)
class DeadlineAcrossTheYearTestCase(BaseTestCase):
    def test_a_case_overdue_since_december_is_red_in_january(self) -> None:
        """Due 2026-12-25, today 2027-01-06 in a provisional year: overdue, counted, red."""
        d = deadline(datetime.date(2026, 12, 25))
        # 12-28…12-31 (4), 01-01 is 元旦, 01-04…01-06 (3).
        self.assertEqual((d.state, d.days), ("overdue", 7))

    def test_overdue_first_then_by_due_date_across_years(self) -> None:
        """A 2028 repayment sorts after an item due this month, the overdue one first."""
        saved = list(registry._providers)
        registry._providers.clear()
        self.addCleanup(lambda: registry._providers.__setitem__(slice(None), saved))
        registry.register(
            lambda user: [
                InboxItem("贷款", "repayment", "/a", datetime.date(2028, 3, 1)),
                InboxItem("办件", "this month", "/b", datetime.date(2027, 1, 20)),
                InboxItem("办件", "late", "/c", datetime.date(2026, 12, 25)),
            ]
        )
        items = registry.items_for(None)
        self.assertEqual([i.title for i in items], ["late", "this month", "repayment"])
        self.assertEqual([i.deadline.state for i in items], ["overdue", "normal", "normal"])


class InboxOrderTestCase(TestCase):
    def setUp(self) -> None:
        self.saved = list(registry._providers)
        registry._providers.clear()
        self.addCleanup(self._restore)

    def _restore(self) -> None:
        registry._providers[:] = self.saved

    def test_items_from_every_provider_come_overdue_first_then_by_due_date(self) -> None:
        registry.register(
            lambda user: [
                InboxItem("甲", "later", "/a", datetime.date(2026, 11, 27)),
                InboxItem("甲", "late", "/b", datetime.date(2026, 11, 2)),
            ]
        )
        registry.register(lambda user: [InboxItem("乙", "soon", "/c", datetime.date(2026, 11, 23))])
        with time_machine.travel("2026-11-20 09:00 +0800", tick=False):
            titles = [i.title for i in registry.items_for(object(), today=TODAY)]
        self.assertEqual(titles, ["late", "soon", "later"])

    def test_registering_twice_does_not_duplicate(self) -> None:
        def provider(user):
            return [InboxItem("甲", "once", "/a", TODAY)]

        registry.register(provider)
        registry.register(provider)
        self.assertEqual(len(registry.items_for(object(), today=TODAY)), 1)


class HomePageTestCase(BaseTestCase):
    def test_the_home_page_is_the_inbox_of_a_signed_in_user(self) -> None:
        self.client.force_login(self.office)
        r = self.client.get("/")
        self.assertContains(r, "我的待办")

    def test_an_anonymous_visitor_is_sent_to_the_login_page(self) -> None:
        r = self.client.get("/")
        self.assertRedirects(r, "/accounts/login/?next=/", fetch_redirect_response=False)
