"""Study paths in a real browser: follow a path step by step with the keyboard and without
JavaScript, study it, and every path page through axe in both themes and on a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, serious_violations

pytestmark = pytest.mark.browser


def test_a_path_followed_step_by_step_without_javascript_marks_steps_read(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    base = live_server["url"]
    pg.goto(base + "/paths")
    pg.get_by_role("link", name="Clustering from scratch").click()
    pg.get_by_role("button", name="Study this path").click()  # makes this browser a guest
    assert pg.locator("#card-front").count() == 1
    pg.goto(base + "/paths/clustering")
    pg.get_by_role("link", name="Start: step 1, Feature scaling").click()
    assert "Step 1 of 3 in" in pg.locator(".path-place").inner_text()
    pg.get_by_role("link", name="Step 2: K-means clustering →").click()
    assert pg.locator("h1").inner_text() == "K-means clustering"
    assert "Step 2 of 3" in pg.locator(".path-place").inner_text()
    pg.goto(base + "/paths/clustering")
    read = pg.locator(".path-steps li:has(.mark-read) a").all_inner_texts()
    assert read == ["Feature scaling", "K-means clustering"]
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_path_pages_have_no_serious_accessibility_violations(browser, live_server, scheme):
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    pg = context.new_page()
    base = live_server["url"]
    for path in ("/paths", "/paths/clustering", "/entries/k-means?path=clustering"):
        pg.goto(base + path)
        bad = serious_violations(pg)
        assert bad == [], (path, bad)
    screenshot(pg, f"{scheme}-path-step")
    context.close()


def test_path_pages_on_a_phone_do_not_scroll_sideways(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    for path in ("/paths", "/paths/clustering", "/entries/k-means?path=clustering"):
        pg.goto(live_server["url"] + path)
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    screenshot(pg, "phone-path")
    context.close()
