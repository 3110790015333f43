"""The graph as a reader meets it: the page scrolls past it, Ctrl zooms it, its categories' colours
can be told apart (from each other and from the page, in both themes), and its labels never
cover one another."""

from __future__ import annotations

import itertools

import pytest

from tests.browser.conftest import screenshot, serve
from tests.conftest import write_content
from tests.support.colours import contrast, delta_e_2000

pytestmark = pytest.mark.browser
# Fifteen categories, every colour of the palette in use, four entries each linked in a ring and
# across categories, with long names that crowd each other.
CATEGORIES = [f"Field {chr(ord('A') + i)}" for i in range(15)]
GRAPH_CONTENT = {
    f"field-{c}/topic-{c}{n}.md": f"""\
    ---
    title: Topic {c}{n} with a long descriptive name
    category: {name}
    ---
    Linked to [[topic-{c}{(n + 1) % 4}]] and [[topic-{chr(ord("a") + (i + 1) % 15)}{n}]].
    """
    for i, name in enumerate(CATEGORIES)
    for c in [chr(ord("a") + i)]
    for n in range(4)
}
BACKGROUNDS = {"light": "#fdfdfb", "dark": "#15181c"}  # static/style.css --bg


@pytest.fixture(scope="module")
def graph_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("graph")
    content = write_content(root / "content", GRAPH_CONTENT)
    with serve(content, root / "data", watch=False) as (url, _app):
        yield url


def drawn_graph(pg, url: str, path: str = "/graph") -> None:
    pg.goto(url + path)
    pg.wait_for_selector("canvas[data-ready=true]")


ZOOM = "document.querySelector('canvas[data-graph]').glossaView.k"


def test_the_wheel_over_the_whole_graph_scrolls_the_page_and_ctrl_wheel_zooms(browser, graph_server):
    pg = browser.new_page(viewport={"width": 1000, "height": 600})
    drawn_graph(pg, graph_server)
    box = pg.locator("canvas[data-graph]").bounding_box()
    pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)
    before = pg.evaluate(ZOOM)
    pg.mouse.wheel(0, 200)
    pg.wait_for_function("() => window.scrollY > 0")
    assert pg.evaluate(ZOOM) == before  # the page scrolled, the graph kept its size
    scrolled = pg.evaluate("window.scrollY")
    pg.keyboard.down("Control")
    pg.mouse.wheel(0, -200)
    pg.keyboard.up("Control")
    pg.wait_for_function(f"k => {ZOOM} > k", arg=before)
    assert pg.evaluate("window.scrollY") == scrolled  # zoomed in place, the page stayed put
    assert pg.evaluate("window.visualViewport.scale") == 1  # and the browser did not zoom the page
    zoomed = pg.evaluate(ZOOM)
    pg.mouse.click(box["x"] + 5, box["y"] + 5)  # activated by a click: the wheel alone zooms
    pg.mouse.wheel(0, 200)
    pg.wait_for_function(f"k => {ZOOM} < k", arg=zoomed)
    pg.mouse.move(5, 5)  # the pointer leaves: the wheel scrolls the page again
    pg.close()


def test_the_colour_difference_helpers_agree_with_published_values():
    assert delta_e_2000("#ff0000", "#ff0000") == 0
    assert 2 < delta_e_2000("#875692", "#604E97") < 15  # Kelly's purple and violet: near alike
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0


def test_every_two_categories_have_colours_told_apart_and_every_colour_shows_on_both_themes(browser, graph_server):
    pg = browser.new_page()
    drawn_graph(pg, graph_server)
    colours = pg.evaluate("document.querySelector('canvas[data-graph]').glossaColours")
    assert sorted(colours) == CATEGORIES
    closest = min((delta_e_2000(colours[a], colours[b]), a, b) for a, b in itertools.combinations(CATEGORIES, 2))
    assert closest[0] >= 15, closest  # no two categories nearly the same colour
    for theme, background in BACKGROUNDS.items():
        faint = {c: round(contrast(colours[c], background), 2) for c in CATEGORIES}
        assert min(faint.values()) >= 3, (theme, faint)  # WCAG's 3:1 for graphics
    legend = pg.locator("ul[data-graph-legend] li")
    assert legend.count() == 15
    pg.close()


DRAWN_LABELS = """() => {
    const c = document.querySelector('canvas[data-graph]'), ctx = document.createElement('canvas').getContext('2d');
    return c.glossaLabels.map(l => {
        ctx.font = l.size + 'px system-ui, sans-serif';
        const m = ctx.measureText(l.title);
        return {slug: l.slug, left: l.x - m.actualBoundingBoxLeft, right: l.x + m.actualBoundingBoxRight,
                top: l.y - m.actualBoundingBoxAscent, bottom: l.y + m.actualBoundingBoxDescent};
    });
}"""


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["slug"], b["slug"])
        for a, b in itertools.combinations(labels, 2)
        if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]
    ]


@pytest.mark.parametrize("path", ["/graph", "/entries/topic-a0"])
def test_labels_never_cover_one_another(browser, graph_server, path):
    pg = browser.new_page(viewport={"width": 1000, "height": 700})
    drawn_graph(pg, graph_server, path)
    labels = pg.evaluate(DRAWN_LABELS)
    assert len(labels) >= 4 and overlapping(labels) == []
    canvas = pg.locator("canvas[data-graph]")
    canvas.focus()
    for _ in range(3):  # zoomed in, more names fit: still none on another
        canvas.press("+")
    more = pg.evaluate(DRAWN_LABELS)
    assert len(more) >= len(labels) and overlapping(more) == []
    screenshot(pg, "graph-labels" + path.replace("/", "-"))
    pg.close()
