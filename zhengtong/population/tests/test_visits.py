import hashlib
import uuid

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from zhengtong.audit.models import Event
from zhengtong.population.models import HomeVisit, VisitPhoto

from .test_visits_fixtures import NOW, CareTestCase, image_bytes, make_person

URL = "/population/visits/new/"


def png(name="a.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG", **kwargs), content_type="image/png")


@time_machine.travel(NOW, tick=False)
@override_settings(MEDIA_ROOT="/tmp/zt-test-media-care")
class VisitCreateTestCase(CareTestCase):
    def data(self, **extra) -> dict:
        data = {
            "visited_on": "2026-06-14",
            "place": "东村 3 组 12 号",
            "outcome": "家中老人身体尚好,提出低保咨询。",
            "latitude": "36.302100",
            "longitude": "116.249300",
            "client_uuid": str(uuid.uuid4()),
        }
        data.update(extra)
        return data

    def test_it_logs_a_visit_with_gps_and_deduplicated_photos(self) -> None:
        """The same picture chosen twice is kept once; the visit is audited."""
        self.client.force_login(self.east_worker)
        r = self.client.post(
            f"{URL}?person={self.east_woman.pk}",
            {
                **self.data(),
                "photos": [png("a.png"), png("b.png"), png("c.png", color=(0, 0, 255))],
            },
        )
        visit = HomeVisit.objects.get()
        self.assertRedirects(r, f"/population/visits/{visit.pk}/")
        self.assertEqual(visit.person, self.east_woman)
        self.assertEqual(visit.org_unit, self.east_village)
        self.assertEqual(visit.visited_by, self.east_worker)
        self.assertEqual(str(visit.latitude), "36.302100")
        self.assertEqual(visit.photos.count(), 2)
        self.assertIn(
            hashlib.sha256(image_bytes("PNG")).hexdigest(),
            set(visit.photos.values_list("sha256", flat=True)),
        )
        self.assertEqual(Event.objects.filter(action="home_visit_recorded").count(), 1)

    def test_the_person_can_be_chosen_by_id_number(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.post(URL, self.data(id_number=self.east_woman.id_number))
        self.assertEqual(r.status_code, 302)
        self.assertEqual(HomeVisit.objects.get().person, self.east_woman)

    def test_a_visit_synced_twice_is_stored_once(self) -> None:
        """An offline client sending the same client_uuid again gets the stored visit back."""
        self.client.force_login(self.east_worker)
        data = self.data()
        first = self.client.post(f"{URL}?person={self.east_woman.pk}", data)
        second = self.client.post(f"{URL}?person={self.east_woman.pk}", data)
        self.assertEqual(HomeVisit.objects.count(), 1)
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(Event.objects.filter(action="home_visit_recorded").count(), 1)

    def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.east_worker)
        url = f"{URL}?person={self.east_woman.pk}"
        cases = [
            (self.data(latitude="116.2", longitude="36.3"), "纬度须在 3.8 到 53.6 之间"),
            (self.data(latitude="36.3", longitude=""), "定位须同时填写纬度和经度"),
            (self.data(longitude="abc"), "经度不是有效的数字。"),
            (self.data(visited_on="2026-06-16"), "走访日期不能晚于今天。"),
            (self.data(outcome="  "), "走访情况不能为空。"),
            (
                {**self.data(), "photos": [SimpleUploadedFile("x.gif", image_bytes("GIF"))]},
                "须为 JPEG、PNG 或 WebP 格式",
            ),
            (
                {**self.data(), "photos": [SimpleUploadedFile("x.jpg", b"not an image")]},
                "不是有效的图片文件",
            ),
        ]
        for data, message in cases:
            r = self.client.post(url, data)
            self.assertContains(r, message, status_code=400)
        self.assertFalse(HomeVisit.objects.exists())
        self.assertFalse(VisitPhoto.objects.exists())

    @override_settings(UPLOAD_MAX_BYTES=100)
    def test_a_photo_over_the_size_cap_is_refused(self) -> None:
        self.client.force_login(self.east_worker)
        big = SimpleUploadedFile("big.png", image_bytes("PNG", size=(200, 200)))
        r = self.client.post(f"{URL}?person={self.east_woman.pk}", {**self.data(), "photos": [big]})
        self.assertContains(r, "超过 100 字节 的大小限制", status_code=400)
        self.assertFalse(HomeVisit.objects.exists())

    def test_another_villages_person_is_404_or_unknown(self) -> None:
        """By link: 404 and audited; by ID number: the same words as an unknown number."""
        self.client.force_login(self.east_worker)
        r = self.client.get(f"{URL}?person={self.west_woman.pk}")
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "李娟", status_code=404)
        self.assertTrue(Event.objects.filter(action="person_access_denied").exists())
        r = self.client.post(f"{URL}?person={self.west_woman.pk}", self.data())
        self.assertEqual(r.status_code, 404)
        r = self.client.post(URL, self.data(id_number=self.west_woman.id_number))
        self.assertContains(r, "本辖区未登记该人员", status_code=400)
        self.assertNotContains(r, "李娟", status_code=400)
        self.assertFalse(HomeVisit.objects.exists())


@time_machine.travel(NOW, tick=False)
@override_settings(MEDIA_ROOT="/tmp/zt-test-media-care")
class VisitPagesTestCase(CareTestCase):
    def visit(self, person, worker, **extra):
        from zhengtong.population.actions.care import home_visit_record

        data = {"visited_on": NOW.date(), "place": "家中", "outcome": "情况良好"}
        data.update(extra)
        return home_visit_record(actor=worker, person=person, **data)[0]

    def setUp(self) -> None:
        super().setUp()
        self.east_visit = self.visit(self.east_woman, self.east_worker)
        self.west_visit = self.visit(
            self.west_woman, self.west_worker, photos=[png("w.png", color=(1, 2, 3))]
        )
        self.west_photo = self.west_visit.photos.get()

    def test_the_detail_is_audited_as_a_read(self) -> None:
        self.client.force_login(self.east_worker)
        r = self.client.get(f"/population/visits/{self.east_visit.pk}/")
        self.assertContains(r, "情况良好")
        self.assertContains(r, self.east_woman.masked_id)
        self.assertTrue(Event.objects.filter(action="home_visit_viewed", kind="read").exists())

    def test_another_villages_visit_and_photo_are_404(self) -> None:
        self.client.force_login(self.east_worker)
        for url in [
            f"/population/visits/{self.west_visit.pk}/",
            f"/population/visits/{self.west_visit.pk}/photos/{self.west_photo.pk}/",
        ]:
            r = self.client.get(url)
            self.assertEqual(r.status_code, 404)
            self.assertNotContains(r, "李娟", status_code=404)
        self.client.force_login(self.west_worker)
        r = self.client.get(f"/population/visits/{self.west_visit.pk}/photos/{self.west_photo.pk}/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(b"".join(r.streaming_content)[:4], b"\x89PNG")

    def test_the_list_shows_own_village_masked_and_runs_fixed_queries(self) -> None:
        self.client.force_login(self.east_worker)
        url = "/population/visits/"
        r = self.client.get(url)
        self.assertContains(r, "张丽")
        self.assertContains(r, self.east_woman.masked_id)
        self.assertNotContains(r, self.east_woman.id_number)
        self.assertNotContains(r, "李娟")
        queries = self.queries_of(url)
        for seq in range(20, 50):
            person = make_person(f"户{seq}", self.east_village, seq=seq)
            self.visit(person, self.east_worker, photos=[png(color=(seq, 0, 0))])
        with self.assertNumQueries(queries):
            r = self.client.get(url)
        self.assertContains(r, "第 1 / 2 页")

    def test_staff_without_a_population_role_get_403(self) -> None:
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get("/population/visits/").status_code, 403)
        self.assertEqual(self.client.get(URL).status_code, 403)


@time_machine.travel(NOW, tick=False)
class CareFormPagesTestCase(CareTestCase):
    def test_every_form_page_opens_for_a_village_worker(self) -> None:
        """The blank forms render, prefilled for the person of the link, with a client_uuid."""
        self.client.force_login(self.east_worker)
        for url in [
            "/population/campaigns/new/",
            "/population/visits/new/",
            f"/population/visits/new/?person={self.east_woman.pk}",
            "/population/assistance/new/",
            f"/population/assistance/new/?person={self.east_woman.pk}",
            "/population/pairings/new/",
            f"/population/pairings/new/?person={self.east_woman.pk}",
            "/population/referrals/",
            "/population/pairings/?status=ended",
            "/population/assistance/?category=money",
            "/population/visits/?q=张&start=2026-06-01",
        ]:
            self.assertEqual(self.client.get(url).status_code, 200, url)
        r = self.client.get(f"/population/visits/new/?person={self.east_woman.pk}")
        self.assertContains(r, 'name="client_uuid"')
        self.assertContains(r, self.east_woman.masked_id)
        self.assertNotContains(r, self.east_woman.id_number)
