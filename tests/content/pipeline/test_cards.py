"""Cards in entries, in the syntax of Obsidian's Spaced Repetition plugin."""

from __future__ import annotations

import textwrap

from app.content.pipeline.cards import find_cards
from app.content.pipeline.links import build_resolver
from app.content.pipeline.load import Source
from app.content.pipeline.parse import parse
from app.content.pipeline.render import make_markdown, render


def cards_of(body: str):
    blocks, problems = find_cards(textwrap.dedent(body), "e.md", body_line=5)
    return [c for b in blocks for c in b.cards], problems


def test_one_line_two_way_and_multi_line_cards():
    cards, problems = cards_of("""\
        ## Check yourself
        What does `KMeans(n_init="auto")` do?::One run of k-means++.

        Inertia:::The sum of squared distances to the nearest centroid.

        Points 2, 4 and 6 form one cluster. What is the inertia?
        ?
        $(2-4)^2 + 0 + (6-4)^2 = 8$

        Term
        ??
        Its meaning
        """)
    assert problems == []
    assert [(c.kind, c.front, c.back, c.line) for c in cards] == [
        ("basic", 'What does `KMeans(n_init="auto")` do?', "One run of k-means++.", 6),
        ("basic", "Inertia", "The sum of squared distances to the nearest centroid.", 8),
        ("reversed", "The sum of squared distances to the nearest centroid.", "Inertia", 8),
        ("basic", "Points 2, 4 and 6 form one cluster. What is the inertia?", "$(2-4)^2 + 0 + (6-4)^2 = 8$", 10),
        ("basic", "Term", "Its meaning", 14),
        ("reversed", "Its meaning", "Term", 14),
    ]


def test_each_highlight_is_its_own_cloze_card():
    cards, problems = cards_of("K-means minimises the ==inertia==, the sum over each ==centroid==.\n")
    assert problems == []
    assert [c.front for c in cards] == [
        "K-means minimises the […], the sum over each centroid.",
        "K-means minimises the inertia, the sum over each […].",
    ]
    assert {c.back for c in cards} == {
        "K-means minimises the <mark>inertia</mark>, the sum over each <mark>centroid</mark>."
    }


def test_code_and_comments_are_never_cards():
    cards, problems = cards_of("""\
        ```python
        a[::2]  # not a card
        x == y
        ```

        Slicing with `a[::2]` takes every second item, and `x == y` compares.

        Real question?::Real answer.
        <!--SR:!2026-01-03,3,250-->
        """)
    assert problems == []
    assert [(c.front, c.back) for c in cards] == [("Real question?", "Real answer.")]


def test_keys_survive_edits_to_answers_and_surroundings():
    before, _ = cards_of("Intro.\n\nWhy scale features?::So no feature dominates.\n\nA ==cloze== here.\n")
    after, _ = cards_of(
        "New intro.\n\nOther?::Other.\n\nWhy  scale features?::Because distances add up.\n\n"
        "Now a ==cloze== with new words.\n"
    )
    assert {c.key for c in before} <= {c.key for c in after}
    twins, _ = cards_of("Same?::One.\n\nSame?::Two.\n")
    assert len({c.key for c in twins}) == 2


def test_malformed_cards_are_reported_with_their_line():
    _, problems = cards_of("""\
        No answer here::

        Question
        ?

        An ==unclosed highlight.

        Q1::A1
        stray text
        """)
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (5, "card with '::' has no answer"),
        (8, "card with '?' has no answer"),
        (10, "unclosed ==highlight=="),
        (13, "text among one-line cards is not a card"),
    ]


def test_cards_render_in_place_with_hidden_answers():
    source = (
        "---\ntitle: K-means\n---\nBody with [[Inertia]].\n\n"
        "## Check yourself\nWhy?::Because [[Inertia]].\n\nA ==cloze==.\n"
    )
    doc, problems = parse(Source("k.md", source.encode(), "h", None))  # type: ignore[arg-type]
    assert problems == []
    inertia, _ = parse(Source("inertia.md", b"---\ntitle: Inertia\n---\nx\n", "h", None))  # type: ignore[arg-type]
    render(doc, make_markdown(), build_resolver([doc, inertia]))
    assert "::" not in doc.html and "==" not in doc.html
    assert '<details class="card" id="card-q-' in doc.html
    assert (
        '<summary>Why?</summary><div class="card-back"><p>Because <a class="wikilink" href="/entries/inertia">'
        in doc.html
    )
    assert "<summary>A […].</summary>" in doc.html and "<mark>cloze</mark>" in doc.html
    assert [link.line for link in doc.links] == [4, 7]  # the card's link, at the card's line
    assert "Why? Because Inertia" in " ".join(doc.text.split())  # searchable
