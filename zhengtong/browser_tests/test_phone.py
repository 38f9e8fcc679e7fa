import pytest

from zhengtong.demo.org import DEMO_PASSWORD

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_phone_shows_the_project_list_without_sideways_scrolling(browser, demo) -> None:
    """At 390×844 the project list fits the screen and the collapsed menu opens on a tap."""
    page = browser.new_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    log_in(page, demo, "office", DEMO_PASSWORD)
    page.goto(f"{demo}/projects/")
    assert page.get_by_text("中通新能源及节能型客车生产基地").first.is_visible()
    overflow = page.evaluate("[document.body.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], overflow
    menu = page.locator("#nav")
    assert not menu.is_visible()
    page.locator(".navbar-toggler").click()
    # Bootstrap sets .show once the opening transition has ended.
    page.locator("#nav.show").wait_for(state="visible")
    # The modules are dropdowns; on a phone a tap opens one inside the collapsed menu.
    menu.get_by_role("button", name="重点项目").click()
    problems = menu.get_by_role("link", name="问题台账")
    problems.wait_for(state="visible")
    page.screenshot(path=ARTIFACTS / "project_list_phone.png", full_page=False)
    problems.click()
    page.wait_for_url(f"{demo}/projects/problems/")
    page.close()


def test_a_phone_shows_the_yearly_lists_and_the_picker_without_sideways_scrolling(
    browser, demo
) -> None:
    """At 390×844 the office reads the lists, the 2027 list, and the cockpit's list picker."""
    page = browser.new_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    log_in(page, demo, "office", DEMO_PASSWORD)
    page.goto(f"{demo}/projects/lists/")
    assert page.get_by_text("2027年市级重点建设项目").first.is_visible()
    page.get_by_role("link", name="2027年市级重点建设项目").click()
    assert page.locator("#results table.zt-cards").is_visible()  # the rows, as cards
    list_path = page.url.removeprefix(demo)
    for path in ("/projects/lists/", list_path, "/projects/cockpit/?year=2027"):
        page.goto(f"{demo}{path}")
        overflow = page.evaluate("[document.body.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], (path, overflow)
    assert page.locator("#list-year").is_visible()
    page.screenshot(path=ARTIFACTS / "yearly_lists_phone.png", full_page=False)
    page.close()
