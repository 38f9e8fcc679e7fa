import pytest

from zhengtong.demo.org import DEMO_PASSWORD

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_leader_logs_in_and_finds_the_cockpit_charts_drawn(browser, demo) -> None:
    """A 帮包 leader signs in, opens 领导驾驶舱 and every chart holds a drawn canvas."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(page, demo, "leader", DEMO_PASSWORD)
    # The modules are menus: open 重点项目, then its page.
    page.locator("nav").get_by_role("button", name="重点项目").click()
    page.get_by_role("link", name="领导驾驶舱").click()
    page.wait_for_url(f"{demo}/projects/cockpit/")
    charts = page.locator(".chart")
    count = charts.count()
    assert count >= 3
    page.wait_for_function(
        "n => document.querySelectorAll('.chart[data-rendered=\"1\"]').length === n", arg=count
    )
    for i in range(count):
        assert charts.nth(i).locator("canvas").count() >= 1, charts.nth(i).get_attribute("id")
    assert "658" in page.locator("main").inner_text()
    page.wait_for_timeout(800)  # let ECharts finish its entry animation before the picture
    page.screenshot(path=ARTIFACTS / "cockpit.png", full_page=True)
    page.close()
