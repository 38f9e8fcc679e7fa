"""POST /api/v1/population/persons/search/ {"id_number": …}: exact match, scoped, audited; the
number never travels in a URL (the old GET form is refused); audited detail."""

from zhengtong.audit.models import Event
from zhengtong.people.tests.fixtures import RegistryTestCase

URL = "/api/v1/population/persons/"
SEARCH = "/api/v1/population/persons/search/"


class PersonLookupApiTestCase(RegistryTestCase):
    def test_an_exact_number_finds_the_person_in_the_area(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(SEARCH, {"id_number": self.east_person.id_number})
        self.assertEqual(r.status_code, 200)
        body = r.json()
        self.assertEqual(body["count"], 1)
        result = body["results"][0]
        self.assertEqual(result["id"], self.east_person.pk)
        self.assertEqual(result["name"], "王秀英")
        self.assertEqual(result["id_number"], self.east_person.masked_id)
        self.assertEqual(result["phone"], "139****1111")

    def test_a_lowercase_x_and_spaces_still_match_exactly(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(SEARCH, {"id_number": f" {self.east_person.id_number.lower()} "})
        self.assertEqual(r.json()["count"], 1)

    def test_a_prefix_matches_nothing(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(SEARCH, {"id_number": self.east_person.id_number[:17]})
        self.assertEqual(r.status_code, 400)

    def test_a_person_of_another_village_gives_an_empty_result(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(SEARCH, {"id_number": self.west_person.id_number})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json(), {"count": 0, "results": []})
        self.assertNotIn(self.west_person.name, r.content.decode())

    def test_an_invalid_number_is_a_400_with_a_chinese_message(self) -> None:
        self.client.force_login(self.east_worker)
        number = self.east_person.id_number
        bad = number[:-1] + ("0" if number[-1] != "0" else "1")
        r = self.client.post(SEARCH, {"id_number": bad})
        self.assertEqual(r.status_code, 400)
        self.assertIn("校验位", r.json()["id_number"][0])
        r = self.client.post(SEARCH)
        self.assertEqual(r.status_code, 400)
        self.assertIn("公民身份号码", r.json()["id_number"][0])

    def test_a_user_without_the_village_role_is_refused(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.post(SEARCH, {"id_number": self.east_person.id_number})
        self.assertEqual(r.status_code, 403)
        self.client.logout()
        r = self.client.post(SEARCH, {"id_number": self.east_person.id_number})
        self.assertIn(r.status_code, (401, 403))

    def test_the_number_in_the_url_is_refused_with_a_chinese_400(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(URL, {"id_number": self.east_person.id_number})
        self.assertEqual(r.status_code, 400)
        self.assertIn("不能放在网址中", r.json()["detail"])
        self.assertIn("POST", r.json()["detail"])
        self.assertNotIn(self.east_person.name, r.content.decode())
        self.assertFalse(Event.objects.filter(kind=Event.Kind.READ).exists())

    def test_a_search_writes_one_read_row_per_person_found(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(SEARCH, {"id_number": self.east_person.id_number})
        self.assertEqual(r.json()["count"], 1)
        reads = Event.objects.filter(kind=Event.Kind.READ)
        self.assertEqual(reads.count(), 1)
        read = reads.get()
        self.assertEqual(read.actor, self.east_worker)
        self.assertEqual(read.target_id, str(self.east_person.pk))
        self.assertEqual(read.org_unit, self.east_person.org_unit)
        self.assertNotIn(self.east_person.id_number, str(read.changes))

    def test_a_search_outside_the_area_writes_no_read_row(self) -> None:
        self.client.force_login(self.east_worker)
        self.client.post(SEARCH, {"id_number": self.west_person.id_number})
        self.assertFalse(Event.objects.filter(kind=Event.Kind.READ).exists())

    def test_the_detail_is_audited_and_scoped(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(f"{URL}{self.east_person.pk}/")
        self.assertEqual(r.status_code, 200)
        self.assertTrue(
            Event.objects.filter(
                action="person_viewed", target_id=str(self.east_person.pk), actor=self.east_worker
            ).exists()
        )
        r = self.client.get(f"{URL}{self.west_person.pk}/")
        self.assertEqual(r.status_code, 404)
        self.assertNotIn(self.west_person.name, r.content.decode())
        self.assertTrue(
            Event.objects.filter(
                action="person_access_denied", target_id=str(self.west_person.pk)
            ).exists()
        )
