"""A quiz in a real browser: by keyboard alone on a desktop, by touch on a phone, without
JavaScript, and every quiz page through axe in both themes."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot, serious_violations
from tests.browser.test_accounts import tab_to

pytestmark = pytest.mark.browser


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_quiz_with_the_keyboard_alone(page, live_server):
    page.goto(live_server["url"] + "/quiz")
    tab_to(page, "#quiz-n")
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    tab_to(page, "#start-quiz")
    page.keyboard.press("Enter")
    page.wait_for_url("**/quiz/*")
    for n in range(5):
        assert f"Question {n + 1} of 5" in page.locator(".study-meta").inner_text()
        prompt = page.locator("#quiz-prompt").inner_text()
        with page.expect_navigation():
            page.keyboard.press(str(n % 4 + 1))
        result = page.locator("#quiz-result")
        assert result.is_visible() and result.inner_text().startswith(("Right.", "Not this time."))
        assert page.locator("#quiz-prompt").inner_text() == prompt  # the same question, now with the answer
        assert page.locator(".quiz-option-review.is-right").count() == 1
        if n == 1:
            screenshot(page, "quiz-feedback")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    score = page.locator("#score").inner_text()
    assert score.endswith("of 5 right")
    if not score.startswith("5"):
        tab_to(page, "#retry-missed")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Question 1 of" in page.locator(".study-meta").inner_text()
    assert page.console_errors == []


def test_on_a_phone_options_are_large_and_nothing_scrolls_sideways(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(live_server["url"] + "/quiz?direction=name")
    assert pg.locator("input[name=direction][value=name]").is_checked()
    with pg.expect_navigation():
        pg.locator("#start-quiz").tap()
    total = int(re.search(r"of (\d+)", pg.locator(".study-meta").inner_text()).group(1))
    assert total >= 4  # the sample glossary has six entries; some have too few fitting definitions
    for n in range(total):
        assert no_sideways_scrolling(pg)
        heights = pg.locator(".quiz-option").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
        assert len(heights) == 4 and min(heights) >= 44
        if n == 0:
            screenshot(pg, "phone-quiz")
        with pg.expect_navigation():
            pg.locator(".quiz-option").nth(n % 4).tap()
        assert no_sideways_scrolling(pg)
        with pg.expect_navigation():
            pg.locator("#quiz-next").tap()
    assert pg.locator("#score").inner_text().endswith(f"of {total} right") and no_sideways_scrolling(pg)
    context.close()


def test_the_same_quiz_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(live_server["url"] + "/quiz")
    pg.locator("#quiz-n").fill("3")
    pg.locator("#start-quiz").click()
    for n in range(3):
        assert f"Question {n + 1} of 3" in pg.locator(".study-meta").inner_text()
        pg.locator(".quiz-option").nth(3 - n).click()
        assert pg.locator("#quiz-result").is_visible()
        pg.locator("#quiz-next").click()
    assert pg.locator("#score").inner_text().endswith("of 3 right")
    if pg.locator("#retry-missed").count():
        pg.locator("#retry-missed").click()
        assert "Question 1 of" in pg.locator(".study-meta").inner_text()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_quiz_pages_have_no_serious_accessibility_violations(browser, live_server, scheme):
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    pg = context.new_page()

    def axe(label: str) -> None:
        bad = serious_violations(pg)
        assert bad == [], (label, bad)

    pg.goto(live_server["url"] + "/quiz")
    axe("start")
    pg.locator("#quiz-n").fill("2")
    pg.locator("input[name=direction][value=name]").check()
    pg.locator("#start-quiz").click()
    axe("question")
    pg.locator(".quiz-option").first.click()
    axe("feedback")
    screenshot(pg, f"{scheme}-quiz-feedback")
    pg.locator("#quiz-next").click()
    pg.locator(".quiz-option").nth(1).click()
    pg.locator("#quiz-next").click()
    assert pg.locator("#score").is_visible()
    axe("score")
    context.close()
