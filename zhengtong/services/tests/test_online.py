"""网上申请: a resident applies from a phone without an account (SMS code, photos, receipt
number), the application waits in the hall's queue and 我的待办, a window clerk of that hall
takes it (first responder, one-time notice as at the window) or sends it back with a reason;
nobody else sees it, bad input is refused in Chinese with nothing saved and nothing lost."""

import datetime
import io
import tempfile

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image

from zhengtong.audit.models import Event
from zhengtong.inbox.registry import rows_for
from zhengtong.notify.models import Message, State, VerificationCode
from zhengtong.services.models import Application, Notice, OnlineApplication, OnlinePhoto
from zhengtong.services.online_public import online_lookup
from zhengtong.test import make_id_number

from .fixtures import SHANGHAI, CaseTestCase

PHONE = "13905358812"
ID_NUMBER = make_id_number(datetime.date(1996, 5, 17), female=True, seq=77)
# A Tuesday, during office hours.
NOON = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI)
URL = "/public/online/TEST5/"


def photo(name: str = "id.jpg", size: tuple[int, int] = (40, 30), fmt: str = "JPEG"):
    data = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(data, format=fmt)
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/jpeg")


MEDIA = tempfile.mkdtemp(prefix="zt-online-media-")


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOON, tick=False)
class OnlineTestCase(CaseTestCase):
    def fields(self, **changes) -> dict:
        data = {
            "hall": "LIUJI",
            "name": "卢婉清",
            "id_number": ID_NUMBER,
            "phone": PHONE,
            "marital_status": "single",
            "note": "",
        }
        data.update(changes)
        return data

    def ask_code(self, phone: str = PHONE, **changes):
        return self.client.post(URL, {**self.fields(phone=phone, **changes), "step": "code"})

    def last_code(self) -> str:
        return Message.objects.filter(event="sms_code").latest("pk").context["code"]

    def submit(self, code: str | None = None, files: dict | None = None, **changes):
        if files is None:
            files = {"m_id": [photo()], "m_hukou": [photo("hukou.png", fmt="PNG")]}
        data = {**self.fields(**changes), "step": "submit", "code": code or self.last_code()}
        data.update(files)
        return self.client.post(URL, data)

    def apply(self, **changes) -> OnlineApplication:
        self.ask_code()
        response = self.submit(**changes)
        self.assertEqual(response.status_code, 200, response.content.decode()[:2000])
        return OnlineApplication.objects.latest("pk")


class ResidentAppliesTestCase(OnlineTestCase):
    def test_the_index_lists_active_items_and_the_form_asks_what_the_item_needs(self) -> None:
        page = self.client.get("/public/online/")
        self.assertContains(page, "测试证明")
        form = self.client.get(URL)
        self.assertContains(form, "获取验证码")
        self.assertContains(form, "婚姻状况")  # the marriage certificate depends on it
        self.assertNotContains(form, "申请孩次")
        self.assertContains(form, 'name="m_hukou"')

    def test_a_resident_applies_and_gets_a_receipt_number(self) -> None:
        r = self.ask_code("139 0535 8812")
        self.assertContains(r, "验证码已发送到 139****8812")
        self.assertContains(r, "卢婉清")  # what was typed comes back
        message = Message.objects.get(event="sms_code")
        self.assertIn("网上申请办事", message.text)
        self.assertTrue(message.urgent)
        r = self.submit()
        self.assertContains(r, "网上申请已提交")
        submission = OnlineApplication.objects.get()
        self.assertRegex(submission.receipt_no, r"^WSLIUJI202611240001$")
        self.assertContains(r, submission.receipt_no)
        self.assertNotContains(r, ID_NUMBER)
        self.assertEqual(submission.status, OnlineApplication.Status.WAITING)
        self.assertEqual((submission.name, submission.id_number), ("卢婉清", ID_NUMBER))
        self.assertEqual(submission.phone_last4, "8812")
        self.assertEqual(submission.org_unit, self.town)
        self.assertEqual(submission.respond_by, datetime.date(2026, 11, 25))
        names = sorted(p.image.name for p in submission.photos.all())
        self.assertEqual(len(names), 2)
        for name in names:
            self.assertRegex(name, r"^online/[0-9a-f]{32}\.(jpg|png)$")
        self.assertTrue(
            Event.objects.filter(action="online_application_submitted", actor=None).exists()
        )
        # The code is spent: the same code cannot submit twice.
        again = self.submit(code=message.context["code"])
        self.assertContains(again, "验证码已失效", status_code=400)
        self.assertEqual(OnlineApplication.objects.count(), 1)

    def test_the_status_page_needs_the_receipt_number_and_the_phone_digits(self) -> None:
        submission = self.apply()
        url = "/public/online/status/"
        r = self.client.get(url, {"receipt_no": submission.receipt_no, "phone_last4": "8812"})
        self.assertContains(r, "等待窗口接件")
        self.assertContains(r, "卢*")
        self.assertNotContains(r, "卢婉清")
        wrong = self.client.get(url, {"receipt_no": submission.receipt_no, "phone_last4": "1234"})
        self.assertContains(wrong, "未找到与受理编号和手机号后四位相符", status_code=404)
        self.assertNotContains(wrong, "测试证明", status_code=404)
        unknown = self.client.get(url, {"receipt_no": "WSLIUJI202611249999", "phone_last4": "8812"})
        self.assertEqual(unknown.status_code, 404)
        # 办件查询 understands the number too.
        lookup = self.client.get(
            "/public/lookup/", {"receipt_no": submission.receipt_no, "phone_last4": "8812"}
        )
        self.assertContains(lookup, "等待窗口接件")

    def test_a_bad_id_number_is_refused_and_nothing_is_lost_or_spent(self) -> None:
        self.ask_code()
        bad = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
        r = self.submit(id_number=bad)
        self.assertContains(r, "身份证号码校验位错误", status_code=400)
        self.assertContains(r, "卢婉清", status_code=400)
        self.assertFalse(OnlineApplication.objects.exists())
        # The code was not spent by the refused form: corrected, the same code goes through.
        self.assertEqual(self.submit().status_code, 200)

    def test_a_wrong_code_is_refused_and_nothing_is_saved(self) -> None:
        self.ask_code()
        wrong = "000000" if self.last_code() != "000000" else "111111"
        r = self.submit(code=wrong)
        self.assertContains(r, "验证码不正确,还可以再试 4 次", status_code=400)
        self.assertContains(r, "卢婉清", status_code=400)
        self.assertFalse(OnlineApplication.objects.exists())
        self.assertFalse(OnlinePhoto.objects.exists())

    def test_no_code_asked_for_is_refused(self) -> None:
        r = self.submit(code="123456")
        self.assertContains(r, "验证码已失效", status_code=400)
        self.assertFalse(OnlineApplication.objects.exists())

    def test_an_expired_code_is_refused(self) -> None:
        self.ask_code()
        code = self.last_code()
        with time_machine.travel(NOON + datetime.timedelta(minutes=11), tick=False):
            r = self.submit(code=code)
        self.assertContains(r, "验证码已失效", status_code=400)
        self.assertFalse(OnlineApplication.objects.exists())

    @override_settings(UPLOAD_MAX_BYTES=2000)
    def test_a_photo_too_large_or_not_an_image_is_refused_naming_the_material(self) -> None:
        self.ask_code()
        big = photo("big.png", size=(400, 400), fmt="PNG")
        big.file = io.BytesIO(bytes(range(256)) * 40)  # 10 KB of noise, over the limit
        big.size = 10240
        r = self.submit(files={"m_id": [big]})
        self.assertContains(r, "身份证:照片“big.png”超过", status_code=400)
        self.assertContains(r, "卢婉清", status_code=400)
        fake = SimpleUploadedFile("scan.jpg", b"%PDF-1.4 not a picture", "image/jpeg")
        r = self.submit(files={"m_hukou": [fake]})
        self.assertContains(r, "户口簿:“scan.jpg”不是有效的图片文件", status_code=400)
        r = self.submit(files={})
        self.assertContains(r, "请至少上传一项材料的照片", status_code=400)
        self.assertFalse(OnlineApplication.objects.exists())
        self.assertFalse(OnlinePhoto.objects.exists())
        # Nothing above spent the code.
        self.assertEqual(self.submit().status_code, 200)

    def test_a_missing_situation_fact_and_a_bad_phone_are_refused(self) -> None:
        self.assertContains(self.ask_code("12345"), "手机号码格式不正确", status_code=400)
        self.assertFalse(Message.objects.exists())
        self.ask_code()
        r = self.submit(marital_status="")
        self.assertContains(r, "请选择申请人的婚姻状况", status_code=400)
        self.assertFalse(OnlineApplication.objects.exists())

    def test_an_inactive_item_cannot_be_applied_for(self) -> None:
        self.ask_code()
        self.item.is_active = False
        self.item.save()
        self.assertEqual(self.client.get(URL).status_code, 404)
        self.assertEqual(self.submit().status_code, 404)
        self.assertNotContains(self.client.get("/public/online/"), "测试证明")
        self.assertFalse(OnlineApplication.objects.exists())


class LimitsTestCase(OnlineTestCase):
    @override_settings(ONLINE_SUBMITS_PER_PHONE=1)
    def test_submissions_per_phone_are_limited(self) -> None:
        self.apply()
        self.ask_code()
        r = self.submit()
        self.assertContains(r, "提交过于频繁", status_code=429)
        self.assertEqual(OnlineApplication.objects.count(), 1)

    @override_settings(ONLINE_SUBMITS_PER_ADDRESS=1)
    def test_submissions_per_address_are_limited(self) -> None:
        self.apply()
        self.ask_code("13905358813")
        r = self.submit(phone="13905358813")
        self.assertContains(r, "提交过于频繁", status_code=429)
        self.assertEqual(OnlineApplication.objects.count(), 1)

    def test_codes_per_phone_are_limited(self) -> None:
        for _ in range(3):
            self.assertEqual(self.ask_code().status_code, 200)
        self.assertContains(self.ask_code(), "获取验证码过于频繁", status_code=429)
        self.assertEqual(Message.objects.filter(event="sms_code").count(), 3)

    def test_a_phone_at_its_daily_sms_cap_is_told_and_gets_no_code(self) -> None:
        for n in range(5):
            Message.objects.create(
                phone=PHONE,
                channel="sms",
                event="case_accepted",
                text="已受理",
                state=State.SENT,
                sent_at=NOON - datetime.timedelta(hours=1),
                dedupe_key=f"cap:{n}",
            )
        r = self.ask_code()
        self.assertContains(r, "达到每日上限,验证码无法发送", status_code=429)
        self.assertNotContains(r, "验证码已发送", status_code=429)
        self.assertFalse(Message.objects.filter(event="sms_code").exists())
        self.assertFalse(VerificationCode.objects.exists())

    @override_settings(SMS_CODES_PER_PHONE_DAY=2)
    def test_codes_per_phone_per_day_are_capped(self) -> None:
        self.ask_code()
        with time_machine.travel(NOON + datetime.timedelta(minutes=15), tick=False):
            self.ask_code()
        with time_machine.travel(NOON + datetime.timedelta(minutes=30), tick=False):
            r = self.ask_code()
        self.assertContains(r, "今日已获取 2 次验证码", status_code=429)
        self.assertEqual(Message.objects.filter(event="sms_code").count(), 2)

    def test_the_outbox_hides_the_code_but_the_sms_carries_it(self) -> None:
        self.ask_code()
        message = Message.objects.get(event="sms_code")
        code = message.context["code"]
        self.assertIn(code, message.text)  # what the provider is given
        self.client.force_login(self.admin)
        page = self.client.get("/notify/outbox/")
        self.assertContains(page, "您的验证码为******")
        self.assertNotContains(page, code)


class HallTakesTestCase(OnlineTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.submission = self.apply()
        self.client.logout()
        self.detail = f"/services/online/{self.submission.pk}/"

    def test_the_queue_and_my_inbox_show_it_to_the_halls_clerks(self) -> None:
        self.client.force_login(self.clerk_b)
        page = self.client.get("/services/online/")
        self.assertContains(page, self.submission.receipt_no)
        self.assertContains(page, "待接件")
        items = rows_for(self.clerk_b, today=NOON.date()).items()
        online = [i for i in items if i.kind == "网上申请"]
        self.assertEqual(len(online), 1)
        self.assertEqual(online[0].due_on, datetime.date(2026, 11, 25))
        self.assertIn(self.submission.receipt_no, online[0].title)
        self.assertEqual(rows_for(self.other_clerk, today=NOON.date()).items(), [])

    def test_the_queue_costs_the_same_queries_whatever_the_rows(self) -> None:
        self.client.force_login(self.clerk_a)
        self.client.get("/services/online/")
        connection.queries_log.clear()  # a full log would hide the captured slice
        with CaptureQueriesContext(connection) as one_row:
            self.client.get("/services/online/")
        expected = len(one_row.captured_queries)
        for n in range(3):
            self.ask_code(f"1390535882{n}")
            self.submit(phone=f"1390535882{n}")
        self.assertEqual(OnlineApplication.objects.count(), 4)
        with self.assertNumQueries(expected):
            page = self.client.get("/services/online/")
        self.assertContains(page, "WSLIUJI202611240004")

    def test_a_clerk_takes_it_and_becomes_first_responder_with_the_one_time_notice(self) -> None:
        self.client.force_login(self.clerk_b)
        page = self.client.get(self.detail)
        self.assertContains(page, "卢婉清")
        self.assertContains(page, "139****8812")
        self.assertNotContains(page, ID_NUMBER)
        photo_url = self.submission.photos.first().image.url
        self.assertContains(page, photo_url)
        # 户口簿's photo is not acceptable: only 身份证 is ticked.
        r = self.client.post(f"{self.detail}take/", {"materials": ["id"]})
        application = Application.objects.get()
        self.assertRedirects(r, f"/services/{application.receipt_no}/")
        self.assertEqual(application.receipt_no, self.submission.receipt_no)
        self.assertEqual(application.channel, Application.Channel.ONLINE)
        self.assertEqual(application.first_responder, self.clerk_b)
        self.assertEqual(application.status, Application.Status.PENDING)
        self.assertEqual(application.applicant.name, "卢婉清")
        notice = Notice.objects.get(application=application)
        self.assertEqual([i.material.name for i in notice.items.all()], ["户口簿"])
        self.assertTrue(
            Message.objects.filter(
                event="case_notice", phone_index=application.applicant_phone_index
            )
            .filter(text__contains="户口簿")
            .exists()
        )
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, OnlineApplication.Status.TAKEN)
        self.assertEqual(self.submission.application, application)
        self.assertTrue(Event.objects.filter(action="online_application_taken").exists())
        # The resident follows the case with the same number.
        self.client.logout()
        lookup = self.client.get(
            "/public/lookup/", {"receipt_no": application.receipt_no, "phone_last4": "8812"}
        )
        self.assertContains(lookup, "待补正")
        status = self.client.get(
            "/public/online/status/",
            {"receipt_no": application.receipt_no, "phone_last4": "8812"},
        )
        self.assertContains(status, "待补正")
        self.assertContains(status, "李强")  # the first responder's public card

    def test_taking_it_with_every_material_accepts_the_case(self) -> None:
        self.client.force_login(self.clerk_a)
        self.client.post(f"{self.detail}take/", {"materials": ["id", "hukou"]})
        application = Application.objects.get()
        self.assertEqual(application.status, Application.Status.ACCEPTED)
        self.assertIsNotNone(application.due_on)

    def test_a_second_take_is_refused_and_the_first_responder_stays(self) -> None:
        self.client.force_login(self.clerk_a)
        self.client.post(f"{self.detail}take/", {"materials": ["id"]})
        self.client.force_login(self.clerk_b)
        r = self.client.post(f"{self.detail}take/", {"materials": ["id"]})
        self.assertContains(r, "该网上申请已由张敏接件", status_code=400)
        self.assertEqual(Application.objects.get().first_responder, self.clerk_a)

    def test_another_halls_clerk_sees_nothing_by_url_or_id(self) -> None:
        self.client.force_login(self.other_clerk)
        self.assertNotContains(self.client.get("/services/online/"), self.submission.receipt_no)
        self.assertEqual(self.client.get(self.detail).status_code, 404)
        r = self.client.post(f"{self.detail}take/", {"materials": ["id"]})
        self.assertEqual(r.status_code, 404)
        r = self.client.post(f"{self.detail}decline/", {"reason": "不是本镇"})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(self.client.get(self.submission.photos.first().image.url).status_code, 404)
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, OnlineApplication.Status.WAITING)
        self.assertFalse(Application.objects.exists())
        self.assertTrue(Event.objects.filter(action__endswith="denied").exists())

    def test_people_without_a_window_role_are_refused(self) -> None:
        self.client.force_login(self.town_leader)
        self.assertEqual(self.client.get("/services/online/").status_code, 403)
        self.assertEqual(self.client.get(self.detail).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(self.detail).status_code, 302)
        self.assertEqual(self.client.get(self.submission.photos.first().image.url).status_code, 404)

    def test_a_photo_is_served_to_the_halls_clerk_as_an_audited_read(self) -> None:
        self.client.force_login(self.clerk_a)
        response = self.client.get(self.submission.photos.first().image.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertTrue(Event.objects.filter(action="online_photo_viewed").exists())

    def test_a_clerk_declines_it_with_a_reason_the_resident_reads_and_receives(self) -> None:
        self.client.force_login(self.clerk_a)
        r = self.client.post(f"{self.detail}decline/", {"reason": ""})
        self.assertContains(r, "请填写退回理由", status_code=400)
        reason = "身份证照片模糊,请重新拍摄后再申请"
        r = self.client.post(f"{self.detail}decline/", {"reason": reason})
        self.assertRedirects(r, self.detail)
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, OnlineApplication.Status.DECLINED)
        sms = Message.objects.get(event="online_declined")
        self.assertIn(reason, sms.text)
        self.assertIn("卢*", sms.text)
        r = self.client.post(f"{self.detail}take/", {"materials": ["id"]})
        self.assertContains(r, "已退回申请人,不能再接件", status_code=400)
        self.client.logout()
        status = self.client.get(
            "/public/online/status/",
            {"receipt_no": self.submission.receipt_no, "phone_last4": "8812"},
        )
        self.assertContains(status, reason)
        self.assertContains(status, "已退回")
        self.assertIsNotNone(online_lookup(self.submission.receipt_no, "8812"))
