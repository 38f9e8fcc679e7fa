import pytest
from django.utils import timezone

from zhengtong.demo.org import DEMO_PASSWORD

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEED_FIGURES = ["590", "40", "223", "330", "4", "2", "350", "43", "35", "17", "7.1"]


def test_a_leader_opens_the_work_report_of_the_demo_year_and_finds_the_seed_figures(
    browser, demo
) -> None:
    """The 工作简报 of the demo year states the seed's 惠民生 figures, each a link to records;
    the zone cockpit draws its charts."""
    year = timezone.localdate().year
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(page, demo, "leader", DEMO_PASSWORD)
    page.goto(f"{demo}/reports/work-report/?year={year}")
    report = page.locator("#work-report")
    text = report.inner_text()
    assert f"{year} 年" in text
    figures = [a.inner_text() for a in report.locator("a").all()]
    numbers = [f.split()[0] for f in figures]
    for figure in SEED_FIGURES:
        assert figure in numbers, (figure, figures)
    for sentence in ["城镇新增就业人员590 人", "35 名困难家庭和17 名孤儿", "救助金7.1 万元"]:
        assert sentence in text
    page.screenshot(path=ARTIFACTS / "work-report.png", full_page=True)

    # Each figure opens the records behind it: 590 → the employment ledger's new urban jobs.
    report.get_by_role("link", name="590 人").click()
    page.wait_for_url(lambda url: "/livelihood/employment/" in url)
    assert "590" in page.locator("main").inner_text()

    page.goto(f"{demo}/reports/cockpit/?year={year}")
    # A function, not an expression: Playwright evaluates expressions with eval(), which the
    # content security policy refuses.
    page.wait_for_function(
        "() => document.querySelectorAll('#zone-cockpit [data-rendered=\"1\"]').length === 4"
    )
    assert page.locator("#chart-jobs canvas").count() >= 1
    page.wait_for_timeout(800)
    page.screenshot(path=ARTIFACTS / "zone-cockpit.png", full_page=True)
    page.close()
