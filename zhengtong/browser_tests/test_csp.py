"""Pages run under the content security policy without a single violation in Chromium.

The policy forbids inline scripts and on*="" handlers; a page that still had one would log
"Refused to execute inline …" and lose that behaviour. The check itself is proved first: an
inline handler added to a page is refused and reported.
"""

import pytest

from zhengtong.demo.org import DEMO_PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Listen from the first byte of every document; Playwright injects this outside the policy.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def watched_page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.add_init_script(LISTEN)
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page, console


def violations(page, console) -> list[str]:
    return list(page.evaluate("window.__csp || []")) + console


def test_an_inline_handler_is_refused_and_reported(browser, demo) -> None:
    page, console = watched_page(browser)
    page.goto(f"{demo}/accounts/login/")
    page.evaluate(
        "() => { const b = document.createElement('button'); b.id = 'x';"
        " b.setAttribute('onclick', 'document.title = \"pwned\"');"
        " document.body.appendChild(b); b.click(); }"
    )
    page.wait_for_timeout(200)
    assert page.title() != "pwned"
    assert violations(page, console), "the violation listener saw nothing"
    page.close()


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        (
            "leader",
            ["/projects/cockpit/", "/reports/cockpit/", "/accounts/otp/", "/accounts/tokens/"],
        ),
        ("clerk_a", ["/services/?scope=all", "/services/new/", "/services/duty/"]),
        ("village1", ["/population/visits/new/"]),
        (None, ["/public/guide/", "/public/lookup/", "/public/duty/", "/public/disclosure/"]),
    ],
)
def test_pages_show_no_policy_violation(browser, demo, username, paths) -> None:
    page, console = watched_page(browser)
    if username:
        log_in(page, demo, username, DEMO_PASSWORD)
    for path in paths:
        page.goto(f"{demo}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof htmx") == "object", path
        assert violations(page, console) == [], path
    if username == "leader":
        page.goto(f"{demo}/projects/cockpit/")
        page.wait_for_function(
            "() => document.querySelectorAll('.chart').length > 0 && "
            "document.querySelectorAll('.chart[data-rendered=\"1\"]').length"
            " === document.querySelectorAll('.chart').length"
        )
        assert violations(page, console) == []
    page.close()


def test_the_print_button_and_the_locate_button_work_without_inline_script(browser, demo) -> None:
    page, console = watched_page(browser)
    page.goto(f"{demo}/public/disclosure/")
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed++; }; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.__printed") == 1
    log_in(page, demo, "village1", DEMO_PASSWORD)
    page.goto(f"{demo}/population/visits/new/")
    # The button is drawn before the script at the page's end binds it: wait for the page.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="走访此人").first.click()
    page.get_by_role("button", name="获取当前位置").click()
    page.wait_for_function("() => document.getElementById('locate-status').textContent !== ''")
    assert violations(page, console) == []
    page.close()
