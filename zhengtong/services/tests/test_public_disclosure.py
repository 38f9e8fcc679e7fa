import datetime
import re
from unittest import mock

import time_machine

from zhengtong.services import reports
from zhengtong.services.models import Application, DisclosureSnapshot, Pause

from .fixtures import SHANGHAI, PublicTestCase, at, make_person

ID_18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
PHONE_11 = re.compile(r"(?<![0-9])1[0-9]{10}(?![0-9])")
S = Application.Status
NOV = datetime.date(2026, 11, 1)


def recompute(cases, month: datetime.date) -> dict:
    """The published definitions, applied row by row in Python."""
    start = datetime.datetime.combine(month, datetime.time.min, tzinfo=SHANGHAI)
    end = datetime.datetime.combine(reports.next_month(month), datetime.time.min, tzinfo=SHANGHAI)
    last_day = reports.next_month(month) - datetime.timedelta(days=1)
    totals = {"received": 0, "finished": 0, "on_time": 0, "overdue": 0}
    for case in cases:
        finished_on = case.finished_at.astimezone(SHANGHAI).date() if case.finished_at else None
        finished = case.status in (S.APPROVED, S.REFUSED) and start <= case.finished_at < end
        paused = any(
            p.started_on <= last_day and (p.ended_on is None or p.ended_on > last_day)
            for p in case.pauses.all()
        )
        open_at_end = case.received_at < end and (
            case.finished_at is None or case.finished_at >= end
        )
        totals["received"] += start <= case.received_at < end
        totals["finished"] += finished
        totals["on_time"] += finished and (case.due_on is None or finished_on <= case.due_on)
        totals["overdue"] += (
            finished and case.due_on is not None and finished_on > case.due_on
        ) or (open_at_end and case.due_on is not None and case.due_on <= last_day and not paused)
    return totals


class DisclosureCases(PublicTestCase):
    """November's cases of the board, seen on 2026-12-03 (November has ended)."""

    url = "/public/disclosure/"

    def setUp(self) -> None:
        super().setUp()
        wang = make_person("王小红", self.west_village, phone="13600001111", seq=11, female=True)
        # Received and finished on time in November.
        self.make_case(
            status=S.APPROVED, finished_at=at(2026, 11, 6), certificate_no="TSYZ2026000101"
        )
        # Finished late: due 11-09, finished 11-10 at 00:30 Shanghai (11-09 16:30 UTC).
        self.make_case(
            applicant=wang,
            status=S.REFUSED,
            finished_at=datetime.datetime(2026, 11, 9, 16, 30, tzinfo=datetime.UTC),
        )
        # Finished on its due date at 23:30 Shanghai: on time.
        self.make_case(status=S.APPROVED, finished_at=at(2026, 11, 9, 23, 30))
        # Received in October, still open at November's end and past due: overdue in November.
        self.make_case(
            received_at=at(2026, 10, 20),
            accepted_on=datetime.date(2026, 10, 20),
            due_on=datetime.date(2026, 10, 27),
        )
        # Open and past due but paused for 补正 since 11-20: not overdue.
        paused = self.make_case(status=S.PAUSED, due_on=datetime.date(2026, 11, 25))
        Pause.objects.create(
            application=paused, started_on=datetime.date(2026, 11, 20), reason="补正"
        )
        # Pending (never accepted): received, no due date, not overdue.
        self.make_case(status=S.PENDING, accepted_on=None, due_on=None, applicant=wang)
        # Withdrawn in November: received, neither finished nor overdue.
        self.make_case(status=S.WITHDRAWN, finished_at=at(2026, 11, 5))
        # Received at 2026-12-01 00:00 Shanghai: December, not November.
        self.make_case(
            received_at=at(2026, 12, 1, 0, 0), accepted_on=None, due_on=None, status=S.PENDING
        )
        # Received 2026-11-01 00:00 Shanghai (10-31 16:00 UTC): November; open past its due
        # date 11-09, so overdue too.
        self.make_case(received_at=at(2026, 11, 1, 0, 0))
        # Another township's case (open, due 11-09: overdue) counts only on the all-halls board.
        self.make_case(
            org_unit=self.other_town, first_responder=self.other_clerk, handler=self.other_clerk
        )


@time_machine.travel(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI), tick=False)
class DisclosureTestCase(DisclosureCases):
    def test_the_figures_are_the_published_definitions_applied_to_the_rows(self) -> None:
        r = self.client.get(self.url, {"month": "2026-11"})
        self.assertEqual(r.status_code, 200)
        report = r.context["report"]
        cases = Application.objects.prefetch_related("pauses")
        expected = recompute(cases, NOV)
        totals = report.totals
        self.assertEqual(
            expected,
            {
                "received": totals.received,
                "finished": totals.finished,
                "on_time": totals.on_time,
                "overdue": totals.overdue,
            },
        )
        self.assertEqual(expected, {"received": 8, "finished": 3, "on_time": 2, "overdue": 4})

    def test_a_hall_can_be_chosen(self) -> None:
        r = self.client.get(self.url, {"month": "2026-11", "hall": "LIUJI"})
        self.assertEqual(r.context["report"].totals.received, 7)
        self.assertEqual(self.client.get(self.url, {"hall": "NOPE"}).status_code, 404)

    def test_the_page_shows_the_definitions_and_per_item_rows(self) -> None:
        r = self.client.get(self.url, {"month": "2026-11"})
        self.assertContains(r, "统计口径")
        self.assertContains(r, "测试生育服务证")
        self.assertContains(r, "2026年11月")

    def test_the_case_list_is_de_identified(self) -> None:
        """Names as 张**, no 18-digit ID number and no 11-digit phone anywhere on the page."""
        r = self.client.get(self.url, {"month": "2026-11"})
        html = r.content.decode()
        self.assertIn("张**", html)
        self.assertIn("王**", html)
        self.assertNotIn("张三丰", html)
        self.assertNotIn("王小红", html)
        self.assertEqual(ID_18.findall(html), [])
        self.assertEqual(PHONE_11.findall(html), [])

    def test_the_month_defaults_to_the_current_one(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r.context["month"], datetime.date(2026, 12, 1))
        self.assertEqual(r.context["report"].totals.received, 1)

    def test_a_malformed_month_gets_a_chinese_message(self) -> None:
        r = self.client.get(self.url, {"month": "2026-13"})
        self.assertContains(r, "月份:格式应为 YYYY-MM")

    def test_the_query_count_does_not_grow_with_the_cases(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        # The first view of a month that has ended publishes it (a few queries more, once).
        self.client.get(self.url, {"month": "2026-11"})
        with CaptureQueriesContext(connection) as before:
            self.client.get(self.url, {"month": "2026-11"})
        for _n in range(5):
            self.make_case()
        with self.assertNumQueries(len(before.captured_queries)):
            self.client.get(self.url, {"month": "2026-11"})


@time_machine.travel(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI), tick=False)
class PublishedDisclosureTestCase(DisclosureCases):
    """A month that has ended is counted once and kept as published; the current month is not."""

    def totals(self, **params) -> dict:
        report = self.client.get(self.url, params).context["report"]
        return {
            "received": report.totals.received,
            "finished": report.totals.finished,
            "on_time": report.totals.on_time,
            "overdue": report.totals.overdue,
        }

    def test_a_past_month_is_published_with_the_figures_of_a_recount(self) -> None:
        published = self.totals(month="2026-11")
        self.assertEqual(published, recompute(Application.objects.prefetch_related("pauses"), NOV))
        snapshot = DisclosureSnapshot.objects.get()
        self.assertEqual((snapshot.month, snapshot.hall), (NOV, None))
        self.assertContains(self.client.get(self.url, {"month": "2026-11"}), "公布,此后不再变动")

    def test_a_later_correction_leaves_the_published_figures_as_they_were(self) -> None:
        published = self.totals(month="2026-11")
        # A November case entered after publication, and an open overdue one finished now.
        self.make_case(
            received_at=at(2026, 11, 15), status=S.APPROVED, finished_at=at(2026, 11, 16)
        )
        Application.objects.filter(due_on=datetime.date(2026, 10, 27)).update(
            status=S.APPROVED, finished_at=at(2026, 11, 28)
        )
        recount = recompute(Application.objects.prefetch_related("pauses"), NOV)
        self.assertNotEqual(recount, published)
        self.assertEqual(self.totals(month="2026-11"), published)
        self.assertEqual(DisclosureSnapshot.objects.count(), 1)

    def test_each_hall_is_published_on_its_own(self) -> None:
        hall = self.totals(month="2026-11", hall="LIUJI")
        everything = self.totals(month="2026-11")
        self.assertEqual((hall["received"], everything["received"]), (7, 8))
        self.assertEqual(
            set(DisclosureSnapshot.objects.values_list("hall__code", flat=True)), {"LIUJI", None}
        )

    def test_the_current_month_is_counted_on_each_request(self) -> None:
        before = self.totals(month="2026-12")
        self.make_case(received_at=at(2026, 12, 2), status=S.PENDING, accepted_on=None, due_on=None)
        self.assertEqual(self.totals(month="2026-12")["received"], before["received"] + 1)
        self.assertFalse(DisclosureSnapshot.objects.exists())
        self.assertNotContains(self.client.get(self.url, {"month": "2026-12"}), "此后不再变动")

    def test_a_published_month_is_read_as_stored_not_recounted(self) -> None:
        first = reports.published_disclosure(month=NOV, hall=None)
        DisclosureSnapshot.objects.filter(pk=first.pk).update(rows=[])
        again = reports.published_disclosure(month=NOV, hall=None)
        self.assertEqual((again.pk, again.rows), (first.pk, []))

    def test_a_month_published_meanwhile_by_another_request_is_the_one_kept(self) -> None:
        count = reports.disclosure_count

        def count_while_another_publishes(**kwargs):
            rows = count(**kwargs)
            DisclosureSnapshot.objects.create(month=NOV, hall=None, rows=[])
            return rows

        with mock.patch.object(reports, "disclosure_count", count_while_another_publishes):
            kept = reports.published_disclosure(month=NOV, hall=None)
        self.assertEqual(kept.rows, [])
        self.assertEqual(DisclosureSnapshot.objects.count(), 1)
