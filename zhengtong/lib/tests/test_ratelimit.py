import datetime

from django.test import TestCase

from zhengtong.accounts.models import RateCounter
from zhengtong.lib import ratelimit

NOON = datetime.datetime(2026, 12, 1, 4, 0, 30, tzinfo=datetime.UTC)


class RateLimitTestCase(TestCase):
    def test_hits_within_the_limit_pass_and_the_next_one_is_refused(self) -> None:
        results = [ratelimit.hit("k", window_seconds=600, limit=3, now=NOON) for _ in range(4)]
        self.assertEqual(results, [True, True, True, False])

    def test_each_key_counts_on_its_own(self) -> None:
        ratelimit.increment("a", window_seconds=600, now=NOON)
        ratelimit.increment("a", window_seconds=600, now=NOON)
        self.assertEqual(ratelimit.increment("b", window_seconds=600, now=NOON), 1)
        self.assertEqual(ratelimit.peek("a", window_seconds=600, now=NOON)[0], 2)

    def test_a_new_window_starts_from_zero_and_prunes_the_ended_ones(self) -> None:
        for _ in range(3):
            ratelimit.increment("a", window_seconds=600, now=NOON)
        later = NOON + datetime.timedelta(minutes=10)
        self.assertEqual(ratelimit.increment("a", window_seconds=600, now=later), 1)
        self.assertEqual(RateCounter.objects.count(), 1)

    def test_the_first_hit_of_a_window_costs_the_count_and_one_delete(self) -> None:
        """A public page's first request from an address pays for the clean-up: two statements,
        the counting INSERT and a single DELETE of every ended window, whatever their number."""
        for n in range(5):
            ratelimit.increment(f"old{n}", window_seconds=600, now=NOON)
        later = NOON + datetime.timedelta(minutes=10)
        with self.assertNumQueries(2):
            self.assertEqual(ratelimit.increment("new", window_seconds=600, now=later), 1)
        self.assertEqual(list(RateCounter.objects.values_list("key", flat=True)), ["new"])
        self.assertEqual(ratelimit.prune(now=later + datetime.timedelta(minutes=10)), 1)

    def test_peek_does_not_count_and_reset_forgets(self) -> None:
        self.assertEqual(ratelimit.peek("a", window_seconds=60, now=NOON), (0, None))
        ratelimit.increment("a", window_seconds=60, now=NOON)
        count, at = ratelimit.peek("a", window_seconds=60, now=NOON)
        self.assertEqual((count, at), (1, NOON))
        ratelimit.reset("a")
        self.assertEqual(ratelimit.peek("a", window_seconds=60, now=NOON)[0], 0)

    def test_windows_are_aligned_so_every_server_agrees(self) -> None:
        start, end = ratelimit.window_bounds(600, NOON)
        self.assertEqual(start, datetime.datetime(2026, 12, 1, 4, 0, tzinfo=datetime.UTC))
        self.assertEqual(end - start, datetime.timedelta(minutes=10))
