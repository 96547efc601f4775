"""The browser smoke test: a branch secretary logs in, filters the member list, opens a member and sees the ID
number masked. Drives Debian's chromium through Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders

from tests.factories import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/bootstrap.sh does)")
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse database access here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def world_live(transactional_db: None) -> Any:
    return build_world()


def screenshot_dir(default: Path) -> Path:
    """PARTYCARE_SCREENSHOT_DIR keeps the phone screenshot somewhere a person (or CI artefacts) can look at it."""
    chosen = Path(os.environ.get("PARTYCARE_SCREENSHOT_DIR") or default)
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def test_branch_secretary_filters_members_and_sees_masked_id(live_server: Any, world_live: Any, browser: Any) -> None:
    page = browser.new_page(locale="zh-CN")
    log_in(page, live_server.url, "bsec")

    page.goto(f"{live_server.url}/members/")
    rows = page.locator("#member-table tbody tr")
    assert sorted(rows.locator("td:first-child a").all_inner_texts()) == sorted(["张伟", "王芳", "陈静"])

    page.fill("input[name=q]", "张伟")
    page.click("form.pc-filter button[type=submit]")
    page.wait_for_url(re.compile(r"/members/\?q="))
    assert rows.locator("td:first-child a").all_inner_texts() == ["张伟"]

    page.click("#member-table a:text('张伟')")
    page.wait_for_url(re.compile(rf"/members/{world_live.m1.pk}/$"))
    masked = page.locator("[data-masked=id_number]").inner_text().strip()
    assert MASKED_ID.match(masked), masked
    assert masked == f"{world_live.m1.id_number[:4]}{'*' * 10}{world_live.m1.id_number[-4:]}"
    assert world_live.m1.id_number not in page.content()

    # The full value appears only on request (and that read is audited, see tests/web).
    page.click("#sensitive-id_number button")
    page.locator("[data-revealed=id_number]").wait_for()
    assert page.locator("[data-revealed=id_number]").inner_text().strip() == world_live.m1.id_number
    page.close()


def test_member_list_is_usable_on_a_phone(live_server: Any, world_live: Any, browser: Any, tmp_path: Path) -> None:
    if finders.find("vendor/bootstrap/css/bootstrap.min.css") is None:
        pytest.skip("node_modules/bootstrap is not installed: the layout is unstyled (still usable, not checked here)")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, locale="zh-CN"
    )
    page = context.new_page()
    log_in(page, live_server.url, "bsec")
    page.goto(f"{live_server.url}/members/")
    page.screenshot(path=str(screenshot_dir(tmp_path) / "member-list-phone.png"), full_page=True)

    menu_link = page.locator("#pc-sidebar a:text('党员名册')")
    assert not menu_link.is_visible()  # the side menu is folded away on a narrow screen
    page.click("button.navbar-toggler")
    menu_link.wait_for(state="visible")
    # The table fits the screen: no sideways scrolling of the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
