"""上门服务 and 上门告知: a home-visit case needs the home's position or a photo taken there; a
case opened from a village home visit is filled in from it and records it; the 《办证服务告知书》
delivered at home is recorded with date, clerk, place and a signature or photo, and its images
are served to the clerks of the case's hall only."""

import base64
import datetime
import io
import shutil
import tempfile
from pathlib import Path

import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image

from zhengtong.accounts.models import Role
from zhengtong.audit.models import Event
from zhengtong.population.models import HomeVisit, VisitPhoto
from zhengtong.services.models import Application, HomePhoto, NoticeDelivery
from zhengtong.test import make_id_number, make_user

from .fixtures import PageTestCase, make_person

NOW = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)
INTAKE = "/services/new/"


def image_bytes(fmt: str = "PNG", color=(200, 30, 30), size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def signature(color=(20, 20, 20)) -> str:
    """What the page's canvas sends: a PNG data URL."""
    return "data:image/png;base64," + base64.b64encode(image_bytes(color=color)).decode()


def jpeg(name: str = "现场.jpg", color=(10, 120, 40)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", color=color), content_type="image/jpeg")


class MediaTestCase(PageTestCase):
    def setUp(self) -> None:
        super().setUp()
        root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        override = override_settings(MEDIA_ROOT=root)
        override.enable()
        self.addCleanup(override.disable)
        self.root = Path(root)


@time_machine.travel(NOW, tick=False)
class NoticeDeliveryTestCase(MediaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.make_case(serial=1)
        self.url = f"/services/{self.case.receipt_no}/deliveries/new/"

    def data(self, **overrides) -> dict:
        data = {
            "delivered_on": "2026-11-16",
            "delivered_by": str(self.clerk_b.pk),
            "place": "刘集镇东村 3 组 12 号申请人家中",
            "latitude": "36.302100",
            "longitude": "116.249300",
            "signature": signature(),
        }
        data.update(overrides)
        return data

    def test_a_signed_delivery_is_recorded_audited_and_shown_on_the_case(self) -> None:
        self.client.force_login(self.clerk_a)
        self.assertContains(self.client.get(self.url), "申请人签名")
        response = self.client.post(self.url, self.data())
        self.assertRedirects(response, self.case.get_absolute_url())
        delivery = NoticeDelivery.objects.get()
        self.assertEqual(delivery.delivered_on, datetime.date(2026, 11, 16))
        self.assertEqual(delivery.delivered_by, self.clerk_b)
        self.assertEqual(delivery.recorded_by, self.clerk_a)
        self.assertEqual(str(delivery.latitude), "36.302100")
        self.assertRegex(delivery.signature.name, r"^signatures/[0-9a-f]{32}\.png$")
        self.assertFalse(delivery.photo)
        event = Event.objects.get(action="service_notice_delivered")
        self.assertEqual(event.actor, self.clerk_a)
        self.assertEqual(event.changes["delivered_by"], [None, "李强"])
        page = self.client.get(self.case.get_absolute_url())
        self.assertContains(page, "2026-11-16 · 李强 · 刘集镇东村 3 组 12 号申请人家中")
        self.assertContains(page, f'src="/media/{delivery.signature.name}"')
        self.assertContains(page, "上门告知")

    def test_the_notice_can_be_delivered_again_with_a_photo_only(self) -> None:
        """Re-delivery after a changed clause: a second record, here with a photo and no GPS."""
        self.client.force_login(self.clerk_a)
        self.client.post(self.url, self.data())
        response = self.client.post(
            self.url, self.data(signature="", latitude="", longitude="", photo=jpeg())
        )
        self.assertRedirects(response, self.case.get_absolute_url())
        second = NoticeDelivery.objects.order_by("id").last()
        assert second is not None
        self.assertEqual(NoticeDelivery.objects.count(), 2)
        self.assertRegex(second.photo.name, r"^deliveries/[0-9a-f]{32}\.jpg$")
        self.assertIsNone(second.latitude)

    def test_the_same_photo_is_not_recorded_twice_for_a_case(self) -> None:
        self.client.force_login(self.clerk_a)
        self.client.post(self.url, self.data(signature="", photo=jpeg()))
        response = self.client.post(self.url, self.data(signature="", photo=jpeg("again.jpg")))
        self.assertContains(response, "这张照片已用于本办件的另一次上门告知。", status_code=400)
        self.assertEqual(NoticeDelivery.objects.count(), 1)

    def assert_refused(self, data: dict, message: str) -> None:
        response = self.client.post(self.url, data)
        self.assertContains(response, message, status_code=400)
        self.assertFalse(NoticeDelivery.objects.exists())
        self.assertFalse(Event.objects.filter(action="service_notice_delivered").exists())
        self.assertEqual([p for p in self.root.rglob("*") if p.is_file()], [])

    def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.clerk_a)
        cases = [
            ({"delivered_on": "2026-11-17"}, "告知日期不能晚于今天。"),
            ({"delivered_on": "2026-11-15"}, "告知日期不能早于收件日期(2026-11-16)。"),
            ({"delivered_on": "16/11/2026"}, "日期格式应为 2026-11-16。"),
            ({"latitude": "116.2493", "longitude": "36.3021"}, "纬度须在 3.8 到 53.6 之间"),
            ({"longitude": ""}, "定位须同时填写纬度和经度,或都不填。"),
            ({"latitude": "北纬"}, "纬度不是有效的数字。"),
            ({"signature": ""}, "请让申请人在下方签名,或拍摄一张现场照片(至少一项)。"),
            ({"signature": "data:text/html;base64,PGI+"}, "签名格式不正确,请重新签名。"),
            ({"place": " "}, "请填写告知地点。"),
            ({"delivered_by": str(self.other_clerk.pk)}, "告知人须是本服务大厅的窗口工作人员。"),
            (
                {
                    "signature": "",
                    "photo": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf"),
                },
                "“a.pdf”不是有效的图片文件。",
            ),
            (
                {
                    "signature": "",
                    "photo": SimpleUploadedFile("a.gif", _gif_bytes(), content_type="image/gif"),
                },
                "须为 JPEG、PNG 或 WebP 格式。",
            ),
        ]
        for overrides, message in cases:
            with self.subTest(message=message):
                self.assert_refused(self.data(**overrides), message)

    @override_settings(UPLOAD_MAX_BYTES=200)
    def test_an_oversized_photo_is_refused(self) -> None:
        self.client.force_login(self.clerk_a)
        big = SimpleUploadedFile(
            "大图.png", image_bytes(size=(200, 200), color=(1, 2, 3)) + b"\0" * 300, "image/png"
        )
        self.assert_refused(
            self.data(signature="", photo=big), "照片“大图.png”超过 200 字节 的大小限制。"
        )

    def test_another_halls_clerk_a_village_worker_and_anonymous_are_turned_away(self) -> None:
        for user, status in (
            (self.other_clerk, 404),
            (self.outsider, 404),
            (self.town_leader, 404),
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, status)
                self.assertEqual(self.client.post(self.url, self.data()).status_code, status)
                detail = self.client.get(self.case.get_absolute_url())
                self.assertEqual(detail.status_code, 404)
        self.client.logout()
        response = self.client.post(self.url, self.data())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])
        self.assertFalse(NoticeDelivery.objects.exists())

    def test_the_signature_is_served_to_the_halls_clerks_only_as_an_audited_read(self) -> None:
        self.client.force_login(self.clerk_a)
        self.client.post(self.url, self.data(photo=jpeg()))
        delivery = NoticeDelivery.objects.get()
        urls = [f"/media/{delivery.signature.name}", f"/media/{delivery.photo.name}"]
        self.client.force_login(self.clerk_c)
        for url in urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["Cache-Control"], "private, no-store")
        reads = Event.objects.filter(action="delivery_file_viewed", actor=self.clerk_c)
        self.assertEqual(reads.count(), 2)
        for user in (self.other_clerk, self.outsider, self.town_leader):
            self.client.force_login(user)
            for url in urls:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_case_page_asks_the_same_number_of_queries_for_one_or_three_deliveries(
        self,
    ) -> None:
        self.client.force_login(self.clerk_a)
        self.client.post(self.url, self.data())
        url = self.case.get_absolute_url()
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get(url).status_code, 200)
        expected = len(few.captured_queries)  # read now: the next request clears the log
        for n in range(2):
            self.client.post(self.url, self.data(signature=signature(color=(n, 90, 90))))
        HomePhoto.objects.create(
            application=self.case,
            sha256="c" * 64,
            image=ContentFile(image_bytes(), name="casephotos/" + "d" * 32 + ".png"),
        )
        HomePhoto.objects.create(
            application=self.case,
            sha256="e" * 64,
            image=ContentFile(image_bytes(), name="casephotos/" + "f" * 32 + ".png"),
        )
        self.assertEqual(NoticeDelivery.objects.count(), 3)
        with self.assertNumQueries(expected):
            response = self.client.get(url)
        self.assertContains(response, 'alt="申请人签名"', count=3)
        self.assertContains(response, 'alt="上门服务照片', count=2)


def _gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 1, 1)).save(buffer, format="GIF")
    return buffer.getvalue()


@time_machine.travel(NOW, tick=False)
class HomeServiceIntakeTestCase(MediaTestCase):
    def post_data(self, **overrides) -> dict:
        data = {
            "item": "TEST-SYDJ",
            "channel": "home_visit",
            "name": "刘小梅",
            "id_number": make_id_number(datetime.date(1990, 1, 1), female=False, seq=21),
            "phone": "13912345678",
            "hukou": "local",
            "marital_status": "single",
            "materials": ["id_card", "hukou_book"],
            "latitude": "36.302100",
            "longitude": "116.249300",
        }
        data.update(overrides)
        return data

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.clerk_a)

    def test_a_home_visit_case_keeps_the_position_and_shows_the_channel(self) -> None:
        response = self.client.post(INTAKE, self.post_data())
        case = Application.objects.get()
        self.assertRedirects(response, case.get_absolute_url())
        self.assertEqual(case.channel, Application.Channel.HOME_VISIT)
        self.assertEqual((str(case.latitude), str(case.longitude)), ("36.302100", "116.249300"))
        page = self.client.get(case.get_absolute_url())
        self.assertContains(page, "上门服务")
        self.assertContains(page, "北纬 36.302100,东经 116.249300")
        event = Event.objects.get(action="application_received")
        self.assertEqual(event.changes["located"], [None, True])

    def test_a_photo_taken_at_home_is_enough_and_is_served_to_the_hall_only(self) -> None:
        photos = [jpeg("a.jpg"), jpeg("b.jpg"), jpeg("c.jpg", color=(0, 0, 200))]
        data = self.post_data(latitude="", longitude="", photos=photos)
        response = self.client.post(INTAKE, data)
        case = Application.objects.get()
        self.assertRedirects(response, case.get_absolute_url())
        self.assertIsNone(case.latitude)
        self.assertEqual(case.home_photos.count(), 2)  # the same picture twice is kept once
        url = f"/media/{case.home_photos.first().image.name}"
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertTrue(Event.objects.filter(action="home_photo_viewed").exists())
        self.client.force_login(self.other_clerk)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_home_visit_case_without_position_or_photo_is_refused(self) -> None:
        response = self.client.post(INTAKE, self.post_data(latitude="", longitude=""))
        self.assertContains(
            response,
            "上门服务须记录申请人家中的定位,或拍摄一张现场照片(至少一项)。",
            status_code=200,
        )
        self.assertFalse(Application.objects.exists())

    def test_bad_position_or_file_is_refused(self) -> None:
        cases = [
            ({"latitude": "116.2", "longitude": "36.3"}, "纬度须在 3.8 到 53.6 之间"),
            (
                {
                    "latitude": "",
                    "longitude": "",
                    "photos": [SimpleUploadedFile("x.txt", b"hello", "text/plain")],
                },
                "“x.txt”不是有效的图片文件。",
            ),
        ]
        for overrides, message in cases:
            with self.subTest(message=message):
                response = self.client.post(INTAKE, self.post_data(**overrides))
                self.assertContains(response, message)
                self.assertFalse(Application.objects.exists())
                self.assertFalse(HomePhoto.objects.exists())

    def test_a_window_case_does_not_take_a_position(self) -> None:
        response = self.client.post(INTAKE, self.post_data(channel="window"))
        self.assertContains(response, "定位、照片和来源走访只用于“上门服务”的办件")
        self.assertFalse(Application.objects.exists())
        response = self.client.post(
            INTAKE, self.post_data(channel="window", latitude="", longitude="")
        )
        self.assertEqual(Application.objects.get().channel, Application.Channel.WINDOW)

    def test_the_case_list_filters_by_channel(self) -> None:
        self.make_case(serial=1)
        home = self.make_case(serial=2, channel=Application.Channel.HOME_VISIT)
        response = self.client.get("/services/", {"scope": "all", "channel": "home_visit"})
        self.assertEqual([a.receipt_no for a in response.context["page"]], [home.receipt_no])
        self.assertContains(response, '<option value="home_visit" selected>上门服务</option>')


@time_machine.travel(NOW, tick=False)
class FromHomeVisitTestCase(MediaTestCase):
    """A 东村 home visit; `dual` is 村专干 of 东村 and window clerk of 刘集镇."""

    def setUp(self) -> None:
        super().setUp()
        self.dual = make_user(
            "dual",
            full_name="韩双岗",
            memberships=[(Role.VILLAGE_WORKER, self.east_village), (Role.WINDOW_CLERK, self.town)],
        )
        self.person = make_person(
            "张丽", self.east_village, phone="13700001111", seq=7, female=True
        )
        self.visit = HomeVisit.objects.create(
            person=self.person,
            org_unit=self.east_village,
            visited_by=self.outsider,
            visited_on=datetime.date(2026, 11, 14),
            place="东村 3 组 12 号",
            latitude="36.302100",
            longitude="116.249300",
            outcome="申请人咨询生育登记,行动不便。",
        )
        self.photo = VisitPhoto(visit=self.visit, sha256="a" * 64)
        self.photo.image.save("photo.png", ContentFile(image_bytes()), save=False)
        self.photo.save()
        self.visit_url = f"/population/visits/{self.visit.pk}/"
        self.intake_url = f"{INTAKE}?visit={self.visit.pk}"

    def test_a_clerk_of_the_hall_sees_the_link_a_village_worker_does_not(self) -> None:
        self.client.force_login(self.dual)
        self.assertContains(self.client.get(self.visit_url), f'href="{self.intake_url}"')
        self.client.force_login(self.outsider)
        page = self.client.get(self.visit_url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "上门受理")

    def test_the_intake_is_filled_in_from_the_visit_and_records_it(self) -> None:
        self.client.force_login(self.dual)
        page = self.client.get(self.intake_url)
        form = page.context["form"]
        self.assertEqual(form["name"].value(), "张丽")
        self.assertEqual(form["id_number"].value(), self.person.id_number)
        self.assertEqual(form["channel"].value(), "home_visit")
        self.assertEqual(form["latitude"].value(), "36.302100")
        self.assertContains(page, f'name="visit_photos" value="{self.photo.pk}" checked')
        self.assertContains(page, "上门受理:来自 2026-11-14 冯专干 对 张丽 的入户走访")
        data = {
            "item": "TEST-SYDJ",
            "channel": "home_visit",
            "name": "张丽",
            "id_number": self.person.id_number,
            "phone": "13700001111",
            "hukou": "local",
            "marital_status": "single",
            "materials": ["id_card", "hukou_book"],
            "latitude": "36.302100",
            "longitude": "116.249300",
            "visit": str(self.visit.pk),
            "visit_photos": [str(self.photo.pk)],
        }
        response = self.client.post(INTAKE, data)
        case = Application.objects.get()
        self.assertRedirects(response, case.get_absolute_url())
        self.assertEqual(case.home_visit, self.visit)
        self.assertEqual(case.applicant, self.person)
        self.assertEqual(case.home_photos.count(), 1)
        self.assertNotEqual(case.home_photos.get().image.name, self.photo.image.name)
        event = Event.objects.get(action="application_received")
        self.assertEqual(event.changes["home_visit"], [None, self.visit.pk])
        self.assertContains(
            self.client.get(case.get_absolute_url()), "2026-11-14 冯专干 入户走访 · 东村 3 组 12 号"
        )

    def test_another_person_cannot_be_taken_in_under_the_visit(self) -> None:
        self.client.force_login(self.dual)
        data = {
            "item": "TEST-SYDJ",
            "channel": "home_visit",
            "name": "王五",
            "id_number": make_id_number(datetime.date(1988, 2, 2), female=False, seq=9),
            "phone": "13700001111",
            "hukou": "local",
            "marital_status": "single",
            "latitude": "36.302100",
            "longitude": "116.249300",
            "visit": str(self.visit.pk),
        }
        response = self.client.post(INTAKE, data)
        self.assertContains(response, "申请人与来源走访的对象不一致")
        self.assertFalse(Application.objects.exists())

    def test_users_who_may_not_take_in_cases_there_are_refused(self) -> None:
        self.client.force_login(self.other_clerk)
        self.assertEqual(self.client.get(self.intake_url).status_code, 404)
        post = {"visit": str(self.visit.pk), "channel": "home_visit"}
        self.assertEqual(self.client.post(INTAKE, post).status_code, 404)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.intake_url).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(self.intake_url).status_code, 302)
        self.assertFalse(Application.objects.exists())
