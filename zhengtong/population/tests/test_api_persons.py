"""GET /api/v1/population/persons/?id_number=…: exact match, scoped, audited detail."""

from zhengtong.audit.models import Event
from zhengtong.people.tests.fixtures import RegistryTestCase

URL = "/api/v1/population/persons/"


class PersonLookupApiTestCase(RegistryTestCase):
    def test_an_exact_number_finds_the_person_in_the_area(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(URL, {"id_number": self.east_person.id_number})
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
        r = self.client.get(URL, {"id_number": f" {self.east_person.id_number.lower()} "})
        self.assertEqual(r.json()["count"], 1)

    def test_a_prefix_matches_nothing(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(URL, {"id_number": self.east_person.id_number[:17]})
        self.assertEqual(r.status_code, 400)

    def test_a_person_of_another_village_gives_an_empty_result(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(URL, {"id_number": self.west_person.id_number})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json(), {"count": 0, "results": []})
        self.assertNotIn(self.west_person.name, r.content.decode())

    def test_an_invalid_number_is_a_400_with_a_chinese_message(self) -> None:
        self.client.force_login(self.east_worker)
        number = self.east_person.id_number
        bad = number[:-1] + ("0" if number[-1] != "0" else "1")
        r = self.client.get(URL, {"id_number": bad})
        self.assertEqual(r.status_code, 400)
        self.assertIn("校验位", r.json()["id_number"][0])
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 400)
        self.assertIn("公民身份号码", r.json()["id_number"][0])

    def test_a_user_without_the_village_role_is_refused(self) -> None:
        self.client.force_login(self.clerk)
        r = self.client.get(URL, {"id_number": self.east_person.id_number})
        self.assertEqual(r.status_code, 403)
        self.client.logout()
        r = self.client.get(URL, {"id_number": self.east_person.id_number})
        self.assertIn(r.status_code, (401, 403))

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
