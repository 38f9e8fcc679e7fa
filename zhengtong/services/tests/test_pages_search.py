"""The case list's one search box (/services/): receipt number, applicant name, phone or full ID
number; the ID number only in a POST body, never in a URL; scope and audit as for the list."""

import datetime
import re

import time_machine

from zhengtong.audit.models import Event
from zhengtong.lib.idquery import ID_NUMBER_IN_URL_MESSAGE
from zhengtong.services.models import Application

from .fixtures import PageTestCase

TODAY = datetime.date(2026, 11, 16)
URL = "/services/"


@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
class CaseSearchTestCase(PageTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Mine, open; a colleague's; a finished one of mine; and another township's.
        self.mine = self.make_case(serial=21, due_on=TODAY + datetime.timedelta(days=3))
        self.colleagues = self.make_case(serial=22, handler=self.clerk_c, due_on=TODAY)
        self.finished = self.make_case(serial=23, status=Application.Status.APPROVED)
        self.elsewhere = self.make_case(
            serial=24, org_unit=self.other_town, handler=self.other_clerk, due_on=TODAY
        )
        self.colleagues.applicant_phone = "0517-86221234"
        self.colleagues.save(update_fields=["applicant_phone"])
        self.client.force_login(self.clerk_a)

    def shown(self, response) -> list[str]:
        return [case.receipt_no for case in response.context["page"]]

    def test_a_receipt_number_finds_its_case_exactly_or_by_prefix(self) -> None:
        response = self.client.get(URL, {"q": self.colleagues.receipt_no})
        self.assertEqual(self.shown(response), [self.colleagues.receipt_no])
        # Lower case and a prefix: the day's cases of the hall, the colleague's and finished too.
        response = self.client.get(URL, {"q": self.mine.receipt_no[:-2].lower()})
        self.assertEqual(
            sorted(self.shown(response)),
            sorted([self.mine.receipt_no, self.colleagues.receipt_no, self.finished.receipt_no]),
        )
        # The middle of a number is not a prefix.
        self.assertEqual(self.shown(self.client.get(URL, {"q": "20261116"})), [])

    def test_the_applicant_name_is_searched_by_part(self) -> None:
        response = self.client.get(URL, {"q": "申请人23"})
        self.assertEqual(self.shown(response), [self.finished.receipt_no])
        self.assertContains(response, "已办结")
        response = self.client.get(URL, {"q": "申请人2"})
        self.assertEqual(len(self.shown(response)), 3)  # not 申请人24 of the other township

    def test_the_phone_is_searched_whole_or_by_its_last_digits(self) -> None:
        for q in ("13912345678", "139 1234 5678", "5678"):
            with self.subTest(q=q):
                shown = self.shown(self.client.get(URL, {"q": q}))
                self.assertEqual(
                    sorted(shown), sorted([self.mine.receipt_no, self.finished.receipt_no])
                )
        # A landline stored with its hyphen, typed with or without it.
        for q in ("0517-86221234", "051786221234", "86221234"):
            with self.subTest(q=q):
                self.assertEqual(
                    self.shown(self.client.get(URL, {"q": q})), [self.colleagues.receipt_no]
                )
        # Three digits are too few to be a phone search.
        self.assertEqual(self.shown(self.client.get(URL, {"q": "678"})), [])

    def test_a_full_id_number_is_searched_by_post_and_audited(self) -> None:
        number = self.finished.applicant.id_number
        response = self.client.post(URL, {"q": number})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.shown(response), [self.finished.receipt_no])
        row = Event.objects.get(action="application_list_viewed")
        self.assertEqual(row.changes["purpose"], "按身份证号查找")
        self.assertEqual(row.changes["count"], 1)
        self.assertNotIn(number, str(row.changes))
        self.assertNotIn(number, row.target_repr)
        # The lower-case check letter finds the same person.
        response = self.client.post(URL, {"q": number.lower()})
        self.assertEqual(len(self.shown(response)), 1)

    def test_no_link_of_the_searched_page_carries_the_id_number(self) -> None:
        number = self.mine.applicant.id_number
        html = self.client.post(URL, {"q": number}).content.decode()
        self.assertEqual(self.shown(self.client.post(URL, {"q": number})), [self.mine.receipt_no])
        for url in re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', html):
            self.assertNotIn(number, url)
        self.assertIn('method="post"', html)  # the search box posts

    def test_an_id_number_in_the_url_is_refused_with_the_message(self) -> None:
        number = self.mine.applicant.id_number
        for params in ({"q": number}, {"window": number}):
            with self.subTest(params=list(params)):
                response = self.client.get(URL, params)
                self.assertContains(response, ID_NUMBER_IN_URL_MESSAGE, status_code=400)
                self.assertNotContains(response, self.mine.receipt_no, status_code=400)
        self.assertFalse(Event.objects.filter(action="application_list_viewed").exists())

    def test_another_townships_case_is_not_found_by_any_key(self) -> None:
        case = self.elsewhere
        for q in (case.receipt_no, case.applicant.name, "13912345678"):
            with self.subTest(q=q):
                self.assertNotIn(case.receipt_no, self.shown(self.client.get(URL, {"q": q})))
        response = self.client.post(URL, {"q": case.applicant.id_number})
        self.assertEqual(self.shown(response), [])
        # Nor by its URL: 404, and the other township's clerk finds it by the same number.
        self.assertEqual(self.client.get(case.get_absolute_url()).status_code, 404)
        self.client.force_login(self.other_clerk)
        response = self.client.post(URL, {"q": case.applicant.id_number})
        self.assertEqual(self.shown(response), [case.receipt_no])

    def test_other_roles_cannot_search(self) -> None:
        for user in (self.outsider, self.town_leader, self.auditor):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL, {"q": self.mine.receipt_no}).status_code, 403)
            self.assertEqual(
                self.client.post(URL, {"q": self.mine.applicant.id_number}).status_code, 403
            )

    def test_bad_input_is_answered_in_chinese_and_lists_nothing(self) -> None:
        response = self.client.get(URL, {"q": "x" * 101})
        self.assertContains(response, "筛选条件有误")
        self.assertEqual(self.shown(response), [])
        response = self.client.get(URL, {"status": "nope"})
        self.assertContains(response, "筛选条件有误")
        response = self.client.get(URL, {"clerk": self.other_clerk.pk, "scope": "all"})
        self.assertContains(response, "筛选条件有误")  # a clerk of another hall is no choice

    def test_the_search_combines_with_the_filters(self) -> None:
        response = self.client.get(URL, {"q": "申请人2", "status": "approved"})
        self.assertEqual(self.shown(response), [self.finished.receipt_no])

    def test_the_query_count_of_a_search_does_not_grow_with_the_rows(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        number = self.mine.applicant.id_number
        self.client.get(URL)  # the first request after signing in also refreshes the session
        with CaptureQueriesContext(connection) as few:
            self.client.get(URL, {"q": "5678"})
            self.client.post(URL, {"q": number})
        for serial in range(30, 60):
            self.make_case(serial=serial, due_on=TODAY + datetime.timedelta(days=5))
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get(URL, {"q": "5678"})
            self.client.post(URL, {"q": number})
        self.assertEqual(len(response.context["page"].object_list), 25)
