"""A Chromium driven by Playwright, shared by the browser tests of one run.

The tests skip, with one line saying why, only where /usr/bin/chromium is missing.
"""

import os
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from zhengtong.demo.testing import DEMO_AT, seed_demo

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"浏览器测试已跳过:未找到 Chromium({CHROMIUM})。")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test code still talks to
    # the database synchronously, which Django refuses unless told it is safe here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(exist_ok=True)
    # Once Playwright's loop runs in this thread, Django hands out connection objects from a
    # context variable: copy the serialized test data over so serialized_rollback can restore
    # the migrated rows (holidays, service catalog) after a transactional test.
    from django.db import connections

    saved = {
        c.alias: c._test_serialized_contents
        for c in connections.all()
        if hasattr(c, "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in saved.items():
            connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo(live_server):
    """The demo data behind a live server, with the clock running from the demo's day (the
    live server runs in this process, so it is its clock too); yields the base URL."""
    seed_demo(at=DEMO_AT)
    with time_machine.travel(DEMO_AT, tick=True):
        yield live_server.url


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the Chinese login form, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
