import datetime
import io
import re

import pytest
from PIL import Image

from zhengtong.demo.org import DEMO_PASSWORD
from zhengtong.notify.models import Message
from zhengtong.services.models import Application, OnlineApplication
from zhengtong.test import make_id_number

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = "13905357731"
ID_NUMBER = make_id_number(datetime.date(1997, 4, 9), female=True, seq=488)


def id_card_photo() -> dict:
    data = io.BytesIO()
    Image.new("RGB", (640, 400), (222, 210, 190)).save(data, format="JPEG")
    return {"name": "身份证.jpg", "mimeType": "image/jpeg", "buffer": data.getvalue()}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.body.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


def test_a_resident_applies_from_a_phone_and_a_clerk_takes_it_in(browser, demo) -> None:
    """At 390 px, without an account: pick 生育登记, get the SMS code (read from the outbox, as the
    phone would), upload a photo of the ID cards, get a receipt number; then clerk_a finds it in
    the hall's 网上申请 queue, takes it in and becomes its first responder, the missing papers in
    the one-time notice."""
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    page = browser.new_page(**phone, locale="zh-CN")
    page.goto(f"{demo}/public/online/")
    page.get_by_role("link", name=re.compile("生育登记")).first.click()
    page.wait_for_url(f"{demo}/public/online/SYDJ/")
    no_sideways_scroll(page)
    page.get_by_label("申请人姓名").fill("欧阳晓")
    page.get_by_label("公民身份号码").fill(ID_NUMBER)
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_text("验证码已发送到 139****7731").wait_for()
    # What was typed is still there after the code went out.
    assert page.get_by_label("申请人姓名").input_value() == "欧阳晓"
    code = Message.objects.filter(event="sms_code").latest("pk").context["code"]
    page.get_by_label("短信验证码").fill(code)
    page.get_by_label("户籍").select_option("local")
    page.get_by_label("婚姻状况").select_option("married")
    page.locator("#m-id_cards").set_input_files(id_card_photo())
    page.screenshot(path=ARTIFACTS / "online_apply_phone.png", full_page=True)
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("网上申请已提交").wait_for()
    receipt_no = page.locator("#receipt-no").inner_text().strip()
    assert re.fullmatch(r"WSLIUJI\d{12}", receipt_no), receipt_no
    no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "online_receipt_phone.png", full_page=True)
    submission = OnlineApplication.objects.get(receipt_no=receipt_no)
    assert submission.status == OnlineApplication.Status.WAITING
    assert submission.photos.count() == 1
    page.close()

    clerk = browser.new_page(**phone, locale="zh-CN")
    log_in(clerk, demo, "clerk_a", DEMO_PASSWORD)
    clerk.goto(f"{demo}/services/online/")
    clerk.get_by_role("link", name=receipt_no).first.click()
    clerk.wait_for_url(f"{demo}/services/online/{submission.pk}/")
    assert clerk.locator("main img").count() == 1  # the uploaded photo, through /media/
    no_sideways_scroll(clerk)
    clerk.get_by_role("button", name=re.compile("接件")).click()
    clerk.wait_for_url(f"{demo}/services/{receipt_no}/")
    assert "一次性告知书" in clerk.locator("main").inner_text()
    clerk.screenshot(path=ARTIFACTS / "online_taken_phone.png", full_page=True)
    application = Application.objects.get(receipt_no=receipt_no)
    assert application.first_responder.username == "clerk_a"
    assert application.channel == Application.Channel.ONLINE
    assert application.status == Application.Status.PENDING
    clerk.close()
