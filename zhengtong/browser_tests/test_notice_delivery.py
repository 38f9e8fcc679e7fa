"""上门告知 on a phone: the applicant signs on the canvas with a finger (here the mouse), and
the delivery is saved with the signature as a PNG."""

import re

import pytest
from django.utils import timezone

from zhengtong.demo.org import DEMO_PASSWORD
from zhengtong.services.models import Application, NoticeDelivery

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_clerk_records_a_signed_delivery_on_a_phone(browser, demo) -> None:
    case = (
        Application.objects.filter(
            org_unit__memberships__user__username="clerk_a",
            received_at__lte=timezone.now(),
        )
        .order_by("-received_at")
        .first()
    )
    assert case is not None
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True)
    log_in(page, demo, "clerk_a", DEMO_PASSWORD)
    page.goto(f"{demo}/services/{case.receipt_no}/")
    page.get_by_role("link", name="登记上门告知").click()
    page.wait_for_url(re.compile(r"/deliveries/new/$"))
    page.get_by_label("告知地点").fill("申请人家中")
    canvas = page.locator("canvas[data-signature]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None and box["width"] <= 390
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 30 + (step % 3) * 20, steps=3)
    page.mouse.up()
    assert page.locator("[name=signature]").input_value().startswith("data:image/png;base64,")
    page.screenshot(path=ARTIFACTS / "notice_delivery_phone.png", full_page=True)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/services/{case.receipt_no}/$"))
    assert "上门告知已登记" in page.locator("main").inner_text()
    delivery = NoticeDelivery.objects.get(application=case)
    assert delivery.signature.name.startswith("signatures/")
    assert delivery.delivered_by.username == "clerk_a"
    image = page.get_by_alt_text("申请人签名")
    image.wait_for()
    assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) > 0
