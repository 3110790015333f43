"""What a reader does in the browser: suggestions, previews, theme, graph, accessibility."""

from pathlib import Path

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser
AXE = Path(__file__).with_name("vendor") / "axe.min.js"


def test_typo_suggestion_picked_by_keyboard(page, live_server):
    page.goto(live_server["url"] + "/")
    page.focus("#site-search")
    page.keyboard.type("backprpo")  # a typo in the middle of a word
    option = page.locator("#suggest-0 [role=option]").first
    option.wait_for()
    assert "Backpropagation" in option.inner_text()
    page.keyboard.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url("**/entries/backpropagation")
    assert page.locator("h1").inner_text() == "Backpropagation"


def test_escape_closes_suggestions(page, live_server):
    page.goto(live_server["url"] + "/entries/inertia")
    page.focus("#site-search")
    page.keyboard.type("rec")
    page.locator("#suggest-0 [role=option]").first.wait_for()
    page.keyboard.press("Escape")
    assert page.locator("#suggest-0").is_hidden()


def test_hover_preview_shows_target_summary(page, live_server):
    page.goto(live_server["url"] + "/entries/inertia")
    page.locator("a.wikilink", has_text="k-means").first.hover()
    card = page.locator("#preview-card")
    card.wait_for(state="visible")
    assert "K-means clustering" in card.inner_text()
    assert "Splits points into k groups" in card.inner_text()
    screenshot(page, "preview")
    page.mouse.move(0, 0)
    card.wait_for(state="hidden")


def test_preview_works_by_keyboard(page, live_server):
    page.goto(live_server["url"] + "/entries/inertia")
    page.locator("a.wikilink", has_text="k-means").first.focus()
    page.locator("#preview-card").wait_for(state="visible")


def test_no_previews_on_touch_screens(browser, live_server):
    context = browser.new_context(has_touch=True, is_mobile=True, viewport={"width": 390, "height": 800})
    pg = context.new_page()
    pg.goto(live_server["url"] + "/entries/inertia")
    pg.locator("a.wikilink", has_text="k-means").first.tap()
    pg.wait_for_url("**/entries/k-means")  # a tap follows the link, no card in the way
    assert pg.locator("#preview-card").count() == 0
    context.close()


def test_theme_toggle_is_remembered(page, live_server):
    page.emulate_media(color_scheme="light")
    page.goto(live_server["url"] + "/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.click("#theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    dark_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_background != background
    page.reload()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == dark_background
    screenshot(page, "home-dark")


def test_graph_draws_and_a_node_click_opens_the_entry(page, live_server):
    page.goto(live_server["url"] + "/graph")
    page.wait_for_selector("canvas[data-ready=true]")
    screenshot(page, "graph")
    point = page.evaluate("""() => {
        const c = document.querySelector('canvas[data-graph]');
        const n = c.glossaNodes.find(n => n.slug === 'inertia');
        const box = c.getBoundingClientRect(), v = c.glossaView;
        return {x: box.left + v.x + n.x * v.k, y: box.top + v.y + n.y * v.k};
    }""")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url("**/entries/inertia")


def test_local_graph_on_entry_page(page, live_server):
    page.goto(live_server["url"] + "/entries/k-means")
    page.wait_for_selector("canvas[data-ready=true]")
    slugs = page.evaluate("document.querySelector('canvas[data-graph]').glossaNodes.map(n => n.slug).sort()")
    assert slugs == ["feature-scaling", "hierarchical-clustering", "inertia", "k-means"]


def test_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(live_server["url"] + "/")
    pg.fill("#home-search", "rnn")
    pg.press("#home-search", "Enter")
    pg.wait_for_url("**/search?q=rnn")
    pg.click("ol.results a")
    assert pg.locator("h1").inner_text() == "Recurrent neural network"
    context.close()


def test_phone_layout_has_no_horizontal_scroll(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    pg = context.new_page()
    for path in ("/", "/entries/k-means", "/search?q=clustering", "/az"):
        pg.goto(live_server["url"] + path)
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    screenshot(pg, "phone-entry")
    context.close()


@pytest.mark.parametrize(
    "path", ["/", "/entries/k-means", "/categories/clustering", "/search?q=clustering", "/graph", "/az"]
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(browser, live_server, path, scheme):
    # axe is injected as a script, which our CSP forbids, so this context bypasses CSP.
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    pg = context.new_page()
    errors = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(live_server["url"] + path)
    pg.wait_for_load_state("networkidle")
    screenshot(pg, f"{scheme}-{path.strip('/').replace('/', '-').replace('?', '-').replace('=', '-') or 'home'}")
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad
    assert errors == []
    context.close()
