"""Every colour text is drawn in reads at 4.5:1 or better on its background, in both themes
(WCAG AA): code comments once read at 4.4:1, which axe reports as serious."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.colours import contrast

STATIC = Path(__file__).resolve().parents[2] / "static"
CODE_BACKGROUND = {"light": "#f3f4f6", "dark": "#272822"}


def code_colours() -> list[tuple[str, str, str]]:
    found = []
    for line in (STATIC / "pygments.css").read_text().splitlines():
        m = re.match(r"(.*?)pre \.(\w+) \{ color: (#[0-9A-Fa-f]{3,6})", line)
        if m and m.group(2) not in ("w", "err"):  # whitespace draws nothing; errors have their own background
            theme = "dark" if "dark" in m.group(1) or 'light"])' in m.group(1) else "light"
            found.append((theme, m.group(2), m.group(3)))
    return found


def test_every_kind_of_code_token_is_readable_in_both_themes():
    colours = code_colours()
    assert {theme for theme, _, _ in colours} == {"light", "dark"} and len(colours) > 100
    weak = [(t, token, c, round(contrast(c, CODE_BACKGROUND[t]), 2)) for t, token, c in colours]
    assert [w for w in weak if w[3] < 4.5] == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_themes_text_colours_read_on_their_backgrounds(theme):
    css = (STATIC / "style.css").read_text()
    block = css.split(':root[data-theme="dark"] {')[1] if theme == "dark" else css.split(":root {")[1]
    var = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", block.split("}")[0]))
    for text in ("fg", "muted", "accent"):
        for background in ("bg", "code-bg", "accent-bg"):
            assert contrast(var[text], var[background]) >= 4.5, (theme, text, background)
