import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zhengtong.demo.org import DEMO_PASSWORD
from zhengtong.demo.testing import seed_demo
from zhengtong.lib.encrypted import blind_index
from zhengtong.services.models import Application, Rating, ServiceItem
from zhengtong.services.selectors import required_materials
from zhengtong.test import make_id_number
from zhengtong.workdays import add_workdays

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday; the applicant comes back with the missing papers on Wednesday.
INTAKE_AT = datetime.datetime(2026, 11, 24, 9, 30, tzinfo=SHANGHAI)
SUPPLEMENT_AT = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
APPLICANT = {
    "name": "卢婉清",
    "id_number": make_id_number(datetime.date(1996, 5, 17), female=True, seq=499),
    "phone": "13905358812",
}
SITUATION = {"hukou": "local", "marital_status": "married", "child_order": 1}
PRESENTED = ["夫妻双方居民身份证", "户口簿"]


@pytest.fixture
def hall(live_server):
    """The demo behind a live server on a known Tuesday; the live server runs in this process,
    so the travelling clock is its clock too."""
    seed_demo(at=INTAKE_AT)
    with time_machine.travel(INTAKE_AT, tick=True) as traveller:
        yield live_server.url, traveller


def test_a_clerk_takes_in_an_incomplete_application_and_the_applicant_rates_it(
    browser, hall
) -> None:
    """Intake with papers missing → one notice listing every missing material → supplement the
    next day → accepted, due = add_workdays(acceptance day, 1) → approved with a certificate
    number → the applicant finds the case by receipt number and phone digits and rates it."""
    base, traveller = hall
    item = ServiceItem.objects.get(code="SYDJ")
    missing = [m.name for m in required_materials(item, SITUATION) if m.name not in PRESENTED]
    assert missing  # the form below leaves out at least one required material

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(page, base, "clerk_a", DEMO_PASSWORD)
    page.locator("nav").get_by_role("button", name="便民服务").click()
    page.get_by_role("link", name="收件登记").click()
    page.wait_for_url(f"{base}/services/new/")
    page.get_by_label("办理事项").select_option("SYDJ")
    page.locator("#m-id_cards").wait_for()
    page.get_by_label("婚姻状况").select_option("married")
    # The situation decides the list: married applicants also hand in the marriage certificate.
    page.locator("#m-marriage_cert").wait_for()
    page.get_by_label("申请孩次").select_option("1")
    page.locator("#materials").get_by_text("结婚证").wait_for()
    page.get_by_label("申请人姓名").fill(APPLICANT["name"])
    page.get_by_label("联系电话").fill(APPLICANT["phone"])
    page.get_by_label("公民身份号码").fill(APPLICANT["id_number"])
    for name in PRESENTED:
        page.locator("#materials").get_by_label(name).check()
    page.screenshot(path=ARTIFACTS / "hall_intake.png", full_page=True)
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/services/LIUJI\d{12}/$"))

    index = blind_index("id", APPLICANT["id_number"])
    application = Application.objects.get(applicant__id_number_index=index)
    assert application.status == Application.Status.PENDING
    assert application.first_responder.username == "clerk_a"
    main = page.locator("main")
    assert "材料不齐,已出具一次性告知书" in main.inner_text()
    notice = page.locator("h2", has_text="一次性告知书").locator("xpath=following-sibling::div[1]")
    listed = [text.strip() for text in notice.locator("li").all_inner_texts()]
    assert listed == [f"缺少:{name}" for name in missing]
    page.screenshot(path=ARTIFACTS / "hall_notice.png", full_page=True)

    # Next working day: the applicant brings the rest; the session has idled out meanwhile.
    traveller.move_to(SUPPLEMENT_AT)
    log_in(page, base, "clerk_a", DEMO_PASSWORD)
    page.goto(f"{base}/services/{application.receipt_no}/")
    supplement = page.locator("form[action$='/supplement/']")
    for name in missing:
        supplement.get_by_label(name).check()
    supplement.get_by_role("button", name="收取补正材料").click()
    page.get_by_text("材料已补齐,办件已受理").wait_for()

    accepted_on = SUPPLEMENT_AT.date()
    due_on = add_workdays(accepted_on, item.promised_workdays)
    application.refresh_from_db()
    assert (application.status, application.accepted_on) == ("accepted", accepted_on)
    assert application.due_on == due_on
    details = page.locator("dl").inner_text()
    assert f"{accepted_on:%Y-%m-%d}" in details
    assert f"{due_on:%Y-%m-%d}(承诺 {item.promised_workdays} 个工作日)" in details
    page.screenshot(path=ARTIFACTS / "hall_accepted.png", full_page=True)

    page.get_by_role("button", name="准予办结并发放生育登记服务单").click()
    page.get_by_text("已办结,证件编号").wait_for()
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert re.fullmatch(r"SYDJ2026\d{6}", application.certificate_no)
    assert application.certificate_no in page.locator("dl").inner_text()
    page.screenshot(path=ARTIFACTS / "hall_approved.png", full_page=True)

    # The worker sends what the case caused (run here as it would run them); the administrator
    # finds the applicant's SMS in the demo outbox, masked: 受理, 补正, 办结.
    from zhengtong.notify.models import Message
    from zhengtong.notify.tasks import send_message

    caused = Message.objects.filter(target_id=str(application.pk), channel="sms")
    for pk in caused.values_list("pk", flat=True):
        send_message.call(pk)
    assert sorted(caused.values_list("event", "state")) == [
        ("case_accepted", "sent"),
        ("case_done", "sent"),
        ("case_notice", "sent"),
    ]
    admin = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(admin, base, "admin", DEMO_PASSWORD)
    admin.goto(f"{base}/notify/outbox/?channel=sms")
    outbox = admin.locator("#results").inner_text()
    assert "办件受理" in outbox and "补正告知" in outbox and "办件办结" in outbox
    assert "卢*" in outbox
    assert APPLICANT["name"] not in outbox and APPLICANT["phone"] not in outbox
    admin.screenshot(path=ARTIFACTS / "outbox.png", full_page=False)
    admin.close()

    # The hall's open cases with their countdowns, and last month's disclosure, for the README.
    page.goto(f"{base}/services/?scope=all&status=open")
    assert page.locator("table tbody tr").count() >= 3
    page.screenshot(path=ARTIFACTS / "service_hall.png", full_page=True)
    page.goto(f"{base}/public/disclosure/?month=2026-10")
    page.screenshot(path=ARTIFACTS / "hall_disclosure.png", full_page=False)
    page.close()

    # The applicant, not signed in, in a browser of their own.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    public = context.new_page()
    public.goto(f"{base}/public/lookup/")
    public.get_by_label("受理编号").fill(application.receipt_no)
    public.get_by_label("手机号后四位").fill(APPLICANT["phone"][-4:])
    public.get_by_role("button", name="查询").click()
    public.get_by_text("请对本次办理作出评价").wait_for()
    text = public.locator("main").inner_text()
    assert "已办结" in text
    assert "卢*" in text
    assert APPLICANT["name"] not in text
    assert APPLICANT["id_number"] not in public.content()
    assert "孙晓燕" in text  # the first-responsible clerk's staff card
    public.get_by_label("非常满意", exact=True).check()
    public.screenshot(path=ARTIFACTS / "hall_lookup_phone.png", full_page=True)
    public.get_by_role("button", name="提交评价").click()
    public.get_by_text("感谢您的评价").wait_for()
    assert Rating.objects.get(application=application).level == Rating.Level.VERY_SATISFIED
    context.close()


def test_the_intake_form_fits_a_phone(browser, hall) -> None:
    """At 390×844 the intake form, with an item's materials listed, needs no sideways scroll."""
    base, _traveller = hall
    page = browser.new_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    log_in(page, base, "clerk_b", DEMO_PASSWORD)
    page.goto(f"{base}/services/new/")
    page.get_by_label("办理事项").select_option("SYDJ")
    page.get_by_label("婚姻状况").select_option("remarried")
    page.locator("#m-children_statement").wait_for()
    assert page.get_by_role("button", name="登记").is_visible()
    overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], overflow
    page.screenshot(path=ARTIFACTS / "hall_intake_phone.png", full_page=True)
    page.close()
