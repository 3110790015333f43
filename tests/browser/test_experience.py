"""What a reader does in the browser: suggestions, previews, theme, graph, accessibility."""

import pytest

from tests.browser.conftest import screenshot, serious_violations

pytestmark = pytest.mark.browser


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
    assert page.input_value("#site-search") == "rec"  # the text stays: Enter searches for it
    page.keyboard.press("Escape")
    assert page.input_value("#site-search") == "rec"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=rec" in page.url


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


def test_a_preview_near_the_bottom_of_the_window_opens_above_its_link(page, live_server):
    page.set_viewport_size({"width": 1000, "height": 420})
    page.goto(live_server["url"] + "/entries/k-means")
    link = page.locator(".body a.wikilink", has_text="Feature scaling")
    link.evaluate("a => a.scrollIntoView({block: 'end'})")
    link.hover()
    card = page.locator("#preview-card")
    card.wait_for(state="visible")
    box, shown = link.bounding_box(), card.bounding_box()
    assert shown["y"] + shown["height"] <= box["y"] and shown["y"] >= 0
    assert "Feature scaling" in card.inner_text()


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
    toggle = page.locator("#theme-toggle")
    assert (toggle.inner_text(), toggle.get_attribute("aria-pressed")) == ("Dark theme", "false")
    page.click("#theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    # The name stays and the pressed state says whether it is on.
    assert (toggle.inner_text(), toggle.get_attribute("aria-pressed")) == ("Dark theme", "true")
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
        c.scrollIntoView({block: 'center'});
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


def test_scrolling_over_a_graph_scrolls_the_page_until_the_graph_is_clicked(page, live_server):
    page.set_viewport_size({"width": 1000, "height": 600})
    page.goto(live_server["url"] + "/entries/k-means")
    canvas = page.locator("canvas[data-graph]")
    page.wait_for_selector("canvas[data-ready=true]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    zoom = "document.querySelector('canvas[data-graph]').glossaView.k"
    before, scrolled = page.evaluate(zoom), page.evaluate("window.scrollY")
    page.mouse.move(box["x"] + 5, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 300)
    page.wait_for_function("y => window.scrollY > y", arg=scrolled)
    assert page.evaluate(zoom) == before  # the page scrolled, the graph did not zoom
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + 5, box["y"] + 5)  # an empty corner: activates, opens nothing
    page.mouse.wheel(0, -300)
    page.wait_for_function("k => document.querySelector('canvas[data-graph]').glossaView.k > k", arg=before)


def test_graph_layout_and_colours_are_the_same_on_every_visit_and_page(page, live_server):
    def seen(path: str):
        page.goto(live_server["url"] + path)
        page.wait_for_selector("canvas[data-ready=true]")
        return page.evaluate("""() => {
            const c = document.querySelector('canvas[data-graph]');
            return {at: c.glossaNodes.map(n => [n.slug, Math.round(n.x), Math.round(n.y)]).sort(),
                    colours: c.glossaColours};
        }""")

    first, again, local = seen("/graph"), seen("/graph"), seen("/entries/k-means")
    assert first["at"] == again["at"]
    assert local["colours"]["Clustering"] == first["colours"]["Clustering"]
    assert len(set(first["colours"].values())) == len(first["colours"])  # one colour per category
    legend = page.locator(".local-graph [data-graph-legend] li").all_inner_texts()
    assert [t.strip() for t in legend] == ["Clustering", "Data"]  # what the neighbourhood shows


def test_an_entry_is_found_and_ringed_on_the_graph_by_name(page, live_server):
    page.goto(live_server["url"] + "/graph")
    page.wait_for_selector("canvas[data-ready=true]")
    page.fill("#graph-find", "inert")
    assert page.locator("canvas[data-graph]").get_attribute("data-found") == "inertia"
    assert page.locator("#graph-find-status").inner_text() == "1 entry found"
    with page.expect_navigation():
        page.press("#graph-find", "Enter")
    assert page.url.endswith("/entries/inertia")


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
    "path", ["/", "/entries/k-means", "/categories/clustering", "/search?q=clustering", "/graph", "/az", "/docs"]
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
    bad = serious_violations(pg)
    assert bad == [], bad
    assert errors == []
    context.close()
