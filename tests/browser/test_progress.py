"""Progress in a real browser: the page and its server-drawn charts through axe in both themes, on a
phone without sideways scrolling, and the graph coloured by what the learner knows."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, serious_violations

pytestmark = pytest.mark.browser


def study_inertia(pg, base: str) -> None:
    """A new guest answers Easy to the first four cards of inertia and its links: inertia's two
    cards and k-means' two come first, and all four are known at once."""
    pg.goto(base + "/study/session?scope=entry:inertia")
    pg.locator("form.study-this button").click()
    for _ in range(4):
        pg.locator("#show-answer").click()
        pg.locator(".rate-4").click()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_progress_page_and_its_charts_are_accessible_in_both_themes(browser, live_server, scheme):
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    pg = context.new_page()
    base = live_server["url"]
    pg.goto(base + "/progress")
    assert pg.locator("form.study-this button").inner_text() == "Start studying"
    assert serious_violations(pg) == []
    study_inertia(pg, base)
    pg.goto(base + "/progress")
    known = pg.locator(".progress-totals div", has_text="Known").locator("dd").inner_text()
    assert known.startswith("4 ") and "of 12 cards" in known
    heatmap, forecast = pg.locator("svg.chart-heatmap"), pg.locator("svg.chart-forecast")
    assert heatmap.get_attribute("role") == "img" and heatmap.locator("rect.heat-4").count() == 2  # today, legend
    assert forecast.bounding_box()["height"] > 50 and forecast.locator("rect.forecast-bar").count() == 30
    # The squares take the theme's colours: an empty day stands apart from the page and from a busy one.
    fills = pg.evaluate("""() => ['heat-0', 'heat-4'].map(c =>
        getComputedStyle(document.querySelector('svg.chart-heatmap rect.' + c)).fill)""")
    background = pg.evaluate("getComputedStyle(document.body).backgroundColor")
    assert len({*fills, background}) == 3
    pg.locator("details", has_text="Reviews per day as a table").locator("summary").click()
    pg.locator("details", has_text="Cards due per day as a table").locator("summary").click()
    assert pg.locator("table").first.is_visible()
    screenshot(pg, f"{scheme}-progress")
    assert serious_violations(pg) == []
    context.close()


def test_on_a_phone_the_progress_page_does_not_scroll_sideways(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    study_inertia(pg, live_server["url"])
    pg.goto(live_server["url"] + "/progress")
    pg.locator("details summary").first.tap()
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert not pg.locator("svg.chart-heatmap").is_visible()  # a year would shrink to unreadable labels
    for chart in ("svg.chart-heatmap-recent", "svg.chart-forecast"):
        box = pg.locator(chart).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] > 30, chart
    # The calendar's labels (weekdays, months) stay readable: at least 9 px tall on screen.
    for chart in ("svg.chart-heatmap-recent", "svg.chart-forecast"):
        label = pg.locator(f"{chart} text.chart-label").first.bounding_box()
        assert label["height"] >= 9, chart
    assert pg.locator("svg.chart-heatmap-recent rect.heat-4").count() == 2  # today's reviews, and the legend
    assert pg.get_by_text("the table below has the whole year").is_visible()
    screenshot(pg, "phone-progress")
    context.close()


def test_sorting_categories_by_mastery_with_a_link(page, live_server):
    study_inertia(page, live_server["url"])
    page.goto(live_server["url"] + "/progress")
    page.get_by_role("link", name="most known").click()
    page.wait_for_url("**/progress?sort=mastery")
    first = page.locator(".mastery-list li").first
    assert first.locator("a").inner_text() == "Study Clustering" and "4 of 6 known" in first.inner_text()
    first.locator("a").click()
    page.wait_for_url("**/study/session?scope=category*")
    assert page.locator("#card-front").count() == 1


PIXEL = """(slug) => {
    const c = document.querySelector('canvas[data-graph]');
    const n = c.glossaNodes.find(n => n.slug === slug), v = c.glossaView, dpr = window.devicePixelRatio || 1;
    const [r, g, b] = c.getContext('2d').getImageData((v.x + n.x * v.k) * dpr, (v.y + n.y * v.k) * dpr, 1, 1).data;
    return `rgb(${r}, ${g}, ${b})`;
}"""
COLOUR = """(name) => {
    const probe = document.createElement('span');
    probe.style.color = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    document.body.appendChild(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_graph_colours_nodes_by_what_the_learner_knows(browser, live_server, scheme):
    context = browser.new_context(color_scheme=scheme)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(live_server["url"] + "/graph")
    pg.wait_for_selector("canvas[data-ready=true]")
    assert pg.locator("#mastery-toggle").is_disabled() and pg.locator("#mastery-hint").is_visible()
    study_inertia(pg, live_server["url"])
    pg.goto(live_server["url"] + "/graph")
    pg.wait_for_selector("canvas[data-ready=true]")
    by_category = pg.evaluate(PIXEL, "inertia")
    assert pg.locator("[data-mastery-legend]").is_hidden()
    pg.locator("#mastery-toggle").check()
    pg.wait_for_selector("canvas[data-colouring=mastery]")
    known, new = pg.evaluate(COLOUR, "--tip"), pg.evaluate(COLOUR, "--muted")
    assert pg.evaluate(PIXEL, "inertia") == pg.evaluate(PIXEL, "k-means") == known != by_category
    assert pg.evaluate(PIXEL, "backpropagation") == new
    assert pg.locator("[data-mastery-legend]").is_visible() and pg.locator("ul[data-graph-legend]").is_hidden()
    screenshot(pg, f"{scheme}-graph-mastery")
    pg.locator("#mastery-toggle").uncheck()
    pg.wait_for_selector("canvas[data-colouring=category]")
    assert pg.evaluate(PIXEL, "inertia") == by_category
    assert errors == []
    context.close()
