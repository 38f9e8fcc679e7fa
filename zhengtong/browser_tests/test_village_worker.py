import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zhengtong.demo.org import DEMO_PASSWORD
from zhengtong.demo.testing import seed_demo
from zhengtong.population.models import FollowUp

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Friday morning in the village.
TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
OUTCOME = "已电话联系本人,在宁波务工稳定,已婚未孕,避孕措施已落实。"


@pytest.fixture
def village(live_server):
    """The demo behind a live server on a known day; the live server runs in this process, so
    the travelling clock is its clock too."""
    seed_demo(at=TODAY)
    with time_machine.travel(TODAY, tick=True):
        yield live_server.url


def test_a_village_worker_records_a_phone_follow_up_from_the_inbox_on_a_phone(
    browser, village
) -> None:
    """village1 on a phone: the inbox lists a phone follow-up due in two days → open it → record
    the call as done today with an outcome → the next one is scheduled at today + 90 days, shown
    on the page and stored."""
    base = village
    today = TODAY.date()
    followup = (
        FollowUp.objects.filter(
            plan__owner__username="village1",
            plan__kind="phone",
            status="scheduled",
            due_on__gte=today,
        )
        .select_related("plan__person")
        .order_by("due_on")
        .first()
    )
    assert followup is not None
    assert followup.due_on == today + datetime.timedelta(days=2)
    person = followup.plan.person
    title = f"{person.name} 电话随访"

    page = browser.new_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    log_in(page, base, "village1", DEMO_PASSWORD)
    assert page.url.rstrip("/") == base.rstrip("/")
    page.get_by_role("heading", name="我的待办").wait_for()
    item = page.locator(".list-group a", has_text=title)
    while not item.count():
        # The due item may sit behind the overdue ones on a later page.
        page.get_by_role("link", name=re.compile("下一页")).click()
        item = page.locator(".list-group a", has_text=title)
    assert f"期限 {followup.due_on:%Y-%m-%d}" in item.inner_text()
    overflow = page.evaluate("[document.body.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], overflow
    page.screenshot(path=ARTIFACTS / "village_inbox_phone.png", full_page=True)

    item.click()
    page.wait_for_url(f"{base}/population/followups/{followup.pk}/")
    assert person.name in page.locator("main").inner_text()
    page.get_by_label("随访日期").fill(f"{today:%Y-%m-%d}")
    page.get_by_label("随访情况").fill(OUTCOME)
    page.screenshot(path=ARTIFACTS / "village_followup_phone.png", full_page=True)
    page.get_by_role("button", name="登记并排下一次").click()

    next_due = today + datetime.timedelta(days=followup.plan.interval_days)
    page.get_by_text(f"下次随访 {next_due:%Y-%m-%d}").wait_for()
    followup.refresh_from_db()
    assert (followup.status, followup.done_on, followup.outcome) == ("done", today, OUTCOME)
    assert followup.done_by.username == "village1"
    following = FollowUp.objects.get(plan=followup.plan, status="scheduled")
    assert following.due_on == next_due == datetime.date(2027, 2, 18)
    assert page.url == f"{base}/population/followups/{following.pk}/"
    main = page.locator("main").inner_text()
    assert f"应随访日期 {next_due:%Y-%m-%d}" in main
    assert OUTCOME in main
    page.screenshot(path=ARTIFACTS / "village_followup_next_phone.png", full_page=True)
    page.close()
