"""Field work without a connection, on a phone: the village worker opens 离线随访 online, loses
the network, records two follow-ups and a home visit, sees them kept as 未发送 (also after
reloading the page from the phone's cache), gets the network back and sees them sent: the
server has each once, and the one someone else recorded meanwhile is shown as a conflict."""

import re

import pytest

from zhengtong.accounts.models import User
from zhengtong.demo.org import DEMO_PASSWORD
from zhengtong.demo.testing import DEMO_AT
from zhengtong.population.actions import followups as actions
from zhengtong.population.models import FollowUp, FollowUpPlan, HomeVisit
from zhengtong.population.sync_views import own_open_followups
from zhengtong.population.tests.test_visits_fixtures import image_bytes

from .conftest import ARTIFACTS, log_in
from .test_csp import LISTEN

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE_OUTCOME = "离线登记:电话联系本人,在宁波务工稳定。"
VISIT_OUTCOME = "离线登记:入户了解家庭情况,老人身体尚好。"
LATE_OUTCOME = "离线登记:电话无人接听,改日再联系。"


def test_a_village_worker_records_offline_and_the_records_sync_once_back_online(
    browser, demo, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    base = demo
    today = DEMO_AT.date()
    worker = User.objects.get(username="village1")
    town = User.objects.get(username="jishengban")
    phone = [f for f in own_open_followups(worker, today) if f.plan.kind == FollowUpPlan.Kind.PHONE]
    first, late = phone[0], next(f for f in phone if f.plan.person_id != phone[0].plan.person_id)
    person = first.plan.person
    home_plan = actions.followup_plan_create(
        actor=worker,
        person=person,
        kind=FollowUpPlan.Kind.HOME,
        interval_days=30,
        purpose="上门了解家庭情况",
        first_due_on=today,
    )
    home = home_plan.followups.get()

    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        service_workers="allow",
    )
    context.add_init_script(LISTEN)
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        log_in(page, base, "village1", DEMO_PASSWORD)

        # Online: 离线随访 lists the worker's due follow-ups and keeps their pages.
        page.goto(f"{base}/population/offline/")
        links = page.locator("a[data-offline-page]").count()
        assert links >= 3
        page.get_by_text(f"已将 {links + 1} 个页面保存到本机").wait_for(timeout=60_000)
        overflow = page.evaluate("[document.body.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], overflow
        assert page.evaluate("window.__csp") == [] and refused == []

        context.set_offline(True)

        # A phone follow-up, from the cached page.
        response = page.goto(f"{base}/population/followups/{first.pk}/")
        assert response is not None and response.from_service_worker
        page.get_by_text("当前未联网").first.wait_for()
        page.get_by_label("随访日期").fill(f"{today:%Y-%m-%d}")
        page.get_by_label("随访情况").fill(PHONE_OUTCOME)
        page.get_by_role("button", name="登记并排下一次").click()
        page.get_by_text("已保存在本机,联网后自动发送").wait_for()
        assert page.locator("#offline-count").inner_text() == "1"

        # A home visit, from the cached visit form of the due 上门随访.
        page.goto(f"{base}/population/visits/new/?person={person.pk}&followup={home.pk}")
        page.get_by_label("走访日期").fill(f"{today:%Y-%m-%d}")
        page.get_by_label("地点").fill("刘集村 2 组 8 号")
        page.get_by_label("走访情况").fill(VISIT_OUTCOME)
        page.locator("#photos").set_input_files(
            files=[{"name": "门前.png", "mimeType": "image/png", "buffer": image_bytes()}]
        )
        page.get_by_role("button", name="保存").click()
        page.get_by_text("已保存在本机,联网后自动发送").wait_for()
        assert page.locator("#offline-count").inner_text() == "2"

        # A second phone follow-up, which the township's office records meanwhile.
        page.goto(f"{base}/population/followups/{late.pk}/")
        page.get_by_label("随访日期").fill(f"{today:%Y-%m-%d}")
        page.get_by_label("随访情况").fill(LATE_OUTCOME)
        page.get_by_role("button", name="登记并排下一次").click()
        page.get_by_text("已保存在本机,联网后自动发送").wait_for()

        # Reloaded offline, 离线随访 comes from the cache and lists the three as 未发送.
        page.goto(f"{base}/population/offline/")
        response = page.reload()
        assert response is not None and response.from_service_worker
        items = page.locator("#offline-list li[data-client-uuid]")
        items.nth(2).wait_for()
        assert page.locator("#offline-count").inner_text() == "3"
        assert items.count() == 3
        for i in range(3):
            assert "未发送" in items.nth(i).inner_text()
        assert f"{person.name} 入户走访" in page.locator("#offline-list").inner_text()
        page.screenshot(path=ARTIFACTS / "offline_unsent_phone.png", full_page=True)
        assert not FollowUp.objects.filter(client_uuid__isnull=False).exists()
        assert not HomeVisit.objects.filter(client_uuid__isnull=False).exists()

        actions.followup_complete(
            actor=town, followup=late, done_on=today, outcome="镇计生办已电话随访。"
        )

        # Online again: sent by themselves, each once; the conflict stays with its reason.
        context.set_offline(False)
        page.get_by_text("已发送 2 条;1 条未能保存,原因见各条记录。").wait_for(timeout=30_000)
        assert page.locator("#offline-count").inner_text() == "1"
        conflict = page.locator("#offline-list li[data-client-uuid]")
        assert conflict.count() == 1
        assert f"这次随访已由耿丽于 {today:%Y-%m-%d} 登记,本条未保存。" in conflict.inner_text()
        assert page.locator("#offline-list", has_text="已发送").count() == 1
        page.screenshot(path=ARTIFACTS / "offline_synced_phone.png", full_page=True)
        assert page.evaluate("window.__csp") == [] and refused == []

        first.refresh_from_db()
        assert (first.status, first.done_by, first.outcome) == ("done", worker, PHONE_OUTCOME)
        assert first.client_uuid is not None
        visits = HomeVisit.objects.filter(person=person, outcome=VISIT_OUTCOME)
        assert visits.count() == 1
        assert visits.get().photos.count() == 1
        home.refresh_from_db()
        assert home.status == "done" and home.visit == visits.get()
        late.refresh_from_db()
        assert (late.done_by, late.client_uuid) == (town, None)
        assert FollowUp.objects.filter(outcome=PHONE_OUTCOME).count() == 1
        assert not FollowUp.objects.filter(outcome=LATE_OUTCOME).exists()

        # The conflict survives a reload; the worker deletes it.
        page.reload()
        conflict = page.locator("#offline-list li[data-client-uuid]")
        conflict.first.wait_for()
        assert "本条未保存" in conflict.inner_text()
        conflict.get_by_role("button", name="删除").click()
        conflict.get_by_role("button", name="确认删除").click()
        page.wait_for_function("document.getElementById('offline-count').textContent === '0'")

        # Logging out empties the page cache.
        assert page.evaluate("caches.has('zt-pages-v1')")
        page.locator(".navbar-toggler").click()
        logout = page.get_by_role("button", name="退出")
        logout.wait_for(state="visible")
        # The menu's own form, submitted as the button does (a tap while the phone menu is
        # still sliding open can land beside it).
        with page.expect_navigation(url=re.compile("/accounts/login/"), timeout=60_000):
            logout.evaluate("button => button.form.requestSubmit(button)")
        page.wait_for_function("caches.has('zt-pages-v1').then(function (has) { return !has; })")
    finally:
        context.close()
