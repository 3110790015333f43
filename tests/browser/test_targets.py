"""Targets a finger or an unsteady hand can hit (at least 24×24 CSS px at every width, WCAG 2.5.8)
and search landmarks a screen reader can tell apart."""

from __future__ import annotations

import pytest

from tests.browser.conftest import AXE, serve
from tests.conftest import SAMPLE, write_content

pytestmark = pytest.mark.browser
# Enough entries that share a word for the search to have a second page.
TERMS = {
    f"misc/term-{n:02}.md": f"""\
    ---
    title: Term {n:02}
    tags: [ai, ml]
    ---
    A widget term, number {n}, linked to [[k-means]].
    """
    for n in range(1, 25)
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
TARGETS = (
    ".site-menu nav a, .learner-nav a, .learner-nav button, .site-header button, .breadcrumb a, .meta a, "
    ".toc summary, .toc a, .prev-next a, .facets a, .pagination a, .letter-bar a"
)
PAGES = {
    "/entries/k-means": [".meta a.tag", ".meta a.category", ".toc a", ".prev-next a", ".site-menu nav a"],
    "/categories/misc": [".breadcrumb a", ".site-menu nav a"],
    "/search?q=widget": [".facets a", ".pagination a", ".site-menu nav a"],
}
SMALL = """(selector) => [...document.querySelectorAll(selector)]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .map(el => { const r = el.getBoundingClientRect();
                 return {text: el.textContent.trim().slice(0, 30), w: Math.round(r.width * 10) / 10,
                         h: Math.round(r.height * 10) / 10}; })
    .filter(b => b.w < 24 || b.h < 24)"""


@pytest.fixture(scope="module")
def many_entries(tmp_path_factory):
    root = tmp_path_factory.mktemp("targets")
    content = write_content(root / "content", {**SAMPLE, **TERMS})
    with serve(content, root / "data", watch=False) as (url, _app):
        yield url


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("path", list(PAGES))
def test_tags_links_facets_and_pages_are_at_least_24_px_square(browser, many_entries, path, device):
    context = browser.new_context(bypass_csp=True, **(PHONE if device == "phone" else DESKTOP))
    pg = context.new_page()
    pg.goto(many_entries + path)
    if device == "phone":
        pg.locator("#menu-toggle").tap()  # the header's links are behind the menu
        if pg.locator(".toc details").count():
            pg.locator(".toc summary").tap()
    for selector in PAGES[path]:  # each kind the audit named is on the page, and shown
        assert pg.locator(selector).first.is_visible(), selector
    assert pg.evaluate(SMALL, TARGETS) == []
    # axe's own measure (size or spacing) for every target, not only the ones named above
    pg.add_script_tag(path=str(AXE))
    found = pg.evaluate("axe.run(document, {runOnly: ['target-size']}).then(r => r.violations)")
    assert [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in found] == []
    context.close()


LANDMARK_NAMES = """() => [...document.querySelectorAll('search, [role=search]')].map(el => {
    const by = el.getAttribute('aria-labelledby');
    return by ? by.split(/\\s+/).map(id => document.getElementById(id)?.textContent.trim() ?? '').join(' ')
              : (el.getAttribute('aria-label') || '').trim();
})"""


@pytest.mark.parametrize("path", ["/", "/search?q=widget", "/entries/k-means", "/no/such/page", "/entries/k-meens"])
def test_every_search_landmark_has_its_own_name(browser, many_entries, path):
    pg = browser.new_page()
    pg.goto(many_entries + path)
    names = pg.evaluate(LANDMARK_NAMES)
    assert names and all(names), names  # every one named
    assert len(set(names)) == len(names), names  # no two alike
    for name in names:  # and the browser's accessibility tree agrees, one landmark per name
        assert pg.get_by_role("search", name=name, exact=True).count() == 1, name
    assert pg.get_by_role("search").count() == len(names)
    pg.close()
