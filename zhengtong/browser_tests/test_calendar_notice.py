"""The administrator pastes the next year's notice, sees the year, confirms; a clerk's case
due in that year changes from 暂定 to an official date."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zhengtong.accounts.models import User
from zhengtong.demo.org import DEMO_PASSWORD
from zhengtong.demo.testing import seed_demo
from zhengtong.services.actions.intake import application_intake
from zhengtong.services.models import ServiceItem
from zhengtong.test import make_id_number
from zhengtong.workdays import year_status
from zhengtong.workdays.tests.notices import N2027_TEST

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday in late December: 10 working days run into January 2027, still provisional.
TODAY = datetime.datetime(2026, 12, 22, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture
def hall(live_server):
    seed_demo(at=TODAY)
    with time_machine.travel(TODAY, tick=True):
        yield live_server.url


def test_the_administrator_enters_the_notice_and_a_case_becomes_official(browser, hall) -> None:
    base = hall
    item = ServiceItem.objects.get(code="YEBT")
    case = application_intake(
        actor=User.objects.get(username="clerk_a"),
        item_code="YEBT",
        applicant={
            "name": "岳清妍",
            "id_number": make_id_number(datetime.date(1994, 8, 3), female=True, seq=377),
            "phone": "13905351177",
        },
        materials=[m.code for m in item.materials.all()],
        situation={"hukou": "local", "marital_status": "married", "child_order": 1},
    )
    assert case.due_provisional and case.due_on == datetime.date(2027, 1, 6)
    assert year_status(2027) == "provisional"

    clerk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(clerk, base, "clerk_a", DEMO_PASSWORD)
    clerk.goto(f"{base}/services/{case.receipt_no}/")
    assert "暂定 2027-01-06" in clerk.content()

    admin = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(admin, base, "admin", DEMO_PASSWORD)
    admin.goto(f"{base}/")
    admin.get_by_role("link", name="2027 年节假日安排尚未录入(期限暂按法定节假日计算)").click()
    admin.wait_for_url(f"{base}/workdays/enter/?year=2027")
    admin.get_by_label("通知全文").fill(N2027_TEST)
    admin.get_by_role("button", name="识别并预览").click()
    admin.locator("#notice-summary").wait_for()
    assert "放假 29 天,调休上班 5 天" in admin.locator("#notice-summary").inner_text()
    assert admin.locator(".wd-month").count() == 12
    assert (
        admin.locator('td[data-day="2027-02-14"][data-kind="makeup"][data-changed="1"]').count()
        == 1
    )
    admin.screenshot(path=str(ARTIFACTS / "calendar-notice-preview.png"), full_page=True)
    assert year_status(2027) == "provisional"  # nothing saved by the preview

    admin.get_by_role("button", name="确认保存为 2027 年正式安排").click()
    admin.get_by_role("heading", name="2027 年已保存为正式安排").wait_for()
    moved = admin.locator("#moved-deadlines").inner_text()
    assert case.receipt_no in moved and "暂定 2027-01-06" in moved
    assert year_status(2027) == "official"

    clerk.reload()
    text = clerk.content()
    assert "2027-01-06" in text and "暂定 2027-01-06" not in text
    case.refresh_from_db()
    assert not case.due_provisional
