"""The registry's lists on the page kit: search (a name in the query string, a full ID number only
in a POST body), filters, export and print of exactly the rows the user may see, another
village's rows never shown, and a query count that does not grow with the rows."""

import datetime
import io

import openpyxl
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengtong.audit.models import Event
from zhengtong.people.models import Household, HouseholdMember
from zhengtong.people.tests.fixtures import RegistryTestCase, make_person
from zhengtong.population.actions.floating import floating_record_create
from zhengtong.population.actions.transfers import person_transfer
from zhengtong.population.models import FloatingRecord

R = HouseholdMember.Relation
TODAY = datetime.date(2025, 6, 2)


def travel(day: datetime.date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC), tick=False
    )


class ListPagesTestCase(RegistryTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = travel(TODAY)
        traveller.start()
        self.addCleanup(traveller.stop)

    def names(self, response) -> list[str]:
        """The first column of the rows shown (the name, or the address of a household)."""
        return [cells[0].text for cells in response.context["table"].rows]

    def assert_fixed_queries(self, url: str, grow, *, data=None) -> None:
        """One GET of `url` runs as many queries after `grow()` adds rows as before."""
        self.assertEqual(self.client.get(url, data).status_code, 200)  # warm the session
        with CaptureQueriesContext(connection) as before:
            self.client.get(url, data)
        grow()
        with self.assertNumQueries(len(before.captured_queries)):
            r = self.client.get(url, data)
        self.assertEqual(r.status_code, 200)

    def sheet(self, response) -> list[tuple]:
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


class PersonListTestCase(ListPagesTestCase):
    URL = "/population/"

    def test_a_name_in_the_query_string_finds_the_person(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.get(self.URL, {"q": "桂兰"})
        self.assertEqual(self.names(r), ["李桂兰"])

    def test_a_posted_name_search_finds_the_person_too(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.post(self.URL, {"q": "秀英"})
        self.assertEqual(self.names(r), ["王秀英"])
        event = Event.objects.filter(action="person_list_viewed").latest("id")
        self.assertEqual(event.changes["purpose"], "人员列表")

    def test_the_full_number_is_searched_by_post_and_the_read_says_how(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.post(self.URL, {"q": self.west_person.id_number.lower()})
        self.assertEqual(self.names(r), ["李桂兰"])
        self.assertContains(r, 'method="post"')
        event = Event.objects.filter(action="person_list_viewed").latest("id")
        self.assertEqual((event.changes["purpose"], event.changes["count"]), ("按身份证号查找", 1))

    def test_another_villages_number_finds_nobody(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(self.URL, {"q": self.west_person.id_number})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.names(r), [])
        self.assertNotContains(r, "李桂兰")
        self.assertNotContains(r, self.west_person.masked_id)
        event = Event.objects.filter(action="person_list_viewed").latest("id")
        self.assertEqual(event.changes["count"], 0)

    def test_a_number_in_the_query_string_under_any_name_is_refused(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.get(self.URL, {"name": self.west_person.id_number})
        self.assertContains(r, "不能放在网址中", status_code=400)
        self.assertFalse(Event.objects.filter(action="person_list_viewed").exists())

    def test_the_township_filters_one_village(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.get(self.URL, {"unit": self.west_village.pk})
        self.assertEqual(self.names(r), ["李桂兰"])

    def test_a_village_outside_the_users_area_is_a_bad_filter(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(self.URL, {"unit": self.west_village.pk})
        self.assertContains(r, "筛选条件有误")
        self.assertEqual(self.names(r), [])

    def test_the_htmx_search_gets_the_results_only(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.post(
            self.URL, {"q": self.east_person.id_number}, headers={"HX-Request": "true"}
        )
        body = r.content.decode()
        self.assertTrue(body.lstrip().startswith('<div id="results"'))
        self.assertIn("王秀英", body)

    def test_the_export_holds_masked_numbers_of_the_own_village_and_is_audited(self) -> None:
        self.client.force_login(self.east_worker)
        values = self.sheet(self.client.get(self.URL, {"export": "xlsx"}))
        self.assertEqual(values[0][:2], ("姓名", "公民身份号码"))
        self.assertEqual([row[0] for row in values[1:]], ["王秀英"])
        self.assertEqual(values[1][1], self.east_person.masked_id)
        self.assertNotIn(self.east_person.id_number, str(values))
        self.assertNotIn("13905351111", str(values))
        self.assertTrue(Event.objects.filter(action__endswith="exported").exists())

    def test_the_print_view_is_an_audited_read(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.get(self.URL, {"print": "1"})
        self.assertEqual(self.names(r), ["李桂兰", "王秀英"])
        event = Event.objects.filter(action="person_list_viewed").latest("id")
        self.assertEqual((event.changes["purpose"], event.changes["count"]), ("打印", 2))


class HouseholdListTestCase(ListPagesTestCase):
    URL = "/population/households/"

    def setUp(self) -> None:
        super().setUp()
        self.household = Household.objects.create(org_unit=self.east_village, address="东村 12 号")
        self.grandma = make_person(
            "赵老太",
            org_unit=self.east_village,
            birth=datetime.date(1950, 1, 1),
            female=True,
            seq=31,
        )
        self.son = make_person(
            "赵大",
            org_unit=self.east_village,
            birth=datetime.date(1975, 1, 1),
            female=False,
            seq=32,
        )
        HouseholdMember.objects.create(
            household=self.household, person=self.grandma, relation=R.HEAD
        )
        HouseholdMember.objects.create(household=self.household, person=self.son, relation=R.CHILD)
        FloatingRecord.objects.create(
            person=self.son,
            direction=FloatingRecord.Direction.OUT,
            org_unit=self.east_village,
            place="宁波市北仑区",
            started_on=datetime.date(2025, 3, 1),
            created_by=self.east_worker,
        )

    def test_the_list_shows_the_head_the_size_and_the_derived_flags(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(self.URL)
        self.assertEqual(self.names(r), ["东村 12 号"])
        cells = {c.column.key: c.text for c in r.context["table"].rows[0]}
        self.assertEqual((cells["head"], cells["size"]), ("赵老太", "2"))
        self.assertEqual(cells["flags"], "留守老人(赵老太)")
        self.assertContains(r, '<span class="badge text-bg-warning me-1" title="留守老人(赵老太)">')

    def test_a_member_who_came_back_leaves_no_flag(self) -> None:
        FloatingRecord.objects.filter(person=self.son).update(ended_on=datetime.date(2025, 5, 1))
        self.client.force_login(self.east_worker)
        cells = {c.column.key: c.text for c in self.client.get(self.URL).context["table"].rows[0]}
        self.assertEqual(cells["flags"], "—")

    def test_search_by_address_or_a_members_name(self) -> None:
        self.client.force_login(self.town_worker)
        self.assertEqual(self.names(self.client.get(self.URL, {"q": "赵大"})), ["东村 12 号"])
        self.assertEqual(self.names(self.client.get(self.URL, {"q": "西村"})), ["西村 3 号"])
        self.assertEqual(self.names(self.client.get(self.URL, {"q": "李桂兰"})), ["西村 3 号"])

    def test_the_special_family_filter(self) -> None:
        self.household.special_family = Household.SpecialFamily.LOST_ONLY_CHILD
        self.household.save()
        self.client.force_login(self.town_worker)
        r = self.client.get(self.URL, {"special_family": "any"})
        self.assertEqual(self.names(r), ["东村 12 号"])
        r = self.client.get(self.URL, {"special_family": "disabled_only_child"})
        self.assertEqual(self.names(r), [])
        r = self.client.get(self.URL, {"special_family": "bogus"})
        self.assertContains(r, "筛选条件有误")
        self.assertEqual(self.names(r), [])

    def test_another_villages_households_are_neither_listed_nor_exported(self) -> None:
        self.client.force_login(self.east_worker)
        self.assertNotContains(self.client.get(self.URL, {"q": "西村"}), "西村 3 号")
        values = self.sheet(self.client.get(self.URL, {"export": "xlsx"}))
        self.assertEqual([row[0] for row in values[1:]], ["东村 12 号"])

    def test_the_flags_cost_no_query_per_household(self) -> None:
        self.client.force_login(self.east_worker)

        def grow() -> None:
            for n in range(5):
                h = Household.objects.create(
                    org_unit=self.east_village, address=f"东村 {20 + n} 号"
                )
                for k, relation in enumerate((R.HEAD, R.CHILD)):
                    p = make_person(
                        f"孙{n}{k}",
                        org_unit=self.east_village,
                        birth=datetime.date(1950 + 25 * k, 1, 1),
                        female=False,
                        seq=60 + 2 * n + k,
                    )
                    HouseholdMember.objects.create(household=h, person=p, relation=relation)
                    if relation == R.CHILD:
                        FloatingRecord.objects.create(
                            person=p,
                            direction=FloatingRecord.Direction.OUT,
                            org_unit=self.east_village,
                            place="苏州",
                            started_on=datetime.date(2025, 4, 1),
                            created_by=self.east_worker,
                        )

        self.assert_fixed_queries(self.URL, grow)
        r = self.client.get(self.URL)
        flagged = [cells[4].text for cells in r.context["table"].rows]
        self.assertEqual(len([f for f in flagged if f.startswith("留守老人")]), 6)


class FloatingListTestCase(ListPagesTestCase):
    URL = "/population/floating/"

    def setUp(self) -> None:
        super().setUp()
        self.away = FloatingRecord.objects.create(
            person=self.east_person,
            direction=FloatingRecord.Direction.OUT,
            org_unit=self.east_village,
            place="宁波市北仑区",
            started_on=datetime.date(2025, 3, 1),
            created_by=self.east_worker,
        )
        self.back = FloatingRecord.objects.create(
            person=self.east_person,
            direction=FloatingRecord.Direction.OUT,
            org_unit=self.east_village,
            place="苏州市昆山市",
            started_on=datetime.date(2024, 3, 1),
            ended_on=datetime.date(2024, 12, 1),
            created_by=self.east_worker,
        )
        with travel(datetime.date(2025, 4, 1)):
            self.arrival = floating_record_create(
                actor=self.west_worker,
                person=self.west_person,
                direction=FloatingRecord.Direction.IN,
                place="河南省濮阳市",
                started_on=datetime.date(2025, 4, 1),
            )

    def places(self, response) -> list[str]:
        return [cells[3].text for cells in response.context["table"].rows]

    def test_open_records_by_default_all_on_request(self) -> None:
        self.client.force_login(self.east_worker)
        self.assertEqual(self.places(self.client.get(self.URL)), ["宁波市北仑区"])
        r = self.client.get(self.URL, {"state": "all"})
        self.assertEqual(self.places(r), ["宁波市北仑区", "苏州市昆山市"])

    def test_direction_filter_and_search_by_place(self) -> None:
        self.client.force_login(self.town_worker)
        self.assertEqual(
            self.places(self.client.get(self.URL, {"direction": "in"})), ["河南省濮阳市"]
        )
        r = self.client.get(self.URL, {"q": "昆山", "state": "all"})
        self.assertEqual(self.places(r), ["苏州市昆山市"])

    def test_an_overdue_certificate_is_marked(self) -> None:
        self.client.force_login(self.west_worker)
        r = self.client.get(self.URL)
        self.assertContains(r, '<span class="badge text-bg-danger">超期未交验</span>', html=True)
        self.assertNotContains(r, "宁波市北仑区")

    def test_only_get_is_answered(self) -> None:
        self.client.force_login(self.east_worker)
        self.assertEqual(self.client.post(self.URL, {"q": "宁波"}).status_code, 405)


class FloatingOverdueTestCase(ListPagesTestCase):
    URL = "/population/floating/overdue/"

    def arrive(self, person, day: datetime.date):
        with travel(day):
            return floating_record_create(
                actor=self.town_worker,
                person=person,
                direction=FloatingRecord.Direction.IN,
                place="河南省濮阳市",
                started_on=day,
            )

    def test_the_days_overdue_are_counted_from_the_last_day(self) -> None:
        record = self.arrive(self.east_person, datetime.date(2025, 4, 1))
        self.client.force_login(self.east_worker)
        r = self.client.get(self.URL)
        cells = {c.column.key: c.text for c in r.context["table"].rows[0]}
        due = record.certificate.due_on
        self.assertEqual(cells["days_overdue"], str((TODAY - due).days))
        self.assertContains(r, f'<span class="badge text-bg-danger">{(TODAY - due).days} 天</span>')

    def test_the_query_count_does_not_grow_with_the_rows(self) -> None:
        self.arrive(self.east_person, datetime.date(2025, 4, 1))
        self.client.force_login(self.town_worker)

        def grow() -> None:
            for n in range(5):
                woman = make_person(
                    f"外来{n}",
                    org_unit=self.west_village,
                    birth=datetime.date(1990, 1, 1),
                    female=True,
                    seq=70 + n,
                )
                self.arrive(woman, datetime.date(2025, 3, 1 + n))

        self.assert_fixed_queries(self.URL, grow)
        self.assertEqual(len(self.client.get(self.URL).context["table"].rows), 6)


class TransferListTestCase(ListPagesTestCase):
    URL = "/population/transfers/"

    def transfer(self, person, reason="婚后定居姜楼镇南村"):
        return person_transfer(
            actor=self.town_worker, person=person, to_unit=self.south_village, reason=reason
        )

    def test_both_sides_see_it_and_a_third_village_does_not(self) -> None:
        self.transfer(self.east_person)
        for user in (self.east_worker, self.other_town_worker):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(
                    self.client.get(self.URL).context["table"].rows[0][1].text, "王秀英"
                )
        self.client.force_login(self.west_worker)
        r = self.client.get(self.URL)
        self.assertEqual(r.context["table"].rows, [])
        self.assertNotContains(r, "王秀英")

    def test_search_by_reason(self) -> None:
        self.transfer(self.east_person)
        self.transfer(self.west_person, reason="随子女居住")
        self.client.force_login(self.town_worker)
        r = self.client.get(self.URL, {"q": "子女"})
        self.assertEqual([cells[1].text for cells in r.context["table"].rows], ["李桂兰"])

    def test_the_query_count_does_not_grow_with_the_rows(self) -> None:
        self.transfer(self.east_person)
        self.client.force_login(self.town_worker)

        def grow() -> None:
            for n in range(5):
                person = make_person(
                    f"迁出{n}",
                    org_unit=self.west_village,
                    birth=datetime.date(1980, 1, 1),
                    female=False,
                    seq=80 + n,
                )
                self.transfer(person)

        self.assert_fixed_queries(self.URL, grow)
        self.assertEqual(len(self.client.get(self.URL).context["table"].rows), 6)


class ListGatesTestCase(ListPagesTestCase):
    URLS = (
        "/population/",
        "/population/households/",
        "/population/floating/",
        "/population/floating/overdue/",
        "/population/transfers/",
        "/population/work/",
        "/population/contraception/",
    )

    def test_anonymous_users_go_to_the_login_page_and_other_roles_get_403(self) -> None:
        for url in self.URLS:
            with self.subTest(url=url):
                self.client.logout()
                r = self.client.get(url)
                self.assertEqual(r.status_code, 302)
                self.assertIn("/accounts/login/", r["Location"])
                self.client.force_login(self.clerk)
                self.assertEqual(self.client.get(url).status_code, 403)
                self.assertEqual(self.client.get(url, {"export": "xlsx"}).status_code, 403)

    def test_every_list_answers_the_phone_layout_print_and_export(self) -> None:
        self.client.force_login(self.town_worker)
        for url in self.URLS:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertContains(r, "zt-cards")
                self.assertContains(self.client.get(url, {"print": "1"}), 'data-action="print"')
