"""Learners in a real browser: guest, sign-up, sign-out, sign-in, password, tokens, with the
keyboard only; and every accounts page through axe in both themes."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, serious_violations

pytestmark = pytest.mark.browser


def tab_to(page, selector: str, presses: int = 60) -> None:
    """Press Tab until the element matching selector has the focus (as a keyboard user would)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_from_guest_to_account_to_tokens_with_the_keyboard_only(page, live_server):
    base = live_server["url"]
    page.goto(base + "/signin")
    tab_to(page, "form[action='/guest'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
    assert page.locator(".learner-nav a").inner_text() == "Guest"

    page.goto(base + "/signup")
    tab_to(page, "#signup-username")
    page.keyboard.type("keyboard.user")
    page.keyboard.press("Tab")
    page.keyboard.type("typed without a mouse")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/account")
    assert page.locator("h1").inner_text() == "keyboard.user"
    screenshot(page, "account")

    tab_to(page, ".learner-nav button")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
    assert page.locator(".learner-nav a").inner_text() == "Sign in"

    page.goto(base + "/signin")
    tab_to(page, "#signin-username")
    page.keyboard.type("keyboard.user")
    page.keyboard.press("Tab")
    page.keyboard.type("a wrong password")
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text() == "wrong username or password"
    tab_to(page, "#signin-password")
    page.keyboard.type("typed without a mouse")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/account")

    tab_to(page, "#password-current")
    page.keyboard.type("typed without a mouse")
    page.keyboard.press("Tab")
    page.keyboard.type("a second secret phrase")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/account?changed=password")

    tab_to(page, "#token-name")
    page.keyboard.type("flashcards script")
    page.keyboard.press("Enter")
    token = page.locator("code.token").inner_text()
    assert token.startswith("glossa_")
    assert page.get_by_role("status").is_visible()
    tab_to(page, "form[action$='/revoke'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/account")
    assert page.locator("form[action$='/revoke']").count() == 0
    # The refused sign-in was answered 401, which the browser reports; nothing else went wrong.
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accounts_pages_have_no_serious_accessibility_violations(browser, live_server, scheme):
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    pg = context.new_page()
    base = live_server["url"]

    def axe(path: str) -> None:
        bad = serious_violations(pg)
        assert bad == [], (path, bad)

    for path in ("/signin", "/signup"):
        pg.goto(base + path)
        axe(path)
    pg.fill("#signup-username", f"axe.{scheme}")
    pg.fill("#signup-password", "short")  # the browser's own check stops it; send it anyway
    pg.evaluate("document.querySelector('#signup-password').removeAttribute('minlength')")
    pg.click("form.stack-form button[type=submit]")
    assert "at least 10 characters" in pg.get_by_role("alert").inner_text()
    axe("/signup with an error")
    pg.fill("#signup-password", "a proper long password")
    pg.click("form.stack-form button[type=submit]")
    pg.wait_for_url(base + "/account")
    pg.fill("#token-name", "for axe")
    pg.click("form[action='/account/tokens'] button")
    axe("/account")
    screenshot(pg, f"{scheme}-account")
    context.close()
