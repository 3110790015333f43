import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_search_then_follow_wikilink_and_see_backlink(page, live_server):
    page.goto(live_server["url"] + "/")
    screenshot(page, "home")
    assert page.locator("h1").inner_text() == "Glossa"
    page.fill("#home-search", "kmeans")
    page.press("#home-search", "Enter")
    page.wait_for_url("**/search?q=kmeans")
    screenshot(page, "search")
    first = page.locator("ol.results li a").first
    assert first.inner_text() == "K-means clustering"
    first.click()
    page.wait_for_url("**/entries/k-means")
    page.locator("a.wikilink", has_text="Inertia").click()
    page.wait_for_url("**/entries/inertia")
    screenshot(page, "entry")
    assert page.locator(".connections").get_by_role("link", name="K-means clustering").count() >= 1
    assert page.console_errors == []


def test_math_renders_as_mathml(page, live_server):
    page.goto(live_server["url"] + "/entries/k-means")
    box = page.locator("math").first.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0


def test_slash_focuses_the_search_box(page, live_server):
    page.goto(live_server["url"] + "/entries/inertia")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search"


def test_edit_shows_up_without_restart(page, live_server):
    path = live_server["content"] / "clustering/hierarchical-clustering.md"
    path.write_text(path.read_text().replace("Builds a tree", "Builds a dendrogram tree"))
    reader = live_server["app"].state.site.reader
    assert live_server["app"].state.site.builder.wait_until(
        lambda: "dendrogram" in reader.get_entry("hierarchical-clustering").html, timeout=10
    )
    page.goto(live_server["url"] + "/entries/hierarchical-clustering")
    assert "dendrogram" in page.content()
