"""Readable text: what a reader sees of an entry, with no LaTeX, code or tables as prose."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.content.pipeline.readable import math_text, readable_text
from app.content.pipeline.render import make_markdown


@pytest.mark.parametrize(
    ("latex", "shown"),
    [
        (r"\varepsilon", "ε"),
        (r"\frac{1}{n}", "1/n"),
        (r"30/38 \approx 0.79", "30/38 ≈ 0.79"),
        (r"\sigma(z) = \frac{1}{1+e^{-z}}", "σ(z) = 1/(1+e^(-z))"),
        (r"\sum_{i=1}^{n} (y_i - \hat{y}_i)^2", "Σᵢ₌₁ⁿ (yᵢ - y\u0302ᵢ)²"),  # y and a combining hat
        (r"\text{LR} \times 0.1", "LR × 0.1"),
        (r"\lVert w \rVert_2^2", "‖ w ‖₂²"),
        (r"\bar{x} \pm 1.96\,\frac{s}{\sqrt{n}}", "x̄ ± 1.96 s/√n"),
        (r"\mathbb{R}^n", "ℝⁿ"),
        (r"W^\top x", "Wᵀ x"),
    ],
)
def test_math_reads_as_it_is_said(latex, shown):
    assert math_text(latex) == shown


@pytest.mark.parametrize(
    "latex",
    [r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", r"\underbrace{x}_{y}", r"\frac{1}{2", "a}", r"\unknown x"],
)
def test_math_without_a_one_line_form_is_left_out(latex):
    assert math_text(latex) is None


def test_prose_leaves_out_code_tables_headings_and_unreadable_math():
    source = """\
Precision is $TP/(TP+FP)$, roughly $30/38 \\approx 0.79$, with privacy $\\varepsilon$.

## A heading

| metric | value |
|---|---|
| precision | 0.79 |

```python
from sklearn.metrics import precision_score
```

$$
\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}
$$

- a list item
- see [[Recall|recall]]
"""
    env = {"resolver": SimpleNamespace(resolve=lambda target: "recall"), "links": [], "card_blocks": []}
    prose = readable_text(make_markdown().parse(source, env))
    assert prose.split("\n") == [
        "Precision is TP/(TP+FP), roughly 30/38 ≈ 0.79, with privacy ε.",
        "a list item.",
        "see recall.",
    ]
