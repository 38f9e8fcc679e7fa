"""The boundary between two villages: a 东村 worker gets 404 for every 西村 page and endpoint,
the body says nothing about the person, and the attempt is audited. Reads are audited too."""

import datetime

from zhengtong.audit.models import Event
from zhengtong.people.models import HouseholdMember
from zhengtong.people.tests.fixtures import RegistryTestCase, make_person
from zhengtong.population.models import FloatingRecord
from zhengtong.test import AUDIT_ROW_QUERIES


class VillageBoundaryTestCase(RegistryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = FloatingRecord.objects.create(
            person=self.west_person,
            direction=FloatingRecord.Direction.IN,
            org_unit=self.west_village,
            place="河南省濮阳市",
            started_on=datetime.date(2025, 3, 1),
            created_by=self.west_worker,
        )
        member = HouseholdMember.objects.get(person=self.west_person)
        p, h, f = self.west_person.pk, self.west_household.pk, self.record.pk
        self.gets = [
            f"/population/persons/{p}/",
            f"/population/persons/{p}/edit/",
            f"/population/persons/{p}/merge/",
            f"/population/persons/{p}/transfer/",
            f"/population/persons/{p}/floating/new/",
            f"/population/households/{h}/",
            f"/population/households/{h}/edit/",
            f"/population/floating/{f}/",
            f"/api/v1/population/persons/{p}/",
        ]
        self.posts = [
            f"/population/persons/{p}/edit/",
            f"/population/persons/{p}/merge/",
            f"/population/persons/{p}/transfer/",
            f"/population/persons/{p}/floating/new/",
            f"/population/households/{h}/edit/",
            f"/population/households/{h}/members/",
            f"/population/households/{h}/members/{member.pk}/remove/",
            f"/population/floating/{f}/certificate/",
            f"/population/floating/{f}/end/",
        ]

    def assert_hidden(self, r, url: str) -> None:
        self.assertEqual(r.status_code, 404, url)
        body = r.content.decode()
        for secret in (
            self.west_person.name,
            self.west_person.id_number,
            self.west_person.masked_id,
            self.west_household.address,
            self.record.place,
        ):
            self.assertNotIn(secret, body, url)

    def test_every_page_and_endpoint_is_404_for_another_village_and_audited(self) -> None:
        self.client.force_login(self.east_worker)
        for url in self.gets:
            with self.subTest(url=url, method="GET"):
                before = Event.objects.filter(action="person_access_denied").count()
                self.assert_hidden(self.client.get(url), url)
                self.assertEqual(
                    Event.objects.filter(action="person_access_denied").count(), before + 1, url
                )
        for url in self.posts:
            with self.subTest(url=url, method="POST"):
                before = Event.objects.filter(action="person_access_denied").count()
                self.assert_hidden(self.client.post(url, {"reason": "x", "name": "改"}), url)
                self.assertEqual(
                    Event.objects.filter(action="person_access_denied").count(), before + 1, url
                )
        denied = Event.objects.filter(action="person_access_denied", actor=self.east_worker)
        self.assertEqual(denied.first().kind, Event.Kind.DENIED)
        self.west_person.refresh_from_db()
        self.assertEqual(self.west_person.name, "李桂兰")
        self.assertIsNone(self.record.ended_on)

    def test_the_own_village_worker_and_the_township_open_every_page(self) -> None:
        for user in (self.west_worker, self.town_worker):
            self.client.force_login(user)
            for url in self.gets:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_every_read_of_a_person_page_is_audited(self) -> None:
        self.client.force_login(self.west_worker)
        self.client.get(f"/population/persons/{self.west_person.pk}/")
        self.client.get(f"/population/persons/{self.west_person.pk}/")
        self.client.get(f"/population/floating/{self.record.pk}/")
        events = Event.objects.filter(action="person_viewed", target_id=str(self.west_person.pk))
        self.assertEqual(events.count(), 3)
        self.assertEqual(events.first().kind, Event.Kind.READ)
        self.assertEqual(events.first().actor, self.west_worker)

    def test_lists_show_only_the_own_village(self) -> None:
        self.client.force_login(self.east_worker)
        for url in ("/population/", "/population/households/", "/population/floating/?state=all"):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertNotContains(r, self.west_person.name)
                self.assertNotContains(r, self.west_household.address)

    def test_staff_without_the_village_role_get_403_on_lists_and_404_on_persons(self) -> None:
        for user in (self.leader, self.clerk, self.admin):
            self.client.force_login(user)
            for url in (
                "/population/",
                "/population/households/",
                "/population/floating/",
                "/population/floating/overdue/",
                "/population/transfers/",
                "/population/persons/new/",
            ):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)
            self.assertEqual(
                self.client.get(f"/population/persons/{self.west_person.pk}/").status_code, 404
            )

    def test_anonymous_users_go_to_the_login_page(self) -> None:
        r = self.client.get(f"/population/persons/{self.west_person.pk}/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])


class PersonListTestCase(RegistryTestCase):
    def test_the_list_is_paginated_masked_and_has_a_fixed_query_count(self) -> None:
        self.client.force_login(self.town_worker)
        self.client.get("/population/")
        # 6 for the page (the unchanged session is not written back) and one audited read row:
        # the same for 2 persons as for 32.
        with self.assertNumQueries(7 + AUDIT_ROW_QUERIES):
            r = self.client.get("/population/")
        self.assertContains(r, self.east_person.masked_id)
        self.assertNotContains(r, self.east_person.id_number)
        self.assertContains(r, "139****1111")
        self.assertNotContains(r, "13905351111")
        for n in range(30):
            make_person(
                f"村民{n}",
                org_unit=self.west_village,
                birth=datetime.date(1970, 1, 1),
                female=bool(n % 2),
                seq=100 + n,
            )
        # 6 for the page (the unchanged session is not written back) and one audited read row:
        # the same for 2 persons as for 32.
        with self.assertNumQueries(7 + AUDIT_ROW_QUERIES):
            r = self.client.get("/population/")
        self.assertContains(r, "共 32 条")

    def test_search_by_exact_number_or_name(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.post("/population/", {"q": self.west_person.id_number})
        self.assertContains(r, "李桂兰")
        self.assertNotContains(r, "王秀英")
        r = self.client.get("/population/", {"q": "秀英"})
        self.assertContains(r, "王秀英")
        self.assertNotContains(r, "李桂兰")

    def test_a_full_number_in_the_url_is_refused_and_shows_nobody(self) -> None:
        self.client.force_login(self.town_worker)
        r = self.client.get("/population/", {"q": self.west_person.id_number})
        self.assertContains(r, "不能放在网址中", status_code=400)
        self.assertNotContains(r, "李桂兰", status_code=400)

    def test_each_list_view_writes_one_read_row_with_the_number_of_persons_shown(self) -> None:
        self.client.force_login(self.town_worker)
        self.client.get("/population/")
        self.client.post("/population/", {"q": self.west_person.id_number})
        rows = list(Event.objects.filter(action="person_list_viewed").order_by("id"))
        self.assertEqual([r.changes["count"] for r in rows], [2, 1])
        self.assertEqual({r.actor for r in rows}, {self.town_worker})
        self.assertEqual(rows[1].changes["purpose"], "按身份证号查找")
        self.assertNotIn(self.west_person.id_number, str(rows[1].changes))


class AdminScopeTestCase(RegistryTestCase):
    def test_the_admin_shows_households_and_floating_records_only_in_scope(self) -> None:
        FloatingRecord.objects.create(
            person=self.west_person,
            direction=FloatingRecord.Direction.OUT,
            org_unit=self.west_village,
            place="宁波市北仑区",
            started_on=datetime.date(2025, 3, 1),
            created_by=self.west_worker,
        )
        self.client.force_login(self.admin)  # superuser, no village role: sees nobody
        for url in ("/admin/people/household/", "/admin/population/floatingrecord/"):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertNotContains(r, "西村 3 号")
                self.assertNotContains(r, "宁波市北仑区")
