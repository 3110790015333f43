"""Reading pages that hold everything an entry can: code with comments, math, a table with
labelled links, a callout and long inline code; in both themes, on a phone, by keyboard."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, serious_violations, serve
from tests.conftest import SAMPLE, write_content

pytestmark = pytest.mark.browser
SHOWCASE = """\
    ---
    title: Showcase
    summary: An entry with every kind of block a reader meets.
    ---
    The loss is $L = \\frac{1}{n}\\sum_i (y_i - \\hat{y}_i)^2$, and in display:

    $$\\operatorname{MSE} = \\frac{1}{n}\\sum_{i=1}^{n} \\left(y_i - \\hat{y}_i\\right)^2
    + \\lambda \\sum_{j=1}^{p} w_j^2 + \\varepsilon_{\\text{very long tail of terms}}$$

    ## Code

    ```python
    # Scale first: k-means measures distances.
    from sklearn.preprocessing import StandardScaler
    scaled = StandardScaler().fit_transform(X)  # zero mean, unit variance
    ```

    A long call: `azureml://subscriptions/0000/resourcegroups/rg/workspaces/ws/datastores/workspaceblobstore/paths/data/train.csv`.

    ## Table

    | method | related |
    |---|---|
    | [[k-means|K-means]] | [[inertia|its inertia]] |

    ## Callout

    > [!warning] Mind the scale
    > Unscaled features dominate distances.
    """


@pytest.fixture(scope="module")
def reading_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("reading")
    content = write_content(root / "content", {**SAMPLE, "misc/showcase.md": SHOWCASE})
    with serve(content, root / "data", watch=False) as (url, _app):
        yield url


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_entry_with_code_math_tables_and_callouts_has_no_serious_violations(browser, reading_server, scheme):
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    pg = context.new_page()
    pg.goto(reading_server + "/entries/showcase")
    assert pg.locator("table a.wikilink").all_inner_texts() == ["K-means", "its inertia"]
    bad = serious_violations(pg)
    assert bad == [], bad
    screenshot(pg, f"{scheme}-showcase")
    context.close()


def test_headings_are_named_by_their_text(browser, reading_server):
    pg = browser.new_page()
    pg.goto(reading_server + "/entries/showcase")
    assert pg.get_by_role("heading", name="Code", exact=True).count() == 1
    assert pg.get_by_role("heading", name="Table", exact=True).count() == 1
    pg.close()


def test_on_a_phone_nothing_is_wider_than_the_screen(browser, reading_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    for path in ("/entries/showcase", "/search?q=azureml+subscriptions", "/search?q=clustering"):
        pg.goto(reading_server + path)
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    pg.goto(reading_server + "/search?q=clustering")
    results, facets = pg.locator("ol.results").bounding_box(), pg.locator(".facets").bounding_box()
    assert results["y"] < facets["y"]  # results first, filters after
    screenshot(pg, "phone-showcase-search")
    context.close()


def test_on_a_phone_the_header_is_compact_and_its_menu_opens_on_demand(browser, reading_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(reading_server + "/entries/showcase")
    assert pg.locator(".site-header").bounding_box()["height"] <= 740 * 0.2
    study = pg.locator(".site-menu nav a", has_text="Study")
    assert not study.is_visible()
    pg.locator("#menu-toggle").tap()
    assert study.is_visible() and pg.locator("#menu-toggle").get_attribute("aria-expanded") == "true"
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    pg.goto(reading_server + "/search?q=clustering")
    assert pg.locator("ol.results").bounding_box()["y"] < 740  # the first result is above the fold
    context.close()
    no_script = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    pg = no_script.new_page()
    pg.goto(reading_server + "/entries/showcase")
    assert pg.locator(".site-menu nav a", has_text="Study").is_visible()  # nothing to open it with: shown
    no_script.close()


def test_every_entry_has_one_layout_and_its_contents_come_first(browser, reading_server):
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    boxes = {}
    for slug in ("showcase", "inertia"):  # three headings, none
        pg.goto(reading_server + f"/entries/{slug}")
        box = pg.locator("article.entry").bounding_box()
        boxes[slug] = (round(box["x"]), round(box["width"]))
    assert boxes["showcase"] == boxes["inertia"]
    pg.goto(reading_server + "/entries/showcase")
    assert pg.locator(".toc details").evaluate("d => d.open")
    order = pg.evaluate(
        "[...document.querySelectorAll('.toc a, article a')].map(a => a.closest('.toc') ? 'toc' : 'article')"
    )
    assert order[0] == "toc"  # the contents before the article in tab order
    pg.close()
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    pg = phone.new_page()
    pg.goto(reading_server + "/entries/showcase")
    toc, article = pg.locator(".toc").bounding_box(), pg.locator("article.entry").bounding_box()
    assert toc["y"] < article["y"] and not pg.locator(".toc details").evaluate("d => d.open")
    pg.locator(".toc summary").tap()
    assert pg.locator(".toc a", has_text="Table").is_visible()
    phone.close()
