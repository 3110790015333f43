"""Snippets a reader can read: no raw LaTeX, code or table cells run together as prose, and
the definition when an entry was found by its name."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.search.snippets import LEAD_IN, WINDOW, _cut, _ordered, _passage, _units, excerpt, for_entry, marked


def snippet_of(index, query: str, slug: str) -> str:
    return next(h.snippet for h in index.search(query).hits if h.slug == slug)


def plain(snippet: str) -> str:
    return re.sub(r"</?mark>", "", snippet)


def test_math_in_snippets_reads_as_math_not_latex(written):
    shown = plain(snippet_of(written, "spam filter flags", "precision"))
    assert "30/38 ≈ 0.79" in shown
    assert "\\" not in shown and "approx" not in shown
    shown = plain(snippet_of(written, "privacy noise", "precision"))
    assert "scale ε the counts blur" in shown and "varepsilon" not in shown


def test_code_tables_and_matrices_are_not_run_into_prose(written):
    for query in ("precision", "spam filter flags", "privacy noise", "classifier flags"):
        shown = plain(snippet_of(written, query, "precision"))
        assert "sklearn" not in shown and "precision_score" not in shown, (query, shown)
        assert "predicted actual" not in shown and "spam spam yes" not in shown, (query, shown)
        assert "pmatrix" not in shown and "TN" not in shown, (query, shown)


def test_an_entry_found_by_its_name_shows_its_summary(written):
    assert snippet_of(written, "precision", "precision") == (
        "Of the cases predicted positive, the share that really are."
    )
    # A name within a longer name counts too: the definition says what that entry is.
    assert snippet_of(written, "gradient descent", "stochastic-gradient-descent") == (
        "<mark>Gradient</mark> <mark>descent</mark> on one random sample at a time."
    )
    assert snippet_of(written, "GD", "gradient-descent").startswith("Lowers a model")
    # A respelt name is still the name.
    assert snippet_of(written, "precison", "precision").startswith("Of the cases predicted")


def test_an_entry_found_by_its_text_shows_the_passage_that_matched(written):
    shown = snippet_of(written, "chain rule", "backpropagation")
    assert "<mark>chain</mark> <mark>rule</mark> backwards" in shown


def test_the_summary_stands_in_when_the_readable_text_has_no_match():
    # Matched only in code or a table: the summary, not the opening words of the text.
    shown = for_entry("Opening words about nothing.", "What the entry is.", ["sklearn"], None, False)
    assert shown == "What the entry is."


# -- the same snippets as the one regex that used to find them -----------------------------
def regex(stems: list[str]) -> re.Pattern[str] | None:
    ordered = sorted({s.lower() for s in stems if s}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"\b(?:" + "|".join(f"({re.escape(s)})" for s in ordered) + r")\w*", re.IGNORECASE)


def regex_mark(piece: str, pattern: re.Pattern[str]) -> str:
    out, last = [], 0
    for m in pattern.finditer(piece):
        out += [html.escape(piece[last : m.start()]), f"<mark>{html.escape(m.group(0))}</mark>"]
        last = m.end()
    out.append(html.escape(piece[last:]))
    return "".join(out).replace("\n", " ")


def regex_excerpt(text: str, stems: list[str], weights: dict[str, float] | None = None) -> str | None:
    """What excerpt() gave when it searched each hit's whole text with one case-insensitive
    regex (about 0.3 ms an entry): the reference its faster search must agree with."""
    pattern = regex(stems)
    if pattern is None:
        return None
    found = [(m.start(), m.group(m.lastindex or 1).lower()) for m in pattern.finditer(text)]
    if not found:
        return None
    begin = _passage(found, _units(_ordered(stems), weights), WINDOW - LEAD_IN)
    begin = max(0, text.rfind(" ", 0, max(0, begin - LEAD_IN)) + 1) if begin > LEAD_IN else 0
    piece = _cut(text, begin, WINDOW)
    prefix, suffix = "… " if begin > 0 else "", " …" if begin + len(piece) < len(text) else ""
    return prefix + regex_mark(piece, pattern) + suffix


# Words whose case, accents, digits, underscores and dots test where a word begins and
# what matches regardless of case; İ, ı, ſ and the Kelvin sign match ASCII letters.
WORDS = [
    "Loss",
    "loss",
    "LOSSES",
    "glossary",
    "validation",
    "Valid",
    "train_loss",
    "naïve",
    "ε",
    "3.5",
    "İnput",
    "ınput",
    "ſtate",
    "\u212aernel",
    "kernel",
    "over-fitting",
    "fit",
    "x²",
    "état",
    "Overfit",
]
STEMS = ["loss", "valid", "train", "naïv", "input", "state", "kernel", "fit", "overfit", "3.5", "x", "état", "ε"]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), max_size=120),
    separators=st.lists(st.sampled_from([" ", " ", ", ", ". ", "\n", " (", ") ", "—", "/"]), min_size=1),
    stems=st.lists(st.sampled_from(STEMS), max_size=5),
    weighted=st.booleans(),
)
def test_snippets_are_the_ones_the_regex_found(words, separators, stems, weighted):
    text = "".join(w + separators[i % len(separators)] for i, w in enumerate(words))
    weights = {s: 1.0 + len(s) for s in stems} if weighted else None
    assert excerpt(text, stems, weights) == regex_excerpt(text, stems, weights)
    pattern = regex(stems)
    if pattern is not None:
        assert marked(text[:150], stems) == regex_mark(text[:150], pattern)


def test_a_long_text_is_marked_where_its_best_passage_is():
    text = "Loss is a number. " * 40 + "Validation loss rises while training loss falls. " + "Filler words. " * 40
    shown = excerpt(text, ["valid", "loss", "train", "rise", "fall"], {"valid": 3, "loss": 1, "train": 2})
    assert shown == regex_excerpt(text, ["valid", "loss", "train", "rise", "fall"], {"valid": 3, "loss": 1, "train": 2})
    assert "<mark>Validation</mark> <mark>loss</mark> <mark>rises</mark>" in shown
