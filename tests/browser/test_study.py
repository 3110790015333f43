"""A study session in a real browser: keyboard alone on a desktop and on a phone, without
JavaScript, and every study page through axe in both themes."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, serious_violations
from tests.browser.test_accounts import tab_to

pytestmark = pytest.mark.browser


def start_everything(page, base: str) -> None:
    page.goto(base + "/study")
    tab_to(page, "form.study-this button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/study/session?**")


def test_ten_cards_with_the_keyboard_alone(page, live_server):
    start_everything(page, live_server["url"])
    for n in range(10):
        front = page.locator("#card-front").inner_text()
        with page.expect_navigation():
            page.keyboard.press("Space")
        assert page.locator("#card-answer").is_visible()
        assert page.locator("#card-front").inner_text() == front
        if n == 4:
            screenshot(page, "study-card")
        with page.expect_navigation():
            page.keyboard.press("3" if n % 3 else "1")
        last = front
    with page.expect_navigation():
        page.keyboard.press("u")  # undo the last answer: its card is shown again
    assert page.locator("#card-front").inner_text() == last
    assert page.console_errors == []


def test_on_a_phone_the_buttons_are_large_and_nothing_scrolls_sideways(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    start_everything(pg, live_server["url"])
    for _ in range(10):
        with pg.expect_navigation():
            pg.keyboard.press("Space")
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        heights = pg.locator(".rate").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
        assert min(heights) >= 44
        with pg.expect_navigation():
            pg.locator(".rate-3").tap()
    screenshot(pg, "phone-study")
    context.close()


def test_the_same_session_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(live_server["url"] + "/study")
    pg.locator("form.study-this button").first.click()
    for _ in range(10):
        pg.locator("#show-answer").click()
        pg.locator(".rate-3").click()
    assert pg.locator("#card-front").count() == 1 or "Done for now" in pg.content()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_study_pages_have_no_serious_accessibility_violations(browser, live_server, scheme):
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    pg = context.new_page()

    def axe(label: str) -> None:
        bad = serious_violations(pg)
        assert bad == [], (label, bad)

    base = live_server["url"]
    pg.goto(base + "/study")
    axe("study")
    pg.goto(base + "/study/session?scope=entry:inertia")
    axe("start")
    pg.locator("form.study-this button").click()
    axe("front")
    pg.locator("#show-answer").click()
    axe("back")
    screenshot(pg, f"{scheme}-study-back")
    for _ in range(12):
        if pg.locator(".rate-4").count() == 0:
            break
        pg.locator(".rate-4").click()
        if pg.locator("#show-answer").count():
            pg.locator("#show-answer").click()
    assert "Done for now" in pg.content()
    axe("done")
    context.close()
