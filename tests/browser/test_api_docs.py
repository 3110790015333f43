"""Swagger UI at /docs/try: inside the site (its header, a way back), in the site's light and dark
themes, with no serious accessibility findings even with operations opened and a request sent."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, serious_violations

pytestmark = pytest.mark.browser
BACKGROUNDS = {"light": "rgb(253, 253, 251)", "dark": "rgb(21, 24, 28)"}  # style.css --bg


def opened(pg) -> None:
    """Operations opened, one tried out and sent: the response panels drawn too."""
    pg.wait_for_selector(".opblock-summary-control")
    for summary in pg.locator(".opblock-summary-control").all()[:4]:
        summary.click()
    pg.locator("button.try-out__btn").first.click()
    pg.locator("button.execute").first.click()
    pg.wait_for_selector(".responses-wrapper .live-responses-table")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_trying_the_api_follows_the_theme_with_no_serious_violations(browser, live_server, scheme):
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(live_server["url"] + "/docs/try")
    opened(pg)
    assert pg.evaluate("getComputedStyle(document.body).backgroundColor") == BACKGROUNDS[scheme]
    panel = pg.locator(".opblock-body").first.evaluate("el => getComputedStyle(el).color")
    assert panel == pg.evaluate("getComputedStyle(document.body).color")  # its text in the site's colour
    assert pg.locator(".opblock-summary-control a[href]").count() == 0  # no link inside a button
    assert pg.get_by_role("link", name="API reference").is_visible()  # the way back, and the site header
    assert pg.locator(".site-header a.brand").is_visible()
    screenshot(pg, f"{scheme}-docs-try")
    bad = serious_violations(pg)
    assert bad == [], bad
    assert errors == []
    context.close()


def test_the_theme_button_recolours_swagger_ui(browser, live_server):
    context = browser.new_context(color_scheme="light")
    pg = context.new_page()
    pg.goto(live_server["url"] + "/docs/try")
    pg.wait_for_selector(".opblock-summary-description")
    colour = "getComputedStyle(document.querySelector('.opblock-summary-description')).color"
    light = pg.evaluate(colour)
    pg.locator("#theme-toggle").click()
    assert pg.evaluate("getComputedStyle(document.body).backgroundColor") == BACKGROUNDS["dark"]
    assert pg.evaluate(colour) != light
    context.close()
