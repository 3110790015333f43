"""Math and code read as part of the text: inline code about the size of the words around it,
display math larger than them, one face for a formula's letters and its operators; and a
formula wider than a phone can be scrolled by keyboard, however the screen changed."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, serious_violations, serve
from tests.conftest import SAMPLE, write_content

pytestmark = pytest.mark.browser
FORMULAS = """\
    ---
    title: Formulas
    summary: Inline code, inline math and a display formula far wider than a phone.
    ---
    The call `fit_transform(X)` scales, and the loss $L = \\sum_i (y_i - \\hat{y}_i)^2 + \\lambda$ follows.

    $$\\operatorname{MSE} = \\frac{1}{n}\\sum_{i=1}^{n} \\left(y_i - \\hat{y}_i\\right)^2
    + \\lambda_1 \\sum_{j=1}^{p} |w_j| + \\lambda_2 \\sum_{j=1}^{p} w_j^2 + \\alpha \\beta \\gamma \\delta
    + \\varepsilon_{\\text{a very long tail of terms}}$$

    A closing paragraph.
    """
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def formula_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("formulas")
    content = write_content(root / "content", {**SAMPLE, "misc/formulas.md": FORMULAS})
    with serve(content, root / "data", watch=False) as (url, _app):
        yield url


SIZES = """() => {
    const px = el => parseFloat(getComputedStyle(el).fontSize);
    const p = document.querySelector('.body p');
    const face = el => getComputedStyle(el).fontFamily;
    return {body: px(p), code: px(p.querySelector('code')), inline: px(p.querySelector('math')),
            display: px(document.querySelector('.math.block math')),
            faces: [...document.querySelectorAll('.body math mi, .body math mo, .body math mn')].map(face)};
}"""


def test_code_is_about_body_size_display_math_larger_and_math_in_one_face(browser, formula_server):
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.goto(formula_server + "/entries/formulas")
    sizes = pg.evaluate(SIZES)
    assert sizes["code"] >= 0.9 * sizes["body"], sizes  # inline code is not a step down from the text
    assert sizes["inline"] >= sizes["body"], sizes
    assert sizes["display"] > sizes["body"] * 1.1, sizes  # display math stands out from the text
    faces = set(sizes["faces"])  # of letters, numbers and operators alike
    assert len(sizes["faces"]) > 10 and len(faces) == 1, faces
    operators = pg.evaluate("[...document.querySelectorAll('.math.block mo')].map(o => o.textContent)")
    assert "+" in operators and "=" in operators  # operators were among the faces compared
    pg.close()


def formula_state(pg) -> dict:
    return pg.locator(".math.block").evaluate(
        """box => ({tabindex: box.getAttribute('tabindex'), role: box.getAttribute('role'),
                   label: box.getAttribute('aria-label'), overflows: box.scrollWidth > box.clientWidth + 1})"""
    )


def test_a_wide_formula_on_a_phone_is_reached_and_scrolled_by_keyboard(browser, formula_server):
    context = browser.new_context(bypass_csp=True, **PHONE)
    pg = context.new_page()
    pg.goto(formula_server + "/entries/formulas")
    state = formula_state(pg)
    assert state["overflows"] and state["tabindex"] == "0" and state["role"] and state["label"], state
    assert pg.get_by_role("group", name=state["label"]).count() == 1
    assert serious_violations(pg) == []  # scrollable-region-focusable among them
    box = pg.locator(".math.block")
    for _ in range(40):  # Tab reaches it
        pg.keyboard.press("Tab")
        if box.evaluate("b => document.activeElement === b"):
            break
    else:
        pytest.fail("Tab never reached the wide formula")
    pg.keyboard.press("ArrowRight")
    pg.wait_for_function("() => document.querySelector('.math.block').scrollLeft > 0")
    screenshot(pg, "phone-wide-formula")
    context.close()


def test_a_formula_that_overflows_only_after_the_screen_turns_becomes_reachable(browser, formula_server):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(formula_server + "/entries/formulas")
    assert formula_state(pg) == {"tabindex": None, "role": None, "label": None, "overflows": False}  # no idle tab stop
    pg.set_viewport_size({"width": 360, "height": 740})  # a narrow window, a phone turned upright
    pg.wait_for_function("() => document.querySelector('.math.block').getAttribute('tabindex') === '0'")
    assert formula_state(pg)["overflows"] and formula_state(pg)["label"]
    assert serious_violations(pg) == []
    pg.set_viewport_size({"width": 1280, "height": 900})  # back to wide: nothing to scroll, no tab stop
    pg.wait_for_function("() => !document.querySelector('.math.block').hasAttribute('tabindex')")
    context.close()
